// The format inspector on the data path: a pump() tap on every way bytes come in, and the verdict it leads to.
import { DomainError } from "../../domain/errors";
import {
  createInspector,
  type FormatSettings,
  type InspectionResult,
  inferDiskFormat,
  inspectRanges,
  judge,
} from "../../domain/image-format";
import type { BlobStore } from "../ports";
import type { BlockTap } from "./pump";

/** Inspects the bytes as they stream by; memory stays bounded whatever the image's size. */
export class InspectorTap implements BlockTap {
  private readonly inspector = createInspector();
  write(block: Uint8Array): void {
    this.inspector.feed(block);
  }
  result(): InspectionResult {
    return this.inspector.finish();
  }
}

/** What the data makes of the image: the formats it records and its virtual size, or why it is refused. */
export type Assessment =
  | { ok: true; diskFormat: string; containerFormat: string; virtualSize: number | null }
  | { ok: false; message: string /** For the log only: what was found and which checks failed. */; found: string };

/**
 * Glance's verdict (glance/location.py) on an image whose data was inspected. Formats missing on the image
 * are what INFER_UPLOAD_FORMATS fills in: bare, and the format the inspector found. Glance inspects only bare
 * containers; we also run the safety checks for the others (a qcow2 inside an ovf container still must not
 * name a backing file), without the format match and without a virtual size.
 */
export function assess(
  image: { diskFormat: string | null; containerFormat: string | null },
  result: InspectionResult,
  settings: FormatSettings,
): Assessment {
  const containerFormat = image.containerFormat ?? "bare";
  const diskFormat = image.diskFormat ?? inferDiskFormat(result);
  const bare = containerFormat === "bare";
  const verdict = judge(diskFormat, result, bare ? settings : { ...settings, requireFormatMatch: false });
  if (!verdict.accepted) {
    const failed = result.failures.map((f) => f.check).join(",");
    const found = `${result.matches.map((m) => m.format).join("+")}${failed ? ` failing ${failed}` : ""}`;
    return { ok: false, message: verdict.message, found };
  }
  return { ok: true, diskFormat, containerFormat, virtualSize: bare ? verdict.virtualSize : null };
}

/** One log line per refusal, as Glance logs its InvalidImageData (the client gets only Glance's message). */
export function logRefusal(path: string, imageId: string, a: { message: string; found: string }): void {
  console.warn(`${path} of image ${imageId} refused: ${a.message} (data: ${a.found})`);
}

/**
 * Glance's answer to an upload whose data it refuses (InvalidImageData): 415, WebOb's media-type text with
 * the reason as its detail.
 */
export const formatRefused = (message: string) =>
  new DomainError(
    "unsupported_media_type",
    "The request media type application/octet-stream is not supported by this server.",
    {
      detail: message,
    },
  );

/** Inspects an object already in the store by range reads of only what the probes want (a staged image). */
export function inspectStored(blobs: BlobStore, key: string, size: number): Promise<InspectionResult> {
  return inspectRanges(size, async (offset, length) => {
    const part = await blobs.get(key, { offset, length });
    if (!part) throw new Error("the staged object vanished while it was inspected");
    return new Uint8Array(await new Response(part.body).arrayBuffer());
  });
}
