// An upload whose image is deleted while its body is still arriving answers 410 at once, not when the body ends.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createImage } from "../helpers/api";

/** 64 KiB, then nothing more until the reader gives up (a client that trickles, or stalls). */
function stalling(): ReadableStream<Uint8Array> {
  let sent = false;
  let wake: (() => void) | null = null;
  return new ReadableStream({
    async pull(c) {
      if (!sent) {
        sent = true;
        c.enqueue(new Uint8Array(64 * 1024));
        return;
      }
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 20_000);
      });
    },
    cancel() {
      wake?.();
    },
  });
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<"late">((r) => setTimeout(() => r("late"), ms))]);

describe("DELETE during an upload", () => {
  for (const [path, route, headers] of [
    ["one put (declared size)", "file", { "X-OpenStack-Image-Size": String(1024 * 1024) }],
    ["multipart (chunked body)", "file", {}],
    ["single-request stage", "stage", {}],
  ] as const) {
    it(`${path}: the upload answers 410 within seconds of the DELETE; no bytes stay`, async () => {
      const img = await createImage({ disk_format: "raw", container_format: "bare" });
      const upload = call("PUT", `/v2/images/${img.id}/${route}`, {
        body: stalling(),
        headers: { "Content-Type": "application/octet-stream", ...headers },
      });
      await new Promise((r) => setTimeout(r, 300));
      expect((await call("DELETE", `/v2/images/${img.id}`)).status).toBe(204);
      const res = await within(upload, 5000);
      expect(res === "late" ? "no answer within 5 s" : res.status).toBe(410);
      if (res !== "late") expect(await res.text()).toContain("could not be found after upload");
      expect((await call("GET", `/v2/images/${img.id}`)).status).toBe(404);
      expect(await env.IMAGES.head(`images/${img.id}`)).toBeNull();
    });
  }
});
