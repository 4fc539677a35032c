// The authorization table of security.md (§1.3–1.5, §6.1), written out by hand: every caller × image kind ×
// route → the status Glance's secure-RBAC defaults give. 404 = cannot see it, 403 = can see but may not act.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";

const CALLERS = {
  admin: "admin-token",
  owner: "demo-token",
  ownerReader: "demo-reader-token",
  other: "alt-token",
  pending: "pending-token",
  accepted: "accepted-token",
  rejected: "rejected-token",
  anonymous: null,
  badToken: "no-such-token",
} as const;
type Caller = keyof typeof CALLERS;
const ORDER = Object.keys(CALLERS) as Caller[];

const KINDS = ["private", "shared", "community", "public", "deactivated", "protected"] as const;
type Kind = (typeof KINDS)[number];

/** One row per image kind; columns follow ORDER (admin owner ownerReader other pending accepted rejected anon badToken). */
type Table = Record<Kind, string>;
const row = (t: Table, kind: Kind, caller: Caller) => Number(t[kind].trim().split(/\s+/)[ORDER.indexOf(caller)]);

const SHOW: Table = {
  private: "    200 200 200 404 404 404 404 401 401",
  shared: "     200 200 200 404 200 200 200 401 401",
  community: "  200 200 200 200 200 200 200 401 401",
  public: "     200 200 200 200 200 200 200 401 401",
  deactivated: "200 200 200 200 200 200 200 401 401",
  protected: "  200 200 200 404 404 404 404 401 401",
};
const PATCH: Table = {
  private: "    200 200 403 404 404 404 404 401 401",
  shared: "     200 200 403 404 403 403 403 401 401",
  community: "  200 200 403 403 403 403 403 401 401",
  public: "     200 200 403 403 403 403 403 401 401",
  deactivated: "200 200 403 403 403 403 403 401 401",
  protected: "  200 200 403 404 404 404 404 401 401",
};
const TAG_PUT: Table = {
  private: "    204 204 403 404 404 404 404 401 401",
  shared: "     204 204 403 404 403 403 403 401 401",
  community: "  204 204 403 403 403 403 403 401 401",
  public: "     204 204 403 403 403 403 403 401 401",
  deactivated: "204 204 403 403 403 403 403 401 401",
  protected: "  204 204 403 404 404 404 404 401 401",
};
const DELETE: Table = {
  private: "    204 204 403 404 404 404 404 401 401",
  shared: "     204 204 403 404 403 403 403 401 401",
  community: "  204 204 403 403 403 403 403 401 401",
  public: "     204 204 403 403 403 403 403 401 401",
  deactivated: "204 204 403 403 403 403 403 401 401",
  protected: "  403 403 403 404 404 404 404 401 401",
};
const DEACTIVATE: Table = {
  private: "    204 204 403 404 404 404 404 401 401",
  shared: "     204 204 403 404 403 403 403 401 401",
  community: "  204 204 403 403 403 403 403 401 401",
  public: "     204 204 403 403 403 403 403 401 401",
  deactivated: "204 204 403 403 403 403 403 401 401",
  protected: "  204 204 403 404 404 404 404 401 401",
};
/** Download needs the member role; deactivated data is admin-only. */
const DOWNLOAD: Table = {
  private: "    200 200 403 404 404 404 404 401 401",
  shared: "     200 200 403 404 200 200 200 401 401",
  community: "  200 200 403 200 200 200 200 401 401",
  public: "     200 200 403 200 200 200 200 401 401",
  deactivated: "200 403 403 403 403 403 403 401 401",
  protected: "  200 200 403 404 404 404 404 401 401",
};
/** Upload to a fresh queued image of each kind (the deactivated kind is not queued: 409 for those allowed). */
const UPLOAD: Table = {
  private: "    204 204 403 404 404 404 404 401 401",
  shared: "     204 204 403 404 403 403 403 401 401",
  community: "  204 204 403 403 403 403 403 401 401",
  public: "     204 204 403 403 403 403 403 401 401",
  deactivated: "409 409 403 403 403 403 403 401 401",
  protected: "  204 204 403 404 404 404 404 401 401",
};
/** Members exist only on shared images: 403 for anyone who can see a non-shared one. */
const MEMBERS_LIST: Table = {
  private: "    403 403 403 404 404 404 404 401 401",
  shared: "     200 200 200 404 200 200 200 401 401",
  community: "  403 403 403 403 403 403 403 401 401",
  public: "     403 403 403 403 403 403 403 401 401",
  deactivated: "403 403 403 403 403 403 403 401 401",
  protected: "  403 403 403 404 404 404 404 401 401",
};
const MEMBERS_ADD: Table = {
  private: "    403 403 403 404 404 404 404 401 401",
  shared: "     200 200 403 404 403 403 403 401 401",
  community: "  403 403 403 403 403 403 403 401 401",
  public: "     403 403 403 403 403 403 403 401 401",
  deactivated: "403 403 403 403 403 403 403 401 401",
  protected: "  403 403 403 404 404 404 404 401 401",
};
/** In the caller's default list (1) or not (0); 401 callers are checked separately. */
const IN_DEFAULT_LIST: Table = {
  private: "    1 1 1 0 0 0 0 - -",
  shared: "     1 1 1 0 0 1 0 - -",
  community: "  0 1 1 0 0 0 0 - -",
  public: "     1 1 1 1 1 1 1 - -",
  deactivated: "1 1 1 1 1 1 1 - -",
  protected: "  1 1 1 0 0 0 0 - -",
};

