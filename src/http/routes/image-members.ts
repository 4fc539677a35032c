// GET/POST /v2/images/{id}/members and GET/PUT/DELETE /v2/images/{id}/members/{member_id}.
import { Hono } from "hono";
import { parseMemberCreate, parseMemberStatus } from "../../services/member-service";
import type { ImageMember } from "../../services/ports";
import type { AppEnv } from "../context";
import { readJson } from "../json-body";
import { isoTime } from "../responses/image";

export const imageMembers = new Hono<AppEnv>();

const toGlanceMember = (m: ImageMember) => ({
  member_id: m.memberId,
  image_id: m.imageId,
  status: m.status,
  created_at: isoTime(m.createdAt),
  updated_at: isoTime(m.updatedAt),
  schema: "/v2/schemas/member",
});

imageMembers.get("/:imageId/members", async (c) => {
  const members = await c.var.services.members.list(c.var.ctx, c.req.param("imageId"));
  return c.json({ members: members.map(toGlanceMember), schema: "/v2/schemas/members" });
});

// Glance answers 200 (not 201) with the new member.
imageMembers.post("/:imageId/members", async (c) => {
  const memberId = parseMemberCreate(await readJson(c.req.raw, c.var.config.maxJsonBody));
  const member = await c.var.services.members.add(c.var.ctx, c.req.param("imageId"), memberId);
  return c.json(toGlanceMember(member));
});

imageMembers.get("/:imageId/members/:memberId", async (c) => {
  const member = await c.var.services.members.show(c.var.ctx, c.req.param("imageId"), c.req.param("memberId"));
  return c.json(toGlanceMember(member));
});

imageMembers.put("/:imageId/members/:memberId", async (c) => {
  const status = parseMemberStatus(await readJson(c.req.raw, c.var.config.maxJsonBody));
  const member = await c.var.services.members.setStatus(
    c.var.ctx,
    c.req.param("imageId"),
    c.req.param("memberId"),
    status,
  );
  return c.json(toGlanceMember(member));
});

imageMembers.delete("/:imageId/members/:memberId", async (c) => {
  await c.var.services.members.remove(c.var.ctx, c.req.param("imageId"), c.req.param("memberId"));
  return c.body(null, 204);
});
