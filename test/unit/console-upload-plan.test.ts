// The console's pure pieces: which chunks to send from GET /stage (sequential today, parallel when offered),
// chunk sizes the server takes, and error lines from the service's own WebOb bodies.
import { describe, expect, it } from "vitest";
import { errorMessage } from "../../console/src/api-errors";
import {
  chooseChunkSize,
  chunksToSend,
  concurrency,
  firstChunk,
  MIB,
  parseStage,
  stored,
} from "../../console/src/upload/chunk-plan";
import { errorBody } from "../../src/http/errors";

describe("parseStage", () => {
  it("reads today's answer as sequential", () => {
    const s = parseStage({ received: 10 * MIB, total: 23 * MIB, chunk_size: 5 * MIB });
    expect(s).toEqual({ received: 10 * MIB, total: 23 * MIB, chunkSize: 5 * MIB, parallel: null, missing: null });
    expect(concurrency(s)).toBe(1);
    expect(stored(s)).toBe(10 * MIB);
  });

  it("takes parallel chunks only when both `parallel` and a well-formed `missing` list are there", () => {
    const both = parseStage({
      received: 0,
      total: 20,
      chunk_size: 5,
      parallel: 4,
      missing: [
        [5, 9],
        [15, 19],
      ],
    });
    expect(both.parallel).toBe(4);
    expect(both.missing).toEqual([
      [5, 9],
      [15, 19],
    ]);
    expect(concurrency(both)).toBe(4);
    expect(stored(both)).toBe(10);
    expect(parseStage({ received: 5, total: 20, chunk_size: 5, parallel: 4 }).parallel).toBeNull();
    expect(parseStage({ received: 5, total: 20, chunk_size: 5, parallel: 4, missing: [[9, 5]] }).parallel).toBeNull();
    expect(parseStage({ received: 5, total: 20, chunk_size: 5, parallel: 0, missing: [] }).parallel).toBeNull();
    expect(parseStage({ received: 5, total: 20, chunk_size: 5, missing: [[10, 19]] }).missing).toBeNull();
    expect(concurrency(parseStage({ received: 0, total: 20, chunk_size: 5, parallel: 64, missing: [[0, 19]] }))).toBe(
      6,
    );
  });

  it.each([null, {}, { received: "1", total: 2 }, { received: 3, total: 2 }, { received: -1, total: 2 }])(
    "refuses %j",
    (body) => {
      expect(() => parseStage(body)).toThrow(/unexpected stage answer/);
    },
  );
});

describe("chunksToSend", () => {
  it("sequential: from `received` to the end in chunk-size steps, the last one short", () => {
    const s = parseStage({ received: 10 * MIB, total: 23 * MIB, chunk_size: 5 * MIB });
    expect(chunksToSend(s, 5 * MIB)).toEqual([
      { start: 10 * MIB, end: 15 * MIB },
      { start: 15 * MIB, end: 20 * MIB },
      { start: 20 * MIB, end: 23 * MIB },
    ]);
    expect(chunksToSend(parseStage({ received: 23, total: 23, chunk_size: 5 }), 5)).toEqual([]);
  });

  it("parallel: each missing range cut at chunk boundaries, in order", () => {
    const s = parseStage({
      received: 0,
      total: 23,
      chunk_size: 5,
      parallel: 3,
      missing: [
        [0, 11],
        [20, 22],
      ],
    });
    expect(chunksToSend(s, 5)).toEqual([
      { start: 0, end: 5 },
      { start: 5, end: 10 },
      { start: 10, end: 12 },
      { start: 20, end: 23 },
    ]);
  });

  it("the first chunk goes alone and is the whole file when it is small", () => {
    expect(firstChunk(23 * MIB, 5 * MIB)).toEqual({ start: 0, end: 5 * MIB });
    expect(firstChunk(100, 5 * MIB)).toEqual({ start: 0, end: 100 });
  });
});

describe("chooseChunkSize", () => {
  it("stays within 5-64 MiB and within 10,000 chunks", () => {
    expect(chooseChunkSize(30 * MIB, 1)).toBe(5 * MIB);
    expect(chooseChunkSize(30 * MIB, 16 * MIB)).toBe(16 * MIB);
    expect(chooseChunkSize(30 * MIB, 1024 * MIB)).toBe(64 * MIB);
    expect(chooseChunkSize(200_000 * MIB, 5 * MIB)).toBe(20 * MIB);
  });
});

describe("errorMessage", () => {
  it("shows the detail of the service's WebOb JSON body, else its explanation", () => {
    const detail = errorBody(409, "json", undefined, "Image status transition from active to uploading is not allowed");
    expect(errorMessage(409, detail.body)).toBe(
      "Image status transition from active to uploading is not allowed (HTTP 409)",
    );
    const only = errorBody(403, "json", "Image abc is protected and cannot be deleted.");
    expect(errorMessage(403, only.body)).toBe("Image abc is protected and cannot be deleted. (HTTP 403)");
    const html = errorBody(404, "html", "No image found with ID x");
    expect(errorMessage(404, html.body)).toBe("No image found with ID x (HTTP 404)");
  });

  it("reads Keystone's error shape and copes with empty bodies", () => {
    expect(
      errorMessage(401, JSON.stringify({ error: { code: 401, message: "Bad creds", title: "Unauthorized" } })),
    ).toBe("Bad creds (HTTP 401)");
    expect(errorMessage(502, "")).toBe("HTTP 502");
  });
});