const DATA = new Uint8Array(1024).map((_, i) => i % 256);
const DATA_MD5 = "b2ea9f7fcea831a4a63b213f41a8855b";

async function call(
  method: string,
  path: string,
  token: string | null,
  init: { json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {},
) {
  const headers = new Headers(init.headers);
  if (token) headers.set("X-Auth-Token", token);
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers.set("Content-Type", "application/json");
  }
  const res = await exports.default.fetch(new Request(`http://glance.test${path}`, { method, headers, body }));
  await res.arrayBuffer();
  return res.status;
}

/**
 * Images of the given kinds owned by demo-project, written straight into D1 and R2 (this file tests who may
 * do what, not how images are created): `active` ones get their bytes, the deactivated kind always does.
 */
async function makeImages(kinds: readonly Kind[], active: boolean): Promise<string[]> {
  const now = Date.now();
  const ids = kinds.map(() => crypto.randomUUID());
  const stmts = kinds.flatMap((kind, i) => {
    const id = ids[i]!;
    const visibility = kind === "deactivated" ? "public" : kind === "protected" ? "private" : kind;
    const hasData = active || kind === "deactivated";
    const status = kind === "deactivated" ? "deactivated" : hasData ? "active" : "queued";
    const image = env.DB.prepare(
      `INSERT INTO images (id, status, visibility, protected, owner, size, checksum, os_hash_algo, disk_format, container_format, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'demo-project', ?, ?, ?, 'raw', 'bare', ?, ?)`,
    ).bind(
      id,
      status,
      visibility,
      kind === "protected" ? 1 : 0,
      hasData ? 1024 : null,
      hasData ? DATA_MD5 : null,
      hasData ? "sha512" : null,
      now,
      now,
    );
    const members =
      kind === "shared"
        ? (["pending", "accepted", "rejected"] as const).map((st) =>
            env.DB.prepare(
              "INSERT INTO image_members (image_id, member, status, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
            ).bind(id, `consumer-${st}`, st),
          )
        : [];
    return [image, ...members];
  });
  await env.DB.batch(stmts);
  await Promise.all(
    kinds.map((kind, i) => (active || kind === "deactivated" ? env.IMAGES.put(`images/${ids[i]}`, DATA) : null)),
  );
  return ids;
}

/** One fresh image per (kind, caller) cell, for routes that change what they touch. */
async function freshPerCell(active: boolean): Promise<Map<string, string>> {
  const ids = await makeImages(
    cases.map(([kind]) => kind),
    active,
  );
  return new Map(cases.map(([kind, caller], i) => [`${kind}/${caller}`, ids[i]!]));
}

const cases = KINDS.flatMap((kind) => ORDER.map((caller) => [kind, caller] as const));

describe("authorization matrix (read-only routes)", () => {
  const ids = {} as Record<Kind, string>;
  beforeAll(async () => {
    const made = await makeImages(KINDS, true);
    for (const [i, kind] of KINDS.entries()) ids[kind] = made[i]!;
  });

  it.each(cases)("GET image: %s image, %s caller", async (kind, caller) => {
    expect(await call("GET", `/v2/images/${ids[kind]}`, CALLERS[caller])).toBe(row(SHOW, kind, caller));
  });

  it.each(cases)("GET file: %s image, %s caller", async (kind, caller) => {
    expect(await call("GET", `/v2/images/${ids[kind]}/file`, CALLERS[caller])).toBe(row(DOWNLOAD, kind, caller));
  });

  it.each(cases)("GET members: %s image, %s caller", async (kind, caller) => {
    expect(await call("GET", `/v2/images/${ids[kind]}/members`, CALLERS[caller])).toBe(row(MEMBERS_LIST, kind, caller));
  });

  it.each(ORDER.filter((c) => CALLERS[c] !== null && c !== "badToken"))("default list as %s", async (caller) => {
    const res = await exports.default.fetch(
      new Request("http://glance.test/v2/images?limit=1000", { headers: { "X-Auth-Token": CALLERS[caller]! } }),
    );
    expect(res.status).toBe(200);
    const listed = new Set(((await res.json()) as { images: { id: string }[] }).images.map((i) => i.id));
    for (const kind of KINDS) {
      const want = IN_DEFAULT_LIST[kind].trim().split(/\s+/)[ORDER.indexOf(caller)] === "1";
      expect([kind, listed.has(ids[kind])]).toEqual([kind, want]);
    }
  });

  it.each([["anonymous"], ["badToken"]] as const)("list as %s is 401", async (caller) => {
    expect(await call("GET", "/v2/images", CALLERS[caller])).toBe(401);
  });
});

