// GET /v2/images through the Worker: limits, marker paging, sorting, filters, visibility scoping and links
// (api-spec §6, §7.1; security.md §1.4; golden keystone/02, 22, 24, 25, 31).
// Storage is shared by every test of this file, so each test tags its own images and lists with ?tag=.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createImage, getImage, jsonError, PROJECTS, type Who } from "../helpers/api";

interface ListDoc {
  images: (Record<string, unknown> & { id: string; name: string | null })[];
  first: string;
  schema: string;
  next?: string;
}

const uniqueTag = () => `t-${crypto.randomUUID().slice(0, 8)}`;

async function get(path: string, as: Who = "demo"): Promise<ListDoc> {
  const res = await call("GET", path, { as });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as ListDoc;
}
const list = (qs: string, as: Who = "demo") => get(`/v2/images?${qs}`, as);
const ids = async (qs: string, as: Who = "demo") => (await list(qs, as)).images.map((i) => i.id);

/** The explanation of a 400 JSON error body. */
async function listError(qs: string, as: Who = "demo"): Promise<string> {
  const res = await call("GET", `/v2/images?${qs}`, { as, headers: { Accept: "application/json" } });
  expect(res.status, `?${qs}`).toBe(400);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = await jsonError(res);
  expect(body.code).toBe("400 Bad Request");
  expect(body.title).toBe("Bad Request");
  return body.message.split("<br />")[0]!;
}

/** Follows `next` links from the first page to the end; every page but the last has exactly `limit` images. */
async function pageAll(qs: string, limit: number, as: Who = "demo"): Promise<string[]> {
  const out: string[] = [];
  let path: string | undefined = `/v2/images?${qs}&limit=${limit}`;
  for (let pages = 0; path; pages++) {
    if (pages > 200) throw new Error("too many pages");
    const doc: ListDoc = await get(path, as);
    expect(doc.images.length).toBeLessThanOrEqual(limit);
    if (doc.next) expect(doc.images).toHaveLength(limit);
    out.push(...doc.images.map((i) => i.id));
    path = doc.next;
  }
  return out;
}

async function setColumns(id: string, cols: Record<string, string | number | null>): Promise<void> {
  const keys = Object.keys(cols);
  await env.DB.prepare(`UPDATE images SET ${keys.map((k) => `${k} = ?`).join(", ")} WHERE id = ?`)
    .bind(...keys.map((k) => cols[k]), id)
    .run();
}

async function addMember(imageId: string, member: string, status: "pending" | "accepted" | "rejected"): Promise<void> {
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO image_members (image_id, member, status, created_at, updated_at, deleted) VALUES (?, ?, ?, ?, ?, 0)",
  )
    .bind(imageId, member, status, now, now)
    .run();
}

/** `n` demo-owned images carrying `tag`, inserted straight into D1 (fast enough for the 1000 cap). */
async function bulkInsert(tag: string, n: number): Promise<void> {
  await env.DB.prepare(
    `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
     INSERT INTO images (id, name, status, visibility, owner, created_at, updated_at, tags)
     SELECT printf('%s-%05d', ?, i), printf('bulk %05d', i), 'queued', 'private', ?, 1700000000000 + i, 1700000000000 + i, json_array(?)
     FROM seq`,
  )
    .bind(n, tag, PROJECTS.demo, tag)
    .run();
}

