// Glance's secure-RBAC defaults as plain functions: who may see an image and who may act on it.
import { forbidden, imageNotFound } from "./errors";
import type { Image, MemberStatus } from "./image";
import type { RequestContext } from "./request-context";

/** The caller's membership row on a shared image, if any. */
export type Membership = { status: MemberStatus } | null;

export type ImageAction =
  | "get_image"
  | "modify_image"
  | "delete_image"
  | "upload_image"
  | "download_image"
  | "deactivate"
  | "reactivate"
  | "add_member"
  | "delete_member"
  | "get_members"
  | "modify_member"
  | "copy_image"
  | "delete_image_location";

const isOwner = (ctx: RequestContext, image: Pick<Image, "owner">) =>
  ctx.projectId !== null && image.owner !== null && image.owner === ctx.projectId;

/**
 * is_image_visible: admins, the owner, everyone for public/community, members (any status) for shared.
 * An ownerless private image is admin-only.
 */
export function canView(
  ctx: RequestContext,
  image: Pick<Image, "owner" | "visibility">,
  membership: Membership,
): boolean {
  if (ctx.isAdmin) return true;
  if (!ctx.roles.has("reader")) return false;
  if (image.visibility === "public" || image.visibility === "community") return true;
  if (isOwner(ctx, image)) return true;
  return image.visibility === "shared" && membership !== null;
}

/** Owner-project member, or admin: the rule behind modify/delete/upload/deactivate/members. */
export function canMutate(ctx: RequestContext, image: Pick<Image, "owner">): boolean {
  return ctx.isAdmin || (ctx.roles.has("member") && isOwner(ctx, image));
}

export function isAllowed(
  ctx: RequestContext,
  image: Pick<Image, "owner" | "visibility">,
  membership: Membership,
  action: ImageAction,
): boolean {
  switch (action) {
    case "get_image":
      return canView(ctx, image, membership);
    case "get_members":
      return ctx.isAdmin || (ctx.roles.has("reader") && (isOwner(ctx, image) || membership !== null));
    case "download_image":
      return ctx.isAdmin || (ctx.roles.has("member") && canView(ctx, image, membership));
    // Glance's copy_image default: admins only (it writes to stores the owner did not choose).
    case "copy_image":
      return ctx.isAdmin;
    case "modify_member":
      return ctx.isAdmin || (ctx.roles.has("member") && membership !== null && !isOwner(ctx, image));
    default:
      return canMutate(ctx, image);
  }
}

/**
 * Glance's information-hiding rule (ImageAPIPolicy._enforce): a caller who cannot see the image gets 404,
 * one who can see it but may not act gets 403.
 */
export function authorize(
  ctx: RequestContext,
  image: Image,
  membership: Membership,
  action: ImageAction,
  hidden: () => Error = () => imageNotFound(image.id),
): void {
  if (!canView(ctx, image, membership)) throw hidden();
  if (!isAllowed(ctx, image, membership, action))
    throw forbidden(`You are not authorized to complete ${action} action.`);
}

/** add_image: non-admins create only for their own project, and only with the member role. */
export function authorizeCreate(ctx: RequestContext, owner: string | null): void {
  if (ctx.isAdmin) return;
  if (!ctx.roles.has("member")) throw forbidden("You are not authorized to complete add_image action.");
  if (owner !== ctx.projectId) throw forbidden(`You are not permitted to create images owned by '${owner}'.`);
}

/** publicize_image is admin-only; communitize_image needs owner-member or admin. */
export function authorizeVisibility(ctx: RequestContext, visibility: string): void {
  if (visibility === "public" && !ctx.isAdmin)
    throw forbidden("You are not authorized to complete publicize_image action.");
  if (visibility === "community" && !ctx.isAdmin && !ctx.roles.has("member"))
    throw forbidden("You are not authorized to complete communitize_image action.");
}

/** Only admins may change the owner, whatever the PATCH op (Glance guards only `replace`). */
export function authorizeOwnerChange(ctx: RequestContext): void {
  if (!ctx.isAdmin) throw forbidden("Owner can't be updated by non admin.");
}

/** Deactivated images can be downloaded by admins only. */
export function assertDownloadable(ctx: RequestContext, image: Pick<Image, "status">): void {
  if (image.status === "deactivated" && !ctx.isAdmin)
    throw forbidden("The requested image has been deactivated. Image data download is forbidden.");
}
