// Image metadata use cases: each orders policy -> repository -> domain rules, and nothing else.

import { badRequest, conflict, forbidden, notFound } from "../domain/errors";
import { type Image, type NewImageInput, newImage, uniqueSorted } from "../domain/image";
import type { ListQuery } from "../domain/image-list";
import { applyImagePatch, type PatchDialect, type PatchOp } from "../domain/image-patch";
import { assertTransition } from "../domain/image-status";
import { authorizeCreate, authorizeVisibility, type ImageAction } from "../domain/policy";
import { assertWithinLimits, type Limits, validateValue } from "../domain/properties";
import type { RequestContext } from "../domain/request-context";
import type { ImageDataService } from "./data/image-data-service";
import { loadImage } from "./load-image";
import type { ImageRepository } from "./ports";
import type { QuotaPolicy } from "./quota";

/** PATCH retries this often when another writer changed the image between our read and write. */
const SAVE_ATTEMPTS = 5;

export interface ImageServiceDeps {
  repo: ImageRepository;
  limits: Limits;
  now: () => number;
  newId: () => string;
  /** Removes an image's stored bytes; wired by the composition root to the data service. */
  data: Pick<ImageDataService, "discard">;
  quota: Pick<QuotaPolicy, "maxImages" | "imageCountExceeded">;
}

export class ImageService {
  constructor(private readonly d: ImageServiceDeps) {}

  /** Loads a live image the caller can see and checks `action` (404 when hidden, 403 when not allowed). */
  load(ctx: RequestContext, id: string, action: ImageAction = "get_image", hidden?: () => Error) {
    return loadImage(this.d.repo, ctx, id, action, hidden);
  }

  async create(ctx: RequestContext, input: NewImageInput): Promise<Image> {
    const owner = input.owner !== undefined ? input.owner : ctx.projectId;
    authorizeCreate(ctx, owner);
    if (input.visibility) authorizeVisibility(ctx, input.visibility);
    const image = newImage(input, { id: this.d.newId(), owner, now: this.d.now() });
    assertWithinLimits(image, this.d.limits);
    // The image count quota binds the owner (an admin creating for another project uses that project's).
    const outcome = await this.d.repo.insert(image, this.d.quota.maxImages(owner));
    if (outcome === "id_taken") throw conflict(`Image ID ${image.id} already exists!`);
    if (outcome === "over_quota") throw await this.d.quota.imageCountExceeded(owner!);
    return image;
  }

  async show(ctx: RequestContext, id: string): Promise<Image> {
    return (await this.load(ctx, id)).image;
  }

  async list(ctx: RequestContext, query: ListQuery): Promise<Image[]> {
    if (!ctx.isAdmin && !ctx.roles.has("reader"))
      throw forbidden("You are not authorized to complete get_images action.");
    const page = await this.d.repo.listPage(query, { projectId: ctx.projectId, isAdmin: ctx.isAdmin });
    // Unknown and invisible markers get the same 400, so a marker cannot probe other projects' ids.
    if (!page.markerFound) throw badRequest(`No image found with ID ${query.marker}`);
    return page.images;
  }

  async update(ctx: RequestContext, id: string, ops: readonly PatchOp[], dialect: PatchDialect): Promise<Image> {
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const { image } = await this.load(ctx, id, "modify_image");
      if (ops.length === 0) return image;
      const next = applyImagePatch(image, ops, dialect, ctx, this.d.limits);
      next.updatedAt = this.d.now();
      if (await this.d.repo.save(next)) return next;
    }
    throw conflict("The image was changed by another request; please retry.");
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    const { image } = await this.load(ctx, id, "delete_image", () => notFound(`Failed to find image ${id} to delete`));
    if (image.protected) throw forbidden(`Image ${id} is protected and cannot be deleted.`);
    if (!(await this.d.repo.markDeleted(id, this.d.now()))) throw notFound(`Failed to find image ${id} to delete`);
    // The row is a tombstone now, so an upload still streaming will fail its final CAS and clean up after itself.
    // The delete has happened: a storage hiccup here must not turn it into a 500 (the object is logged instead).
    await this.d.data.discard(image).catch(() => console.error(`delete: could not remove the data of image ${id}`));
  }

  async addTag(ctx: RequestContext, id: string, tag: string): Promise<void> {
    await this.mutateTags(
      ctx,
      id,
      (tags) => [...tags, tag],
      () => {
        validateValue("tags", [tag]);
      },
    );
  }

  async removeTag(ctx: RequestContext, id: string, tag: string): Promise<void> {
    await this.mutateTags(ctx, id, (tags) => {
      if (!tags.includes(tag)) throw notFound();
      return tags.filter((t) => t !== tag);
    });
  }

  private async mutateTags(
    ctx: RequestContext,
    id: string,
    change: (tags: string[]) => string[],
    validate?: () => void,
  ): Promise<void> {
    const hidden = () => notFound(`Image ${id} not found.`);
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const { image } = await this.load(ctx, id, "modify_image", hidden);
      validate?.();
      const tags = uniqueSorted(change(image.tags));
      assertWithinLimits({ tags, properties: image.properties }, this.d.limits);
      if (tags.length === image.tags.length && tags.every((t, i) => t === image.tags[i])) return;
      if (await this.d.repo.save({ ...image, tags, updatedAt: this.d.now() })) return;
    }
    throw conflict("The image was changed by another request; please retry.");
  }

  /** deactivate/reactivate: idempotent in the target status, 403 from any status but the two (Glance). */
  async setActivation(ctx: RequestContext, id: string, action: "deactivate" | "reactivate"): Promise<void> {
    const [from, to] =
      action === "deactivate" ? (["active", "deactivated"] as const) : (["deactivated", "active"] as const);
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const { image } = await this.load(ctx, id, action);
      if (image.status === to) return;
      if (image.status !== from) throw forbidden(`Not allowed to ${action} image in status '${image.status}'`);
      assertTransition(from, to);
      if (await this.d.repo.transition(id, { from, to }, this.d.now())) return;
    }
    throw conflict("The image was changed by another request; please retry.");
  }
}
