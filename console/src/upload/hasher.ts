// Runs the hash Web Worker over a file: progress while it reads, then {md5, sha512}; cancellable.
import type { HashMessage } from "./hash-worker";

declare const __HASH_WORKER__: string;

export interface FileHashes {
  md5: string;
  sha512: string;
}

export interface Hashing {
  result: Promise<FileHashes>;
  cancel(): void;
}

export function hashFile(file: Blob, onProgress: (done: number) => void): Hashing {
  // The build script defines the worker's hashed file name; it sits next to the app's script.
  const worker = new Worker(new URL(__HASH_WORKER__, import.meta.url), { type: "module" });
  let reject: (e: Error) => void = () => {};
  const result = new Promise<FileHashes>((resolve, rej) => {
    reject = rej;
    worker.onmessage = (e: MessageEvent<HashMessage>) => {
      const m = e.data;
      if (m.type === "progress") onProgress(m.done);
      else {
        worker.terminate();
        if (m.type === "done") resolve({ md5: m.md5, sha512: m.sha512 });
        else rej(new Error(`hashing the file failed: ${m.message}`));
      }
    };
    worker.onerror = (e) => {
      worker.terminate();
      rej(new Error(`hashing the file failed: ${e.message}`));
    };
  });
  worker.postMessage({ file });
  return {
    result,
    cancel() {
      worker.terminate();
      reject(new DOMException("cancelled", "AbortError"));
    },
  };
}
