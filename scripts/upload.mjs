#!/usr/bin/env node
// `npm run upload -- FILE [options]`: uploads an image of any size through the resumable chunked stage
// (PUT /v2/images/{id}/stage with Content-Range, each chunk under the Worker request body limit), then
// imports it with glance-direct, waits for `active` and verifies the image's checksum (MD5) and
// os_hash_value (SHA-512) against the local file. Node 20+, standard library only.
//
//   npm run upload -- disk.img --name "Debian 12" --disk-format qcow2 --container-format bare
//   npm run upload -- disk.img --image <id>          # resume: asks the server how much it has, sends the rest
//
// Options:
//   --image ID               upload into this image (resume); without it a new image is created
//   --name NAME              name for a new image (default: the file's base name)
//   --disk-format F          default raw; also set on an --image that has none
//   --container-format F     default bare; also set on an --image that has none
//   --url URL                service endpoint (default $OS_IMAGE_URL or http://127.0.0.1:8787)
//   --token T                X-Auth-Token (default $OS_AUTH_TOKEN)
//   --chunk-size SIZE        64MiB default; >= 5MiB; a resumed session keeps the server's chunk size
//   --parallel N             chunks sent at once (default 4; at most what GET /stage's "parallel" offers)
//   --retries N              attempts per chunk after the first failure (default 5), exponential backoff
//   --chunk-timeout SECONDS  per chunk request (default 600)
//   --wait-timeout SECONDS   for the import to reach active (default 1800)
//   --json                   print the final summary as one JSON line instead of text
//   --quiet                  no progress output
//
// Progress goes to stderr (one line redrawn with \r on a terminal, a line per chunk / every 5 s otherwise),
// the summary line to stdout. Exit status: 0 ok, 1 upload/import failure or timeout, 2 usage, 3 the image's
// size or hashes do not match the local file.
// Chunk contract (server side): every chunk but the last has the same size, >= 5 MiB and <= STAGE_CHUNK_MAX;
// the first chunk (byte 0) opens the session; later chunks start at a multiple of the chunk size, in any
// order and in parallel (a chunk already stored → 409); 204 answers carry OpenStack-Image-Stage-Received /
// -Total; GET .../stage → {"received", "total", "chunk_size", "missing": [[start, end], ...], "parallel"} or
// 404. Against a server whose GET /stage has no "missing", chunks go one at a time, in order, from "received".
// Test hook: UPLOAD_TEST_EXIT_AFTER_CHUNKS=N makes the process exit with status 75 after N chunks were
// accepted in this run (simulates an interrupted upload); UPLOAD_TEST_CHUNK_DELAY_MS=N waits N ms after each
// accepted chunk (gives a test time to kill -9 the process mid-upload). UPLOAD_BACKOFF_BASE_MS overrides the
// 1 s backoff base.
import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const MIB = 1024 * 1024;
const MIN_CHUNK = 5 * MIB;
const EXIT_FAIL = 1;
const EXIT_USAGE = 2;
const EXIT_MISMATCH = 3;
const EXIT_TEST_INTERRUPT = 75;

class Fatal extends Error {
  constructor(message, code = EXIT_FAIL) {
    super(message);
    this.code = code;
  }
}

// ---------------------------------------------------------------- arguments
function usage(msg) {
  if (msg) process.stderr.write(`upload: ${msg}\n`);
  process.stderr.write(
    "usage: npm run upload -- FILE [--image ID | --name NAME --disk-format raw --container-format bare]\n" +
      "       [--url URL] [--token T] [--chunk-size 64MiB] [--parallel 4] [--retries 5] [--chunk-timeout 600]\n" +
      "       [--wait-timeout 1800] [--json] [--quiet]\n",
  );
  process.exit(EXIT_USAGE);
}

