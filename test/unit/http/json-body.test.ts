// readJson: Glance's three 400s, the line-continuation tolerance (between tokens only) and the 64 KiB cap.
import { describe, expect, it } from "vitest";
import { DomainError } from "../../../src/domain/errors";
import { dropLineContinuations, readJson } from "../../../src/http/json-body";

const CAP = 65536;
const req = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://x/v2/images", { method: "POST", body, headers });

async function failure(p: Promise<unknown>): Promise<[string, string | undefined]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return [e.kind, e.explanation];
    throw e;
  }
  throw new Error("expected a DomainError");
}

describe("readJson", () => {
  it("parses objects and arrays", async () => {
    expect(await readJson(req('{"name": "x"}'), CAP)).toEqual({ name: "x" });
    expect(await readJson(req("[]"), CAP)).toEqual([]);
    expect(await readJson(req(' \n {"a": [1, {"b": null}]} \n'), CAP)).toEqual({ a: [1, { b: null }] });
  });

  it.each(['{"name": ', "{'a': 1}", "{a: 1}", "[1,]", "nope", '{"a": 1} {"b": 2}', "\u0000"])(
    "malformed %j -> 400",
    async (body) => {
      expect(await failure(readJson(req(body), CAP))).toEqual(["bad_request", "Malformed JSON in request body."]);
    },
  );

  it.each(["true", "false", "null", "123", '"hello"', "1.5"])("scalar %s -> 400", async (body) => {
    expect(await failure(readJson(req(body), CAP))).toEqual([
      "bad_request",
      "Unexpected body type. Expected list/dict.",
    ]);
  });

  it.each([null, "", "   ", "\n\t"])("empty %j -> 400", async (body) => {
    expect(await failure(readJson(req(body), CAP))).toEqual(["bad_request", "Body expected in request."]);
  });

  it("tolerates a shell line continuation between tokens (LF and CRLF)", async () => {
    expect(await readJson(req('{"name": "x", \\\n "os_distro": "ubuntu"}'), CAP)).toEqual({
      name: "x",
      os_distro: "ubuntu",
    });
    expect(await readJson(req('{"name": "x",\\\r\n"tags": ["a"]}'), CAP)).toEqual({ name: "x", tags: ["a"] });
    expect(await readJson(req('{"name":\\\n"x"}'), CAP)).toEqual({ name: "x" });
  });

  it("does not accept a line continuation inside a string", async () => {
    expect(await failure(readJson(req('{"name": "a\\\nb"}'), CAP))).toEqual([
      "bad_request",
      "Malformed JSON in request body.",
    ]);
  });

  it("keeps escapes inside strings intact when it has to drop continuations", async () => {
    expect(await readJson(req('{"a": "q\\"x\\\\", \\\n "b": "\\n"}'), CAP)).toEqual({ a: 'q"x\\', b: "\n" });
  });

  it("a stray backslash not followed by a line break stays malformed", async () => {
    expect(await failure(readJson(req('{"a": 1, \\ "b": 2}'), CAP))).toEqual([
      "bad_request",
      "Malformed JSON in request body.",
    ]);
  });

  it("accepts exactly the cap; one byte more is a 413 (declared or streamed)", async () => {
    const exact = `{"d": "${"x".repeat(CAP - 9)}"}`;
    expect(new TextEncoder().encode(exact).byteLength).toBe(CAP);
    expect(await readJson(req(exact), CAP)).toEqual({ d: "x".repeat(CAP - 9) });
    const over = `{"d": "${"x".repeat(CAP - 8)}"}`;
    expect(await failure(readJson(req(over), CAP))).toEqual(["payload_too_large", "The request body is too large."]);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode("x".repeat(4096)));
        c.close();
      },
    });
    expect(await failure(readJson(req(stream), CAP))).toEqual(["payload_too_large", "The request body is too large."]);
  });

  it("counts bytes, not characters", async () => {
    const body = `{"d": "${"é".repeat(CAP / 2)}"}`;
    expect(await failure(readJson(req(body), CAP))).toEqual(["payload_too_large", "The request body is too large."]);
  });
});

describe("dropLineContinuations", () => {
  it("only touches backslash + line break outside strings", () => {
    expect(dropLineContinuations('{"a": 1,\\\n"b": 2}')).toBe('{"a": 1, "b": 2}');
    expect(dropLineContinuations('"x\\\ny"')).toBe('"x\\\ny"');
    expect(dropLineContinuations('"\\\\"\\\n')).toBe('"\\\\" ');
  });
});