describe("envelope and links", () => {
  // First in the file, while the database is still empty (golden 02).
  it("empty list is exactly golden 02", async () => {
    const res = await call("GET", "/v2/images");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = (await res.json()) as ListDoc;
    expect(doc).toEqual({ images: [], first: "/v2/images", schema: "/v2/schemas/images" });
    expect(Object.keys(doc)).toEqual(["images", "first", "schema"]);
  });

  it("list items are the show documents; a full page has next (golden 22/24)", async () => {
    const tag = uniqueTag();
    const img = await createImage({
      name: "Ubuntu 14.04 LTS",
      tags: [tag, "ubuntu"],
      os_distro: "ubuntu",
      disk_format: "raw",
      container_format: "bare",
    });
    const doc = await list(`limit=1&sort_key=name&sort_dir=asc&tag=${tag}`);
    expect(Object.keys(doc)).toEqual(["images", "first", "schema", "next"]);
    expect(doc.images).toEqual([await getImage(img.id)]);
    expect(Object.keys(doc.images[0]!)[0]).toBe("os_distro");
    expect(doc.first).toBe(`/v2/images?limit=1&sort_key=name&sort_dir=asc&tag=${tag}`);
    expect(doc.schema).toBe("/v2/schemas/images");
    expect(doc.next).toBe(`/v2/images?limit=1&sort_key=name&sort_dir=asc&tag=${tag}&marker=${img.id}`);
    // Glance emits next whenever the page is full, so the last page can be empty (and has no next).
    const last = await get(doc.next!);
    expect(last).toEqual({ images: [], first: doc.first, schema: "/v2/schemas/images" });
  });

  it("a page that is not full has no next; first keeps the query as sent (golden 25/31)", async () => {
    const tag = uniqueTag();
    await createImage({ name: "second", visibility: "private", tags: [tag] });
    const doc = await list(`tag=${tag}&sort=name:asc`);
    expect(doc.images).toHaveLength(1);
    expect(doc.first).toBe(`/v2/images?tag=${tag}&sort=name%3Aasc`);
    expect(doc.next).toBeUndefined();
    expect(Object.keys(doc)).toEqual(["images", "first", "schema"]);
    const priv = await list(`visibility=private&tag=${tag}`);
    expect(priv.first).toBe(`/v2/images?visibility=private&tag=${tag}`);
  });

  it("marker is dropped from first and moved to the end of next; other params keep their order", async () => {
    const tag = uniqueTag();
    const [a, b, c] = [
      await createImage({ tags: [tag] }),
      await createImage({ tags: [tag] }),
      await createImage({ tags: [tag] }),
    ];
    const all = await ids(`tag=${tag}`);
    expect(all).toHaveLength(3);
    const doc = await list(`marker=${all[0]}&limit=1&tag=${tag}`);
    expect(doc.images.map((i) => i.id)).toEqual([all[1]]);
    expect(doc.first).toBe(`/v2/images?limit=1&tag=${tag}`);
    expect(doc.next).toBe(`/v2/images?limit=1&tag=${tag}&marker=${all[1]}`);
    expect(new Set(all)).toEqual(new Set([a.id, b.id, c.id]));
  });

  it("only a marker: first is the bare path", async () => {
    const tag = uniqueTag();
    const img = await createImage({ tags: [tag] });
    const doc = await list(`marker=${img.id}`);
    expect(doc.first).toBe("/v2/images");
  });

  it("links use Python urlencode quoting and keep repeated parameters", async () => {
    const tag = uniqueTag();
    await createImage({ name: "a b", tags: [tag, "x y"] });
    const doc = await list(`name=a+b&tag=${tag}&tag=x%20y&limit=1&sort=name:asc,id:desc`);
    expect(doc.images).toHaveLength(1);
    expect(doc.first).toBe(`/v2/images?name=a+b&tag=${tag}&tag=x+y&limit=1&sort=name%3Aasc%2Cid%3Adesc`);
    expect(doc.next).toBe(`${doc.first}&marker=${doc.images[0]!.id}`);
    const odd = await list(`tag=${tag}&q=${encodeURIComponent("it's (*)!~._-")}`);
    expect(odd.first).toBe(`/v2/images?tag=${tag}&q=it%27s+%28%2A%29%21~._-`);
  });
});

describe("limit", { timeout: 30_000 }, () => {
  it("defaults to 25 and caps at 1000", async () => {
    const tag = uniqueTag();
    await bulkInsert(tag, 1001);
    const page = await list(`tag=${tag}`);
    expect(page.images).toHaveLength(25);
    expect(page.next).toBe(`/v2/images?tag=${tag}&marker=${page.images[24]!.id}`);
    const capped = await list(`tag=${tag}&limit=5000`);
    expect(capped.images).toHaveLength(1000);
    expect(capped.first).toBe(`/v2/images?tag=${tag}&limit=5000`);
    expect(capped.next).toBe(`/v2/images?tag=${tag}&limit=5000&marker=${capped.images[999]!.id}`);
    const rest = await get(capped.next!);
    expect(rest.images).toHaveLength(1);
    expect(rest.next).toBeUndefined();
    // Default order: newest first.
    expect(capped.images[0]!.id).toBe(`${tag}-01001`);
    expect(rest.images[0]!.id).toBe(`${tag}-00001`);
    expect(new Set([...capped.images, ...rest.images].map((i) => i.id)).size).toBe(1001);
  });

  it("limit=0 returns an empty page without next", async () => {
    const tag = uniqueTag();
    await createImage({ tags: [tag] });
    const doc = await list(`tag=${tag}&limit=0`);
    expect(doc).toEqual({ images: [], first: `/v2/images?tag=${tag}&limit=0`, schema: "/v2/schemas/images" });
  });

  it("bad limits -> 400", async () => {
    expect(await listError("limit=abc")).toBe("limit param must be an integer");
    expect(await listError("limit=1.5")).toBe("limit param must be an integer");
    expect(await listError("limit=-1")).toBe("limit param must be positive");
  });
});