/** "64MiB", "5M" (binary), "100MB" (decimal), "1048576". */
function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(|b|k|kib|kb|m|mib|mb|g|gib|gb)$/i.exec(String(text).trim());
  if (!m) return NaN;
  const unit = m[2].toLowerCase();
  const mult = {
    "": 1,
    b: 1,
    k: 1024,
    kib: 1024,
    kb: 1e3,
    m: MIB,
    mib: MIB,
    mb: 1e6,
    g: 1024 * MIB,
    gib: 1024 * MIB,
    gb: 1e9,
  }[unit];
  return Math.round(Number(m[1]) * mult);
}

function positiveInt(name, text, { allowZero = false } = {}) {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < (allowZero ? 0 : 1))
    usage(`${name} must be a ${allowZero ? "non-negative" : "positive"} integer`);
  return n;
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      image: { type: "string" },
      name: { type: "string" },
      "disk-format": { type: "string" },
      "container-format": { type: "string" },
      url: { type: "string" },
      token: { type: "string" },
      "chunk-size": { type: "string" },
      parallel: { type: "string" },
      retries: { type: "string" },
      "chunk-timeout": { type: "string" },
      "wait-timeout": { type: "string" },
      json: { type: "boolean" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (e) {
  usage(e.message);
}
const opts = parsed.values;
if (opts.help) usage();
if (parsed.positionals.length !== 1) usage("exactly one FILE is needed");
const file = parsed.positionals[0];
const baseUrl = (opts.url ?? process.env.OS_IMAGE_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
const token = opts.token ?? process.env.OS_AUTH_TOKEN;
if (!token) usage("no token: pass --token or set OS_AUTH_TOKEN");
const chunkSizeOpt = opts["chunk-size"] !== undefined ? parseSize(opts["chunk-size"]) : 64 * MIB;
if (!Number.isSafeInteger(chunkSizeOpt) || chunkSizeOpt < MIN_CHUNK) usage("--chunk-size must be at least 5MiB");
const parallelOpt = opts.parallel !== undefined ? positiveInt("--parallel", opts.parallel) : 4;
const retries = opts.retries !== undefined ? positiveInt("--retries", opts.retries, { allowZero: true }) : 5;
const chunkTimeoutMs =
  1000 * (opts["chunk-timeout"] !== undefined ? positiveInt("--chunk-timeout", opts["chunk-timeout"]) : 600);
const waitTimeoutMs =
  1000 * (opts["wait-timeout"] !== undefined ? positiveInt("--wait-timeout", opts["wait-timeout"]) : 1800);
if (opts.image !== undefined && opts.name !== undefined) usage("--name is for a new image; not with --image");
const exitAfterChunks = process.env.UPLOAD_TEST_EXIT_AFTER_CHUNKS
  ? Number(process.env.UPLOAD_TEST_EXIT_AFTER_CHUNKS)
  : 0;
const chunkDelayMs = Number(process.env.UPLOAD_TEST_CHUNK_DELAY_MS || 0);
const backoffBaseMs = process.env.UPLOAD_BACKOFF_BASE_MS ? Number(process.env.UPLOAD_BACKOFF_BASE_MS) : 1000;

let fileSize;
try {
  const st = statSync(file);
  if (!st.isFile()) usage(`${file} is not a regular file`);
  fileSize = st.size;
} catch (e) {
  usage(`cannot read ${file}: ${e.code ?? e.message}`);
}
if (fileSize === 0) usage(`${file} is empty; an empty image needs no chunked upload (use PUT /v2/images/{id}/file)`);

// ---------------------------------------------------------------- output
const isTTY = process.stderr.isTTY === true;
const quiet = opts.quiet === true;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let barShown = false;
function info(msg) {
  if (quiet) return;
  if (barShown) {
    process.stderr.write("\r\x1b[K");
    barShown = false;
  }
  process.stderr.write(`upload: ${msg}\n`);
}
function warn(msg) {
  if (barShown) {
    process.stderr.write("\r\x1b[K");
    barShown = false;
  }
  process.stderr.write(`upload: ${msg}\n`);
}

function human(bytes) {
  if (bytes >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(2)} GiB`;
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
function clock(seconds) {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Progress over the whole file: `confirmed` bytes the server has, plus the chunk on the wire. */
const progress = {
  total: fileSize,
  confirmed: 0,
  inflight: 0,
  runStartBytes: 0, // confirmed bytes when this run started sending (for the rate)
  t0: 0,
  lastDraw: 0,
  lastLine: 0,
  start(confirmed) {
    this.confirmed = confirmed;
    this.runStartBytes = confirmed;
    this.t0 = performance.now();
    this.lastLine = this.t0;
  },
  render() {
    const done = Math.min(this.total, this.confirmed + this.inflight);
    const pct = ((100 * done) / this.total).toFixed(1).padStart(5);
    const secs = (performance.now() - this.t0) / 1000;
    const sent = done - this.runStartBytes;
    const rate = secs > 0 ? sent / 1e6 / secs : 0;
    const eta = rate > 0 ? (this.total - done) / 1e6 / rate : Infinity;
    return `${pct}%  ${human(done)} / ${human(this.total)}  ${rate.toFixed(1)} MB/s  ETA ${clock(eta)}`;
  },
  draw(force = false) {
    if (quiet) return;
    const now = performance.now();
    if (isTTY) {
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = Math.max(20, (process.stderr.columns || 80) - 1);
      const text = this.render();
      const barWidth = Math.max(0, width - text.length - 4);
      const filled = Math.round((barWidth * Math.min(this.total, this.confirmed + this.inflight)) / this.total);
      const bar = barWidth >= 10 ? `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ` : "";
      process.stderr.write(`\r${bar}${text}\x1b[K`);
      barShown = true;
    } else if (force || now - this.lastLine >= 5000) {
      this.lastLine = now;
      process.stderr.write(`upload: ${this.render()}\n`);
    }
  },
};

// ---------------------------------------------------------------- HTTP
const headers = (extra = {}) => ({ "X-Auth-Token": token, ...extra });

async function describe(res) {
  let text = "";
  try {
    text = await res.text();
  } catch {}
  try {
    const j = JSON.parse(text);
    const msg = j?.message ?? j?.error?.message ?? j?.title;
    if (msg) text = typeof msg === "string" ? msg : JSON.stringify(msg);
  } catch {}
  // WebOb-style HTML error page: the message follows the <h1> title.
  const html = /<\/h1>([\s\S]*?)<\/body>/i.exec(text);
  if (html) text = html[1];
  text = text
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return `HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ""}`;
}

function netError(e) {
  const cause = e?.cause;
  if (e?.name === "TimeoutError" || cause?.name === "TimeoutError") return "timed out";
  return cause?.code ?? cause?.message ?? e?.message ?? String(e);
}

/** fetch with a few retries on network errors and 5xx, for the small JSON calls. */
async function api(method, urlPath, { body, contentType, okStatuses = [200], allow = [] } = {}) {
  let lastErr;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(backoff(attempt));
    let res;
    try {
      res = await fetch(`${baseUrl}${urlPath}`, {
        method,
        headers: headers(contentType ? { "Content-Type": contentType } : {}),
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      lastErr = `${method} ${urlPath}: ${netError(e)}`;
      warn(`${lastErr}; retrying`);
      continue;
    }
    if (okStatuses.includes(res.status) || allow.includes(res.status)) {
      const text = await res.text();
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {}
      return { status: res.status, json, headers: res.headers };
    }
    const msg = `${method} ${urlPath}: ${await describe(res)}`;
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      lastErr = msg;
      warn(`${msg}; retrying`);
      continue;
    }
    throw new Fatal(msg);
  }
  throw new Fatal(`${lastErr} (gave up after ${retries + 1} attempts)`);
}

function backoff(attempt) {
  const ms = Math.min(30_000, backoffBaseMs * 2 ** (attempt - 1));
  return Math.round(ms * (0.8 + 0.4 * Math.random()));
}

// ---------------------------------------------------------------- local hashes (one streaming pass)
/** MD5 and SHA-512 of the whole file, read once in order while the chunks go out in any order. */
async function hashFile() {
  const md5 = createHash("md5");
  const sha512 = createHash("sha512");
  let n = 0;
  for await (const buf of createReadStream(file, { highWaterMark: MIB })) {
    md5.update(buf);
    sha512.update(buf);
    n += buf.length;
  }
  if (n !== fileSize) throw new Fatal(`${file} changed while reading it`);
  return { md5: md5.digest("hex"), sha512: sha512.digest("hex") };
}

// ---------------------------------------------------------------- stage
const imagePath = (id) => `/v2/images/${encodeURIComponent(id)}`;

async function getStage(id) {
  const r = await api("GET", `${imagePath(id)}/stage`, { allow: [404] });
  if (r.status === 404) return null;
  const { received, total, chunk_size, missing, parallel } = r.json ?? {};
  if (!Number.isSafeInteger(received) || !Number.isSafeInteger(total))
    throw new Fatal(`GET stage: unexpected answer ${JSON.stringify(r.json)}`);
  if (total !== fileSize)
    throw new Fatal(`the image's staged upload is for ${total} bytes but ${file} has ${fileSize}: not the same file`);
  return {
    received,
    total,
    chunkSize: Number.isSafeInteger(chunk_size) && chunk_size > 0 ? chunk_size : null,
    // A server that takes chunks in any order says which ranges are missing and how many to send at once.
    missing: Array.isArray(missing) ? missing : null,
    parallel: Number.isSafeInteger(parallel) && parallel > 0 ? parallel : 1,
  };
}

/** PUT one chunk [start, end) streamed from the file; `onBytes` sees the bytes sent so far. */
async function putChunk(id, start, end, onBytes) {
  const stream = createReadStream(file, { start, end: end - 1, highWaterMark: MIB });
  async function* body() {
    let sent = 0;
    try {
      for await (const buf of stream) {
        sent += buf.length;
        onBytes(sent);
        yield buf;
      }
    } finally {
      stream.destroy();
    }
  }
  try {
    return await fetch(`${baseUrl}${imagePath(id)}/stage`, {
      method: "PUT",
      headers: headers({
        "Content-Type": "application/octet-stream",
        "Content-Length": String(end - start),
        "Content-Range": `bytes ${start}-${end - 1}/${fileSize}`,
      }),
      body: body(),
      duplex: "half",
      signal: AbortSignal.timeout(chunkTimeoutMs),
    });
  } finally {
    onBytes(0);
  }
}

const stats = { resumedAt: 0, chunksSent: 0, bytesSent: 0, retries: 0, uploadSeconds: 0 };

/** The chunks [start, end) the server still needs, in file order. */
function chunksToSend(stage, chunk) {
  const todo = [];
  const ranges = stage?.missing ?? [[stage?.received ?? 0, fileSize - 1]];
  for (const [from, to] of ranges)
    for (let p = from; p <= to && p < fileSize; p += chunk) todo.push([p, Math.min(p + chunk, to + 1, fileSize)]);
  return todo;
}

/** Whether the server has the chunk starting at `start` (it answered 409 for it: stored already?). */
function storedOnServer(stage, start, end) {
  if (!stage) return false;
  if (stage.missing) return !stage.missing.some(([from, to]) => from < end && to >= start);
  return stage.received >= end;
}

async function uploadChunks(id, stage) {
  let chunk = chunkSizeOpt;
  if (stage?.chunkSize && stage.received > 0 && stage.chunkSize !== chunk) {
    info(`the server's session uses ${human(stage.chunkSize)} chunks; using that instead of ${human(chunk)}`);
    chunk = stage.chunkSize;
  }
  const todo = chunksToSend(stage, chunk);
  const nChunks = Math.ceil(fileSize / chunk);
  const left = todo.reduce((n, [a, b]) => n + (b - a), 0);
  stats.resumedAt = fileSize - left;
  if (stats.resumedAt > 0 && todo.length > 0 && todo.at(-1)[1] === fileSize && todo[0][0] === stats.resumedAt)
    info(
      `resuming at byte ${stats.resumedAt} of ${fileSize} (chunk ${Math.floor(stats.resumedAt / chunk) + 1} of ${nChunks}); ${human(stats.resumedAt)} already on the server`,
    );
  else if (stats.resumedAt > 0)
    info(
      `resuming: ${human(stats.resumedAt)} of ${human(fileSize)} already on the server, ${todo.length} of ${nChunks} chunks to send`,
    );
  else info(`uploading ${human(fileSize)} in ${nChunks} chunk${nChunks === 1 ? "" : "s"} of ${human(chunk)}`);

  progress.start(stats.resumedAt);
  if (isTTY) progress.draw(true);
  const inflight = new Map();
  const t0 = performance.now();

  /** Sends one chunk, retrying network errors, timeouts, 5xx and 429 with backoff; a chunk already stored counts as sent. */
  async function send(start, end) {
    let attempts = 0;
    for (;;) {
      let res;
      let failure;
      try {
        res = await putChunk(id, start, end, (n) => {
          inflight.set(start, n);
          progress.inflight = [...inflight.values()].reduce((a, b) => a + b, 0);
          progress.draw();
        });
      } catch (e) {
        failure = netError(e);
      }
      if (res && res.status >= 200 && res.status < 300) {
        await res.arrayBuffer().catch(() => {});
        stats.chunksSent++;
        stats.bytesSent += end - start;
        progress.confirmed += end - start;
        progress.draw(true);
        if (exitAfterChunks > 0 && stats.chunksSent >= exitAfterChunks && progress.confirmed < fileSize) {
          // Chunks still on the wire are cut off with the process, as in a real interruption.
          info(
            `UPLOAD_TEST_EXIT_AFTER_CHUNKS=${exitAfterChunks}: stopping after ${stats.chunksSent} chunks (test hook)`,
          );
          process.exit(EXIT_TEST_INTERRUPT);
        }
        if (chunkDelayMs > 0) await sleep(chunkDelayMs);
        return;
      }
      if (res && (res.status === 409 || res.status === 416)) {
        const msg = await describe(res);
        const st = await getStage(id);
        if (!st) throw new Fatal(`chunk at byte ${start}: ${msg}; the image has no stage session any more`);
        if (storedOnServer(st, start, end)) {
          // An earlier attempt of ours was stored although its answer got lost.
          info(`chunk at byte ${start}: the server already has it`);
          progress.confirmed += end - start;
          return;
        }
        // 409 for a chunk still missing: another request of ours is storing it (say, one we gave up waiting
        // for); back off and ask again. A 416 is a range the session will never take.
        if (res.status === 416) throw new Fatal(`chunk bytes ${start}-${end - 1}: ${msg}`);
        failure = msg;
      } else if (res && !(res.status >= 500 || res.status === 429 || res.status === 408)) {
        throw new Fatal(`chunk bytes ${start}-${end - 1}: ${await describe(res)}`);
      } else if (res) {
        failure = await describe(res);
      }
      attempts++;
      stats.retries++;
      if (attempts > retries)
        throw new Fatal(`chunk bytes ${start}-${end - 1}: ${failure} (gave up after ${attempts} attempts)`);
      const wait = backoff(attempts);
      warn(
        `chunk bytes ${start}-${end - 1}: ${failure}; retry ${attempts}/${retries} in ${(wait / 1000).toFixed(1)} s`,
      );
      await sleep(wait);
    }
  }

  // A new session starts with its first chunk alone: it opens the session and fixes the chunk size.
  if (!stage && todo.length > 0) await send(...todo.shift());
  const width = todo.length === 0 ? 1 : Math.max(1, Math.min(parallelOpt, (await getStage(id))?.parallel ?? 1));
  if (width > 1 && todo.length > 1) info(`sending up to ${width} chunks at once`);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) await send(...todo[next++]);
  };
  await Promise.all(Array.from({ length: width }, worker));
  stats.uploadSeconds = (performance.now() - t0) / 1000;
  if (barShown) {
    process.stderr.write("\n");
    barShown = false;
  }
}

