#!/usr/bin/env node
// `npm run bench:ops`: D1 statements / rows read / rows written and R2 Class A / B operations per API call and
// data path (bench/ops/operations.ops.ts inside workerd), printed as one JSON line; a table goes to stderr.
import { spawnSync } from "node:child_process";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");
const run = spawnSync(
  process.execPath,
  [
    path.join(root, "node_modules/vitest/vitest.mjs"),
    "run",
    "--config",
    "bench/ops/vitest.config.ts",
    "--reporter=dot",
  ],
  { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
);
const line = `${run.stdout}\n${run.stderr}`.split("\n").find((l) => l.includes("OPS_JSON "));
if (run.status !== 0 || !line) {
  process.stderr.write(run.stdout + run.stderr);
  process.exit(1);
}
const results = JSON.parse(line.slice(line.indexOf("OPS_JSON ") + 9));
const rows = Object.entries(results).map(([name, r]) => [
  name,
  r.d1.statements,
  r.d1.rowsRead,
  r.d1.rowsWritten,
  r.r2.classA,
  r.r2.classB,
  r.r2.free,
  Object.entries(r.r2.calls)
    .map(([k, v]) => `${k}×${v}`)
    .join(" "),
]);
const head = ["operation", "D1 stmts", "rows read", "rows written", "R2 A", "R2 B", "R2 free", "R2 calls"];
process.stderr.write(`${[head, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n")}\n`);
console.log(JSON.stringify({ bench: "ops", date: new Date().toISOString(), results }));
