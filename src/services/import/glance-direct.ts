// glance-direct: the staged bytes already sit at the image's final key; complete, hash the rest, verify.

import type { FormatSettings } from "../../domain/image-format";
import { ResumableDigests } from "../../lib/resumable-digests";
import { assess, inspectStored, logRefusal } from "../data/format-check";
import { dataKey } from "../data/keys";
import { pump } from "../data/pump";
import { discardSink } from "../data/sinks";
import type { BlobStore, StoredImage } from "../ports";
import { type ImportedData, ImportFailure } from "./outcome";
import type { StagingRecord, StagingRepository } from "./ports";
import type { TaskClaim } from "./task-claim";

export interface GlanceDirectDeps {
  staging: Pick<StagingRepository, "find" | "parts">;
  blobs: BlobStore;
  sizeCap: number;
  formats: FormatSettings;
}

export async function finishStaged(d: GlanceDirectDeps, claim: TaskClaim, image: StoredImage): Promise<ImportedData> {
  const { staging, blobs } = d;
  const key = dataKey(image.id);
  const rec = await staging.find(image.id);
  if (!rec) throw new ImportFailure(`Image ${image.id} has no staged data.`);
  if (rec.received > d.sizeCap) throw new ImportFailure("The incoming image is too large.");
  await claim.beat(true);
  let digests: { md5: string; sha512: string };
  if (rec.uploadId !== null) {
    // Chunked stage: the multipart upload is completed here, once, when every byte has arrived.
    if (rec.total === null || rec.received !== rec.total || rec.hashState === null)
      throw new ImportFailure(`Image ${image.id} is only partly staged: ${rec.received} of ${rec.total} bytes.`);
    // A run that crashed after completing leaves the object in place: completing twice would fail.
    if ((await blobs.sizeOf(key)) !== rec.total) {
      const parts = (await staging.parts(image.id)).map(({ partNumber, etag }) => ({ partNumber, etag }));
      try {
        await blobs.completeMultipart(key, rec.uploadId, parts);
      } catch {
        throw new ImportFailure(`The staged chunks of image ${image.id} could not be assembled.`);
      }
    }
    digests = await hashRest(d, claim, key, rec);
  } else {
    if (rec.checksum === null || rec.osHashValue === null)
      throw new ImportFailure(`Image ${image.id} has no staged data.`);
    digests = { md5: rec.checksum, sha512: rec.osHashValue };
  }
  // Never activate an image whose object is not exactly the bytes we hashed.
  const size = await blobs.sizeOf(key);
  if (size !== rec.received) throw new ImportFailure(`The staged data of image ${image.id} is missing or incomplete.`);
  // Inspected as Glance's import does, by range reads of only what the format probes want.
  const verdict = assess(image, await inspectStored(blobs, key, size), d.formats);
  if (!verdict.ok) {
    logRefusal("glance-direct import", image.id, verdict);
    throw new ImportFailure(verdict.message);
  }
  return { size, md5: digests.md5, sha512: digests.sha512, virtualSize: verdict.virtualSize };
}

/**
 * The digests of a chunked stage: the saved state covers the prefix that came in order; whatever came out of
 * order is read back from the assembled object and hashed from there (the task heartbeats meanwhile).
 */
async function hashRest(
  d: Pick<GlanceDirectDeps, "blobs">,
  claim: TaskClaim,
  key: string,
  rec: StagingRecord,
): Promise<{ md5: string; sha512: string }> {
  const digests = ResumableDigests.restore(rec.hashState!);
  const total = rec.total!;
  if (rec.hashed < total) {
    const rest = await d.blobs.get(key, { offset: rec.hashed, length: total - rec.hashed });
    if (!rest) throw new ImportFailure(`The staged data of image ${rec.imageId} is missing or incomplete.`);
    const tap = { write: (b: Uint8Array) => void digests.update(b) };
    const declared = total - rec.hashed;
    await pump(rest.body, discardSink(), [tap], { sizeCap: declared, declared, beforeWrite: () => claim.beat() });
  }
  return digests.digestHex();
}
