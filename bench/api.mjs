// API benchmark: starts its own `wrangler dev` (port 8801, throwaway local state), seeds N images through
// POST /v2/images, then measures latency (p50/p99) and throughput of create, show and several list shapes,
// including pages behind a marker ~90% deep in the default and the name order. Prints ONE JSON line.
//
//   npm run bench:api                 # N = 10000
//   npm run bench:api -- 2000         # or BENCH_N=2000
// Env: BENCH_N, BENCH_SEED_CONCURRENCY (12), BENCH_ITERATIONS per scenario (300), BENCH_CONCURRENCY while
// measuring (4), BENCH_PORT (8801), BENCH_KEEP_STATE=1 keeps the persist dir. Node 20, no dependencies.
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

const root = path.join(import.meta.dirname, "..");
const intEnv = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
};
const N = process.argv[2] !== undefined ? Number(process.argv[2]) : intEnv("BENCH_N", 10000);
if (!Number.isSafeInteger(N) || N < 100) throw new Error("N must be an integer >= 100");
const SEED_CONCURRENCY = intEnv("BENCH_SEED_CONCURRENCY", 12);
const ITERATIONS = intEnv("BENCH_ITERATIONS", 300);
const CONCURRENCY = intEnv("BENCH_CONCURRENCY", 4);
const PORT = intEnv("BENCH_PORT", 8801);
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = "demo-token";

