// web-download: fetch the URI (every redirect hop re-filtered), stream it into R2 multipart while hashing.
import { DomainError } from "../../domain/errors";
import type { FormatSettings } from "../../domain/image-format";
import { checkImportUri } from "../../domain/uri-filter";
import { claimData } from "../data/claim";
import { NativeDigests } from "../data/digests";
import { BodyCutOff } from "../data/errors";
import { assess, InspectorTap, logRefusal } from "../data/format-check";
import { dropData } from "../data/give-up";
import { dataKey } from "../data/keys";
import { pump } from "../data/pump";
import { openBlobSink } from "../data/sinks";
import type { BlobStore, ImageRepository, StoredImage } from "../ports";
import type { QuotaPolicy } from "../quota";
import { type ImportedData, ImportFailure } from "./outcome";
import type { StagingRepository } from "./ports";
import type { TaskClaim } from "./task-claim";

/** Glance follows at most a handful of redirects; so do we, each one checked like the original URI. */
export const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface WebDownloadDeps {
  repo: Pick<ImageRepository, "transition" | "find">;
  blobs: BlobStore;
  staging: Pick<StagingRepository, "find" | "remove">;
  /** web-download bytes count against the owner's storage quota, like uploads. */
  quota: Pick<QuotaPolicy, "admitData" | "reservation">;
  fetch: typeof fetch;
  settings: { sizeCap: number; partSize: number; allowHosts: string[]; formats: FormatSettings };
  now: () => number;
}

export async function webDownload(
  d: WebDownloadDeps,
  claim: TaskClaim,
  image: StoredImage,
  uri: string,
): Promise<ImportedData> {
  const { blobs, settings, now } = d;
  const res = await fetchFiltered(d, uri);
  const announced = Number(res.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(announced) && announced > settings.sizeCap) {
    await res.body?.cancel();
    throw new ImportFailure("The incoming image is too large: The provided image is too large.");
  }
  try {
    // Quotas bind the owner's project as for uploads; a refusal fails the task with Glance's 413 text.
    const meter = await asImportFailure(uri, () =>
      d.quota.admitData(image.owner, Number.isFinite(announced) ? announced : null, false),
    );
    const key = dataKey(image.id);
    // A run that crashed mid-download left its multipart upload on the row: drop it before starting over.
    await dropData(d, image.id, [image.uploadId]);
    const sink = await openBlobSink(blobs, key, null, { partSize: settings.partSize, singlePutMax: 0 });
    // Recorded on the row so that a DELETE during the import aborts it (ImageDataService.discard).
    const at = now();
    // An announced size is reserved against the storage quota by the same statement, as for uploads.
    const declared = Number.isFinite(announced) ? announced : null;
    const fields = { uploadId: sink.uploadId, uploadStartedAt: at, uploadSize: declared };
    try {
      const change = { from: "importing", to: "importing", fields, revision: image.revision } as const;
      await claimData(d, image.id, change, at, { owner: image.owner, declared, stage: false });
    } catch (err) {
      await sink.abort();
      if (!(err instanceof DomainError)) throw err;
      if (err.kind === "payload_too_large") throw new ImportFailure(err.explanation ?? err.message);
      throw new ImportFailure(`Image ${image.id} changed during import.`);
    }
    const digests = new NativeDigests();
    const inspector = new InspectorTap();
    // The cap holds while streaming: a source that lies about (or omits) its length is cut off in pump().
    const { size } = await asImportFailure(uri, () =>
      pump(res.body, sink, [digests, inspector], {
        sizeCap: settings.sizeCap,
        meter,
        declared: null,
        beforeWrite: () => claim.beat(),
      }),
    );
    const hashes = await digests.result();
    const verdict = assess(image, inspector.result(), settings.formats);
    if (!verdict.ok) {
      logRefusal("web-download import", image.id, verdict);
      throw new ImportFailure(verdict.message);
    }
    return { size, ...hashes, virtualSize: verdict.virtualSize };
  } finally {
    // Unread when we stopped before pump() (which cancels it itself on failure).
    if (res.body && !res.body.locked) await res.body.cancel().catch(() => {});
  }
}

/** Runs `f`; a domain error (a quota's 413, the size cap) becomes an ImportFailure carrying its text for the task. */
async function asImportFailure<T>(uri: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof BodyCutOff)
      throw new ImportFailure(`Failed to download ${uri}: the transfer was cut off after ${err.bytesRead} bytes.`);
    if (err instanceof DomainError) throw new ImportFailure(err.explanation ?? err.message);
    throw err;
  }
}

/** GETs `uri` with `redirect: "manual"`, running checkImportUri on the URI and on every Location. */
async function fetchFiltered(d: Pick<WebDownloadDeps, "fetch" | "settings">, uri: string): Promise<Response> {
  const opts = { allowHosts: d.settings.allowHosts };
  let check = checkImportUri(uri, opts);
  for (let hop = 0; ; hop++) {
    if (!check.ok) throw new ImportFailure(`URI for web-download does not pass filtering: ${uri}`);
    const url = check.url;
    let res: Response;
    try {
      res = await d.fetch(url.href, { redirect: "manual" });
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
