// One chunk of a chunked stage over XMLHttpRequest: fetch() cannot report upload progress, XHR can.
import { imagePath } from "../images";
import { getSession } from "../session";
import type { Chunk } from "./chunk-plan";

/**
 * PUT /v2/images/{id}/stage with Content-Range for [chunk.start, chunk.end) of the file, streamed from disk
 * by the browser (a Blob slice). Resolves with the status and body (status 0: the connection failed);
 * rejects with an AbortError when `signal` aborts.
 */
export function putChunk(
  imageId: string,
  file: Blob,
  chunk: Chunk,
  signal: AbortSignal,
  onLoaded: (bytes: number) => void,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DOMException("aborted", "AbortError"));
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", `${imagePath(imageId)}/stage`);
    xhr.setRequestHeader("X-Auth-Token", getSession()?.token ?? "");
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Content-Range", `bytes ${chunk.start}-${chunk.end - 1}/${file.size}`);
    const onAbort = () => xhr.abort();
    const settle = () => signal.removeEventListener("abort", onAbort);
    xhr.upload.onprogress = (e) => onLoaded(e.loaded);
    xhr.onload = () => {
      settle();
      resolve({ status: xhr.status, body: xhr.responseText });
    };
    xhr.onerror = () => {
      settle();
      resolve({ status: 0, body: "" });
    };
    xhr.onabort = () => {
      settle();
      reject(new DOMException("aborted", "AbortError"));
    };
    signal.addEventListener("abort", onAbort);
    xhr.send(file.slice(chunk.start, chunk.end));
  });
}