// ---------------------------------------------------------------- image, import, wait
async function getImage(id) {
  return (await api("GET", imagePath(id))).json;
}

async function ensureFormats(image) {
  const ops = [];
  if (!image.disk_format) ops.push({ op: "add", path: "/disk_format", value: opts["disk-format"] ?? "raw" });
  if (!image.container_format)
    ops.push({ op: "add", path: "/container_format", value: opts["container-format"] ?? "bare" });
  if (ops.length === 0) return image;
  info(`setting ${ops.map((o) => `${o.path.slice(1)}=${o.value}`).join(", ")} on image ${image.id}`);
  const r = await api("PATCH", imagePath(image.id), {
    body: ops,
    contentType: "application/openstack-images-v2.1-json-patch",
  });
  return r.json;
}

async function failureDetail(id, image) {
  const parts = [];
  if (image?.os_glance_failed_import) parts.push(`os_glance_failed_import=${image.os_glance_failed_import}`);
  try {
    const r = await api("GET", `${imagePath(id)}/tasks`, { allow: [404] });
    const tasks = r.json?.tasks ?? [];
    const last =
      tasks[tasks.length - 1] &&
      [...tasks]
        .sort((a, b) => String(a.updated_at ?? a.created_at).localeCompare(String(b.updated_at ?? b.created_at)))
        .pop();
    if (last) parts.push(`task ${last.id ?? "?"} ${last.status ?? ""}: ${last.message ?? ""}`.trim());
  } catch {}
  return parts.length ? ` (${parts.join("; ")})` : "";
}

