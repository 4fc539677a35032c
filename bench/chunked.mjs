// Chunked-stage benchmark (`npm run bench:chunked`): for each size (512 MiB and 2 GiB by default) starts its own
// `wrangler dev` (port 8807, throwaway local state, so every size starts from a fresh process), writes a random
// file, uploads it with the upload command (scripts/upload.mjs: PUT /stage in 64 MiB chunks, glance-direct
// import, MD5/SHA-512 verification), and samples the user-worker workerd's RSS every 0.5 s (`ps -o rss`, the
// workerd in wrangler's process group with the largest RSS; the proxy workerd stays ~60 MB). Prints ONE JSON line:
// MB/s of the chunk uploads, import time, and RSS at start / peak while uploading / peak while importing, so that
// the two sizes show whether memory is flat in image size. Temp files and state are removed afterwards.
//
//   npm run bench:chunked
// For each size it runs every --parallel of BENCH_PARALLEL (1 = chunks in order, hashed on the way in; 4 = the
// default, the out-of-order rest hashed by the import), the CPU seconds the whole service tree (wrangler, both
// workerd) used per GiB, and next to them the local ceiling: the same bytes in one plain R2 put (no app code).
// Env: BENCH_SIZES_MIB (512,2048), BENCH_PARALLEL (1,4), BENCH_CHUNK (64MiB), BENCH_PORT (8807),
// BENCH_KEEP_STATE=1 keeps the temp dir.
// Node 20, no dependencies. Not part of `npm test`.
import { execFile, spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

const root = path.join(import.meta.dirname, "..");
const MIB = 1024 * 1024;
const SIZES_MIB = (process.env.BENCH_SIZES_MIB ?? "512,2048").split(",").map((s) => Number(s.trim()));
if (SIZES_MIB.some((n) => !Number.isSafeInteger(n) || n < 1))
  throw new Error("BENCH_SIZES_MIB: comma-separated MiB counts");
const CHUNK = process.env.BENCH_CHUNK ?? "64MiB";
const PARALLEL = (process.env.BENCH_PARALLEL ?? "1,4").split(",").map((s) => Number(s.trim()));
const PORT = Number(process.env.BENCH_PORT ?? 8807);
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = "demo-token";

const log = (...a) => console.error(`[bench:chunked ${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const r1 = (x) => Math.round(x * 10) / 10;

const work = mkdtempSync(path.join(tmpdir(), "glance-bench-chunked-"));
process.on("exit", () => {
  if (current) killGroup(current, "SIGKILL");
  if (!process.env.BENCH_KEEP_STATE) rmSync(work, { recursive: true, force: true });
});

// ---- wrangler dev, in its own process group so everything it starts is stopped with it ----
let current = null; // { child, exited, logFile }
function killGroup(dev, sig) {
  try {
    process.kill(-dev.child.pid, sig);
  } catch {}
}
async function startDev(label) {
  const logFile = path.join(work, `wrangler-dev-${label}.log`);
  const out = openSync(logFile, "a");
  const child = spawn("bash", ["scripts/dev.sh", "--var", "BENCH_ROUTES:1"], {
    cwd: root,
    env: { ...process.env, PORT: String(PORT), PERSIST_DIR: path.join(work, `state-${label}`) },
    // BENCH_ROUTES: the plain R2 put ceiling (/_bench/r2-put); never set outside benchmarks.
    detached: true, // setsid: the child leads a new process group
    stdio: ["ignore", out, out],
  });
  const dev = { child, logFile, exited: new Promise((resolve) => child.once("exit", resolve)) };
  current = dev;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}); see ${logFile}`);
    try {
      const res = await fetch(`${BASE}/versions`);
      await res.arrayBuffer();
      if (res.status === 200) return dev;
    } catch {}
    await sleep(250);
  }
  throw new Error(`wrangler dev not ready on ${BASE}; log:\n${readFileSync(logFile, "utf8").slice(-2000)}`);
}
/** SIGTERM to wrangler dev's process group, SIGKILL for whatever is left after 5 s. */
async function stopDev(dev) {
  killGroup(dev, "SIGTERM");
  await Promise.race([dev.exited, sleep(5000)]);
  await sleep(200);
  killGroup(dev, "SIGKILL");
  if (current === dev) current = null;
}
for (const sig of ["SIGINT", "SIGTERM"])
  process.on(sig, () => {
    (current ? stopDev(current) : Promise.resolve()).finally(() => process.exit(130));
  });

// ---- RSS of the user-worker workerd: the workerd in the group with the largest RSS ----
function workerRssKb(pgid) {
  return new Promise((resolve) => {
    execFile("ps", ["-o", "rss=,comm=", "-g", String(pgid)], (_err, stdout) => {
      let max = 0;
      for (const line of (stdout ?? "").split("\n")) {
        const [rss, comm] = line.trim().split(/\s+/);
        if (comm === "workerd" && Number(rss) > max) max = Number(rss);
      }
      resolve(max);
    });
  });
}
/** Samples every 0.5 s into the phase currently set; returns the peak per phase (MB). */
function startSampler(pgid) {
  const peaks = {};
  let phase = "upload";
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    const kb = await workerRssKb(pgid);
    peaks[phase] = Math.max(peaks[phase] ?? 0, kb);
    busy = false;
  }, 500);
  return {
    setPhase(p) {
      phase = p;
    },
    stop() {
      clearInterval(timer); // idempotent: returns the same peaks again
      return Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, Math.round(v / 1024)]));
    },
  };
}

