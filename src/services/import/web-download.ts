// web-download: fetch the URI (every redirect hop re-filtered), stream it into R2 multipart while hashing;
// glance-download fetches and stores its data with the same two functions.
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
  const res = await fetchFiltered(d, uri, { method: "web-download" });
  return receive(d, claim, image, res, { source: uri, exactSize: null, judgeAs: image, label: "web-download import" });
}

/** How receive() stores and judges a download: what to call it, and what the data must be. */
export interface Reception {
  /** Names the source in failure messages (the URI the caller gave). */
  source: string;
  /** The size the data must have exactly (a remote image's), or null to take the announced length as a hint. */
  exactSize: number | null;
  /** The formats the data is judged against (the image's own, or those glance-download copies). */
  judgeAs: { diskFormat: string | null; containerFormat: string | null };
  /** For the log line of a format refusal. */
  label: string;
}

/**
 * Streams a fetched response into the image's object while hashing and inspecting it, under the size cap
 * and the owner's quotas, as web-download and glance-download both do. The response body is always consumed.
 */
export async function receive(
  d: WebDownloadDeps,
  claim: TaskClaim,
  image: StoredImage,
  res: Response,
  how: Reception,
): Promise<ImportedData> {
  const { blobs, settings, now } = d;
  const uri = how.source;
  const length = Number(res.headers.get("content-length") ?? Number.NaN);
  const announced = how.exactSize ?? (Number.isFinite(length) ? length : null);
  if (announced !== null && announced > settings.sizeCap) {
    await res.body?.cancel();
    throw new ImportFailure("The incoming image is too large: The provided image is too large.");
  }
  try {
    // Quotas bind the owner's project as for uploads; a refusal fails the task with Glance's 413 text.
    const meter = await asImportFailure(uri, () => d.quota.admitData(image.owner, announced, false));
    const key = dataKey(image.id);
    // A run that crashed mid-download left its multipart upload on the row: drop it before starting over.
    await dropData(d, image.id, [image.uploadId]);
    const sink = await openBlobSink(blobs, key, null, { partSize: settings.partSize, singlePutMax: 0 });
    // Recorded on the row so that a DELETE during the import aborts it (ImageDataService.discard).
    const at = now();
    // An announced size is reserved against the storage quota by the same statement, as for uploads.
    const declared = announced;
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
        declared: how.exactSize,
        beforeWrite: () => claim.beat(),
      }),
    );
    const hashes = await digests.result();
    const verdict = assess(how.judgeAs, inspector.result(), settings.formats);
    if (!verdict.ok) {
      logRefusal(how.label, image.id, verdict);
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

/** Who a fetch is for: the method named in filter refusals, and the origin it trusts with its headers. */
export interface FetchFor {
  method: string;
  /**
   * An origin from the service catalog: it is fetched without the URI filter (the operator's Keystone named
   * it), and only requests to it carry `headers` (the caller's token never follows a redirect elsewhere).
   */
  trusted?: { origin: string; headers: Record<string, string> };
}

/**
 * GETs `uri` with `redirect: "manual"`, running checkImportUri on the URI and on every Location, except on
 * the trusted origin's own URLs.
 */
export async function fetchFiltered(
  d: Pick<WebDownloadDeps, "fetch" | "settings">,
  uri: string,
  who: FetchFor,
): Promise<Response> {
  const opts = { allowHosts: d.settings.allowHosts };
  const judge = (target: string) => {
    const url = URL.canParse(target) ? new URL(target) : null;
    if (url && who.trusted && url.origin === who.trusted.origin) return { ok: true as const, url };
    return checkImportUri(target, opts);
  };
  const refused = (target: string) =>
    new ImportFailure(
      who.trusted
        ? `Processed URI for ${who.method} does not pass filtering: ${target}`
        : `URI for ${who.method} does not pass filtering: ${target}`,
    );
  let check = judge(uri);
  for (let hop = 0; ; hop++) {
    if (!check.ok) throw refused(uri);
    const url = check.url;
    const headers = who.trusted && url.origin === who.trusted.origin ? who.trusted.headers : {};
    let res: Response;
    try {
      res = await d.fetch(url.href, { redirect: "manual", headers });
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
      check = judge(next);
      if (!check.ok) throw refused(next);
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ImportFailure(`Failed to download ${uri}: HTTP ${res.status}.`);
    }
    return res;
  }
}
