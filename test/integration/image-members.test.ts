import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createImage, PROJECTS } from "../helpers/api";

const J = { Accept: "application/json" };

async function listIds(as: "demo" | "alt" | "admin", query = "") {
  const res = await call("GET", `/v2/images${query}`, { as });
  expect(res.status).toBe(200);
  return ((await res.json()) as { images: { id: string }[] }).images.map((i) => i.id);
}

describe("image members", () => {
  it("adds a pending member, which only sees the image in lists once it accepts", async () => {
    const img = await createImage({ name: "shared-one" });
    const add = await call("POST", `/v2/images/${img.id}/members`, { json: { member: PROJECTS.alt } });
    expect(add.status).toBe(200);
    const member = (await add.json()) as Record<string, string>;
    expect(member).toMatchObject({
      member_id: PROJECTS.alt,
      image_id: img.id,
      status: "pending",
      schema: "/v2/schemas/member",
    });
    expect(Object.keys(member).sort()).toEqual([
      "created_at",
      "image_id",
      "member_id",
      "schema",
      "status",
      "updated_at",
    ]);
    expect(member.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // Pending: readable by id, absent from the default list, present with member_status=pending.
    expect((await call("GET", `/v2/images/${img.id}`, { as: "alt" })).status).toBe(200);
    expect(await listIds("alt")).not.toContain(img.id);
    expect(await listIds("alt", "?visibility=shared&member_status=pending")).toContain(img.id);

    const accept = await call("PUT", `/v2/images/${img.id}/members/${PROJECTS.alt}`, {
      as: "alt",
      json: { status: "accepted" },
    });
    expect(accept.status).toBe(200);
    expect(((await accept.json()) as { status: string }).status).toBe("accepted");
    expect(await listIds("alt")).toContain(img.id);

    const reject = await call("PUT", `/v2/images/${img.id}/members/${PROJECTS.alt}`, {
      as: "alt",
      json: { status: "rejected" },
    });
    expect(reject.status).toBe(200);
    expect(await listIds("alt")).not.toContain(img.id);
    expect((await call("GET", `/v2/images/${img.id}`, { as: "alt" })).status).toBe(200);
  });

  it("lets the owner see every member and a consumer only its own row", async () => {
    const img = await createImage();
    for (const m of [PROJECTS.alt, "third-project"]) {
      const r = await call("POST", `/v2/images/${img.id}/members`, { json: { member: m } });
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
    const owner = (await (await call("GET", `/v2/images/${img.id}/members`)).json()) as {
      members: { member_id: string }[];
      schema: string;
    };
    expect(owner.members.map((m) => m.member_id).sort()).toEqual([PROJECTS.alt, "third-project"].sort());
    expect(owner.schema).toBe("/v2/schemas/members");
    const consumer = (await (await call("GET", `/v2/images/${img.id}/members`, { as: "alt" })).json()) as {
      members: { member_id: string }[];
    };
    expect(consumer.members.map((m) => m.member_id)).toEqual([PROJECTS.alt]);
    const other = await call("GET", `/v2/images/${img.id}/members/third-project`, { as: "alt", headers: J });
    expect(other.status).toBe(404);
    await other.arrayBuffer();
  });

  it("refuses duplicates, bad bodies, and members on non-shared images", async () => {
    const img = await createImage();
    await (await call("POST", `/v2/images/${img.id}/members`, { json: { member: PROJECTS.alt } })).arrayBuffer();
    const dup = await call("POST", `/v2/images/${img.id}/members`, { json: { member: PROJECTS.alt }, headers: J });
    expect(dup.status).toBe(409);
    expect((await dup.json()) as object).toMatchObject({ code: "409 Conflict" });
    for (const [body, msg] of [
      [{}, "Member to be added not specified"],
      [{ member: "" }, "Member can't be empty"],
      [["x"], 'Expected a member in the form: {"member": "image_id"}'],
    ] as const) {
      const r = await call("POST", `/v2/images/${img.id}/members`, { json: body, headers: J });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { message: string }).message).toContain(msg);
    }
    const priv = await createImage({ visibility: "private" });
    const r = await call("POST", `/v2/images/${priv.id}/members`, { json: { member: PROJECTS.alt }, headers: J });
    expect(r.status).toBe(403);
    await r.arrayBuffer();
    const list = await call("GET", `/v2/images/${priv.id}/members`, { headers: J });
    expect(list.status).toBe(403);
    expect(((await list.json()) as { message: string }).message).toContain("Only shared images have members.");
  });

  it("lets only the consumer change its status, with valid values", async () => {
    const img = await createImage();
    await (await call("POST", `/v2/images/${img.id}/members`, { json: { member: PROJECTS.alt } })).arrayBuffer();
    const byOwner = await call("PUT", `/v2/images/${img.id}/members/${PROJECTS.alt}`, { json: { status: "accepted" } });
    expect(byOwner.status).toBe(403);
    await byOwner.arrayBuffer();
    const bad = await call("PUT", `/v2/images/${img.id}/members/${PROJECTS.alt}`, {
      as: "alt",
      json: { status: "maybe" },
      headers: J,
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain(
      'Status must be "pending", "accepted" or "rejected".',
    );
    const missing = await call("PUT", `/v2/images/${img.id}/members/${PROJECTS.alt}`, {
      as: "alt",
      json: {},
      headers: J,
    });
    expect(missing.status).toBe(400);
    await missing.arrayBuffer();
  });

  it("deletes members (owner only) and the image leaves the consumer's list", async () => {
    const img = await createImage();
    await (await call("POST", `/v2/images/${img.id}/members`, { json: { member: PROJECTS.alt } })).arrayBuffer();
    await (
      await call("PUT", `/v2/images/${img.id}/members/${PROJECTS.alt}`, { as: "alt", json: { status: "accepted" } })
    ).arrayBuffer();
    const byConsumer = await call("DELETE", `/v2/images/${img.id}/members/${PROJECTS.alt}`, { as: "alt" });
    expect(byConsumer.status).toBe(403);
    await byConsumer.arrayBuffer();
    const del = await call("DELETE", `/v2/images/${img.id}/members/${PROJECTS.alt}`);
    expect(del.status).toBe(204);
    expect(await listIds("alt")).not.toContain(img.id);
    expect((await call("GET", `/v2/images/${img.id}`, { as: "alt" })).status).toBe(404);
    const again = await call("DELETE", `/v2/images/${img.id}/members/${PROJECTS.alt}`);
    expect(again.status).toBe(404);
    await again.arrayBuffer();
    // Re-adding revives the row as pending.
    const re = await call("POST", `/v2/images/${img.id}/members`, { json: { member: PROJECTS.alt } });
    expect(((await re.json()) as { status: string }).status).toBe("pending");
  });

  it("stops granting access when the image leaves shared, and restores it when it returns", async () => {
    const img = await createImage();
    await (await call("POST", `/v2/images/${img.id}/members`, { json: { member: PROJECTS.alt } })).arrayBuffer();
    const toPrivate = await call("PATCH", `/v2/images/${img.id}`, {
      body: JSON.stringify([{ op: "replace", path: "/visibility", value: "private" }]),
      headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
    });
    expect(toPrivate.status).toBe(200);
    await toPrivate.arrayBuffer();
    expect((await call("GET", `/v2/images/${img.id}`, { as: "alt" })).status).toBe(404);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM image_members WHERE image_id = ? AND deleted = 0")
      .bind(img.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
    const back = await call("PATCH", `/v2/images/${img.id}`, {
      body: JSON.stringify([{ op: "replace", path: "/visibility", value: "shared" }]),
      headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
    });
    await back.arrayBuffer();
    expect((await call("GET", `/v2/images/${img.id}`, { as: "alt" })).status).toBe(200);
  });

  it("hides members of an image the caller cannot see (404, not 403)", async () => {
    const img = await createImage({ visibility: "private" });
    const r = await call("GET", `/v2/images/${img.id}/members`, { as: "alt", headers: J });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { message: string }).message).toContain(`Image ${img.id} not found.`);
  });

  it("enforces the member quota", async () => {
    const img = await createImage();
    await env.DB.batch(
      Array.from({ length: 128 }, (_, i) =>
        env.DB.prepare(
          "INSERT INTO image_members (image_id, member, status, created_at, updated_at) VALUES (?, ?, 'pending', 0, 0)",
        ).bind(img.id, `p${i}`),
      ),
    );
    const r = await call("POST", `/v2/images/${img.id}/members`, { json: { member: "one-too-many" }, headers: J });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { message: string }).message).toContain("Attempted: 129, Maximum: 128");
  });
});