async function importAndWait(id) {
  const r = await api("POST", `${imagePath(id)}/import`, {
    body: { method: { name: "glance-direct" } },
    contentType: "application/json",
    okStatuses: [202],
    allow: [409],
  });
  if (r.status === 409) {
    const image = await getImage(id);
    if (!["importing", "active"].includes(image.status))
      throw new Fatal(`import: HTTP 409 with the image ${image.status}`);
  }
  info(`import (glance-direct) started; waiting for active (up to ${waitTimeoutMs / 1000} s)`);
  return waitActive(id);
}

async function waitActive(id) {
  const deadline = performance.now() + waitTimeoutMs;
  let delay = 250;
  let last = "";
  while (true) {
    const image = await getImage(id);
    if (image.status === "active") return image;
    if (["queued", "killed", "deleted", "pending_delete", "deactivated"].includes(image.status))
      throw new Fatal(`import failed: image ${id} is ${image.status}${await failureDetail(id, image)}`);
    if (image.status !== last) {
      last = image.status;
      info(`image ${id} is ${image.status}`);
    }
    if (performance.now() > deadline)
      throw new Fatal(
        `timed out after ${waitTimeoutMs / 1000} s waiting for image ${id} to become active (still ${image.status})`,
      );
    await sleep(delay);
    delay = Math.min(2000, delay * 2);
  }
}

