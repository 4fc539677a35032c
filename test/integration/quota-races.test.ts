// Quotas under parallel requests: a declared size is reserved by the status change itself, so k uploads that
// start together never overrun the limit (issue: 16 parallel uploads once stored 192 MB against 50 MB).
import { afterEach, describe, expect, it, vi } from "vitest";
import { bytes } from "../helpers/bytes";
import { deliver, FAKE_HOST, imageTasks, isolatedWorker, serveFakeSource } from "../helpers/import";

const KB = 1024;
const SIZE = 12 * KB;
const N = 16;
const FITS = Math.floor(50 / 12); // 4 uploads of 12 KB fit 50 KB
const OCTET = { "Content-Type": "application/octet-stream" };

afterEach(() => {
  vi.unstubAllGlobals();
});

/** N images of a fresh project, created by an admin for it (quotas bind the owner). */
async function images(w: ReturnType<typeof isolatedWorker>, owner: string): Promise<string[]> {
  const made = await Promise.all(
    Array.from({ length: N }, () =>
      w.fetch("POST", "/v2/images", { owner, disk_format: "raw", container_format: "bare" }, "admin"),
    ),
  );
  return Promise.all(made.map(async (r) => ((await r.json()) as { id: string }).id));
}

/** Bytes the project's images hold or have staged, as the listing shows them. */
async function stored(w: ReturnType<typeof isolatedWorker>, owner: string): Promise<number> {
  const res = await w.fetch("GET", `/v2/images?owner=${owner}&limit=100`, undefined, "admin");
  const { images: list } = (await res.json()) as { images: { size: number | null }[] };
  return list.reduce((sum, i) => sum + (i.size ?? 0), 0);
}

const tally = (codes: number[]) => ({
  ok: codes.filter((c) => c === 204).length,
  over: codes.filter((c) => c === 413).length,
});

describe("declared sizes in parallel never overrun the storage quota", () => {
  it.each([
    ["PUT /file", "file", { USER_STORAGE_QUOTA: "50KB" }],
    ["single-request PUT /stage", "stage", { USER_STORAGE_QUOTA: "50KB" }],
    ["single-request PUT /stage (stage quota)", "stage", { IMAGE_STAGE_TOTAL: "50KB" }],
  ])(`%s: exactly floor(limit / size) of ${N} succeed`, async (_, route, vars) => {
    const w = isolatedWorker(vars);
    const owner = `race-${route}-${Object.keys(vars)[0]}`;
    const ids = await images(w, owner);
    const codes = await Promise.all(
      ids.map(async (id, i) => {
        const res = await w.raw("PUT", `/v2/images/${id}/${route}`, { body: bytes(SIZE, i), headers: OCTET }, "admin");
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(tally(codes)).toEqual({ ok: FITS, over: N - FITS });
    expect(await stored(w, owner)).toBe(FITS * SIZE);
  });

  it("first chunks of resumable stages reserve their totals: exactly floor(limit / total) open", async () => {
    const w = isolatedWorker({ USER_STORAGE_QUOTA: "50KB", IMAGE_STAGE_TOTAL: "50KB" });
    const owner = "race-chunked";
    const ids = await images(w, owner);
    const codes = await Promise.all(
      ids.map(async (id, i) => {
        const headers = { ...OCTET, "Content-Range": `bytes 0-${SIZE - 1}/${SIZE}` };
        const res = await w.raw("PUT", `/v2/images/${id}/stage`, { body: bytes(SIZE, i), headers }, "admin");
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(tally(codes)).toEqual({ ok: FITS, over: N - FITS });
    expect(await stored(w, owner)).toBe(FITS * SIZE);
  });

  it("web-downloads of announced sizes: exactly floor(limit / size) become active", async () => {
    serveFakeSource(
      (req) =>
        new Response(bytes(SIZE, Number(new URL(req.url).searchParams.get("i"))), {
          headers: { "Content-Length": String(SIZE) },
        }),
    );
    const w = isolatedWorker({ USER_STORAGE_QUOTA: "50KB" });
    const owner = "race-web";
    const ids = await images(w, owner);
    for (const [i, id] of ids.entries()) {
      const method = { name: "web-download", uri: `http://${FAKE_HOST}/img?i=${i}` };
      expect((await w.fetch("POST", `/v2/images/${id}/import`, { method }, "admin")).status).toBe(202);
    }
    await Promise.all(w.sent.map((m) => deliver(m.taskId, w.env)));
    const tasks = await Promise.all(ids.map(async (id) => (await imageTasks(id, "admin"))[0]!));
    expect(tasks.filter((t) => t.status === "success")).toHaveLength(FITS);
    const refused = tasks.filter((t) => t.status === "failure");
    expect(refused).toHaveLength(N - FITS);
    for (const t of refused) expect(t.message).toContain("Image exceeds the storage quota");
    expect(await stored(w, owner)).toBe(FITS * SIZE);
  });
});
