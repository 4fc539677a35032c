// PUT/DELETE /v2/images/{id}/tags/{tag} and POST .../actions/deactivate|reactivate (api-spec §8.3, §8.5).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createImage, getImage, PROJECTS } from "../helpers/api";

const JSON_ACCEPT = { Accept: "application/json" };
const message = async (res: Response) =>
  ((await res.json()) as { message: string }).message.replace(/<br \/><br \/>\n\n\n$/, "");
const setStatus = (id: string, status: string) =>
  env.DB.prepare("UPDATE images SET status = ? WHERE id = ?").bind(status, id).run();

describe("tags", () => {
  it("PUT adds (204, empty body), a duplicate PUT is a no-op 204, DELETE removes (golden 32/33)", async () => {
    const img = await createImage({ tags: ["a"] });
    const put = await call("PUT", `/v2/images/${img.id}/tags/newtag`);
    expect(put.status).toBe(204);
    expect(await put.text()).toBe("");
    const after = await getImage(img.id);
    expect(after.tags).toEqual(["a", "newtag"]);
    expect((await call("PUT", `/v2/images/${img.id}/tags/newtag`)).status).toBe(204);
    expect(await getImage(img.id)).toEqual(after);
    const del = await call("DELETE", `/v2/images/${img.id}/tags/newtag`);
    expect(del.status).toBe(204);
    expect((await getImage(img.id)).tags).toEqual(["a"]);
  });

  it("DELETE of a tag the image does not have -> 404 with WebOb's default text", async () => {
    const img = await createImage();
    const res = await call("DELETE", `/v2/images/${img.id}/tags/missing`, { headers: JSON_ACCEPT });
    expect(res.status).toBe(404);
    expect(await message(res)).toBe("The resource could not be found.");
  });

  it("a 256-character tag -> 400; 255 is fine", async () => {
    const img = await createImage();
    expect((await call("PUT", `/v2/images/${img.id}/tags/${"t".repeat(256)}`)).status).toBe(400);
    expect((await call("PUT", `/v2/images/${img.id}/tags/${"t".repeat(255)}`)).status).toBe(204);
    expect((await getImage(img.id)).tags).toEqual(["t".repeat(255)]);
  });

  it("percent-encoded tags round-trip, decoded exactly once", async () => {
    const img = await createImage();
    const tags = ["gabe@example.com", "a/b", "100%", "%41", "with space", "ü😀", "a+b", "?#&"];
    for (const tag of tags)
      expect((await call("PUT", `/v2/images/${img.id}/tags/${encodeURIComponent(tag)}`)).status, tag).toBe(204);
    expect((await getImage(img.id)).tags).toEqual([...tags].sort());
    for (const tag of tags)
      expect((await call("DELETE", `/v2/images/${img.id}/tags/${encodeURIComponent(tag)}`)).status, tag).toBe(204);
    expect((await getImage(img.id)).tags).toEqual([]);
  });

  it("the 129th tag -> 413; the image keeps its 128", async () => {
    const tags = Array.from({ length: 128 }, (_, i) => `t${String(i).padStart(3, "0")}`);
    const img = await createImage({ tags });
    const res = await call("PUT", `/v2/images/${img.id}/tags/one-more`);
    expect(res.status).toBe(413);
    expect((await getImage(img.id)).tags).toEqual(tags);
    expect((await call("PUT", `/v2/images/${img.id}/tags/t000`)).status).toBe(204);
  });

  it("policy: hidden image 404 'Image <id> not found.', visible 403, reader 403", async () => {
    const priv = await createImage({ visibility: "private" });
    const com = await createImage({ visibility: "community" });
    const hidden = await call("PUT", `/v2/images/${priv.id}/tags/x`, { as: "alt", headers: JSON_ACCEPT });
    expect(hidden.status).toBe(404);
    expect(await message(hidden)).toBe(`Image ${priv.id} not found.`);
    expect((await call("DELETE", `/v2/images/${priv.id}/tags/x`, { as: "alt" })).status).toBe(404);
    expect((await call("PUT", `/v2/images/${com.id}/tags/x`, { as: "alt" })).status).toBe(403);
    expect((await call("PUT", `/v2/images/${priv.id}/tags/x`, { as: "demoReader" })).status).toBe(403);
    expect((await call("PUT", `/v2/images/${priv.id}/tags/x`, { as: "admin" })).status).toBe(204);
    expect((await getImage(com.id)).tags).toEqual([]);
  });

  it("tags work on an active image and bump updated_at", async () => {
    const img = await createImage();
    await env.DB.prepare("UPDATE images SET status = 'active', updated_at = updated_at - 5000 WHERE id = ?")
      .bind(img.id)
      .run();
    const before = await getImage(img.id);
    expect((await call("PUT", `/v2/images/${img.id}/tags/x`)).status).toBe(204);
    const after = await getImage(img.id);
    expect(after.tags).toEqual(["x"]);
    expect(after.updated_at).not.toBe(before.updated_at);
  });
});

