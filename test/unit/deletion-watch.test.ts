// The deletion watch's schedule: quick at first, then a fixed share of the upload's age, so looks stay few.
import { describe, expect, it } from "vitest";
import { DELETE_WATCH_MS, nextWatchDelay } from "../../src/services/data/deletion-watch";

/** How many looks an upload of `durationMs` makes on the schedule. */
function looks(durationMs: number): number {
  let t = 0;
  let n = 0;
  for (;;) {
    t += nextWatchDelay(t);
    if (t > durationMs) return n;
    n += 1;
  }
}

describe("nextWatchDelay", () => {
  it("looks every second for the first minute", () => {
    expect(nextWatchDelay(0)).toBe(DELETE_WATCH_MS);
    expect(nextWatchDelay(59_000)).toBe(DELETE_WATCH_MS);
    expect(looks(60_000)).toBe(60);
  });

  it("then waits 1/60 of the upload's age, so a deletion is noticed within ~1.7 % of the time spent", () => {
    expect(nextWatchDelay(10 * 60_000)).toBe(10_000);
    expect(nextWatchDelay(3_600_000)).toBe(60_000);
  });

  it("stays far below Workers' 1,000 D1 queries per invocation however long the upload runs", () => {
    expect(looks(3_600_000)).toBeLessThan(320);
    expect(looks(24 * 3_600_000)).toBeLessThan(520);
    expect(looks(7 * 24 * 3_600_000)).toBeLessThan(650);
  });
});