// ---------------------------------------------------------------- main
let imageId = opts.image;
const tStart = performance.now();

async function main() {
  // Hashed in one pass alongside the upload (the chunks may go out in any order).
  const localHashes = hashFile();
  localHashes.catch(() => {});
  let image;
  if (imageId) {
    image = await getImage(imageId);
  } else {
    const r = await api("POST", "/v2/images", {
      body: {
        name: opts.name ?? path.basename(file),
        disk_format: opts["disk-format"] ?? "raw",
        container_format: opts["container-format"] ?? "bare",
      },
      contentType: "application/json",
      okStatuses: [201],
    });
    image = r.json;
    imageId = image.id;
    info(`created image ${imageId} (resume with --image ${imageId})`);
  }

  if (image.status === "active") {
    info(`image ${imageId} is already active; only verifying`);
  } else if (image.status === "importing") {
    info(`image ${imageId} is already importing`);
    image = await waitActive(imageId);
  } else if (image.status === "queued" || image.status === "uploading") {
    if (opts.image) image = await ensureFormats(image);
    const stage = await getStage(imageId);
    if (!stage && image.status === "uploading")
      throw new Fatal(`image ${imageId} is uploading without a chunked stage session (another upload in progress?)`);
    if (!stage || stage.received < fileSize) await uploadChunks(imageId, stage);
    else {
      info(`all ${fileSize} bytes are already staged`);
      stats.resumedAt = fileSize;
    }
    image = await importAndWait(imageId);
  } else {
    throw new Fatal(`image ${imageId} is ${image.status}; cannot upload into it`);
  }

  const { md5: localMd5, sha512: localSha } = await localHashes;
  const problems = [];
  if (image.size !== fileSize) problems.push(`size ${image.size} != ${fileSize}`);
  if (image.checksum !== localMd5) problems.push(`checksum ${image.checksum} != local MD5 ${localMd5}`);
  if (image.os_hash_algo !== "sha512") problems.push(`os_hash_algo is ${image.os_hash_algo}, expected sha512`);
  else if (image.os_hash_value !== localSha)
    problems.push(
      `os_hash_value != local SHA-512 (${image.os_hash_value?.slice(0, 16)}… vs ${localSha.slice(0, 16)}…)`,
    );

  const seconds = (performance.now() - tStart) / 1000;
  const summary = {
    ok: problems.length === 0,
    image: imageId,
    status: image.status,
    size: fileSize,
    md5: localMd5,
    md5_ok: image.checksum === localMd5,
    sha512_ok: image.os_hash_algo === "sha512" && image.os_hash_value === localSha,
    resumed_at: stats.resumedAt,
    chunks_sent: stats.chunksSent,
    bytes_sent: stats.bytesSent,
    retries: stats.retries,
    upload_seconds: Number(stats.uploadSeconds.toFixed(3)),
    upload_mbps: stats.uploadSeconds > 0 ? Number((stats.bytesSent / 1e6 / stats.uploadSeconds).toFixed(1)) : null,
    total_seconds: Number(seconds.toFixed(3)),
  };
  if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else
    process.stdout.write(
      `upload: ${summary.ok ? "OK" : "MISMATCH"} image ${imageId} ${image.status}, ${fileSize} bytes, ` +
        `md5 ${summary.md5_ok ? "ok" : "MISMATCH"}, sha512 ${summary.sha512_ok ? "ok" : "MISMATCH"}; ` +
        `sent ${stats.bytesSent} bytes in ${stats.chunksSent} chunks (resumed at byte ${stats.resumedAt}, ${stats.retries} retries) ` +
        `in ${stats.uploadSeconds.toFixed(1)} s${summary.upload_mbps !== null ? ` (${summary.upload_mbps} MB/s)` : ""}, ${seconds.toFixed(1)} s in all\n`,
    );
  if (problems.length) {
    warn(`verification failed: ${problems.join("; ")}`);
    process.exitCode = EXIT_MISMATCH;
  }
}

process.on("SIGINT", () => {
  warn(`interrupted${imageId ? `; resume with: npm run upload -- ${file} --image ${imageId}` : ""}`);
  process.exit(130);
});

main().catch((e) => {
  if (e instanceof Fatal) {
    warn(`error: ${e.message}`);
    if (imageId && e.code === EXIT_FAIL) warn(`resume with: npm run upload -- ${file} --image ${imageId}`);
    process.exitCode = e.code;
  } else {
    warn(`error: ${e?.stack ?? e}`);
    process.exitCode = EXIT_FAIL;
  }
});
