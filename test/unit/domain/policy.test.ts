// Policy as a table: persona x membership x visibility x action -> allowed, plus authorize's 404-vs-403 rule.
import { describe, expect, it } from "vitest";
import type { Visibility } from "../../../src/domain/image";
import {
  assertDownloadable,
  authorize,
  authorizeCreate,
  authorizeOwnerChange,
  authorizeVisibility,
  canView,
  type ImageAction,
  isAllowed,
  type Membership,
} from "../../../src/domain/policy";
import { makeContext, type RequestContext } from "../../../src/domain/request-context";
import { ctx, failure, image } from "../fixtures/domain";

const consumer = makeContext({ userId: "c", projectId: "consumer-project", roles: ["member"] }, "req-1");
const consumerReader = makeContext({ userId: "cr", projectId: "consumer-project", roles: ["reader"] }, "req-1");
const pending: Membership = { status: "pending" };

type Persona = "admin" | "ownerMember" | "ownerReader" | "otherMember" | "consumer" | "consumerReader" | "noRole";
const PERSONAS: Record<Persona, { ctx: RequestContext; membership: Membership }> = {
  admin: { ctx: ctx.admin, membership: null },
  ownerMember: { ctx: ctx.member, membership: null },
  ownerReader: { ctx: ctx.reader, membership: null },
  otherMember: { ctx: ctx.other, membership: null },
  consumer: { ctx: consumer, membership: pending },
  consumerReader: { ctx: consumerReader, membership: pending },
  noRole: { ctx: ctx.noRole, membership: null },
};

const VIS: Visibility[] = ["private", "shared", "public", "community"];
const MUTATIONS: ImageAction[] = [
  "modify_image",
  "delete_image",
  "upload_image",
  "deactivate",
  "reactivate",
  "add_member",
  "delete_member",
];

/** Expected visibility (security.md §1.4). A consumer's membership only counts on shared images. */
const SEES: Record<Persona, Visibility[]> = {
  admin: VIS,
  ownerMember: VIS,
  ownerReader: VIS,
  otherMember: ["public", "community"],
  consumer: ["shared", "public", "community"],
  consumerReader: ["shared", "public", "community"],
  noRole: [],
};
/** Owner-member or admin mutate; everyone else may not, whatever the visibility. */
const MUTATES: Persona[] = ["admin", "ownerMember"];
/** download_image needs the member role on top of visibility. */
const DOWNLOADS: Record<Persona, Visibility[]> = { ...SEES, ownerReader: [], consumerReader: [], noRole: [] };

const rows = (Object.keys(PERSONAS) as Persona[]).flatMap((who) => VIS.map((visibility) => ({ who, visibility })));

describe("policy table", () => {
  it.each(rows)("$who on a $visibility image", ({ who, visibility }) => {
    const { ctx: c, membership } = PERSONAS[who];
    const img = image({ visibility, owner: "demo-project" });
    const sees = SEES[who].includes(visibility);
    expect(canView(c, img, membership), "get_image").toBe(sees);
    expect(isAllowed(c, img, membership, "get_image")).toBe(sees);
    for (const action of MUTATIONS) expect(isAllowed(c, img, membership, action), action).toBe(MUTATES.includes(who));
    expect(isAllowed(c, img, membership, "download_image"), "download_image").toBe(DOWNLOADS[who].includes(visibility));
    const getMembers =
      who === "admin" ||
      ((who === "ownerMember" || who === "ownerReader" || who.startsWith("consumer")) && who !== "noRole");
    expect(isAllowed(c, img, membership, "get_members"), "get_members").toBe(getMembers);
    expect(isAllowed(c, img, membership, "modify_member"), "modify_member").toBe(who === "admin" || who === "consumer");
  });

  it("accepted and rejected memberships see a shared image too", () => {
    for (const status of ["accepted", "rejected"] as const)
      expect(canView(consumer, image({ visibility: "shared" }), { status })).toBe(true);
  });

  it("an ownerless private image is admin-only; a project-less caller owns nothing", () => {
    const ownerless = image({ owner: null, visibility: "private" });
    expect(canView(ctx.admin, ownerless, null)).toBe(true);
    expect(canView(ctx.member, ownerless, null)).toBe(false);
    const noProject = makeContext({ userId: "u", projectId: null, roles: ["member"] }, "req-1");
    expect(canView(noProject, ownerless, null)).toBe(false);
    expect(isAllowed(noProject, ownerless, null, "modify_image")).toBe(false);
  });

  it("roles are case-insensitive and implied (admin > member > reader)", () => {
    const shouty = makeContext({ userId: "u", projectId: "demo-project", roles: ["MEMBER"] }, "req-1");
    expect(shouty.roles.has("reader")).toBe(true);
    expect(isAllowed(shouty, image(), null, "modify_image")).toBe(true);
    expect(makeContext({ userId: "a", projectId: "p", roles: ["Admin"] }, "r").isAdmin).toBe(true);
  });
});

