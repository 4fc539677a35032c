// The one "load with authorize": a live image the caller can see, checked for an action (404 hidden, 403 denied).
import { imageNotFound } from "../domain/errors";
import { authorize, type ImageAction } from "../domain/policy";
import type { RequestContext } from "../domain/request-context";
import type { ImageRepository } from "./ports";

export async function loadImage(
  repo: Pick<ImageRepository, "find">,
  ctx: RequestContext,
  id: string,
  action: ImageAction,
  hidden?: () => Error,
) {
  const found = await repo.find(id, ctx.projectId);
  const miss = hidden ?? (() => imageNotFound(id));
  if (!found) throw miss();
  authorize(ctx, found.image, found.membership, action, miss);
  return found;
}
