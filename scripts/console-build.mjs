#!/usr/bin/env node
// Builds the web console (console/src) into console/dist/console/ with esbuild: content-hashed JS/CSS, the hash
// Web Worker, index.html; prints the sizes and fails when the gzipped total passes the 150 KB budget.
// Run by scripts/dev.sh, build:check, deploy and test/vitest.config.ts. `--quiet` prints one line.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = path.join(import.meta.dirname, "..");
const src = path.join(root, "console/src");
const out = path.join(root, "console/dist/console");
const BUDGET_GZIP = 150 * 1024;
const quiet = process.argv.includes("--quiet");

const common = {
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  legalComments: "none",
  logLevel: "warning",
  entryNames: "[name]-[hash]",
  outdir: out,
  absWorkingDir: root,
  write: false,
};

/** name -> contents of every file the folder should hold. */
const files = new Map();

// The worker first: the app needs its hashed file name.
const worker = await build({ ...common, entryPoints: { "hash-worker": path.join(src, "upload/hash-worker.ts") } });
for (const f of worker.outputFiles) files.set(path.basename(f.path), f.contents);
const workerFile = [...files.keys()].find((f) => f.startsWith("hash-worker-") && f.endsWith(".js"));

const app = await build({
  ...common,
  entryPoints: { app: path.join(src, "main.tsx"), styles: path.join(src, "styles.css") },
  jsx: "automatic",
  jsxImportSource: "preact",
  define: { __HASH_WORKER__: JSON.stringify(`./${workerFile}`) },
});
for (const f of app.outputFiles) files.set(path.basename(f.path), f.contents);
const names = [...files.keys()];
const appJs = names.find((f) => f.startsWith("app-") && f.endsWith(".js"));
const css = names.find((f) => f.startsWith("styles-") && f.endsWith(".css"));
if (!workerFile || !appJs || !css) throw new Error(`console build: missing outputs (${names.join(", ")})`);

const html = readFileSync(path.join(src, "index.html"), "utf8")
  .replace("%APP_JS%", `./${appJs}`)
  .replace("%STYLES%", `./${css}`);
files.set("index.html", Buffer.from(html));
const staticDir = path.join(root, "console/static");
for (const n of readdirSync(staticDir)) {
  if (statSync(path.join(staticDir, n)).isFile()) files.set(n, readFileSync(path.join(staticDir, n)));
}

// Several `wrangler dev`s may start at once (the e2e suites) and build together: a file is written only when
// its content changed, through a rename, so nobody ever reads half a file; stale files go last.
mkdirSync(out, { recursive: true });
for (const [name, contents] of files) {
  const target = path.join(out, name);
  let current = null;
  try {
    current = readFileSync(target);
  } catch {}
  if (current?.equals(contents)) continue;
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, target);
}
for (const f of readdirSync(out)) {
  if (!files.has(f) && !f.endsWith(".tmp")) rmSync(path.join(out, f), { recursive: true, force: true });
}

let total = 0;
let gzTotal = 0;
const rows = [];
for (const [name, contents] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
  const gz = gzipSync(contents, { level: 9 }).length;
  total += contents.length;
  gzTotal += gz;
  rows.push(`  ${name.padEnd(32)} ${kb(contents.length).padStart(9)}  gzip ${kb(gz).padStart(8)}`);
}
const summary = `console: ${rows.length} files, ${kb(total)} (gzip ${kb(gzTotal)}, budget ${kb(BUDGET_GZIP)}) in console/dist/console`;
if (!quiet) console.log(rows.join("\n"));
console.log(summary);
if (gzTotal > BUDGET_GZIP) {
  console.error(`console: the bundle is over its gzip budget by ${kb(gzTotal - BUDGET_GZIP)}`);
  process.exit(1);
}

function kb(n) {
  return `${(n / 1024).toFixed(1)} KB`;
}
