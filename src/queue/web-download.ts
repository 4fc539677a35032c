// web-download: fetch the URI (every redirect hop re-filtered), stream it into R2 multipart while hashing.
import { DomainError } from "../domain/errors";
import { checkImportUri } from "../domain/uri-filter";
import { dropBlob, openBlobSink } from "../services/blob-sink";
import { DigestingReader } from "../services/digesting-reader";
import { dataKey } from "../services/image-data-service";
import type { StoredImage } from "../services/ports";
import type { QuotaMeter } from "../services/quota";
import { type ImportedData, ImportFailure, type ImportWorker, type TaskClaim } from "./import-worker";

/** Glance follows at most a handful of redirects; so do we, each one checked like the original URI. */
export const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function webDownload(
  w: ImportWorker,
  claim: TaskClaim,
  image: StoredImage,
  uri: string,
): Promise<ImportedData> {
  const { repo, blobs, settings, now } = w.d;
  const res = await fetchFiltered(w, uri);
  const announced = Number(res.headers.get("content-length") ?? NaN);
  if (Number.isFinite(announced) && announced > settings.sizeCap) {
    await res.body?.cancel();
    throw new ImportFailure("The incoming image is too large: The provided image is too large.");
  }
  // Quotas bind the owner's project as for uploads; a refusal fails the task with Glance's 413 text.
  let meter: QuotaMeter;
  try {
    meter = await asImportFailure(() =>
      w.d.quota.admitData(image.owner, Number.isFinite(announced) ? announced : null, false),
    );
  } catch (err) {
    await res.body?.cancel();
    throw err;
  }
  const key = dataKey(image.id);
  // A run that crashed mid-download left its multipart upload on the row: drop it before starting over.
  await dropBlob(blobs, key, [image.uploadId]);
  const sink = await openBlobSink(blobs, key, null, { partSize: settings.partSize, singlePutMax: 0 });
  // Recorded on the row so that a DELETE during the import aborts it (ImageDataService.discard).
  const at = now();
  if (
    !(await repo.transition(
      image.id,
      "importing",
      "importing",
      { uploadId: sink.uploadId, uploadStartedAt: at },
      at,
      image.revision,
    ))
  ) {
    await sink.abort();
    await res.body?.cancel();
    throw new ImportFailure(`Image ${image.id} changed during import.`);
  }
  const reader = new DigestingReader(res.body);
  try {
    let head: Uint8Array | null = null;
    for (let b = await reader.read(sink.blockSize); b !== null; b = await reader.read(sink.blockSize)) {
      // The cap holds while streaming: a source that lies about (or omits) its length is cut off here.
      if (reader.size > settings.sizeCap)
        throw new ImportFailure("The incoming image is too large: The provided image is too large.");
      await asImportFailure(async () => meter(reader.size));
      head ??= b.slice(0, 32);
      await claim.beat();
      await sink.write(b);
    }
    await sink.close();
    const d = await reader.digests();
    return { size: d.size, md5: d.md5, sha512: d.sha512, head };
  } catch (err) {
    await reader.cancel();
    await sink.abort();
    throw err;
  }
}

/** Runs `f`; a domain error (a quota's 413) becomes an ImportFailure carrying its text for the task. */
async function asImportFailure<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof DomainError) throw new ImportFailure(err.explanation ?? err.message);
    throw err;
  }
}

/** GETs `uri` with `redirect: "manual"`, running checkImportUri on the URI and on every Location. */
async function fetchFiltered(w: ImportWorker, uri: string): Promise<Response> {
  const opts = { allowHosts: w.d.settings.allowHosts };
  let check = checkImportUri(uri, opts);
  for (let hop = 0; ; hop++) {
    if (!check.ok) throw new ImportFailure(`URI for web-download does not pass filtering: ${uri}`);
    const url = check.url;
    let res: Response;
    try {
      res = await w.d.fetch(url.href, { redirect: "manual" });
    } catch {
      throw new ImportFailure(`Failed to download ${uri}: the source could not be reached.`);
    }
    if (REDIRECTS.has(res.status)) {
      await res.body?.cancel();
      const location = res.headers.get("location");
      if (location === null) throw new ImportFailure(`Failed to download ${uri}: redirect without a Location.`);
      if (hop === MAX_REDIRECTS) throw new ImportFailure(`Failed to download ${uri}: too many redirects.`);
      let next: string;
      try {
        next = new URL(location, url).href;
      } catch {
        throw new ImportFailure(`Failed to download ${uri}: invalid redirect.`);
      }
      check = checkImportUri(next, opts);
      if (!check.ok) throw new ImportFailure(`URI for web-download does not pass filtering: ${next}`);
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ImportFailure(`Failed to download ${uri}: HTTP ${res.status}.`);
    }
    return res;
  }
}