/** CPU seconds (user + system) of every process in the group so far, from /proc (clock ticks of 1/100 s). */
function groupCpuSeconds(pgid) {
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // After the command: state ppid pgrp ... utime (14th field overall, index 11 here) stime (index 12).
      if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return ticks / 100;
}

/** The local storage ceiling: the file in one plain R2 put through /_bench/r2-put (no hashing, no D1). */
async function plainPutMbps(file, bytes) {
  const t0 = performance.now();
  const res = await fetch(`${BASE}/_bench/r2-put`, {
    method: "PUT",
    headers: { "Content-Length": String(bytes) },
    body: createReadStream(file, { highWaterMark: MIB }),
    duplex: "half",
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`/_bench/r2-put: HTTP ${res.status}`);
  return r1(bytes / 1e6 / ((performance.now() - t0) / 1000));
}

// ---- random file, then read once so that it is in the page cache ----
async function writeRandomFile(file, bytes) {
  const ws = createWriteStream(file);
  for (let left = bytes; left > 0; left -= 8 * MIB) {
    // A fresh buffer per block: write() may still hold the previous one.
    const block = randomFillSync(Buffer.allocUnsafe(Math.min(left, 8 * MIB)));
    if (!ws.write(block)) await once(ws, "drain");
  }
  ws.end();
  await once(ws, "finish");
  for await (const _ of createReadStream(file, { highWaterMark: 8 * MIB }));
}

// ---- one upload with the upload command ----
function runUpload(file, sampler, parallel) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let importStartedAt = null;
    const child = spawn(
      process.execPath,
      [
        path.join(root, "scripts/upload.mjs"),
        file,
        "--name",
        path.basename(file),
        "--chunk-size",
        CHUNK,
        "--parallel",
        String(parallel),
        "--json",
        "--url",
        BASE,
        "--token",
        TOKEN,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      if (importStartedAt === null && /import \(glance-direct\) started/.test(stderr)) {
        importStartedAt = performance.now();
        sampler.setPhase("import");
      }
    });
    child.on("exit", (code) => {
      const wall = (performance.now() - t0) / 1000;
      let summary = null;
      try {
        summary = JSON.parse(stdout.trim().split("\n").pop());
      } catch {}
      if (code !== 0 || !summary) return reject(new Error(`upload exited ${code}:\n${stderr.slice(-2000)}\n${stdout}`));
      resolve({
        summary,
        wall,
        importSeconds: importStartedAt === null ? null : (performance.now() - importStartedAt) / 1000,
      });
    });
  });
}

async function benchOne(mib, parallel, file, label) {
  log(`${label} --parallel ${parallel}: starting wrangler dev on ${BASE}`);
  const dev = await startDev(`${label}-p${parallel}`);
  try {
    await sleep(1000);
    const idle = Math.round((await workerRssKb(dev.child.pid)) / 1024);
    log(`${label}: idle worker RSS ${idle} MB; uploading in ${CHUNK} chunks, ${parallel} at once`);
    const sampler = startSampler(dev.child.pid);
    const cpu0 = groupCpuSeconds(dev.child.pid);
    const run = await runUpload(file, sampler, parallel).finally(() => sampler.stop());
    const cpu = groupCpuSeconds(dev.child.pid) - cpu0;
    const peaks = sampler.stop();
    const ceiling = await plainPutMbps(file, mib * MIB);
    const s = run.summary;
    const result = {
      bytes: s.size,
      parallel,
      chunks: s.chunks_sent,
      upload_mbps: s.upload_mbps,
      upload_s: r1(s.upload_seconds),
      import_s: run.importSeconds === null ? null : r1(run.importSeconds),
      total_s: r1(run.wall),
      end_to_end_mbps: r1(s.size / 1e6 / run.wall),
      // The same bytes in one plain R2 put, in this process (the local storage ceiling).
      ceiling_plain_put_mbps: ceiling,
      service_cpu_s_per_gib: r1(cpu / (s.size / (1024 * MIB))),
      hashes_ok: s.md5_ok && s.sha512_ok,
      rss_idle_mb: idle,
      rss_peak_upload_mb: peaks.upload ?? null,
      rss_peak_import_mb: peaks.import ?? null,
      rss_peak_mb: Math.max(peaks.upload ?? 0, peaks.import ?? 0),
    };
    log(`${label}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await stopDev(dev);
    rmSync(path.join(work, `state-${label}-p${parallel}`), { recursive: true, force: true });
  }
}

async function main() {
  const runs = {};
  for (const mib of SIZES_MIB) {
    const label = mib % 1024 === 0 ? `${mib / 1024}GiB` : `${mib}MiB`;
    const file = path.join(work, `${label}.img`);
    log(`${label}: writing a random file`);
    await writeRandomFile(file, mib * MIB);
    for (const parallel of PARALLEL) runs[`${label}_p${parallel}`] = await benchOne(mib, parallel, file, label);
    rmSync(file, { force: true });
  }
  const labels = Object.keys(runs);
  const first = runs[labels[0]];
  const last = runs[labels[labels.length - 1]];
  const line = {
    bench: "chunked",
    date: new Date().toISOString(),
    node: process.version,
    chunk: CHUNK,
    rss_method: "ps -o rss, every 0.5 s, largest workerd in wrangler dev's process group",
    ...runs,
    // Peak RSS of the largest size over the smallest: ~1 means memory does not grow with image size.
    rss_peak_ratio_largest_vs_smallest:
      labels.length > 1 ? Math.round((last.rss_peak_mb / first.rss_peak_mb) * 100) / 100 : null,
  };
  console.log(JSON.stringify(line));
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(err);
    if (current) await stopDev(current);
    process.exit(1);
  },
);
