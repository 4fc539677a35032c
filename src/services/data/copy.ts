// copyData: an image's bytes from one store to another, streamed through pump() and checked against its hashes.

import type { BlobStore } from "../ports";
import { NativeDigests } from "./digests";
import { dataKey } from "./keys";
import { pump } from "./pump";
import { openBlobSink, type SinkSettings } from "./sinks";

/** What the copy must turn out to be: the image's size and digests as its row records them. */
export interface CopyExpectation {
  size: number;
  md5: string | null;
  sha512: string | null;
}

/** A copy that did not produce the image's bytes; nothing of it is left in the target store. */
export class CopyFailed extends Error {
  override readonly name = "CopyFailed";
}

/**
 * Streams image `imageId` from `from` to `to` (R2 to R2: one put up to singlePutMax, equal parts above) and
 * hashes it on the way. A source that is missing, of another size, or whose bytes do not hash to the image's
 * checksum and os_hash_value leaves no object behind.
 */
export async function copyData(
  from: BlobStore,
  to: BlobStore,
  imageId: string,
  expect: CopyExpectation,
  settings: SinkSettings & { beforeWrite?: () => Promise<void> },
): Promise<void> {
  const key = dataKey(imageId);
  const source = await from.get(key);
  if (!source || source.size !== expect.size) {
    await source?.body.cancel();
    throw new CopyFailed(`The data of image ${imageId} is missing from its source store.`);
  }
  const sink = await openBlobSink(to, key, expect.size, settings);
  const digests = new NativeDigests();
  const limits = { sizeCap: expect.size, declared: expect.size, beforeWrite: settings.beforeWrite };
  try {
    await pump(source.body, sink, [digests], limits);
  } catch (err) {
    throw new CopyFailed(`Copying image ${imageId} failed: ${err instanceof Error ? err.message : "read error"}`);
  }
  const got = await digests.result();
  if ((expect.md5 !== null && got.md5 !== expect.md5) || (expect.sha512 !== null && got.sha512 !== expect.sha512)) {
    await to.delete(key);
    throw new CopyFailed(`The copy of image ${imageId} does not match its checksum; it was discarded.`);
  }
}
