// Which bytes to send next in a resumable chunked stage, from what GET /v2/images/{id}/stage says. Pure.
//
// Today's server takes chunks strictly in order: {"received", "total", "chunk_size"}, resume at `received`.
// A server that accepts chunks out of order adds {"parallel": K, "missing": [[start, end_inclusive], ...]}:
// then up to K chunks go at once, taken from the missing ranges.

export const MIB = 1024 * 1024;
/** R2's smallest part; every chunk but the last must be at least this big. */
export const MIN_CHUNK = 5 * MIB;
/** The server's default STAGE_CHUNK_MAX: a chunk is one request, so it must stay under the body limit. */
export const MAX_CHUNK = 64 * MIB;
const MAX_CHUNKS = 10_000;
/** However much the server offers, a browser tab does not need more connections than this. */
const MAX_PARALLEL = 6;

export interface StageState {
  received: number;
  total: number;
  chunkSize: number | null;
  /** Both present only when the server accepts chunks out of order. */
  parallel: number | null;
  missing: [number, number][] | null;
}

export interface Chunk {
  start: number;
  /** Exclusive. */
  end: number;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Reads GET /stage's JSON; throws on a shape it does not understand rather than guessing. */
export function parseStage(json: unknown): StageState {
  const j = (json ?? {}) as Record<string, unknown>;
  if (!isCount(j.received) || !isCount(j.total) || j.received > j.total)
    throw new Error(`unexpected stage answer ${JSON.stringify(json)}`);
  const chunkSize = isCount(j.chunk_size) && j.chunk_size > 0 ? j.chunk_size : null;
  const missing =
    Array.isArray(j.missing) &&
    j.missing.every((r) => Array.isArray(r) && r.length === 2 && isCount(r[0]) && isCount(r[1]) && r[0] <= r[1])
      ? (j.missing as [number, number][])
      : null;
  const parallel = isCount(j.parallel) && j.parallel >= 1 && missing ? j.parallel : null;
  return { received: j.received, total: j.total, chunkSize, parallel, missing: parallel ? missing : null };
}

/** A chunk size the server will take for this file: 5-64 MiB and at most 10,000 chunks. */
export function chooseChunkSize(fileSize: number, preferred: number): number {
  const floor = Math.max(MIN_CHUNK, Math.ceil(fileSize / MAX_CHUNKS));
  return Math.min(MAX_CHUNK, Math.max(floor, preferred));
}

/** The first chunk goes alone: it opens the session and fixes the chunk size for every later one. */
export const firstChunk = (total: number, chunkSize: number): Chunk => ({ start: 0, end: Math.min(total, chunkSize) });

/**
 * The chunks still to send, in order. Chunk k always covers [k * size, (k + 1) * size), so a missing range is
 * cut at those boundaries; without a missing list everything from `received` on is missing.
 */
export function chunksToSend(stage: StageState, chunkSize: number): Chunk[] {
  const ranges: [number, number][] =
    stage.missing ?? (stage.received < stage.total ? [[stage.received, stage.total - 1]] : []);
  const out: Chunk[] = [];
  for (const [s, lastByte] of ranges) {
    const stop = Math.min(lastByte + 1, stage.total);
    for (let start = s; start < stop; ) {
      const end = Math.min(stop, (Math.floor(start / chunkSize) + 1) * chunkSize);
      out.push({ start, end });
      start = end;
    }
  }
  return out;
}

/** How many chunks may be in flight: K when the server offers parallel chunks, else one after the other. */
export const concurrency = (stage: StageState) => Math.min(MAX_PARALLEL, stage.parallel ?? 1);

/** Bytes the server already holds. */
export const stored = (stage: StageState) =>
  stage.missing ? stage.total - stage.missing.reduce((n, [s, e]) => n + (e - s + 1), 0) : stage.received;
