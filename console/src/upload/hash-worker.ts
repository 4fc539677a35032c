// Web Worker: MD5 and SHA-512 of a File, read piece by piece (never whole) with hash-wasm's streaming hashers.
import { createMD5, createSHA512 } from "hash-wasm";

export type HashRequest = { file: Blob };
export type HashMessage =
  | { type: "progress"; done: number }
  | { type: "done"; md5: string; sha512: string }
  | { type: "error"; message: string };

/** Big enough to keep the WebAssembly busy, small enough that memory stays flat. */
const PIECE = 8 * 1024 * 1024;

const scope = self as unknown as {
  onmessage: (e: MessageEvent<HashRequest>) => void;
  postMessage(m: HashMessage): void;
};

scope.onmessage = async (e) => {
  try {
    const { file } = e.data;
    const [md5, sha512] = await Promise.all([createMD5(), createSHA512()]);
    md5.init();
    sha512.init();
    for (let off = 0; off < file.size; off += PIECE) {
      const piece = new Uint8Array(await file.slice(off, off + PIECE).arrayBuffer());
      md5.update(piece);
      sha512.update(piece);
      scope.postMessage({ type: "progress", done: off + piece.byteLength });
    }
    scope.postMessage({ type: "done", md5: md5.digest("hex"), sha512: sha512.digest("hex") });
  } catch (err) {
    scope.postMessage({ type: "error", message: (err as Error).message || String(err) });
  }
};
