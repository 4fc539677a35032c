// glance-download: another region's Glance (found in the caller's catalog) gives its image's metadata and data.
import { badRequest } from "../../domain/errors";
import { BASE_KEYS, isReserved } from "../../domain/properties";
import type { ServiceEndpoint } from "../../domain/request-context";
import { readCapped } from "../../lib/read-capped";
import type { StoredImage } from "../ports";
import { type ImportedData, ImportFailure } from "./outcome";
import type { TaskClaim } from "./task-claim";
import { fetchFiltered, receive, type WebDownloadDeps } from "./web-download";

/** The method's parameters once POST /import accepted them. */
export interface GlanceSource {
  imageId: string;
  region: string;
  serviceInterface: string;
}

/** What the consumer needs beyond the task: sealed into the queue message, never stored in D1. */
export interface GlanceCredential {
  /** The caller's token, sent as X-Auth-Token to the remote Glance (and only to its origin). */
  token: string;
  /** The catalog's endpoint for the region and interface, or null when the catalog has none. */
  endpoint: string | null;
}

export interface GlanceDownloadDeps extends WebDownloadDeps {
  /** Prefixes of the remote image's properties to copy (Glance's [glance_download_properties] extra_properties). */
  copyPrefixes: readonly string[];
}

/** A remote image document's metadata is small; a bigger answer is not an image document. */
const MAX_METADATA_BYTES = 1024 * 1024;

/**
 * Glance's checks of the method's fields at POST /import (400s in its order), after the state checks. A
 * missing interface becomes "public" in the request itself, so the task's import_req shows it as Glance's does.
 */
export function checkGlanceSource(method: Record<string, unknown>): GlanceSource {
  if (!("glance_region" in method))
    throw badRequest("'glance_region' needs to be set for glance-download import method");
  if (!("glance_image_id" in method))
    throw badRequest("'glance_image_id' needs to be set for glance-download import method");
  const id = method.glance_image_id;
  const imageId = typeof id === "string" ? canonicalUuid(id) : null;
  if (imageId === null) throw badRequest(`Remote image id does not look like a UUID: ${String(id)}`);
  if (!("glance_service_interface" in method)) method.glance_service_interface = "public";
  const region = method.glance_region;
  const serviceInterface = method.glance_service_interface;
  if (typeof region !== "string") throw badRequest("'glance_region' must be a string");
  if (typeof serviceInterface !== "string") throw badRequest("'glance_service_interface' must be a string");
  return { imageId, region, serviceInterface };
}

/** The spellings Python's uuid.UUID() takes (braces, urn:uuid:, hyphens anywhere), in the canonical form. */
function canonicalUuid(text: string): string | null {
  const hex = text
    .replace("urn:", "")
    .replace("uuid:", "")
    .replace(/^\{+|\}+$/g, "")
    .replaceAll("-", "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Glance's lookup: the image service's endpoint whose region matches (any case) with this interface. */
export function findGlanceEndpoint(
  endpoints: readonly ServiceEndpoint[],
  region: string,
  serviceInterface: string,
): string | null {
  const wanted = region.toLowerCase();
  const hit = endpoints.find((e) => e.region.toLowerCase() === wanted && e.interface === serviceInterface);
  return hit ? hit.url.replace(/\/+$/, "") : null;
}

/** The remote image as glance-download uses it: what it copies and what the data must match. */
export interface RemoteImage {
  diskFormat: string | null;
  containerFormat: string | null;
  size: number;
  checksum: string | null;
  sha512: string | null;
  properties: Record<string, string>;
}

/**
 * Reads a remote image document the way Glance's _ImportMetadata does: it must be active and have a size;
 * the formats come along, and the properties whose names start with one of `prefixes` (never a base
 * attribute or an os_glance_* key, which Glance drops too).
 */
export function readRemoteImage(doc: unknown, remoteId: string, prefixes: readonly string[]): RemoteImage {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new ImportFailure(`The metadata of remote image ${remoteId} is not an image document.`);
  const d = doc as Record<string, unknown>;
  if (d.status !== "active")
    throw new ImportFailure(`Source image status should be active instead of ${String(d.status)}`);
  const size = d.size;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0)
    throw new ImportFailure(`Size attribute of remote image ${remoteId} could not be determined.`);
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(d)) {
    if (BASE_KEYS.has(key) || isReserved(key) || typeof value !== "string" || [...key].length > 255) continue;
    if (prefixes.some((p) => key.startsWith(p))) properties[key] = value;
  }
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  return {
    diskFormat: text(d.disk_format),
    containerFormat: text(d.container_format),
    size,
    checksum: text(d.checksum),
    sha512: d.os_hash_algo === "sha512" ? text(d.os_hash_value) : null,
    properties,
  };
}

/**
 * Fetches the remote image's metadata, then streams its data into this image through receive() (size cap,
 * quotas, format inspection), and verifies size and hashes against the remote image before it may activate.
 */
export async function glanceDownload(
  d: GlanceDownloadDeps,
  claim: TaskClaim,
  image: StoredImage,
  source: GlanceSource,
  credential: GlanceCredential,
): Promise<ImportedData> {
  const { endpoint } = credential;
  if (endpoint === null)
    throw new ImportFailure(`${source.serviceInterface} glance endpoint not found for region ${source.region}`);
  const origin = URL.canParse(endpoint) ? new URL(endpoint).origin : null;
  if (origin === null)
    throw new ImportFailure(`The catalog's glance endpoint for region ${source.region} is not a URL.`);
  const token = { "X-Auth-Token": credential.token };
  const imageUrl = `${endpoint}/v2/images/${source.imageId}`;
  const asJson = { origin, headers: { ...token, Accept: "application/json" } };
  const metaRes = await fetchFiltered(d, imageUrl, { method: "glance-download", trusted: asJson });
  const remote = readRemoteImage(await readJsonBounded(metaRes, imageUrl), source.imageId, d.copyPrefixes);
  await claim.beat(true);
  const fileUrl = `${imageUrl}/file`;
  const res = await fetchFiltered(d, fileUrl, { method: "glance-download", trusted: { origin, headers: token } });
  const judgeAs = {
    diskFormat: remote.diskFormat ?? image.diskFormat,
    containerFormat: remote.containerFormat ?? image.containerFormat,
  };
  const data = await receive(d, claim, image, res, {
    source: fileUrl,
    exactSize: remote.size,
    judgeAs,
    label: "glance-download import",
  });
  if (remote.checksum !== null && remote.checksum !== data.md5)
    throw new ImportFailure(`The data of remote image ${source.imageId} does not match its checksum.`);
  if (remote.sha512 !== null && remote.sha512 !== data.sha512)
    throw new ImportFailure(`The data of remote image ${source.imageId} does not match its os_hash_value.`);
  return { ...data, metadata: { ...judgeAs, properties: remote.properties } };
}

/** The JSON of a small response; a body past the bound or not JSON fails the task. */
async function readJsonBounded(res: Response, url: string): Promise<unknown> {
  let bytes: Uint8Array | "too-large";
  try {
    bytes = await readCapped(res.body, MAX_METADATA_BYTES);
  } catch {
    throw new ImportFailure(`Failed to download ${url}: the transfer was cut off.`);
  }
  if (bytes === "too-large") throw new ImportFailure(`The answer of ${url} is too large for an image document.`);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ImportFailure(`The answer of ${url} is not JSON.`);
  }
}
