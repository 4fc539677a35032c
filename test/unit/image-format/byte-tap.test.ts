// The streaming core: regions across block boundaries, regions found through pointers (ahead or behind),
// the rolling tail, skipping, and that a block nobody wants costs nothing but the tail.
import { describe, expect, it } from "vitest";
import { ByteTap, TAIL_BYTES } from "../../../src/domain/image-format/byte-tap";
import { bytes } from "../../helpers/bytes";
import { cuts } from "./images";

function feedCut(tap: ByteTap, data: Uint8Array, next: () => number) {
  for (let at = 0; at < data.length; ) {
    const n = next();
    tap.feed(data.subarray(at, at + n));
    at += n;
  }
}

describe("ByteTap", () => {
  const data = bytes(20_000, 3);

  it.each([1, 2, 7, 511, 512, 4096, 20_000])("captures regions across blocks of %i bytes", (size) => {
    const tap = new ByteTap();
    const a = tap.capture(0, 16)!;
    const b = tap.capture(1000, 3000)!;
    const c = tap.capture(19_990, 10)!;
    feedCut(tap, data, () => size);
    for (const [r, from, n] of [
      [a, 0, 16],
      [b, 1000, 3000],
      [c, 19_990, 10],
    ] as const) {
      expect(r.complete).toBe(true);
      expect(r.bytes).toEqual(data.subarray(from, from + n));
    }
  });

  it("a region added when another completes gets its bytes from the same block, at any cut", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const tap = new ByteTap();
      let second: Uint8Array | null = null;
      // The first region holds a pointer (here: its first byte + 600) to the second.
      tap.capture(100, 4, (head) => {
        tap.capture(104 + head[0]!, 50, (b) => {
          second = b;
        });
      });
      feedCut(tap, data, cuts(seed, 700));
      const at = 104 + data[100]!;
      expect(second).toEqual(data.subarray(at, at + 50));
    }
  });

  it("refuses a region that starts before the bytes its pointer came from ended, whatever the cut", () => {
    for (const size of [1, 64, 100_000]) {
      const tap = new ByteTap();
      let behind: boolean | null = null;
      tap.capture(200, 8, () => {
        behind = tap.capture(150, 8) === null;
      });
      feedCut(tap, data, () => size);
      expect(behind).toBe(true);
    }
  });

  it("refuses regions behind the stream position, and NaN offsets", () => {
    const tap = new ByteTap();
    tap.feed(data.subarray(0, 100));
    expect(tap.capture(99, 1)).toBeNull();
    expect(tap.capture(Number.NaN, 1)).toBeNull();
    expect(tap.capture(100, 1)).not.toBeNull();
  });

  it("stops streaming a region whose sink returns false", () => {
    const tap = new ByteTap();
    let seen = 0;
    tap.stream(0, 10_000, (slice) => {
      seen += slice.length;
      return seen < 300;
    });
    feedCut(tap, data, () => 128);
    expect(seen).toBe(384);
    expect(tap.nextWanted).toBe(Number.POSITIVE_INFINITY);
  });

  it("completes zero-length regions at once", () => {
    const tap = new ByteTap();
    let done = false;
    expect(tap.capture(50, 0, () => (done = true))?.complete).toBe(true);
    expect(done).toBe(true);
  });

  it.each([1, 5, 100, 1535, 1536, 1537, 5000])("keeps the last %i-byte blocks' tail in order", (size) => {
    const tap = new ByteTap();
    feedCut(tap, data, () => size);
    expect(tap.tail(TAIL_BYTES)).toEqual(data.subarray(data.length - TAIL_BYTES));
    expect(tap.tail(512)).toEqual(data.subarray(data.length - 512));
  });

  it("has a short tail for a short stream", () => {
    const tap = new ByteTap();
    tap.feed(data.subarray(0, 10));
    expect(tap.tail(512)).toEqual(data.subarray(0, 10));
  });

  it("skips only bytes nobody wants, and the tail restarts after a skip", () => {
    const tap = new ByteTap();
    tap.capture(5000, 10);
    expect(tap.nextWanted).toBe(5000);
    expect(() => tap.skip(5001)).toThrow(RangeError);
    tap.feed(data.subarray(0, 100));
    tap.skip(4900);
    expect(tap.position).toBe(5000);
    expect(tap.tail(512).length).toBe(0);
    tap.feed(data.subarray(5000, 5020));
    expect(tap.nextWanted).toBe(Number.POSITIVE_INFINITY);
    expect(tap.tail(512)).toEqual(data.subarray(5000, 5020));
  });

  it("hands a block no region wants only to the tail", () => {
    const tap = new ByteTap();
    let calls = 0;
    tap.stream(0, 10, () => {
      calls++;
      return true;
    });
    tap.feed(data.subarray(0, 10));
    tap.feed(data.subarray(10, 20_000));
    expect(calls).toBe(1);
    expect(tap.nextWanted).toBe(Number.POSITIVE_INFINITY);
  });

  it("counts the buffers it hands out", () => {
    const tap = new ByteTap();
    tap.capture(0, 512);
    tap.alloc(1000);
    expect(tap.retainedBytes).toBe(TAIL_BYTES + 512 + 1000);
  });
});
