// The answers the data path gives when an upload, stage or import cannot go on.
import { conflict, DomainError, gone, payloadTooLarge } from "../../domain/errors";
import type { ImageStatus } from "../../domain/image";
import type { ImageRepository } from "../ports";

/** Glance's image_size_cap message, also used when an upload would need more parts than R2 allows. */
export const imageTooLarge = () => payloadTooLarge("The incoming image is too large: The provided image is too large.");

/** The answer when the image was deleted while its data was being written. */
export const goneDuringUpload = (id: string) =>
  gone(
    `Image ${id} could not be found after upload. The image may have been deleted during the upload, cleaning up the chunks uploaded.`,
  );

/** The answer when an upload stalled so long that a later one reclaimed the image. */
export const takenOver = (id: string) =>
  conflict(`The upload to image ${id} stalled and was abandoned; the image may be uploaded again.`);

/** The answer for a request that lost the queued -> `target` race (410 when the image is gone meanwhile). */
export async function lostRace(repo: Pick<ImageRepository, "find">, id: string, target: ImageStatus): Promise<Error> {
  const found = await repo.find(id, null);
  if (!found) return goneDuringUpload(id);
  const status = found.image.status === "queued" ? target : found.image.status;
  return conflict(`Image status transition from ${status} to ${target} is not allowed`);
}

/**
 * The body could not be read to its end: the connection was cut or its framing left incomplete (a chunked
 * body without its last chunk). Such data is never kept: the client gets a 400, if it is still there.
 */
export class BodyCutOff extends DomainError {
  constructor(readonly bytesRead: number) {
    super(
      "bad_request",
      `The image data ended early: the request body was cut off after ${bytesRead} bytes, before it was complete. Nothing was stored.`,
    );
  }
}