const log = (...a) => console.error(`[bench:api ${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- wrangler dev, in its own process group so everything it starts is stopped with it ----
const persist = mkdtempSync(path.join(tmpdir(), "glance-bench-"));
const logFile = path.join(persist, "wrangler-dev.log");
const out = openSync(logFile, "a");
const dev = spawn("bash", ["scripts/dev.sh"], {
  cwd: root,
  env: { ...process.env, PORT: String(PORT), PERSIST_DIR: path.join(persist, "state") },
  detached: true, // setsid: the child leads a new process group
  stdio: ["ignore", out, out],
});
let stopped = false;
const devExited = new Promise((resolve) => dev.once("exit", resolve));
const killGroup = (sig) => {
  try {
    process.kill(-dev.pid, sig);
  } catch {}
};
/** SIGTERM to wrangler dev's process group, SIGKILL for whatever is left after 5 s. */
async function stopDev() {
  if (stopped) return;
  stopped = true;
  killGroup("SIGTERM");
  await Promise.race([devExited, sleep(5000)]);
  await sleep(200);
  killGroup("SIGKILL");
}
for (const sig of ["SIGINT", "SIGTERM"])
  process.on(sig, () => {
    stopDev().finally(() => process.exit(130));
  });
process.on("exit", () => {
  if (!stopped) killGroup("SIGKILL");
  if (!process.env.BENCH_KEEP_STATE) rmSync(persist, { recursive: true, force: true });
});

async function waitReady(timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dev.exitCode !== null) throw new Error(`wrangler dev exited (${dev.exitCode}); see ${logFile}`);
    try {
      const res = await fetch(`${BASE}/versions`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {}
    await sleep(250);
  }
  throw new Error(
    `wrangler dev not ready on ${BASE} after ${timeoutMs} ms; log:\n${readFileSync(logFile, "utf8").slice(-2000)}`,
  );
}

// ---- HTTP helpers ----
async function request(method, p, body) {
  const headers = { "X-Auth-Token": TOKEN, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const t0 = performance.now();
  const res = await fetch(`${BASE}${p}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  return { status: res.status, text, ms };
}
async function getJson(p) {
  const r = await request("GET", p);
  if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${r.text.slice(0, 300)}`);
  return JSON.parse(r.text);
}

/** Runs `total` calls of `fn(i)` with `concurrency` workers; returns per-call ms and the wall time. */
async function runPool(total, concurrency, fn) {
  const times = new Array(total);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      for (let i = next++; i < total; i = next++) times[i] = await fn(i);
    }),
  );
  return { times, wallMs: performance.now() - t0 };
}

function stats({ times, wallMs }) {
  const s = [...times].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  const r = (x) => Math.round(x * 100) / 100;
  return {
    p50_ms: r(q(50)),
    p99_ms: r(q(99)),
    mean_ms: r(s.reduce((a, b) => a + b, 0) / s.length),
    rps: r((s.length / wallMs) * 1000),
    n: s.length,
  };
}

// ---- seed data: varied names, tags, properties and visibility (demo cannot make images public) ----
const DISTROS = ["ubuntu", "debian", "fedora", "centos", "rocky", "alpine", "cirros", "windows", "opensuse", "arch"];
const TAGS = ["linux", "windows", "gpu", "lts", "test", "prod", "staging", "arm64", "x86_64", "minimal"];
const BUSES = ["scsi", "virtio", "ide"];
function seedImage(i) {
  // A cheap deterministic scramble so neighbouring i differ in every field.
  const h = (i * 2654435761) >>> 0;
  const distro = DISTROS[h % DISTROS.length];
  const tags = [TAGS[h % TAGS.length], TAGS[(h >>> 4) % TAGS.length], TAGS[(h >>> 8) % TAGS.length]].slice(
    0,
    1 + (h % 3),
  );
  const vis = h % 20 < 12 ? "shared" : h % 20 < 17 ? "private" : "community";
  const img = {
    name: h % 100 === 0 ? null : `${distro}-${(h >>> 3) % 30}.${(h >>> 7) % 10}-${i}`,
    visibility: vis,
    tags,
    disk_format: ["raw", "qcow2", "vmdk"][h % 3],
    container_format: "bare",
    min_ram: [0, 512, 1024, 2048][(h >>> 5) % 4],
    os_distro: distro,
    hw_disk_bus: BUSES[(h >>> 2) % BUSES.length],
  };
  if (h % 7 === 0) img["com.example.tier"] = ["gold", "silver", "bronze"][(h >>> 9) % 3];
  return img;
}

/** Every id in an order, by following `next` with limit=1000 (as a client would). */
async function allIds(query) {
  const ids = [];
  let p = `/v2/images?${query}${query ? "&" : ""}limit=1000`;
  while (p) {
    const doc = await getJson(p);
    for (const img of doc.images) ids.push(img.id);
    p = doc.next;
  }
  return ids;
}

async function main() {
  log(`starting wrangler dev on ${BASE} (state in ${persist})`);
  const tStart = performance.now();
  await waitReady();
  log(
    `ready after ${Math.round(performance.now() - tStart)} ms; seeding ${N} images at concurrency ${SEED_CONCURRENCY}`,
  );

  const ids = new Array(N);
  const tSeed = performance.now();
  const create = await runPool(N, SEED_CONCURRENCY, async (i) => {
    const r = await request("POST", "/v2/images", seedImage(i));
    if (r.status !== 201) throw new Error(`create #${i}: ${r.status} ${r.text.slice(0, 300)}`);
    ids[i] = JSON.parse(r.text).id;
    if ((i + 1) % 1000 === 0) log(`  ${i + 1}/${N} created`);
    return r.ms;
  });
  log(`seeded in ${Math.round(performance.now() - tSeed)} ms`);

  // Deep markers: ~90% through the default order and through the name order.
  const byDefault = await allIds("");
  const byName = await allIds("sort_key=name&sort_dir=asc");
  if (byDefault.length !== N || byName.length !== N)
    throw new Error(`paging saw ${byDefault.length} / ${byName.length} images, expected ${N}`);
  if (new Set(byDefault).size !== N || new Set(byName).size !== N) throw new Error("paging returned duplicates");
  const deep = byDefault[Math.floor(N * 0.9)];
  // Page 2's marker: a deep page should cost what this one does, and both about what page 1 does (the marker
  // check and the page are one D1 batch, one round trip).
  const shallow = byDefault[24];
  const deepName = byName[Math.floor(N * 0.9)];
  let named = Math.floor(N / 2);
  while (seedImage(named).name === null) named++;
  const someName = seedImage(named).name;

  /** Each scenario: 2% warm-up, then ITERATIONS requests at CONCURRENCY; every response must be 200 with `expect` images. */
  const scenarios = {
    show: { path: (i) => `/v2/images/${ids[(i * 7919) % N]}` },
    list_first_page: { path: () => "/v2/images", expect: 25 },
    list_filter_tag: { path: () => "/v2/images?tag=gpu", expect: 25 },
    list_filter_name: { path: () => `/v2/images?name=${encodeURIComponent(someName)}`, expect: 1 },
    list_filter_property: { path: () => "/v2/images?hw_disk_bus=scsi&os_distro=ubuntu" },
    list_page2_marker: { path: () => `/v2/images?marker=${shallow}`, expect: 25 },
    list_deep_marker: { path: () => `/v2/images?marker=${deep}`, expect: 25 },
    list_name_deep_marker: { path: () => `/v2/images?sort_key=name&sort_dir=asc&marker=${deepName}`, expect: 25 },
  };
  const results = {};
  for (const [name, sc] of Object.entries(scenarios)) {
    const one = async (i) => {
      const r = await request("GET", sc.path(i));
      if (r.status !== 200) throw new Error(`${name}: ${r.status} ${r.text.slice(0, 300)}`);
      if (sc.expect !== undefined) {
        const got = JSON.parse(r.text).images.length;
        if (got !== sc.expect) throw new Error(`${name}: ${got} images, expected ${sc.expect}`);
      }
      return r.ms;
    };
    await runPool(Math.max(5, Math.ceil(ITERATIONS / 50)), CONCURRENCY, one);
    results[name] = stats(await runPool(ITERATIONS, CONCURRENCY, one));
    log(`${name}: ${JSON.stringify(results[name])}`);
  }

  const line = {
    bench: "api",
    date: new Date().toISOString(),
    n: N,
    node: process.version,
    seed_concurrency: SEED_CONCURRENCY,
    measure: { iterations: ITERATIONS, concurrency: CONCURRENCY },
    create: stats(create),
    ...results,
    deep_vs_first_p50: Math.round((results.list_deep_marker.p50_ms / results.list_first_page.p50_ms) * 100) / 100,
    deep_vs_page2_p50: Math.round((results.list_deep_marker.p50_ms / results.list_page2_marker.p50_ms) * 100) / 100,
    name_deep_vs_first_p50:
      Math.round((results.list_name_deep_marker.p50_ms / results.list_first_page.p50_ms) * 100) / 100,
  };
  console.log(JSON.stringify(line));
}

main().then(
  () => stopDev().then(() => process.exit(0)),
  (err) => {
    console.error(err);
    return stopDev().then(() => process.exit(1));
  },
);
