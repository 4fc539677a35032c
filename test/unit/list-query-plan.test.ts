// The list SQL stays index-friendly: EXPLAIN QUERY PLAN of what buildListQuery generates, against the real
// schema (migrations/0001_init.sql). An ORDER BY served by an index means no "USE TEMP B-TREE"; a marker must
// turn into a range on that index (a seek), not a scan from the first row.
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { parseListImages } from "../../src/http/requests/list-images";
import type { ListCaller, StoredImage } from "../../src/services/ports";
import { buildListQuery } from "../../src/storage/d1/list-query";

const marker: StoredImage = {
  id: "5d3c5d1e-6f41-4bd4-a3c4-3f3b5b0b7a10",
  name: "m",
  status: "active",
  visibility: "public",
  protected: false,
  osHidden: false,
  checksum: null,
  osHashAlgo: null,
  osHashValue: null,
  owner: "demo-project",
  size: 10,
  virtualSize: null,
  minRam: 0,
  minDisk: 0,
  containerFormat: null,
  diskFormat: null,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  tags: [],
  properties: {},
  revision: 0,
  uploadStartedAt: null,
  uploadId: null,
};

const demo: ListCaller = { projectId: "demo-project", isAdmin: false };
const admin: ListCaller = { projectId: "admin-project", isAdmin: true };

async function plan(qs: string, withMarker: boolean, caller = demo): Promise<string[]> {
  const q = parseListImages(new URL(`http://glance.test/v2/images?${qs}`));
  const { sql, params } = buildListQuery(drizzle(env.DB), q, caller, withMarker ? marker : null).toSQL();
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return rows.results.map((r) => r.detail);
}

/** The plan's access to `images` (the first SEARCH/SCAN line on it). */
const imagesAccess = (p: string[]) => p.find((d) => /^(SEARCH|SCAN) images\b/.test(d)) ?? "";

describe("list query plans", () => {
  const cases: [qs: string, index: string, seek: RegExp][] = [
    ["", "images_created_idx", /\(created_at,id\)<\(\?,\?\)/],
    ["sort_dir=asc", "images_created_idx", /\(created_at,id\)>\(\?,\?\)/],
    ["sort_key=created_at&sort_key=id&sort_dir=desc", "images_created_idx", /\(created_at,id\)<\(\?,\?\)/],
    ["sort_key=name", "images_name_idx", /<expr><\?/],
    ["sort_key=name&sort_dir=asc", "images_name_idx", /<expr>>\?/],
    ["sort=name:asc", "images_name_idx", /<expr>>\?/],
    ["sort=size:desc", "images_size_idx", /<expr><\?/],
    ["sort_key=size&sort_dir=asc", "images_size_idx", /<expr>>\?/],
    ["sort_key=status&sort_dir=asc", "images_status_idx", /\(status,created_at,id\)>\(\?,\?,\?\)/],
    ["sort_key=updated_at", "images_updated_idx", /\(updated_at,created_at,id\)<\(\?,\?,\?\)/],
    ["tag=x", "images_created_idx", /\(created_at,id\)<\(\?,\?\)/],
    ["visibility=all&member_status=all", "images_created_idx", /\(created_at,id\)<\(\?,\?\)/],
    ["os_hidden=true&hw_disk_bus=scsi", "images_created_idx", /\(created_at,id\)<\(\?,\?\)/],
  ];

  it.each(cases)("?%s uses %s without a sort, and seeks past a marker", async (qs, index, seek) => {
    for (const caller of [demo, admin]) {
      const first = await plan(qs, false, caller);
      expect(imagesAccess(first)).toContain(`USING INDEX ${index} (deleted=?`);
      expect(first.join("\n")).not.toMatch(/TEMP B-TREE/);
      const deep = await plan(qs, true, caller);
      expect(imagesAccess(deep)).toContain(`USING INDEX ${index} (deleted=?`);
      expect(imagesAccess(deep)).toMatch(seek);
      expect(deep.join("\n")).not.toMatch(/TEMP B-TREE/);
    }
  });

  it("an exact name filter is an index lookup that also serves the default order", async () => {
    expect(imagesAccess(await plan("name=foo", false))).toContain("USING INDEX images_name_idx (deleted=? AND <expr>=?)");
    const deep = await plan("name=foo", true);
    expect(imagesAccess(deep)).toContain("images_name_idx (deleted=? AND <expr>=? AND (created_at,id)<(?,?))");
    expect(deep.join("\n")).not.toMatch(/TEMP B-TREE/);
  });

  it("mixed directions still seek on the first key (the rest is sorted per group of equal first keys)", async () => {
    const deep = await plan("sort=name:asc,size:desc", true);
    expect(imagesAccess(deep)).toContain("USING INDEX images_name_idx (deleted=? AND <expr>>?)");
  });
});
