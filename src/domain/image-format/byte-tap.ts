// The streaming core of the format inspector: probes ask for byte ranges by absolute offset and get them as the
// image streams by; bytes nobody asked for cost O(1) per block, apart from a small rolling tail kept for footers.

/** Bytes kept from the end of the stream: a VMDK footer (marker, footer, end-of-stream) is the largest. */
export const TAIL_BYTES = 1536;

/**
 * Receives one region's bytes in order: `at` is the slice's offset inside the region. Returning false drops
 * the region (the probe has seen enough, e.g. a text scan met a binary byte).
 */
export type RegionSink = (slice: Uint8Array, at: number) => boolean | undefined;

/** A fixed-size region copied into a buffer; `filled` says how much of it the stream has delivered so far. */
export interface Captured {
  readonly bytes: Uint8Array;
  readonly filled: number;
  readonly complete: boolean;
}

interface Region {
  readonly start: number;
  readonly end: number;
  /** Absolute offset of the next byte this region wants; Infinity once it is done or dropped. */
  next: number;
  readonly sink: RegionSink;
  readonly done: (() => void) | undefined;
}

export class ByteTap {
  private pos = 0;
  private regions: Region[] = [];
  private wanted = Number.POSITIVE_INFINITY;
  /**
   * The earliest offset a new region may start at. Outside a callback it is the stream position (everything
   * before has gone by); inside one it is the end of the bytes that callback has seen, so whether a pointer
   * "lies behind" depends on the data only, never on how the stream was cut into blocks.
   */
  private floor = 0;
  private readonly ring = new Uint8Array(TAIL_BYTES);
  private ringEnd = 0;
  private ringFill = 0;
  private allocated = TAIL_BYTES;

  /** Bytes fed (or skipped) so far. */
  get position(): number {
    return this.pos;
  }

  /** The lowest offset some region still wants (Infinity when none): everything before it may be skipped. */
  get nextWanted(): number {
    return this.wanted;
  }

  /** Bytes of buffers handed out so far plus the tail: an upper bound of what the probes retain. */
  get retainedBytes(): number {
    return this.allocated;
  }

  /** A zeroed buffer counted in `retainedBytes` (for probes that keep bytes outside `capture`). */
  alloc(length: number): Uint8Array {
    this.allocated += length;
    return new Uint8Array(length);
  }

  /**
   * Delivers [start, start + length) to `sink` as it streams by, then calls `done`. False (and nothing
   * registered) when `start` lies behind bytes that have already gone by.
   */
  stream(start: number, length: number, sink: RegionSink, done?: () => void): boolean {
    if (!(start >= this.floor) || !Number.isSafeInteger(start)) return false;
    if (length <= 0) {
      done?.();
      return true;
    }
    this.regions.push({ start, end: start + length, next: start, sink, done });
    if (start < this.wanted) this.wanted = start;
    return true;
  }

  /** Copies [start, start + length) into a buffer; null when it lies behind. `onComplete` runs once it is full. */
  capture(start: number, length: number, onComplete?: (bytes: Uint8Array) => void): Captured | null {
    const bytes = this.alloc(Math.max(0, length));
    const c = { bytes, filled: 0, complete: length <= 0 };
    const ok = this.stream(
      start,
      length,
      (slice, at) => {
        bytes.set(slice, at);
        c.filled = at + slice.length;
        return true;
      },
      () => {
        c.complete = true;
        onComplete?.(bytes);
      },
    );
    if (!ok) {
      this.allocated -= bytes.length;
      return null;
    }
    return c;
  }

  feed(block: Uint8Array): void {
    const start = this.pos;
    const end = start + block.length;
    this.pos = end;
    if (end > this.wanted) this.deliver(block, start, end);
    this.floor = end;
    this.keepTail(block);
  }

  /**
   * Advances past `length` bytes without seeing them (reading an image back by ranges). Only bytes no region
   * wants may be skipped; the tail restarts, so read the last TAIL_BYTES for real.
   */
  skip(length: number): void {
    if (this.pos + length > this.wanted) throw new RangeError("skip would pass bytes a probe still wants");
    this.pos += length;
    this.floor = this.pos;
    this.ringEnd = 0;
    this.ringFill = 0;
  }

  /** The last min(length, TAIL_BYTES, bytes fed since the last skip) bytes of the stream, in order. */
  tail(length: number): Uint8Array {
    const n = Math.min(length, this.ringFill);
    const out = new Uint8Array(n);
    const from = (this.ringEnd - n + TAIL_BYTES) % TAIL_BYTES;
    const first = Math.min(n, TAIL_BYTES - from);
    out.set(this.ring.subarray(from, from + first));
    if (first < n) out.set(this.ring.subarray(0, n - first), first);
    return out;
  }

  private deliver(block: Uint8Array, start: number, end: number): void {
    let finished = false;
    // Callbacks may append regions (pointers read from a completed region); the loop reaches those too, so
    // a region that begins inside this block still gets its bytes from it.
    for (let i = 0; i < this.regions.length; i++) {
      const r = this.regions[i]!;
      if (r.next >= end) continue;
      const from = r.next;
      const to = Math.min(r.end, end);
      this.floor = to;
      const more = r.sink(block.subarray(from - start, to - start), from - r.start);
      r.next = to;
      if (more === false) {
        r.next = Number.POSITIVE_INFINITY;
        finished = true;
      } else if (to === r.end) {
        r.next = Number.POSITIVE_INFINITY;
        finished = true;
        r.done?.();
      }
    }
    if (finished) this.regions = this.regions.filter((r) => r.next !== Number.POSITIVE_INFINITY);
    let wanted = Number.POSITIVE_INFINITY;
    for (const r of this.regions) if (r.next < wanted) wanted = r.next;
    this.wanted = wanted;
  }

  private keepTail(block: Uint8Array): void {
    const n = block.length;
    if (n >= TAIL_BYTES) {
      this.ring.set(block.subarray(n - TAIL_BYTES));
      this.ringEnd = 0;
      this.ringFill = TAIL_BYTES;
      return;
    }
    const first = Math.min(n, TAIL_BYTES - this.ringEnd);
    this.ring.set(block.subarray(0, first), this.ringEnd);
    if (first < n) this.ring.set(block.subarray(first), 0);
    this.ringEnd = (this.ringEnd + n) % TAIL_BYTES;
    this.ringFill = Math.min(TAIL_BYTES, this.ringFill + n);
  }
}
