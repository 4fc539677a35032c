// Micro-benchmark of the image format inspector (npm run bench:inspect): prints one JSON line of throughput.
// Bundled with the esbuild wrangler ships, as wrangler would bundle it; Workers run the same V8.
// Streams of 1 GiB (a raw disk, and a qcow2 header followed by its data) are fed in 1 MiB blocks, the size
// an upload's parts have, and in 64 KiB blocks, closer to a request body's chunks. The data is one random
// block repeated: the inspector looks at the head, the regions its pointers lead to and the tail only.
import { execFileSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.join(import.meta.dirname, "..");
const TOTAL = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;

const dir = mkdtempSync(path.join(tmpdir(), "bench-inspect-"));
let mod;
try {
  const out = path.join(dir, "image-format.mjs");
  execFileSync(
    path.join(root, "node_modules/.bin/esbuild"),
    ["src/domain/image-format/index.ts", "--bundle", "--format=esm", `--outfile=${out}`, "--log-level=warning"],
    { cwd: root, stdio: "inherit" },
  );
  mod = await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const { createInspector } = mod;

const body = new Uint8Array(MIB);
randomFillSync(body);

/** A qcow2 v3 header (1 TiB virtual, 64 KiB clusters) at the start of an otherwise random first block. */
function qcow2Head() {
  const head = new Uint8Array(body);
  const v = new DataView(head.buffer);
  head.set([0x51, 0x46, 0x49, 0xfb]);
  v.setUint32(4, 3);
  v.setBigUint64(8, 0n);
  v.setUint32(20, 16);
  v.setBigUint64(24, 1n << 40n);
  v.setBigUint64(72, 0n);
  v.setUint32(100, 112);
  head.fill(0, 104, 128);
  return head;
}

/** The worst first block: printable text, which the VMDK probe scans for a descriptor (up to 1 MiB). */
const text = body.map((b) => 0x20 + (b % 0x5f));

const STREAMS = { raw: new Uint8Array(body).fill(0, 510, 512), qcow2: qcow2Head(), text };

/** Feeds TOTAL bytes in `block`-sized views; returns the verdict so the work cannot be optimised away. */
function run(first, block) {
  const inspector = createInspector();
  for (let at = 0; at < TOTAL; at += block) {
    const from = at % MIB;
    inspector.feed((at < MIB ? first : body).subarray(from, from + block));
  }
  return inspector.finish();
}

// After a warm-up, the stream is inspected again and again for at least 300 ms (a 1 GiB stream takes well under
// a millisecond); the best of 3 such rounds, in MB/s of process CPU time (what a Worker's CPU limit counts)
// and of wall time, and the CPU nanoseconds per block.
function measure(name, block) {
  const result = run(STREAMS[name], block);
  let cpu = Number.POSITIVE_INFINITY;
  let wall = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let streams = 0;
    do {
      run(STREAMS[name], block);
      streams++;
    } while (performance.now() - t0 < 300);
    wall = Math.min(wall, (performance.now() - t0) / streams);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000 / streams);
  }
  const rate = (ms) => Math.round(TOTAL / 1e6 / (ms / 1000));
  const blocks = TOTAL / block;
  return {
    format: result.format,
    virtual_size: result.virtualSize,
    MBps_cpu: rate(cpu),
    MBps_wall: rate(wall),
    ns_per_block_cpu: Math.round((cpu * 1e6) / blocks),
  };
}

const runs = {};
for (const name of Object.keys(STREAMS))
  for (const block of [MIB, 64 * 1024, 4096]) runs[`${name}_${block / 1024}KiB`] = measure(name, block);

const retained = createInspector();
retained.feed(STREAMS.qcow2);
console.log(
  JSON.stringify({
    bytes: TOTAL,
    node: process.version,
    loadavg1: Math.round(os.loadavg()[0] * 100) / 100,
    retained_bytes: retained.retainedBytes,
    runs,
  }),
);
