// One browser upload into an image: resumable chunked PUT /stage (XHR, for upload progress), pause/resume,
// glance-direct import, then the image's size and hashes checked against the file's (hashed in a Web Worker).
import { ApiError, call, errorMessage, sessionEnded } from "../api";
import { type Image, imagePath, type Task } from "../images";
import {
  type Chunk,
  chooseChunkSize,
  chunksToSend,
  concurrency,
  firstChunk,
  parseStage,
  type StageState,
  stored,
} from "./chunk-plan";
import { type FileHashes, type Hashing, hashFile } from "./hasher";
import { putChunk } from "./put-chunk";

export type Phase = "starting" | "uploading" | "paused" | "importing" | "verifying" | "done" | "failed";

export interface Verification {
  size: boolean;
  md5: boolean;
  sha512: boolean;
  local: FileHashes;
}

export interface UploadState {
  phase: Phase;
  /** Bytes the server holds plus the bytes of chunks on the wire. */
  sent: number;
  total: number;
  /** Bytes per second over the last few seconds. */
  rate: number;
  /** Bytes the server already held when this run started: > 0 means it resumed an earlier upload. */
  resumedWith: number | null;
  chunkSize: number | null;
  parallel: number;
  hashed: number;
  message: string | null;
  verification: Verification | null;
}

const RETRIES = 5;
const RATE_WINDOW_MS = 5000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isAbort = (e: unknown) => (e as Error)?.name === "AbortError";

/** 409/416: the server's view differs from ours (a lost answer, another writer); ask GET /stage. */
class Conflict extends Error {}

/** A status read that hangs gets another try on a fresh request (seen locally while the Worker is busy). */
const READ_TIMEOUT_MS = 30_000;
async function patiently<T>(signal: AbortSignal, read: (s: AbortSignal) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read(AbortSignal.any([signal, AbortSignal.timeout(READ_TIMEOUT_MS)]));
    } catch (e) {
      if (signal.aborted || (e as Error).name !== "TimeoutError" || attempt >= 5) throw e;
    }
  }
}

export class Upload {
  state: UploadState;
  private listeners = new Set<(s: UploadState) => void>();
  private abort: AbortController | null = null;
  private hashing: Hashing;
  private confirmed = 0;
  private inflight = new Map<Chunk, number>();
  private samples: [number, number][] = [];

  constructor(
    readonly imageId: string,
    readonly file: File,
    private readonly preferredChunk: number,
  ) {
    this.state = {
      phase: "starting",
      sent: 0,
      total: file.size,
      rate: 0,
      resumedWith: null,
      chunkSize: null,
      parallel: 1,
      hashed: 0,
      message: null,
      verification: null,
    };
    this.hashing = hashFile(file, (done) => this.update({ hashed: done }));
    this.hashing.result.catch(() => {});
  }

