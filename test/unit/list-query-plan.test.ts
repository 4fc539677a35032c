// The list SQL stays index-friendly: EXPLAIN QUERY PLAN of what buildListQuery generates, against the real
// schema (migrations/0001_init.sql). An ORDER BY served by an index means no "USE TEMP B-TREE"; a marker must
// turn into a range on that index (a seek), not a scan from the first row, and its sort values must come from
// uncorrelated primary-key lookups (constants), so the marker check and the page share one D1 round trip.
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { parseListImages } from "../../src/http/requests/list-images";
import type { ListCaller } from "../../src/services/ports";
import { buildListQuery, buildMarkerCheck } from "../../src/storage/d1/list-query";

const markerId = "5d3c5d1e-6f41-4bd4-a3c4-3f3b5b0b7a10";

const demo: ListCaller = { projectId: "demo-project", isAdmin: false };
const admin: ListCaller = { projectId: "admin-project", isAdmin: true };

interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

async function explain(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<PlanRow[]> {
  const { sql, params } = query.toSQL();
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<PlanRow>();
  return rows.results;
}

const listQuery = (qs: string, withMarker: boolean, caller: ListCaller) =>
  buildListQuery(
    drizzle(env.DB),
    parseListImages(new URL(`http://glance.test/v2/images?${qs}${withMarker ? `&marker=${markerId}` : ""}`)),
    caller,
  );

async function plan(qs: string, withMarker: boolean, caller = demo): Promise<string[]> {
  return (await explain(listQuery(qs, withMarker, caller))).map((r) => r.detail);
}

/** The plan's access to `images` (the first SEARCH/SCAN line on it). */
const imagesAccess = (p: string[]) => p.find((d) => /^(SEARCH|SCAN) images\b/.test(d)) ?? "";

/** What each subquery of a plan does: its header line and the lines under it. */
function subqueries(rows: PlanRow[]): { head: string; body: string[] }[] {
  const under = (id: number): string[] =>
    rows.filter((r) => r.parent === id).flatMap((r) => [r.detail, ...under(r.id)]);
  return rows.filter((r) => /SUBQUERY/.test(r.detail)).map((r) => ({ head: r.detail, body: under(r.id) }));
}

/**
 * The marker's sort values come from the subqueries that read `images`: each must be uncorrelated (evaluated
 * once, a constant for the seek) and one primary-key lookup. The others are the member/tag EXISTS ones.
 */
function expectMarkerLookups(rows: PlanRow[]) {
  const lookups = subqueries(rows).filter((s) => s.body.some((d) => /^(SEARCH|SCAN) images\b/.test(d)));
  expect(lookups.length).toBeGreaterThan(0);
  for (const s of lookups) {
    expect(s.head).not.toMatch(/CORRELATED/);
    expect(s.body).toEqual([
      expect.stringMatching(/^SEARCH images USING (COVERING )?INDEX sqlite_autoindex_images_1 \(id=\?\)$/),
    ]);
  }
}

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
      const rows = await explain(listQuery(qs, true, caller));
      const deep = rows.map((r) => r.detail);
      expect(imagesAccess(deep)).toContain(`USING INDEX ${index} (deleted=?`);
      expect(imagesAccess(deep)).toMatch(seek);
      expect(deep.join("\n")).not.toMatch(/TEMP B-TREE/);
      expectMarkerLookups(rows);
    }
  });

  it("an exact name filter is an index lookup that also serves the default order", async () => {
    expect(imagesAccess(await plan("name=foo", false))).toContain(
      "USING INDEX images_name_idx (deleted=? AND <expr>=?)",
    );
    const rows = await explain(listQuery("name=foo", true, demo));
    const deep = rows.map((r) => r.detail);
    expect(imagesAccess(deep)).toContain("images_name_idx (deleted=? AND <expr>=? AND (created_at,id)<(?,?))");
    expect(deep.join("\n")).not.toMatch(/TEMP B-TREE/);
    expectMarkerLookups(rows);
  });

  it("mixed directions still seek on the first key (the rest is sorted per group of equal first keys)", async () => {
    const rows = await explain(listQuery("sort=name:asc,size:desc", true, demo));
    expect(imagesAccess(rows.map((r) => r.detail))).toContain("USING INDEX images_name_idx (deleted=? AND <expr>>?)");
    expectMarkerLookups(rows);
  });

  it("the marker check is one primary-key lookup", async () => {
    for (const caller of [demo, admin]) {
      const rows = await explain(buildMarkerCheck(drizzle(env.DB), markerId, caller));
      expect(rows.filter((r) => r.parent === 0)[0]!.detail).toMatch(
        /^SEARCH images USING INDEX sqlite_autoindex_images_1 \(id=\?\)$/,
      );
      expect(rows.map((r) => r.detail).join("\n")).not.toMatch(/SCAN images/);
    }
  });

  it("the marker binds only its id, at most twice per sort key (D1 allows 100 parameters a statement)", async () => {
    const count = (qs: string, withMarker: boolean) => listQuery(qs, withMarker, demo).toSQL().params.length;
    for (const qs of [
      "",
      "sort_key=name&sort_dir=asc",
      "sort=status:asc,updated_at:desc",
      "sort=name:asc,size:desc,disk_format:asc",
    ]) {
      const keys = parseListImages(new URL(`http://glance.test/v2/images?${qs}`)).sort.length;
      const extra = count(qs, true) - count(qs, false);
      expect(extra, qs).toBeGreaterThan(0);
      expect(extra, qs).toBeLessThanOrEqual(2 * keys);
      expect(
        listQuery(qs, true, demo)
          .toSQL()
          .params.filter((p) => p === markerId),
      ).toHaveLength(extra);
    }
  });
});
