// Image sharing use cases: owners add and remove member projects, consumers accept or reject (Glance §7.3).
import { badRequest, conflict, forbidden, limitExceeded, notFound } from "../domain/errors";
import { MEMBER_STATUSES, type MemberStatus } from "../domain/image";
import { isAllowed } from "../domain/policy";
import type { RequestContext } from "../domain/request-context";
import type { ImageService } from "./image-service";
import type { ImageMember, ImageRepository } from "./ports";

export interface MemberServiceDeps {
  repo: ImageRepository;
  images: Pick<ImageService, "load">;
  memberQuota: number;
  now: () => number;
}

const ONLY_SHARED = "Only shared images have members.";

export class MemberService {
  constructor(private readonly d: MemberServiceDeps) {}

  /** The image, visible to the caller (404 otherwise), and whether it is shared. */
  private async image(ctx: RequestContext, imageId: string) {
    return this.d.images.load(ctx, imageId, "get_image", () => notFound(`Image ${imageId} not found.`));
  }

  async list(ctx: RequestContext, imageId: string): Promise<ImageMember[]> {
    const { image, membership } = await this.image(ctx, imageId);
    if (image.visibility !== "shared")
      throw forbidden(`Not allowed to list members for image ${imageId}: ${ONLY_SHARED}`);
    if (!isAllowed(ctx, image, membership, "get_members"))
      throw forbidden(`Not allowed to list members for image ${imageId}.`);
    const members = await this.d.repo.listMembers(imageId);
    // A consumer sees only its own row (Glance's _image_member_find).
    return ctx.isAdmin || image.owner === ctx.projectId ? members : members.filter((m) => m.memberId === ctx.projectId);
  }

  async show(ctx: RequestContext, imageId: string, memberId: string): Promise<ImageMember> {
    const { image, membership } = await this.image(ctx, imageId);
    const missing = () => notFound(`${memberId} not found in the member list of the image ${imageId}.`);
    if (image.visibility !== "shared") throw notFound(ONLY_SHARED);
    // Forbidden is reported as not found here, so consumers cannot probe each other (Glance does the same).
    if (!isAllowed(ctx, image, membership, "get_members")) throw missing();
    if (!ctx.isAdmin && image.owner !== ctx.projectId && memberId !== ctx.projectId) throw missing();
    const member = await this.d.repo.findMember(imageId, memberId);
    if (!member) throw missing();
    return member;
  }

  async add(ctx: RequestContext, imageId: string, memberId: string): Promise<ImageMember> {
    const { image, membership } = await this.image(ctx, imageId);
    if (image.visibility !== "shared" || !isAllowed(ctx, image, membership, "add_member"))
      throw forbidden(`Not allowed to create members for image ${imageId}.`);
    const count = (await this.d.repo.listMembers(imageId)).length;
    if (count + 1 > this.d.memberQuota) throw limitExceeded("members", count + 1, this.d.memberQuota);
    if (!(await this.d.repo.addMember(imageId, memberId, this.d.now())))
      throw conflict(`Member ${memberId} is duplicated for image ${imageId}`);
    const member = await this.d.repo.findMember(imageId, memberId);
    if (!member) throw conflict(`Member ${memberId} is duplicated for image ${imageId}`);
    return member;
  }

  async setStatus(ctx: RequestContext, imageId: string, memberId: string, status: MemberStatus): Promise<ImageMember> {
    const { image, membership } = await this.image(ctx, imageId);
    if (image.visibility !== "shared") throw forbidden(`Not allowed to update members for image ${imageId}.`);
    const isSelf = memberId === ctx.projectId;
    // Only the consumer decides; the owner accepting on its behalf is refused (tempest owner_cannot_accept).
    if (!ctx.isAdmin && !(isSelf && isAllowed(ctx, image, membership, "modify_member"))) {
      if (image.owner === ctx.projectId || isSelf)
        throw forbidden(`Not allowed to update members for image ${imageId}.`);
      throw notFound(`${memberId} not found in the member list of the image ${imageId}.`);
    }
    if (!(await this.d.repo.setMemberStatus(imageId, memberId, status, this.d.now())))
      throw notFound(`${memberId} not found in the member list of the image ${imageId}.`);
    const member = await this.d.repo.findMember(imageId, memberId);
    if (!member) throw notFound(`${memberId} not found in the member list of the image ${imageId}.`);
    return member;
  }

  async remove(ctx: RequestContext, imageId: string, memberId: string): Promise<void> {
    const { image, membership } = await this.image(ctx, imageId);
    if (image.visibility !== "shared" || !isAllowed(ctx, image, membership, "delete_member"))
      throw forbidden(`Not allowed to delete members for image ${imageId}.`);
    if (!(await this.d.repo.removeMember(imageId, memberId, this.d.now())))
      throw notFound(`${memberId} not found in the member list of the image ${imageId}.`);
  }
}

/** Body of POST …/members: {"member": "<project id>"}. */
export function parseMemberCreate(body: unknown): string {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw badRequest('Expected a member in the form: {"member": "image_id"}');
  const member = (body as Record<string, unknown>).member;
  if (member === undefined) throw badRequest("Member to be added not specified");
  if (typeof member !== "string") throw badRequest('Expected a member in the form: {"member": "image_id"}');
  if (member.trim() === "") throw badRequest("Member can't be empty");
  if ([...member].length > 255) throw badRequest("Member id should not be greater than 255 characters.");
  return member;
}

/** Body of PUT …/members/{m}: {"status": "accepted"}. */
export function parseMemberStatus(body: unknown): MemberStatus {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw badRequest('Expected a status in the form: {"status": "status"}');
  const status = (body as Record<string, unknown>).status;
  if (status === undefined) throw badRequest("Status not specified");
  if (!(MEMBER_STATUSES as readonly unknown[]).includes(status))
    throw badRequest('Incorrect request: Status must be "pending", "accepted" or "rejected".');
  return status as MemberStatus;
}
