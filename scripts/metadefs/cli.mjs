#!/usr/bin/env node
// `npm run metadefs:load -- DIR|FILE [--remote] [--merge [--prefer-new|--overwrite]]` loads Glance metadef JSON
// files into D1 (local: the state `npm run dev` uses, PERSIST_DIR or .wrangler/state), the way
// `glance-manage db_load_metadefs` does; `npm run metadefs:export -- DIR [--remote]` writes the catalog back
// as one file per namespace, as `glance-manage db_export_metadefs` does. Both go through scripts/wrangler.sh.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { catalogSql } from "./catalog-sql.mjs";
import { exportFiles } from "./export-files.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "../..");
const USAGE = `usage: npm run metadefs:load -- DIR|FILE [--remote] [--merge [--prefer-new | --overwrite]]
       npm run metadefs:export -- DIR [--remote]
Local runs use PERSIST_DIR (default .wrangler/state), the same state as npm run dev.`;

function fail(message, code = 2) {
  console.error(message);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { remote: false, merge: false, preferNew: false, overwrite: false, target: null };
  for (const a of argv) {
    if (a === "--remote") opts.remote = true;
    else if (a === "--local") opts.remote = false;
    else if (a === "--merge") opts.merge = true;
    else if (a === "--prefer-new" || a === "--prefer_new") opts.preferNew = true;
    else if (a === "--overwrite") opts.overwrite = true;
    else if (a === "-h" || a === "--help") fail(USAGE, 0);
    else if (a.startsWith("-")) fail(`unknown option ${a}\n${USAGE}`);
    else if (opts.target === null) opts.target = a;
    else fail(`one directory or file only\n${USAGE}`);
  }
  if (opts.target === null) fail(USAGE);
  return opts;
}

/** Runs wrangler d1 execute against the local state or the remote database; returns its JSON output. */
function d1(opts, args) {
  const where = opts.remote ? ["--remote"] : ["--local", "--persist-to", process.env.PERSIST_DIR ?? ".wrangler/state"];
  const out = execFileSync(
    "bash",
    [path.join(root, "scripts/wrangler.sh"), "d1", "execute", "DB", ...where, "--json", "--yes", ...args],
    {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  return JSON.parse(out);
}
const rows = (opts, sql) => d1(opts, ["--command", sql])[0]?.results ?? [];

/** Local state gets the migrations first (as npm run dev applies them), so a load works before the first dev run. */
function migrateLocal(opts) {
  if (opts.remote) return;
  execFileSync(
    "bash",
    [
      path.join(root, "scripts/wrangler.sh"),
      "d1",
      "migrations",
      "apply",
      "DB",
      "--local",
      "--persist-to",
      process.env.PERSIST_DIR ?? ".wrangler/state",
    ],
    {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, CI: "true" },
    },
  );
}

/** Glance reads DIR's *.json files (not recursively), or the one FILE given. */
function readFiles(target) {
  const names = statSync(target).isFile()
    ? [target]
    : readdirSync(target)
        .filter((f) => f.endsWith(".json") && statSync(path.join(target, f)).isFile())
        .sort()
        .map((f) => path.join(target, f));
  const files = [];
  const errors = [];
  for (const name of names) {
    try {
      files.push({ name, doc: JSON.parse(readFileSync(name, "utf8")) });
    } catch (e) {
      errors.push({ file: name, error: `not JSON: ${e.message}` });
    }
  }
  return { files, errors };
}

function load(opts) {
  if (!opts.merge && (opts.preferNew || opts.overwrite))
    fail("To use --prefer-new or --overwrite you need to combine of these options with --merge option.");
  if (opts.preferNew && opts.overwrite)
    fail("Please provide no more than one option from this list: --prefer-new, --overwrite");
  const mode = opts.overwrite ? "overwrite" : opts.preferNew ? "prefer_new" : opts.merge ? "merge" : "skip";
  const { files, errors: readErrors } = readFiles(opts.target);
  if (files.length === 0 && readErrors.length === 0)
    fail(`Json schema files not found in ${opts.target}. Aborting.`, 1);
  const { statements, errors, namespaces } = catalogSql(files, mode, Date.now());
  for (const e of [...readErrors, ...errors]) console.error(`${e.file}: ${e.error}`);
  migrateLocal(opts);
  const existing = new Set(rows(opts, "SELECT namespace FROM metadef_namespaces").map((r) => r.namespace));
  if (statements.length > 0) {
    const dir = mkdtempSync(path.join(tmpdir(), "metadefs-"));
    try {
      writeFileSync(path.join(dir, "load.sql"), `${statements.join("\n")}\n`);
      d1(opts, ["--file", path.join(dir, "load.sql")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const kept = namespaces.filter((n) => existing.has(n));
  const loaded = namespaces.filter((n) => !existing.has(n));
  for (const n of kept)
    console.log(
      mode === "skip"
        ? `skipped ${n}: it already exists (use --merge to add to it)`
        : `${mode.replace("_", "-")}: ${n}`,
    );
  console.log(
    `${loaded.length} namespace(s) loaded, ${kept.length} already present, ${readErrors.length + errors.length} file(s) with errors`,
  );
  if (readErrors.length + errors.length > 0) process.exit(1);
}

function exportCatalog(opts) {
  const q = (sql) => rows(opts, sql);
  const namespaces = q(
    "SELECT id, namespace, display_name, description, visibility, protected FROM metadef_namespaces ORDER BY id",
  );
  const associations =
    q(`SELECT a.namespace_id, r.name, a.prefix, a.properties_target FROM metadef_namespace_resource_types a
    JOIN metadef_resource_types r ON r.id = a.resource_type_id ORDER BY a.namespace_id, a.rowid`);
  const properties = q("SELECT namespace_id, name, json_schema FROM metadef_properties ORDER BY namespace_id, name");
  const objects = q(
    "SELECT namespace_id, name, description, json_schema FROM metadef_objects ORDER BY namespace_id, name",
  );
  const tags = q("SELECT namespace_id, name FROM metadef_tags ORDER BY namespace_id, id");
  mkdirSync(opts.target, { recursive: true });
  const written = exportFiles({ namespaces, associations, properties, objects, tags });
  for (const { file, doc } of written) writeFileSync(path.join(opts.target, file), `${JSON.stringify(doc, null, 4)}\n`);
  console.log(`${written.length} namespace(s) written to ${opts.target}`);
}

const [command, ...rest] = process.argv.slice(2);
const opts = parseArgs(rest);
if (command === "load") load(opts);
else if (command === "export") exportCatalog(opts);
else fail(USAGE);
