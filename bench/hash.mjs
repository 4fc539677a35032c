// Micro-benchmark of src/lib/resumable-hash.ts on Node (npm run bench:hash): prints one JSON line of MB/s.
// Node cannot import TypeScript here, so the module is bundled with the esbuild that wrangler ships.
// Workers run the same V8, so the numbers transfer roughly; Node's OpenSSL hashes are shown for scale.
import { execFileSync } from "node:child_process";
import { createHash, randomFillSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.join(import.meta.dirname, "..");
const TOTAL = 64 * 1024 * 1024;
// Uploads arrive as stream chunks of tens of KiB, so feed the hashers in chunks of that order.
const CHUNK = 64 * 1024;

const dir = mkdtempSync(path.join(tmpdir(), "bench-hash-"));
let mod;
try {
  const out = path.join(dir, "resumable-hash.mjs");
  execFileSync(
    path.join(root, "node_modules/.bin/esbuild"),
    ["src/lib/resumable-hash.ts", "--bundle", "--format=esm", `--outfile=${out}`, "--log-level=warning"],
    { cwd: root, stdio: "inherit" },
  );
  mod = await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const { ResumableMd5, ResumableSha512, ResumableDigests } = mod;

const data = new Uint8Array(TOTAL);
for (let i = 0; i < TOTAL; i += 65536) randomFillSync(data, i, Math.min(65536, TOTAL - i));

// Best of 3 after a warm-up run (which lets V8 optimise the block functions). Reports MB/s of process CPU
// time, the quantity a Worker's CPU limit counts and steady on a busy machine, and of wall time.
function mbps(makeHasher) {
  const run = () => {
    const h = makeHasher();
    for (let i = 0; i < TOTAL; i += CHUNK) h.update(data.subarray(i, i + CHUNK));
    h.digestHex();
  };
  run();
  let cpu = Infinity;
  let wall = Infinity;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  const rate = (ms) => Math.round((TOTAL / 1e6 / (ms / 1000)) * 10) / 10;
  return { cpu: rate(cpu), wall: rate(wall) };
}

// A Node Hash has digest(), not digestHex(); wrap it so `run` treats both alike.
const node = (alg) => () => {
  const h = createHash(alg);
  return { update: (b) => h.update(b), digestHex: () => h.digest("hex") };
};
const nodeBoth = () => {
  const a = node("md5")();
  const b = node("sha512")();
  const update = (x) => {
    a.update(x);
    b.update(x);
  };
  return { update, digestHex: () => [a.digestHex(), b.digestHex()] };
};

const runs = {
  md5: mbps(() => new ResumableMd5()),
  sha512: mbps(() => new ResumableSha512()),
  both: mbps(() => ResumableDigests.create()),
  node_crypto_md5: mbps(node("md5")),
  node_crypto_sha512: mbps(node("sha512")),
  node_crypto_both: mbps(nodeBoth),
};
const pick = (key) => Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, r[key]]));
console.log(
  JSON.stringify({
    bytes: TOTAL,
    chunk: CHUNK,
    node: process.version,
    loadavg1: Math.round(os.loadavg()[0] * 100) / 100,
    MBps_cpu: pick("cpu"),
    MBps_wall: pick("wall"),
  }),
);
