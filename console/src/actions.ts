// Image actions shared by the list's row menu and the detail page.
import { call, errorMessage, getSessionToken } from "./api";
import { type Image, imagePath } from "./images";

export const deactivate = (id: string) => call("POST", `${imagePath(id)}/actions/deactivate`);
export const reactivate = (id: string) => call("POST", `${imagePath(id)}/actions/reactivate`);
export const deleteImage = (id: string) => call("DELETE", imagePath(id));

export const setMemberStatus = (imageId: string, project: string, status: "accepted" | "rejected" | "pending") =>
  call("PUT", `${imagePath(imageId)}/members/${encodeURIComponent(project)}`, { json: { status } });

type SavePicker = (o: { suggestedName: string }) => Promise<{ createWritable(): Promise<WritableStream<Uint8Array>> }>;

/**
 * Downloads the image data. The API wants X-Auth-Token, which a plain link cannot send, so the page fetches
 * it: straight to disk where the browser lets a page write files (File System Access), else through a Blob
 * (the browser spills big blobs to disk, but they still pass through the tab).
 */
export async function download(image: Image): Promise<void> {
  const name = `${(image.name || image.id).replace(/[^\w.-]+/g, "_")}.${image.disk_format ?? "img"}`;
  const picker = (window as unknown as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
  // The file picker needs the click's user activation, so it comes before the request.
  const handle = picker && (image.size ?? 0) > 512 * 1024 * 1024 ? await picker({ suggestedName: name }) : null;
  const res = await fetch(`${imagePath(image.id)}/file`, {
    headers: { "X-Auth-Token": getSessionToken(), Accept: "application/json" },
  });
  if (!res.ok) throw new Error(errorMessage(res.status, await res.text()));
  if (res.status === 204 || !res.body) throw new Error("This image has no data to download.");
  if (handle) {
    await res.body.pipeTo(await handle.createWritable());
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
