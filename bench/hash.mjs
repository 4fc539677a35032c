// Hashing benchmark (npm run bench:hash): MD5, SHA-512 and both over 64 MiB fed in 1 MiB and 64 MiB blocks, for the
// pure-JS hasher (test/reference/resumable-hash.ts), the WebAssembly one (src/lib/resumable-digests.ts) and the native
// hashes (Node's OpenSSL; workerd's DigestStream), first on Node, then inside workerd under `wrangler dev`, where
// the service runs them. Prints ONE JSON line of MB/s of CPU time (what a Worker's CPU limit counts, and steady
// on a busy machine) and of wall time, best of 3 after a warm-up run.
//
//   npm run bench:hash
// Env: BENCH_WORKERD=0 skips workerd; BENCH_ONLY=wasm_both,js_both,... runs only those; BENCH_PORT (8860) and BENCH_INSPECTOR_PORT (8861) for its wrangler dev.
// The WASM figures for one hash alone use the module's measurement exports (bench_md5, bench_sha512).
import { spawn } from "node:child_process";
import { createHash, randomFillSync } from "node:crypto";
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.join(import.meta.dirname, "..");
const TOTAL = 64 * 1024 * 1024;
const BLOCKS = { "1MiB": 1024 * 1024, "64MiB": 64 * 1024 * 1024 };
const HASHERS = ["md5", "sha512", "both"]
  .flatMap((alg) => ["js", "wasm", "native"].map((impl) => `${impl}_${alg}`))
  .filter((name) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(",").includes(name));
const PORT = Number(process.env.BENCH_PORT ?? 8860);
const INSPECTOR_PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 8861);
const WASM = path.join(root, "src/lib/wasm/md5-sha512.wasm");

const log = (...a) => console.error(`[bench:hash ${new Date().toISOString().slice(11, 19)}]`, ...a);
const rate = (ms) => Math.round((TOTAL / 1e6 / (ms / 1000)) * 10) / 10;
const work = mkdtempSync(path.join(tmpdir(), "bench-hash-"));
let devGroup = null;
process.on("exit", () => {
  if (devGroup) killGroup(devGroup, "SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

// ---- Node: the modules bundled as wrangler bundles them (esbuild; a .wasm import becomes a compiled module) ----
async function bundle() {
  const { build } = await import("esbuild");
  const wasmAsModule = {
    name: "wasm-module",
    setup(b) {
      b.onLoad({ filter: /\.wasm$/ }, (args) => ({
        contents: `export default new WebAssembly.Module(Buffer.from(${JSON.stringify(readFileSync(args.path).toString("base64"))}, "base64"));`,
        loader: "js",
      }));
    },
  };
  const out = {};
  const sources = {
    "resumable-hash": "test/reference/resumable-hash.ts",
    "resumable-digests": "src/lib/resumable-digests.ts",
  };
  for (const [name, source] of Object.entries(sources)) {
    const outfile = path.join(work, `${name}.mjs`);
    await build({
      entryPoints: [path.join(root, source)],
      bundle: true,
      format: "esm",
      platform: "neutral",
      outfile,
      logLevel: "warning",
      plugins: [wasmAsModule],
    });
    out[name] = await import(pathToFileURL(outfile).href);
  }
  return out;
}

function nodeHashers(mods) {
  const { ResumableMd5, ResumableSha512, ResumableDigests: JsDigests } = mods["resumable-hash"];
  const { ResumableDigests } = mods["resumable-digests"];
  const wasmModule = new WebAssembly.Module(readFileSync(WASM));
  const wasmAlone = (name) => () => {
    const e = new WebAssembly.Instance(wasmModule).exports;
    const memory = new Uint8Array(e.memory.buffer);
    const input = e.input_ptr();
    const size = e.input_size();
    return {
      update(block) {
        for (let pos = 0; pos < block.length; pos += size) {
          const piece = block.subarray(pos, pos + size);
          memory.set(piece, input);
          e[name](piece.length);
        }
      },
      digestHex: () => "",
    };
  };
  const node =
    (...algs) =>
    () => {
      const hs = algs.map((a) => createHash(a));
      const hasher = {
        update(b) {
          for (const h of hs) h.update(b);
          return hasher;
        },
        digestHex: () => hs.map((h) => h.digest("hex")),
      };
      return hasher;
    };
  return {
    js_md5: () => new ResumableMd5(),
    js_sha512: () => new ResumableSha512(),
    js_both: () => JsDigests.create(),
    wasm_md5: wasmAlone("bench_md5"),
    wasm_sha512: wasmAlone("bench_sha512"),
    wasm_both: () => ResumableDigests.create(),
    native_md5: node("md5"),
    native_sha512: node("sha512"),
    native_both: node("md5", "sha512"),
  };
}

async function bestOf3(runOnce) {
  await runOnce();
  let cpu = Number.POSITIVE_INFINITY;
  let wall = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const m = await runOnce();
    cpu = Math.min(cpu, m.cpu);
    wall = Math.min(wall, m.wall);
  }
  return { cpu: rate(cpu), wall: rate(wall) };
}

async function benchNode() {
  const data = new Uint8Array(TOTAL);
  for (let i = 0; i < TOTAL; i += 65536) randomFillSync(data, i, Math.min(65536, TOTAL - i));
  const hashers = nodeHashers(await bundle());
  // The two digests must agree with OpenSSL before any figure is worth printing.
  const check = hashers.wasm_both().update(data.subarray(0, 5_000_001)).digestHex();
  const want = hashers.native_both().update(data.subarray(0, 5_000_001)).digestHex();
  if (check.md5 !== want[0] || check.sha512 !== want[1]) throw new Error("WASM digests differ from OpenSSL's");
  const results = {};
  for (const [label, block] of Object.entries(BLOCKS)) {
    for (const name of HASHERS) {
      results[`${label}/${name}`] = await bestOf3(() => {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const h = hashers[name]();
        for (let i = 0; i < TOTAL; i += block) h.update(data.subarray(i, i + block));
        h.digestHex();
        const c = process.cpuUsage(c0);
        return { cpu: (c.user + c.system) / 1000, wall: performance.now() - t0 };
      });
    }
  }
  return results;
}

// ---- workerd: bench/hash-worker under wrangler dev; CPU time is that of wrangler's whole process group ----
function killGroup(pgid, sig) {
  try {
    process.kill(-pgid, sig);
  } catch {}
}

/** utime + stime (ms) of every process in the group, from /proc (Linux). */
function groupCpuMs(pgid) {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) === pgid) total += (Number(f[11]) + Number(f[12])) * tick;
    } catch {}
  }
  return total;
}

