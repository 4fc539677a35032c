// Writes a body of known length into R2 block by block: the one place that bridges our writes and R2's reader.

/**
 * R2 only accepts a stream of known length; a FixedLengthStream supplies it for bytes we write ourselves.
 * `consume` starts the R2 call that reads the stream. If that call fails (or ends early), a pending write
 * must fail too instead of waiting for a reader that is gone.
 */
export function fixedLengthWriter<T>(
  length: number,
  consume: (body: ReadableStream) => Promise<T>,
  names: { call: string; abandoned: string },
): { write(block: Uint8Array): Promise<void>; close(): Promise<T>; abort(): Promise<void> } {
  const fixed = new FixedLengthStream(length);
  const writer = fixed.writable.getWriter();
  const stored = consume(fixed.readable);
  const broken = stored.then(() => {
    throw new Error(`${names.call} ended before all bytes were written`);
  });
  stored.catch(() => {});
  broken.catch(() => {});
  return {
    write: (block) => Promise.race([writer.write(block), broken]),
    close: async () => {
      await writer.close();
      return stored;
    },
    abort: async () => {
      await writer.abort(new Error(names.abandoned)).catch(() => {});
      await stored.catch(() => {});
    },
  };
}