  subscribe(fn: (s: UploadState) => void): () => void {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  private update(p: Partial<UploadState>): void {
    this.state = { ...this.state, ...p };
    for (const l of this.listeners) l(this.state);
  }

  get running(): boolean {
    return ["starting", "uploading", "importing", "verifying"].includes(this.state.phase);
  }

  pause(): void {
    if (this.state.phase !== "uploading" && this.state.phase !== "starting") return;
    this.abort?.abort();
    this.update({
      phase: "paused",
      rate: 0,
      message: "Paused. The server keeps what it has; resume goes on from there.",
    });
  }

  /** Starts or resumes; resolves when the upload ended (done, failed or paused). */
  async start(): Promise<void> {
    if (this.running && this.abort) return;
    const ac = new AbortController();
    this.abort = ac;
    this.update({ phase: "starting", message: null });
    try {
      await this.sendData(ac.signal);
      this.update({ phase: "importing", rate: 0, message: "All data staged; importing (glance-direct)…" });
      const image = await this.importAndWait(ac.signal);
      this.update({ phase: "verifying", message: "Comparing the image with the file…" });
      await this.verify(image);
    } catch (e) {
      if (isAbort(e) && ac.signal.aborted) return;
      this.update({ phase: "failed", rate: 0, message: (e as Error).message });
    } finally {
      if (this.abort === ac) this.abort = null;
    }
  }

  cancel(): void {
    this.abort?.abort();
    this.hashing.cancel();
  }

  private async stage(signal: AbortSignal): Promise<StageState | null> {
    const a = await patiently(signal, (s) =>
      call<unknown>("GET", `${imagePath(this.imageId)}/stage`, { allow: [404], signal: s }),
    );
    if (a.status === 404) return null;
    const s = parseStage(a.data);
    if (s.total !== this.file.size)
      throw new Error(
        `The image's staged upload is for ${s.total} bytes, but ${this.file.name} has ${this.file.size}: not the same file.`,
      );
    return s;
  }

  private async sendData(signal: AbortSignal): Promise<void> {
    let stage = await this.stage(signal);
    let chunkSize = stage?.chunkSize ?? chooseChunkSize(this.file.size, this.preferredChunk);
    this.update({ resumedWith: stage ? stored(stage) : 0, chunkSize });
    if (!stage) {
      this.confirmed = 0;
      this.samples = [];
      this.update({ phase: "uploading" });
      try {
        await this.sendAll([firstChunk(this.file.size, chunkSize)], 1, signal);
      } catch (e) {
        if (!(e instanceof Conflict)) throw e;
        // Another tab may have opened the session first; without one, the image takes data another way.
      }
      stage = await this.stage(signal);
      if (!stage)
        throw new Error(
          "The image is busy with another upload that is not a chunked one; try again when it is queued.",
        );
    }
    for (;;) {
      chunkSize = stage.chunkSize ?? chunkSize;
      const todo = chunksToSend(stage, chunkSize);
      if (todo.length === 0) return;
      this.confirmed = stored(stage);
      this.samples = [];
      const k = concurrency(stage);
      this.update({ phase: "uploading", chunkSize, parallel: k, sent: this.confirmed, message: null });
      try {
        await this.sendAll(todo, k, signal);
      } catch (e) {
        if (!(e instanceof Conflict)) throw e;
        // Another writer, or a chunk that landed although its answer was lost: ask where things stand.
      }
      stage = (await this.stage(signal)) ?? stage;
    }
  }

  /** Up to k chunks at once, each taken from the list in order; a 409/416 stops taking new ones. */
  private async sendAll(todo: Chunk[], k: number, signal: AbortSignal): Promise<void> {
    let next = 0;
    let conflict: Conflict | null = null;
    const lane = async () => {
      while (next < todo.length && !conflict) {
        const chunk = todo[next++]!;
        try {
          await this.sendWithRetries(chunk, signal);
        } catch (e) {
          if (e instanceof Conflict) conflict = e;
          else throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(k, todo.length) }, lane));
    if (conflict) throw conflict;
  }

  private async sendWithRetries(chunk: Chunk, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let body = "";
      try {
        ({ status, body } = await this.putChunk(chunk, signal));
      } catch (e) {
        if (isAbort(e)) throw e;
      }
      if (status === 204) {
        this.confirmed += chunk.end - chunk.start;
        this.progress();
        return;
      }
      if (status === 409 || status === 416) throw new Conflict();
      const retryable = status === 0 || status === 408 || status === 429 || status >= 500;
      const why = status === 0 ? "the connection failed" : errorMessage(status, body);
      if (status === 401) sessionEnded();
      if (!retryable || attempt >= RETRIES) throw new ApiError(status, `Chunk at byte ${chunk.start} failed: ${why}`);
      this.update({ message: `Chunk at byte ${chunk.start}: ${why}; retrying (${attempt + 1}/${RETRIES})…` });
      await sleep(Math.min(30_000, 1000 * 2 ** attempt));
      if (signal.aborted) throw new DOMException("aborted", "AbortError");
    }
  }

  private async putChunk(chunk: Chunk, signal: AbortSignal): Promise<{ status: number; body: string }> {
    this.inflight.set(chunk, 0);
    try {
      return await putChunk(this.imageId, this.file, chunk, signal, (loaded) => {
        this.inflight.set(chunk, loaded);
        this.progress();
      });
    } finally {
      this.inflight.delete(chunk);
    }
  }

  private progress(): void {
    let sent = this.confirmed;
    for (const n of this.inflight.values()) sent += n;
    const now = performance.now();
    this.samples.push([now, sent]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > RATE_WINDOW_MS) this.samples.shift();
    const [t0, b0] = this.samples[0]!;
    const rate = now - t0 > 200 ? ((sent - b0) * 1000) / (now - t0) : this.state.rate;
    this.update({ sent: Math.min(sent, this.file.size), rate });
  }

  private async importAndWait(signal: AbortSignal): Promise<Image> {
    const path = imagePath(this.imageId);
    // 409: an import is already running or done (a second tab, or a reload after the import began).
    await call("POST", `${path}/import`, { json: { method: { name: "glance-direct" } }, allow: [409], signal });
    for (let delay = 250; ; delay = Math.min(2000, delay * 2)) {
      const image = (await patiently(signal, (s) => call<Image>("GET", path, { signal: s }))).data;
      if (image.status === "active") return image;
      if (image.status !== "importing") {
        const tasks = (await call<{ tasks: Task[] }>("GET", `${path}/tasks`, { signal })).data.tasks;
        const last = tasks.filter((t) => t.status === "failure").pop();
        throw new Error(`The import failed; the image is ${image.status}${last ? `: ${last.message}` : ""}.`);
      }
      await sleep(delay);
    }
  }

  private async verify(image: Image): Promise<void> {
    const local = await this.hashing.result;
    const v: Verification = {
      size: image.size === this.file.size,
      md5: image.checksum === local.md5,
      sha512: image.os_hash_algo === "sha512" && image.os_hash_value === local.sha512,
      local,
    };
    const ok = v.size && v.md5 && v.sha512;
    this.update({
      phase: ok ? "done" : "failed",
      verification: v,
      sent: this.file.size,
      message: ok
        ? "Uploaded and verified: size, MD5 and SHA-512 of the image equal the file's."
        : "The image does not match the file (see the comparison below).",
    });
  }
}
