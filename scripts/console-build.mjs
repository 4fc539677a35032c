#!/usr/bin/env node
// Builds the web console (console/src) into console/dist/console/ with esbuild: content-hashed JS/CSS, the hash
// Web Worker, index.html; prints the sizes and fails when the gzipped total passes the 150 KB budget.
// Run by wrangler's [build] (dev, deploy, build:check) and by test/vitest.config.ts. `--quiet` prints one line.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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
  metafile: true,
  logLevel: "warning",
  entryNames: "[name]-[hash]",
  outdir: out,
  absWorkingDir: root,
};

const outputsOf = (result) => Object.keys(result.metafile.outputs).map((f) => path.basename(f));

// Files are replaced in place and stale ones removed afterwards, so a running `wrangler dev` never sees an
// empty folder.
mkdirSync(out, { recursive: true });

// The worker first: the app needs its hashed file name.
const worker = await build({ ...common, entryPoints: { "hash-worker": path.join(src, "upload/hash-worker.ts") } });
const workerFile = outputsOf(worker).find((f) => f.endsWith(".js"));

const app = await build({
  ...common,
  entryPoints: { app: path.join(src, "main.tsx"), styles: path.join(src, "styles.css") },
  jsx: "automatic",
  jsxImportSource: "preact",
  define: { __HASH_WORKER__: JSON.stringify(`./${workerFile}`) },
});
const files = outputsOf(app);
const appJs = files.find((f) => f.startsWith("app-") && f.endsWith(".js"));
const css = files.find((f) => f.startsWith("styles-") && f.endsWith(".css"));
if (!workerFile || !appJs || !css) throw new Error(`console build: missing outputs (${files.join(", ")})`);

const html = readFileSync(path.join(src, "index.html"), "utf8")
  .replace("%APP_JS%", `./${appJs}`)
  .replace("%STYLES%", `./${css}`);
writeFileSync(path.join(out, "index.html"), html);
const produced = new Set([
  ...outputsOf(worker),
  ...files,
  "index.html",
  ...copyStatic(path.join(root, "console/static"), out),
]);
for (const f of readdirSync(out)) if (!produced.has(f)) rmSync(path.join(out, f), { recursive: true, force: true });

let total = 0;
let gzTotal = 0;
const rows = [];
for (const f of readdirSync(out).sort()) {
  const bytes = readFileSync(path.join(out, f));
  const gz = gzipSync(bytes, { level: 9 }).length;
  total += bytes.length;
  gzTotal += gz;
  rows.push(`  ${f.padEnd(32)} ${kb(bytes.length).padStart(9)}  gzip ${kb(gz).padStart(8)}`);
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

function copyStatic(from, to) {
  const names = readdirSync(from).filter((n) => statSync(path.join(from, n)).isFile());
  for (const n of names) writeFileSync(path.join(to, n), readFileSync(path.join(from, n)));
  return names;
}