describe("marker paging and sorting", { timeout: 60_000 }, () => {
  interface Row {
    id: string;
    name: string | null;
    size: number | null;
    status: string;
    created: number;
    updated: number;
  }
  const names = ["b", "a", null, "c", "a", "b", "", "a", "d", null, "c", "a", "e", "B", "a b"];
  const sizes = [null, 10, 20, 10, null, 30, 10, 20, 0, 5, 10, null, 30, 7, 10];
  const base = Date.parse("2021-03-04T05:06:07Z");

  /** 15 images with duplicate names/sizes, NULLs and created_at ties, so page breaks fall inside tie groups. */
  async function seed(tag: string): Promise<Row[]> {
    const rows: Row[] = [];
    for (let i = 0; i < names.length; i++) {
      const img = await createImage({ name: names[i], tags: [tag] });
      const row: Row = {
        id: img.id,
        name: names[i]!,
        size: sizes[i]!,
        status: i % 4 === 0 ? "active" : "queued",
        created: base + (i % 3) * 1000,
        updated: base + (i % 5) * 1000,
      };
      await setColumns(img.id, {
        size: row.size,
        status: row.status,
        created_at: row.created,
        updated_at: row.updated,
      });
      rows.push(row);
    }
    return rows;
  }

  type Key = "name" | "size" | "status" | "id" | "created_at" | "updated_at";
  const value = (r: Row, k: Key): string | number => {
    switch (k) {
      case "name":
        return r.name ?? "";
      case "size":
        return r.size ?? -1;
      case "status":
        return r.status;
      case "id":
        return r.id;
      case "created_at":
        return r.created;
      case "updated_at":
        return r.updated;
    }
  };
  /** The expected order, computed independently of the server (NULL name/size sort as ''/-1). */
  function expected(rows: Row[], order: [Key, "asc" | "desc"][]): string[] {
    return [...rows]
      .sort((x, y) => {
        for (const [k, dir] of order) {
          const a = value(x, k);
          const b = value(y, k);
          if (a !== b) return (a < b ? -1 : 1) * (dir === "asc" ? 1 : -1);
        }
        return 0;
      })
      .map((r) => r.id);
  }

  const cases: [string, [Key, "asc" | "desc"][]][] = [
    [
      "",
      [
        ["created_at", "desc"],
        ["id", "desc"],
      ],
    ],
    [
      "sort_dir=asc",
      [
        ["created_at", "asc"],
        ["id", "asc"],
      ],
    ],
    [
      "sort_key=name&sort_dir=asc",
      [
        ["name", "asc"],
        ["created_at", "asc"],
        ["id", "asc"],
      ],
    ],
    [
      "sort_key=name",
      [
        ["name", "desc"],
        ["created_at", "desc"],
        ["id", "desc"],
      ],
    ],
    [
      "sort=size:desc",
      [
        ["size", "desc"],
        ["created_at", "desc"],
        ["id", "desc"],
      ],
    ],
    [
      "sort_key=size&sort_dir=asc",
      [
        ["size", "asc"],
        ["created_at", "asc"],
        ["id", "asc"],
      ],
    ],
    [
      "sort=name:asc,size:desc",
      [
        ["name", "asc"],
        ["size", "desc"],
        ["created_at", "desc"],
        ["id", "desc"],
      ],
    ],
    [
      "sort_key=size&sort_key=name&sort_dir=desc&sort_dir=asc",
      [
        ["size", "desc"],
        ["name", "asc"],
        ["created_at", "desc"],
        ["id", "desc"],
      ],
    ],
    [
      "sort=status:asc,updated_at:desc",
      [
        ["status", "asc"],
        ["updated_at", "desc"],
        ["created_at", "desc"],
        ["id", "desc"],
      ],
    ],
    [
      "sort=id:asc",
      [
        ["id", "asc"],
        ["created_at", "asc"],
      ],
    ],
    [
      "sort=updated_at",
      [
        ["updated_at", "desc"],
        ["created_at", "desc"],
        ["id", "desc"],
      ],
    ],
  ];

  let shared: { tag: string; rows: Row[] } | undefined;
  const seeded = async () => {
    if (!shared) {
      const tag = uniqueTag();
      shared = { tag, rows: await seed(tag) };
    }
    return shared;
  };

  it.each(cases)(
    "?%s: pages of 1, 2 and 4 concatenate to the full order, no duplicates or skips",
    async (qs, order) => {
      const { tag, rows } = await seeded();
      const want = expected(rows, order);
      const filter = qs ? `${qs}&tag=${tag}` : `tag=${tag}`;
      expect(await ids(`${filter}&limit=100`)).toEqual(want);
      for (const limit of [1, 2, 4]) expect(await pageAll(filter, limit)).toEqual(want);
    },
  );

  it("a marker keeps working after its image stops matching the filters", async () => {
    const tag = uniqueTag();
    const rows = await seed(tag);
    const want = expected(rows, [
      ["name", "asc"],
      ["created_at", "asc"],
      ["id", "asc"],
    ]);
    const marker = want[6]!;
    await setColumns(marker, { os_hidden: 1 });
    expect(await ids(`sort_key=name&sort_dir=asc&tag=${tag}&marker=${marker}&limit=100`)).toEqual(want.slice(7));
  });

  it("unknown, deleted or invisible markers -> 400 'No image found with ID <m>'", async () => {
    const missing = "3b2a0cb5-7c1e-4c55-9a60-1f7d1d9c4f55";
    expect(await listError(`marker=${missing}`)).toBe(`No image found with ID ${missing}`);
    expect(await listError("marker=")).toBe("No image found with ID ");
    const deleted = await createImage({});
    expect((await call("DELETE", `/v2/images/${deleted.id}`)).status).toBe(204);
    expect(await listError(`marker=${deleted.id}`)).toBe(`No image found with ID ${deleted.id}`);
    const altPrivate = await createImage({ visibility: "private" }, "alt");
    expect(await listError(`marker=${altPrivate.id}`)).toBe(`No image found with ID ${altPrivate.id}`);
    const altShared = await createImage({}, "alt");
    expect(await listError(`marker=${altShared.id}`)).toBe(`No image found with ID ${altShared.id}`);
    // The owner and an admin may use them.
    expect((await call("GET", `/v2/images?marker=${altPrivate.id}`, { as: "alt" })).status).toBe(200);
    expect((await call("GET", `/v2/images?marker=${altPrivate.id}`, { as: "admin" })).status).toBe(200);
    // A shared image the caller is a member of, in any status, is a usable marker.
    await addMember(altShared.id, PROJECTS.demo, "pending");
    expect((await call("GET", `/v2/images?marker=${altShared.id}`)).status).toBe(200);
  });

  it("sort errors -> 400", async () => {
    const keys = "name, status, container_format, disk_format, size, id, created_at, updated_at";
    expect(await listError("sort_key=owner")).toBe(
      `Invalid sort key: owner. It must be one of the following: ${keys}.`,
    );
    expect(await listError("sort=foo:asc")).toBe(`Invalid sort key: foo. It must be one of the following: ${keys}.`);
    expect(await listError("sort_dir=up")).toBe("Invalid sort direction: up");
    expect(await listError("sort=name:sideways")).toBe("Invalid sort direction: sideways");
    expect(await listError("sort_key=name&sort_key=size&sort_key=id&sort_dir=asc&sort_dir=desc")).toBe(
      "Number of sort dirs does not match the number of sort keys",
    );
    expect(await listError("sort=name:asc&sort_key=size")).toBe("Old and new sorting syntax cannot be combined");
    expect(await listError("sort=name&sort_dir=asc")).toBe("Old and new sorting syntax cannot be combined");
  });
});

