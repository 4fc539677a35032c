// toImageList: { images, first, next?, schema } with Glance's relative links, query kept (marker replaced).
import type { Image } from "../../domain/image";
import { type ImageView, toGlanceImage } from "./image";

/** Python's quote_plus: only letters, digits and `_.-~` stay literal, a space becomes '+'. */
const quotePlus = (s: string) =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");

/** Python urlencode style; unlike Glance, repeated parameters (tag=a&tag=b) are all kept. */
export function urlencode(params: [string, string][]): string {
  return params.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join("&");
}

export function toImageList(
  images: Image[],
  url: URL,
  limit: number,
  view: ImageView = { stores: null },
): Record<string, unknown> {
  const params = [...url.searchParams].filter(([k]) => k !== "marker");
  const first = params.length ? `/v2/images?${urlencode(params)}` : "/v2/images";
  const doc: Record<string, unknown> = {
    images: images.map((i) => toGlanceImage(i, view)),
    first,
    schema: "/v2/schemas/images",
  };
  // Glance emits next whenever the page is full, so the last page may be empty.
  const lastImage = images.at(-1);
  if (limit > 0 && images.length === limit && lastImage)
    doc.next = `/v2/images?${urlencode([...params, ["marker", lastImage.id]])}`;
  return doc;
}
