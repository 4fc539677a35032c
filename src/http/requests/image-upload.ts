// PUT /v2/images/{id}/file request parsing: media type (415) and the declared image size (400).
import { badRequest, unsupportedMediaType } from "../../domain/errors";
import type { UploadInput } from "../../services/data/image-data-service";

/** Glance compares the media type only; parameters such as charset are ignored. */
export function assertOctetStream(contentType: string | undefined): void {
  const media = contentType === undefined ? "None" : contentType.split(";")[0]!.trim().toLowerCase();
  if (media !== "application/octet-stream")
    throw unsupportedMediaType(`The request media type ${media} is not supported by this server.`);
}

const INTEGER = /^\s*\d+\s*$/;

/**
 * The size the client announces: X-OpenStack-Image-Size, else Content-Length, else null (chunked body).
 * A body that turns out longer or shorter is refused by the upload itself.
 */
export function declaredSize(headers: Headers): number | null {
  const announced = headers.get("x-openstack-image-size");
  if (announced !== null) {
    const n = Number(announced);
    if (!INTEGER.test(announced) || !Number.isSafeInteger(n))
      throw badRequest("Invalid or missing image size in request headers.");
    return n;
  }
  // The runtime has already checked Content-Length against the body it delivers.
  return contentLength(headers);
}

/** The request's Content-Length, when it is a plain integer. */
export function contentLength(headers: Headers): number | null {
  const v = headers.get("content-length");
  return v !== null && INTEGER.test(v) ? Number(v) : null;
}

/** Checks run before the image is looked up, as Glance's request deserializer does. */
export function parseUpload(req: Request): UploadInput {
  assertOctetStream(req.headers.get("content-type") ?? undefined);
  return { body: req.body, declaredSize: declaredSize(req.headers), store: req.headers.get("x-image-meta-store") };
}