describe("authorize: 404 when hidden, 403 when visible but not allowed", () => {
  it("hidden image -> 404 No image found", () => {
    expect(failure(() => authorize(ctx.other, image({ visibility: "private" }), null, "modify_image"))).toEqual([
      "not_found",
      "No image found with ID 11111111-2222-3333-4444-555555555555",
    ]);
  });
  it("hidden image uses the caller's hidden error when given", () => {
    const e = new Error("custom");
    expect(() => authorize(ctx.other, image({ visibility: "shared" }), null, "delete_image", () => e)).toThrow(e);
  });
  it("visible, not allowed -> 403 naming the action", () => {
    expect(failure(() => authorize(ctx.other, image({ visibility: "public" }), null, "modify_image"))).toEqual([
      "forbidden",
      "You are not authorized to complete modify_image action.",
    ]);
    expect(failure(() => authorize(ctx.reader, image({ visibility: "private" }), null, "delete_image"))).toEqual([
      "forbidden",
      "You are not authorized to complete delete_image action.",
    ]);
    expect(failure(() => authorize(consumer, image({ visibility: "shared" }), pending, "deactivate"))[0]).toBe(
      "forbidden",
    );
  });
  it("allowed -> no throw", () => {
    expect(() => authorize(ctx.member, image(), null, "modify_image")).not.toThrow();
    expect(() =>
      authorize(ctx.admin, image({ owner: "x", visibility: "private" }), null, "delete_image"),
    ).not.toThrow();
    expect(() => authorize(ctx.other, image({ visibility: "community" }), null, "get_image")).not.toThrow();
  });
});

describe("create, visibility, owner and download rules", () => {
  it("authorizeCreate", () => {
    expect(() => authorizeCreate(ctx.member, "demo-project")).not.toThrow();
    expect(() => authorizeCreate(ctx.admin, "anyone")).not.toThrow();
    expect(() => authorizeCreate(ctx.admin, null)).not.toThrow();
    expect(failure(() => authorizeCreate(ctx.member, "alt-project"))).toEqual([
      "forbidden",
      "You are not permitted to create images owned by 'alt-project'.",
    ]);
    expect(failure(() => authorizeCreate(ctx.reader, "demo-project"))).toEqual([
      "forbidden",
      "You are not authorized to complete add_image action.",
    ]);
  });
  it("authorizeVisibility", () => {
    expect(failure(() => authorizeVisibility(ctx.member, "public"))[0]).toBe("forbidden");
    expect(() => authorizeVisibility(ctx.admin, "public")).not.toThrow();
    expect(() => authorizeVisibility(ctx.member, "community")).not.toThrow();
    expect(failure(() => authorizeVisibility(ctx.reader, "community"))).toEqual([
      "forbidden",
      "You are not authorized to complete communitize_image action.",
    ]);
    for (const v of ["private", "shared"]) expect(() => authorizeVisibility(ctx.member, v)).not.toThrow();
  });
  it("authorizeOwnerChange and assertDownloadable", () => {
    expect(failure(() => authorizeOwnerChange(ctx.member))).toEqual([
      "forbidden",
      "Owner can't be updated by non admin.",
    ]);
    expect(() => authorizeOwnerChange(ctx.admin)).not.toThrow();
    expect(failure(() => assertDownloadable(ctx.member, { status: "deactivated" }))).toEqual([
      "forbidden",
      "The requested image has been deactivated. Image data download is forbidden.",
    ]);
    expect(() => assertDownloadable(ctx.admin, { status: "deactivated" })).not.toThrow();
    expect(() => assertDownloadable(ctx.member, { status: "active" })).not.toThrow();
  });
});