async function benchWorkerd() {
  const logFile = path.join(work, "wrangler-dev.log");
  const out = openSync(logFile, "a");
  const args = ["scripts/wrangler.sh", "dev", "--config", "bench/hash-worker/wrangler.toml", "--ip", "127.0.0.1"];
  args.push("--port", String(PORT), "--inspector-port", String(INSPECTOR_PORT), "--persist-to", path.join(work, "s"));
  const child = spawn("bash", args, { cwd: root, detached: true, stdio: ["ignore", out, out] });
  devGroup = child.pid;
  const base = `http://127.0.0.1:${PORT}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited; log:\n${readFileSync(logFile, "utf8")}`);
    if (Date.now() > deadline) throw new Error(`wrangler dev not ready; log:\n${readFileSync(logFile, "utf8")}`);
    try {
      if ((await fetch(base)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    await (await fetch(`${base}/prepare?bytes=${TOTAL}`)).json();
    const results = {};
    for (const [label, block] of Object.entries(BLOCKS)) {
      for (const name of HASHERS) {
        results[`${label}/${name}`] = await bestOf3(async () => {
          const c0 = groupCpuMs(devGroup);
          const t0 = performance.now();
          const res = await fetch(`${base}/run?hasher=${name}&block=${block}`);
          if (!res.ok) throw new Error(`${name}: ${res.status} ${await res.text()}`);
          await res.json();
          return { cpu: groupCpuMs(devGroup) - c0, wall: performance.now() - t0 };
        });
        log("workerd", label, name, results[`${label}/${name}`]);
      }
    }
    return results;
  } finally {
    killGroup(devGroup, "SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    killGroup(devGroup, "SIGKILL");
    devGroup = null;
  }
}

/** { "1MiB/js_md5": {cpu, wall}, ... } -> { cpu: { "1MiB": { js_md5, ... } }, wall: { ... } } */
function shape(results) {
  const out = { MBps_cpu: {}, MBps_wall: {} };
  for (const [key, r] of Object.entries(results)) {
    const [block, name] = key.split("/");
    out.MBps_cpu[block] = { ...out.MBps_cpu[block], [name]: r.cpu };
    out.MBps_wall[block] = { ...out.MBps_wall[block], [name]: r.wall };
  }
  return out;
}

log("Node");
const nodeResults = shape(await benchNode());
const workerdResults = process.env.BENCH_WORKERD === "0" ? null : shape(await benchWorkerd());
console.log(
  JSON.stringify({
    bytes: TOTAL,
    node: process.version,
    cores: os.cpus().length,
    loadavg1: Math.round(os.loadavg()[0] * 100) / 100,
    on_node: nodeResults,
    in_workerd: workerdResults,
  }),
);