describe("filters", { timeout: 30_000 }, () => {
  it("name: exact, eq:, in: with quoted commas; unknown operator -> 400", async () => {
    const tag = uniqueTag();
    const foo = await createImage({ name: "foo", tags: [tag] });
    const comma = await createImage({ name: "a, b", tags: [tag] });
    const colon = await createImage({ name: "x:y", tags: [tag] });
    const empty = await createImage({ name: "", tags: [tag] });
    await createImage({ tags: [tag] }); // name null
    await createImage({ name: "Foo", tags: [tag] });
    const q = (v: string) => ids(`tag=${tag}&name=${encodeURIComponent(v)}`);
    expect(await q("foo")).toEqual([foo.id]);
    expect(await q("eq:foo")).toEqual([foo.id]);
    expect(await q("eq:x:y")).toEqual([colon.id]);
    expect(new Set(await q('in:foo,"a, b"'))).toEqual(new Set([foo.id, comma.id]));
    expect(await q("in:a, b")).toEqual([]); // unquoted: "a" and " b"
    expect(await q("")).toEqual([empty.id]); // '' does not match a NULL name
    expect(await q("nope")).toEqual([]);
    expect(await listError(`tag=${tag}&name=${encodeURIComponent("x:y")}`)).toBe(
      "Unable to filter by unknown operator 'x'.",
    );
    expect(await listError(`name=${encodeURIComponent("like:foo")}`)).toBe(
      "Unable to filter by unknown operator 'like'.",
    );
    expect(await listError(`name=${encodeURIComponent('in:"foo')}`)).toBe(
      'Invalid filter value "foo. The quote is not closed.',
    );
  });

  it("id, status, container_format, disk_format; killed images are never listed", async () => {
    const tag = uniqueTag();
    const a = await createImage({ tags: [tag], disk_format: "raw", container_format: "bare" });
    const b = await createImage({ tags: [tag], disk_format: "qcow2", container_format: "bare" });
    const killed = await createImage({ tags: [tag] });
    await setColumns(a.id, { status: "active" });
    await setColumns(killed.id, { status: "killed" });
    expect(await ids(`tag=${tag}&status=active`)).toEqual([a.id]);
    expect(await ids(`tag=${tag}&status=queued`)).toEqual([b.id]);
    expect(new Set(await ids(`tag=${tag}&status=in:active,queued`))).toEqual(new Set([a.id, b.id]));
    expect(await ids(`tag=${tag}&status=killed`)).toEqual([]);
    expect(await ids(`tag=${tag}&disk_format=raw`)).toEqual([a.id]);
    expect(new Set(await ids(`tag=${tag}&container_format=bare`))).toEqual(new Set([a.id, b.id]));
    expect(await ids(`tag=${tag}&id=${b.id}`)).toEqual([b.id]);
    expect(new Set(await ids(`tag=${tag}&id=in:${a.id},${b.id},${killed.id}`))).toEqual(new Set([a.id, b.id]));
    expect(new Set(await ids(`tag=${tag}`))).toEqual(new Set([a.id, b.id]));
  });

  it("repeated tag means all of them", async () => {
    const tag = uniqueTag();
    const ab = await createImage({ tags: [tag, "alpha", "beta"] });
    const a = await createImage({ tags: [tag, "alpha"] });
    await createImage({ tags: [tag, "beta"] });
    expect(await ids(`tag=${tag}&tag=alpha&tag=beta`)).toEqual([ab.id]);
    expect(new Set(await ids(`tag=${tag}&tag=alpha`))).toEqual(new Set([ab.id, a.id]));
    expect(await ids(`tag=${tag}&tag=Alpha`)).toEqual([]);
  });

  it("size_min/size_max (inclusive), size=, virtual_size ranges; non-numeric -> 400", async () => {
    const tag = uniqueTag();
    const imgs = [
      await createImage({ tags: [tag] }),
      await createImage({ tags: [tag] }),
      await createImage({ tags: [tag] }),
    ];
    const unsized = await createImage({ tags: [tag] });
    for (const [i, img] of imgs.entries())
      await setColumns(img.id, { size: (i + 1) * 100, virtual_size: (i + 1) * 1000 });
    const [s100, s200, s300] = imgs.map((i) => i.id);
    const set = async (qs: string) => new Set(await ids(`tag=${tag}&${qs}`));
    expect(await set("size_min=200")).toEqual(new Set([s200, s300]));
    expect(await set("size_max=200")).toEqual(new Set([s100, s200]));
    expect(await set("size_min=150&size_max=250")).toEqual(new Set([s200]));
    expect(await set("size=300")).toEqual(new Set([s300]));
    expect(await set("virtual_size_min=2000")).toEqual(new Set([s200, s300]));
    expect(await set("virtual_size_max=1000")).toEqual(new Set([s100]));
    expect(await set("size_min=0")).not.toContain(unsized.id);
    const msg = "Unable to filter on a range with a non-numeric value.";
    expect(await listError("size_min=big")).toBe(msg);
    expect(await listError("size_max=1.5")).toBe(msg);
    expect(await listError("virtual_size_min=x")).toBe(msg);
  });

  it("min_ram/min_disk equality", async () => {
    const tag = uniqueTag();
    const a = await createImage({ tags: [tag], min_ram: 512, min_disk: 10 });
    await createImage({ tags: [tag], min_ram: 1024 });
    expect(await ids(`tag=${tag}&min_ram=512`)).toEqual([a.id]);
    expect(await ids(`tag=${tag}&min_disk=10`)).toEqual([a.id]);
    expect(await ids(`tag=${tag}&min_ram=lots`)).toEqual([]);
  });

  it("os_hidden: hidden excluded by default, true returns only hidden, case-insensitive, invalid -> 400", async () => {
    const tag = uniqueTag();
    const shown = await createImage({ tags: [tag] });
    const hidden = await createImage({ tags: [tag], os_hidden: true });
    expect(await ids(`tag=${tag}`)).toEqual([shown.id]);
    expect(await ids(`tag=${tag}&os_hidden=true`)).toEqual([hidden.id]);
    expect(await ids(`tag=${tag}&os_hidden=True`)).toEqual([hidden.id]);
    expect(await ids(`tag=${tag}&os_hidden=FALSE`)).toEqual([shown.id]);
    expect(await listError("os_hidden=1")).toBe(
      "Invalid value '1' for 'os_hidden' filter. Valid values are 'true' or 'false'.",
    );
    // A direct GET ignores os_hidden.
    expect((await getImage(hidden.id)).id).toBe(hidden.id);
  });

  it("protected: lowercase only", async () => {
    const tag = uniqueTag();
    const prot = await createImage({ tags: [tag], protected: true });
    const open = await createImage({ tags: [tag] });
    expect(await ids(`tag=${tag}&protected=true`)).toEqual([prot.id]);
    expect(await ids(`tag=${tag}&protected=false`)).toEqual([open.id]);
    expect(await listError("protected=True")).toBe(
      "Invalid value 'True' for 'protected' filter. Valid values are 'true' or 'false'.",
    );
    expect(await listError("protected=yes")).toBe(
      "Invalid value 'yes' for 'protected' filter. Valid values are 'true' or 'false'.",
    );
  });

  it("checksum, os_hash_algo, os_hash_value", async () => {
    const tag = uniqueTag();
    const a = await createImage({ tags: [tag] });
    const b = await createImage({ tags: [tag] });
    await setColumns(a.id, {
      checksum: "c".repeat(32),
      os_hash_algo: "sha512",
      os_hash_value: "a".repeat(128),
      status: "active",
    });
    await setColumns(b.id, {
      checksum: "d".repeat(32),
      os_hash_algo: "sha512",
      os_hash_value: "b".repeat(128),
      status: "active",
    });
    expect(await ids(`tag=${tag}&checksum=${"c".repeat(32)}`)).toEqual([a.id]);
    expect(await ids(`tag=${tag}&os_hash_value=${"b".repeat(128)}`)).toEqual([b.id]);
    expect(await ids(`tag=${tag}&os_hash_value=${"b".repeat(127)}`)).toEqual([]);
    expect(new Set(await ids(`tag=${tag}&os_hash_algo=sha512`))).toEqual(new Set([a.id, b.id]));
  });

  it("owner", async () => {
    const tag = uniqueTag();
    const mine = await createImage({ tags: [tag] });
    const alts = await createImage({ tags: [tag] }, "alt");
    await addMember(alts.id, PROJECTS.demo, "accepted");
    expect(await ids(`tag=${tag}&owner=${PROJECTS.demo}`)).toEqual([mine.id]);
    expect(await ids(`tag=${tag}&owner=${PROJECTS.alt}`)).toEqual([alts.id]);
    expect(await ids(`tag=${tag}&owner=${PROJECTS.alt}`, "admin")).toEqual([alts.id]);
    expect(await ids(`tag=${tag}&owner=nobody`)).toEqual([]);
  });

  it("created_at/updated_at with gt|gte|lt|lte|eq|neq at second precision; bad date/op -> 400", async () => {
    const tag = uniqueTag();
    const imgs = [
      await createImage({ tags: [tag] }),
      await createImage({ tags: [tag] }),
      await createImage({ tags: [tag] }),
    ];
    const times = ["2020-01-01T00:00:00Z", "2020-01-02T00:00:00.400Z", "2020-01-03T00:00:00Z"].map((t) =>
      Date.parse(t),
    );
    for (const [i, img] of imgs.entries())
      await setColumns(img.id, { created_at: times[i]!, updated_at: times[2 - i]! + 3_600_000 });
    const [d1, d2, d3] = imgs.map((i) => i.id);
    const set = async (qs: string) => new Set(await ids(`tag=${tag}&${qs}`));
    const day2 = "2020-01-02T00:00:00Z";
    expect(await set(`created_at=${day2}`)).toEqual(new Set([d2]));
    expect(await set(`created_at=eq:${day2}`)).toEqual(new Set([d2]));
    expect(await set(`created_at=gt:${day2}`)).toEqual(new Set([d3]));
    expect(await set(`created_at=gte:${day2}`)).toEqual(new Set([d2, d3]));
    expect(await set(`created_at=lt:${day2}`)).toEqual(new Set([d1]));
    expect(await set(`created_at=lte:${day2}`)).toEqual(new Set([d1, d2]));
    expect(await set(`created_at=neq:${day2}`)).toEqual(new Set([d1, d3]));
    expect(await set(`created_at=eq:${encodeURIComponent("2020-01-02T02:00:00+02:00")}`)).toEqual(new Set([d2]));
    expect(await set("created_at=gte:2020-01-02")).toEqual(new Set([d2, d3]));
    expect(await set("updated_at=lt:2020-01-02T01:00:00Z")).toEqual(new Set([d3]));
    expect(await set("updated_at=gte:2020-01-03T01:00:00Z")).toEqual(new Set([d1]));
    expect(await set("created_at=gt:2020-01-01T00:00:00Z&created_at=lt:2020-01-03T00:00:00Z")).toEqual(new Set([d2]));
    const shown = (await list(`tag=${tag}&created_at=${day2}`)).images[0]!;
    expect(shown.created_at).toBe(day2);
    expect(await listError("created_at=yesterday")).toBe(
      'Bad "created_at" query filter format. Use ISO 8601 DateTime notation.',
    );
    expect(await listError("updated_at=gt:2020-13-45")).toBe(
      'Bad "updated_at" query filter format. Use ISO 8601 DateTime notation.',
    );
    expect(await listError(`created_at=after:${day2}`)).toBe("Unable to filter on a unknown operator.");
  });

  it("any other key filters on an extra property (AND), keys with dots or colons included", async () => {
    const tag = uniqueTag();
    const scsi = await createImage({
      tags: [tag],
      hw_disk_bus: "scsi",
      "com.example.tier": "gold",
      "hw:cpu_policy": "dedicated",
    });
    const virtio = await createImage({ tags: [tag], hw_disk_bus: "virtio", "com.example.tier": "gold" });
    await createImage({ tags: [tag] });
    expect(await ids(`tag=${tag}&hw_disk_bus=scsi`)).toEqual([scsi.id]);
    expect(new Set(await ids(`tag=${tag}&com.example.tier=gold`))).toEqual(new Set([scsi.id, virtio.id]));
    expect(await ids(`tag=${tag}&com.example.tier=gold&hw_disk_bus=virtio`)).toEqual([virtio.id]);
    expect(await ids(`tag=${tag}&${encodeURIComponent("hw:cpu_policy")}=dedicated`)).toEqual([scsi.id]);
    expect(await ids(`tag=${tag}&hw_disk_bus=SCSI`)).toEqual([]);
    expect(await ids(`tag=${tag}&no_such_property=x`)).toEqual([]);
  });

  it("changes-since -> 400", async () => {
    expect(await listError("changes-since=2020-01-01T00:00:00Z")).toBe(
      'The "changes-since" filter is no longer available on v2.',
    );
  });
});