describe("deactivate / reactivate state table", () => {
  const act = (id: string, action: string, as: "demo" | "alt" | "admin" | "demoReader" = "demo") =>
    call("POST", `/v2/images/${id}/actions/${action}`, { as, headers: JSON_ACCEPT });

  it("active -> deactivated -> active, each repeat a no-op 204 (golden 34/36)", async () => {
    const img = await createImage();
    await setStatus(img.id, "active");
    const d = await act(img.id, "deactivate");
    expect(d.status).toBe(204);
    expect(await d.text()).toBe("");
    expect((await getImage(img.id)).status).toBe("deactivated");
    expect((await act(img.id, "deactivate")).status).toBe(204);
    expect((await getImage(img.id)).status).toBe("deactivated");
    expect((await act(img.id, "reactivate")).status).toBe(204);
    expect((await getImage(img.id)).status).toBe("active");
    expect((await act(img.id, "reactivate")).status).toBe(204);
    expect((await getImage(img.id)).status).toBe("active");
  });

  it.each(["queued", "saving", "uploading", "importing", "killed", "pending_delete"])(
    "%s -> 403 for both actions",
    async (status) => {
      const img = await createImage();
      await setStatus(img.id, status);
      for (const action of ["deactivate", "reactivate"]) {
        const res = await act(img.id, action);
        expect(res.status).toBe(403);
        expect(await message(res)).toBe(`Not allowed to ${action} image in status '${status}'`);
      }
      expect((await getImage(img.id)).status).toBe(status);
    },
  );

  it("policy: hidden 404, visible non-owner 403, reader 403, admin ok", async () => {
    const priv = await createImage({ visibility: "private" });
    const pub = await createImage({ visibility: "public", owner: PROJECTS.demo }, "admin");
    await setStatus(priv.id, "active");
    await setStatus(pub.id, "active");
    const hidden = await act(priv.id, "deactivate", "alt");
    expect(hidden.status).toBe(404);
    expect(await message(hidden)).toBe(`No image found with ID ${priv.id}`);
    expect((await act(pub.id, "deactivate", "alt")).status).toBe(403);
    expect((await act(priv.id, "deactivate", "demoReader")).status).toBe(403);
    expect((await getImage(priv.id)).status).toBe("active");
    expect((await getImage(pub.id)).status).toBe("active");
    expect((await act(pub.id, "deactivate", "admin")).status).toBe(204);
    expect((await act(pub.id, "reactivate", "alt")).status).toBe(403);
    expect((await getImage(pub.id)).status).toBe("deactivated");
  });

  it("a deactivated image is still shown, patched and deleted", async () => {
    const img = await createImage();
    await setStatus(img.id, "active");
    expect((await act(img.id, "deactivate")).status).toBe(204);
    const patched = await call("PATCH", `/v2/images/${img.id}`, {
      body: JSON.stringify([{ op: "replace", path: "/name", value: "still here" }]),
      headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ name: "still here", status: "deactivated" });
    expect((await call("DELETE", `/v2/images/${img.id}`)).status).toBe(204);
    expect((await act(img.id, "reactivate")).status).toBe(404);
  });
});