describe("authorization matrix (routes that change things)", () => {
  let active = new Map<string, string>();
  let queued = new Map<string, string>();
  const cell = (m: Map<string, string>, kind: Kind, caller: Caller) => m.get(`${kind}/${caller}`)!;
  // Each route below gets its own fresh images, so one route's effects never leak into another's cells.
  const fresh =
    (useQueued = false) =>
    async () => {
      if (useQueued) queued = await freshPerCell(false);
      else active = await freshPerCell(true);
    };

  describe("PATCH", () => {
    beforeAll(fresh());
    it.each(cases)("PATCH: %s image, %s caller", async (kind, caller) => {
      const id = cell(active, kind, caller);
      const status = await call("PATCH", `/v2/images/${id}`, CALLERS[caller], {
        body: JSON.stringify([{ op: "add", path: "/touched_by", value: caller }]),
        headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
      });
      expect(status).toBe(row(PATCH, kind, caller));
    });
  });

  describe("PUT tag", () => {
    beforeAll(fresh());
    it.each(cases)("PUT tag: %s image, %s caller", async (kind, caller) => {
      const id = cell(active, kind, caller);
      expect(await call("PUT", `/v2/images/${id}/tags/t-${caller}`, CALLERS[caller])).toBe(row(TAG_PUT, kind, caller));
    });
  });

  describe("DELETE", () => {
    beforeAll(fresh());
    it.each(cases)("DELETE: %s image, %s caller", async (kind, caller) => {
      const id = cell(active, kind, caller);
      const expected = row(DELETE, kind, caller);
      expect(await call("DELETE", `/v2/images/${id}`, CALLERS[caller])).toBe(expected);
      // Whoever failed, the owner still sees the image and its bytes are intact.
      if (expected !== 204) expect(await call("GET", `/v2/images/${id}/file`, CALLERS.admin)).toBe(200);
      else expect(await env.IMAGES.head(`images/${id}`)).toBeNull();
    });
  });

  describe("deactivate", () => {
    beforeAll(fresh());
    it.each(cases)("deactivate: %s image, %s caller", async (kind, caller) => {
      const id = cell(active, kind, caller);
      expect(await call("POST", `/v2/images/${id}/actions/deactivate`, CALLERS[caller])).toBe(
        row(DEACTIVATE, kind, caller),
      );
    });
  });

  describe("POST member", () => {
    beforeAll(fresh());
    it.each(cases)("POST member: %s image, %s caller", async (kind, caller) => {
      const id = cell(active, kind, caller);
      expect(
        await call("POST", `/v2/images/${id}/members`, CALLERS[caller], { json: { member: "new-consumer" } }),
      ).toBe(row(MEMBERS_ADD, kind, caller));
    });
  });

  describe("PUT file", () => {
    beforeAll(fresh(true));
    it.each(cases)("PUT file: %s image, %s caller", async (kind, caller) => {
      const id = cell(queued, kind, caller);
      const status = await call("PUT", `/v2/images/${id}/file`, CALLERS[caller], {
        body: DATA,
        headers: { "Content-Type": "application/octet-stream" },
      });
      expect(status).toBe(row(UPLOAD, kind, caller));
    });
  });
});

describe("role-less and reader callers", () => {
  it("a token with no known role can neither list nor create, and sees no image", async () => {
    const [id] = await makeImages(["private"], false);
    expect(await call("GET", "/v2/images", "norole-token")).toBe(403);
    expect(await call("POST", "/v2/images", "norole-token", { json: {} })).toBe(403);
    expect(await call("GET", `/v2/images/${id}`, "norole-token")).toBe(404);
  });

  it("a reader cannot create images", async () => {
    expect(await call("POST", "/v2/images", CALLERS.ownerReader, { json: { name: "x" } })).toBe(403);
  });
});