describe("visibility scoping", { timeout: 60_000 }, () => {
  /** One image per situation, all carrying `tag`. */
  async function world(tag: string) {
    const mk = (as: Who, fields: Record<string, unknown>) => createImage({ tags: [tag], ...fields }, as);
    const w = {
      demoPrivate: await mk("demo", { visibility: "private" }),
      demoShared: await mk("demo", { visibility: "shared" }),
      demoCommunity: await mk("demo", { visibility: "community" }),
      demoHidden: await mk("demo", { visibility: "private", os_hidden: true }),
      altPrivate: await mk("alt", { visibility: "private" }),
      altCommunity: await mk("alt", { visibility: "community" }),
      altSharedAccepted: await mk("alt", { visibility: "shared" }),
      altSharedPending: await mk("alt", { visibility: "shared" }),
      altSharedRejected: await mk("alt", { visibility: "shared" }),
      altSharedNoMember: await mk("alt", { visibility: "shared" }),
      altPrivateMember: await mk("alt", { visibility: "private" }),
      adminPublic: await mk("admin", { visibility: "public" }),
      adminPrivate: await mk("admin", { visibility: "private" }),
      adminCommunity: await mk("admin", { visibility: "community" }),
    };
    await addMember(w.altSharedAccepted.id, PROJECTS.demo, "accepted");
    await addMember(w.altSharedPending.id, PROJECTS.demo, "pending");
    await addMember(w.altSharedRejected.id, PROJECTS.demo, "rejected");
    // Members of a non-shared image are ignored.
    await addMember(w.altPrivateMember.id, PROJECTS.demo, "accepted");
    const names = new Map(Object.entries(w).map(([k, v]) => [v.id, k]));
    const seen = async (qs: string, as: Who) =>
      (await pageAll(`tag=${tag}${qs ? `&${qs}` : ""}`, 5, as)).map((id) => names.get(id)).sort();
    return seen;
  }
  const sorted = (...xs: string[]) => xs.sort();
  let seenCache: Awaited<ReturnType<typeof world>> | undefined;
  const shared = async () => (seenCache ??= await world(uniqueTag()));

  it("demo (member of demo-project)", async () => {
    const seen = await shared();
    const ownVisible = ["demoPrivate", "demoShared", "demoCommunity"];
    const byDefault = sorted(...ownVisible, "adminPublic", "altSharedAccepted");
    expect(await seen("", "demo")).toEqual(byDefault);
    expect(await seen("visibility=all", "demo")).toEqual(sorted(...byDefault, "altCommunity", "adminCommunity"));
    expect(await seen("visibility=public", "demo")).toEqual(["adminPublic"]);
    expect(await seen("visibility=private", "demo")).toEqual(["demoPrivate"]);
    expect(await seen("visibility=community", "demo")).toEqual(
      sorted("adminCommunity", "altCommunity", "demoCommunity"),
    );
    expect(await seen("visibility=shared", "demo")).toEqual(sorted("altSharedAccepted", "demoShared"));
    expect(await seen("visibility=shared&member_status=pending", "demo")).toEqual(
      sorted("altSharedPending", "demoShared"),
    );
    expect(await seen("visibility=shared&member_status=rejected", "demo")).toEqual(
      sorted("altSharedRejected", "demoShared"),
    );
    expect(await seen("visibility=shared&member_status=all", "demo")).toEqual(
      sorted("altSharedAccepted", "altSharedPending", "altSharedRejected", "demoShared"),
    );
    expect(await seen("member_status=pending", "demo")).toEqual(
      sorted(...ownVisible, "adminPublic", "altSharedPending"),
    );
    expect(await seen("os_hidden=true", "demo")).toEqual(["demoHidden"]);
    // The reader of the same project sees the same list.
    expect(await seen("", "demoReader")).toEqual(byDefault);
    expect(await seen("visibility=all", "demoReader")).toEqual(await seen("visibility=all", "demo"));
  });

  it("alt (alt-project)", async () => {
    const seen = await shared();
    const own = [
      "altPrivate",
      "altCommunity",
      "altSharedAccepted",
      "altSharedPending",
      "altSharedRejected",
      "altSharedNoMember",
      "altPrivateMember",
    ];
    expect(await seen("", "alt")).toEqual(sorted(...own, "adminPublic"));
    expect(await seen("visibility=all", "alt")).toEqual(
      sorted(...own, "adminPublic", "demoCommunity", "adminCommunity"),
    );
    expect(await seen("visibility=private", "alt")).toEqual(sorted("altPrivate", "altPrivateMember"));
    expect(await seen("visibility=shared&member_status=all", "alt")).toEqual(
      sorted("altSharedAccepted", "altSharedPending", "altSharedRejected", "altSharedNoMember"),
    );
  });

  it("admin sees every project's images, except other projects' community ones without a visibility filter", async () => {
    const seen = await shared();
    const all = [
      "demoPrivate",
      "demoShared",
      "demoCommunity",
      "altPrivate",
      "altCommunity",
      "altSharedAccepted",
      "altSharedPending",
      "altSharedRejected",
      "altSharedNoMember",
      "altPrivateMember",
      "adminPublic",
      "adminPrivate",
      "adminCommunity",
    ];
    expect(await seen("", "admin")).toEqual(
      sorted(...all.filter((n) => n !== "demoCommunity" && n !== "altCommunity")),
    );
    expect(await seen("visibility=all", "admin")).toEqual(sorted(...all));
    expect(await seen("visibility=community", "admin")).toEqual(
      sorted("adminCommunity", "altCommunity", "demoCommunity"),
    );
    expect(await seen("visibility=private", "admin")).toEqual(
      sorted("adminPrivate", "altPrivate", "altPrivateMember", "demoPrivate"),
    );
    expect(await seen("visibility=shared", "admin")).toEqual(
      sorted("altSharedAccepted", "altSharedNoMember", "altSharedPending", "altSharedRejected", "demoShared"),
    );
    // member_status has no effect for an admin.
    expect(await seen("member_status=rejected", "admin")).toEqual(await seen("", "admin"));
    expect(await seen("os_hidden=true", "admin")).toEqual(["demoHidden"]);
  });

  it("invalid visibility / member_status -> 400", async () => {
    expect(await listError("visibility=everyone")).toBe("Invalid visibility value: everyone");
    expect(await listError("member_status=maybe")).toBe("Invalid status: maybe");
  });

  it("an unauthenticated list is 401", async () => {
    expect((await call("GET", "/v2/images", { as: null })).status).toBe(401);
  });
});
