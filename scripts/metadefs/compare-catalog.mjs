#!/usr/bin/env node
// Checks a running service against Glance 25's answers for the same loaded catalog
// (test/fixtures/metadefs-glance/glance-debian-catalog.json, recorded by record.sh after db_load_metadefs):
// the namespaces admin and demo list, the resource types, and every namespace's document (times masked).
//   node scripts/metadefs/compare-catalog.mjs [BASE_URL] [FIXTURE]   (tokens: ADMIN_TOKEN, DEMO_TOKEN)
// Prints one PASS/FAIL line per check and "N passed, N failed".
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { maskTimes } from "./normalize.mjs";

const base = process.argv[2] ?? process.env.OS_IMAGE_URL ?? "http://127.0.0.1:8787";
const fixture =
  process.argv[3] ?? new URL("../../test/fixtures/metadefs-glance/glance-debian-catalog.json", import.meta.url);
const want = JSON.parse(readFileSync(fixture, "utf8"));
const tokens = { admin: process.env.ADMIN_TOKEN ?? "admin-token", demo: process.env.DEMO_TOKEN ?? "demo-token" };

let passed = 0;
let failed = 0;
const check = (name, ok, detail = "") => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${ok || !detail ? "" : `: ${detail}`}`);
};

async function get(who, path) {
  const res = await fetch(base + path, { headers: { "X-Auth-Token": tokens[who], Accept: "application/json" } });
  if (res.status !== 200) throw new Error(`GET ${path} as ${who}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Every page, following `next` (20 a page, as the glance CLI asks). */
async function names(who) {
  const out = [];
  for (let next = "/v2/metadefs/namespaces?limit=20"; next; ) {
    const page = await get(who, next);
    out.push(...page.namespaces.map((n) => n.namespace));
    next = page.next;
  }
  return out;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const diff = (a, b) =>
  `missing ${JSON.stringify(b.filter((x) => !a.includes(x)))}, extra ${JSON.stringify(a.filter((x) => !b.includes(x)))}`;

const admin = await names("admin");
check(
  `admin lists the ${want.admin.length} namespaces Glance lists`,
  same([...admin].sort(), want.admin),
  diff(admin, want.admin),
);
check("admin's pages hold no namespace twice", new Set(admin).size === admin.length);
const demo = (await names("demo")).sort();
check(
  `demo lists the ${want.demo.length} namespaces Glance lists (no private ones)`,
  same(demo, want.demo),
  diff(demo, want.demo),
);
const rt = (await get("demo", "/v2/metadefs/resource_types")).resource_types.map((r) => r.name).sort();
check(`the ${want.resourceTypes.length} resource types`, same(rt, want.resourceTypes), diff(rt, want.resourceTypes));
const mismatched = [];
for (const [name, digest] of Object.entries(want.shows)) {
  const doc = maskTimes(await get("admin", `/v2/metadefs/namespaces/${name}`));
  if (createHash("sha256").update(JSON.stringify(doc)).digest("hex") !== digest) {
    mismatched.push(name);
    console.log(`  ours for ${name}: ${JSON.stringify(doc).slice(0, 600)}`);
  }
}
check(
  `every namespace document equals Glance's (${Object.keys(want.shows).length})`,
  mismatched.length === 0,
  mismatched.join(", "),
);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
