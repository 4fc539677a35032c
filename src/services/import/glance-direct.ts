// glance-direct: the staged bytes already sit at the image's final key; complete and verify them.
import { fromHex } from "../../lib/hex";
import { ResumableDigests } from "../../lib/resumable-hash";
import { dataKey } from "../data/keys";
import type { BlobStore, StoredImage } from "../ports";
import { type ImportedData, ImportFailure } from "./outcome";
import type { StagingRepository } from "./ports";
import type { TaskClaim } from "./task-claim";

export interface GlanceDirectDeps {
  staging: Pick<StagingRepository, "find">;
  blobs: BlobStore;
  sizeCap: number;
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
      const sorted = [...rec.parts].sort((a, b) => a.partNumber - b.partNumber);
      try {
        await blobs.completeMultipart(key, rec.uploadId, sorted);
      } catch {
        throw new ImportFailure(`The staged chunks of image ${image.id} could not be assembled.`);
      }
    }
    digests = ResumableDigests.restore(rec.hashState).digestHex();
  } else {
    if (rec.checksum === null || rec.osHashValue === null)
      throw new ImportFailure(`Image ${image.id} has no staged data.`);
    digests = { md5: rec.checksum, sha512: rec.osHashValue };
  }
  // Never activate an image whose object is not exactly the bytes we hashed.
  const size = await blobs.sizeOf(key);
  if (size !== rec.received) throw new ImportFailure(`The staged data of image ${image.id} is missing or incomplete.`);
  return { size, md5: digests.md5, sha512: digests.sha512, head: rec.head ? fromHex(rec.head) : null };
}
