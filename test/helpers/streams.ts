// Request bodies for fault tests: delivered in pieces, and optionally breaking after some bytes.

/**
 * A body without a length (the Worker sees it chunked), in pieces of `piece` bytes. With `failAfter`, the stream
 * errors once that many bytes were delivered, as a body whose connection was cut does when the Worker reads it.
 */
export function pieces(data: Uint8Array, piece = 64 * 1024, failAfter?: number): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (failAfter !== undefined && off >= failAfter) return c.error(new Error("client went away"));
      if (off >= data.byteLength) return c.close();
      c.enqueue(data.slice(off, off + piece));
      off += piece;
    },
  });
}
