// Parses the Worker's string vars once into a typed Config; a bad setting is a ConfigError naming the variable.
import type { FormatSettings } from "./domain/image-format";
import { DEFAULT_LIMITS, type Limits } from "./domain/properties";
import { SINGLE_STORE_ID, type StoreCatalog, type StoreInfo } from "./domain/stores";
import type { KeystoneSettings } from "./identity/keystone";
import { staticTokensProblem } from "./identity/static-tokens";
import { parseByteSize } from "./lib/byte-size";
import type { QuotaLimits } from "./services/quota";

export interface Bindings {
  DB: D1Database;
  IMAGES: R2Bucket;
  /** The web console's built files (console/dist), read by routes/console.ts only; absent when not built. */
  ASSETS?: Fetcher;
  AUTH_MODE?: string;
  /** JSON map token -> { user_id, project_id, roles }; a secret in production, .dev.vars locally. */
  AUTH_TOKENS?: string;
  IMAGE_SIZE_CAP?: string;
  MAX_JSON_BODY?: string;
  PUBLIC_BASE_URL?: string;
  IMAGE_TAG_QUOTA?: string;
  IMAGE_PROPERTY_QUOTA?: string;
  /** A `saving` image whose upload showed no sign of life for this long is abandoned (default 3600). */
  UPLOAD_STALE_SECONDS?: string;
  /** R2 multipart part size in bytes (5 MiB..64 MiB; default 16 MiB): the upload's memory high-water mark. */
  UPLOAD_PART_SIZE?: string;
  /** Uploads of a declared size up to this many bytes go to R2 as one put (default and maximum 5 GiB - 5 MiB). */
  UPLOAD_SINGLE_PUT_MAX?: string;
  /**
   * "false" makes an upload without disk_format/container_format a 400, as in Glance. The default ("true")
   * fills them in from the data (container bare, disk format from the header), so the curl walkthrough the
   * project is built from, which never sets formats, can upload.
   */
  INFER_UPLOAD_FORMATS?: string;
  /**
   * Glance's [image_format] require_image_format_match: "false" lets data that contradicts its disk_format
   * through (without a virtual size). Default "true", as in Glance since 2025.1. Safety checks always run.
   */
  REQUIRE_IMAGE_FORMAT_MATCH?: string;
  /** Glance's gpt_safety_checks_nonfatal: comma-separated check names ("mbr", "gpt") forgiven on GPT/MBR disks. */
  GPT_SAFETY_CHECKS_NONFATAL?: string;
  /** "1" enables the benchmark-only routes (bench/data.mjs passes it on the command line; never in wrangler.toml). */
  BENCH_ROUTES?: string;
  IMAGE_MEMBER_QUOTA?: string;
  KEYSTONE_URL?: string;
  KEYSTONE_SERVICE_USER?: string;
  /** Secret (wrangler secret put KEYSTONE_SERVICE_PASSWORD). */
  KEYSTONE_SERVICE_PASSWORD?: string;
  KEYSTONE_SERVICE_PROJECT?: string;
  KEYSTONE_USER_DOMAIN?: string;
  KEYSTONE_PROJECT_DOMAIN?: string;
  TOKEN_CACHE_TTL?: string;
  /** Producer binding of the "glance-imports" queue (import tasks run in the queue consumer). */
  IMPORT_QUEUE?: Queue<unknown>;
  /** Largest chunk of a resumable chunked stage in bytes (5..64 MiB, default 64 MiB). */
  STAGE_CHUNK_MAX?: string;
  /** Chunks of one resumable stage a client is told to send at once (GET /stage `parallel`, default 4). */
  STAGE_PARALLEL?: string;
  /** Comma-separated hosts (host or host:port) web-download may fetch despite the address/port filter. */
  IMPORT_ALLOW_HOSTS?: string;
  /**
   * "false" stops offering the glance-download import method. It is offered by default in Keystone mode
   * (it needs the caller's token and its service catalog) and never with static tokens.
   */
  IMPORT_GLANCE_DOWNLOAD?: string;
  /**
   * Glance's [glance_download_properties] extra_properties: comma-separated prefixes of the properties
   * glance-download copies from the remote image (default "hw_,trait:,os_distro,os_secure_boot,os_type").
   */
  GLANCE_DOWNLOAD_PROPERTIES?: string;
  /** An import task `processing` without a heartbeat for this long (seconds) is taken over (default 1200). */
  IMPORT_TASK_TIMEOUT_SECONDS?: string;
  /** Per-project quotas (services/quota.ts); every one is off (unlimited) by default, as in Glance. */
  /** Max images a project owns (not killed/deleted/pending_delete). Unset, "" or negative = unlimited; "0" = none. */
  IMAGE_COUNT_TOTAL?: string;
  /** Max images a project has in saving/uploading/importing at once. Unset, "" or negative = unlimited; "0" = none. */
  IMAGE_COUNT_UPLOADING?: string;
  /** Glance's user_storage_quota: bytes of a project's image data, "<n>[B|KB|MB|GB|TB]". Unset, "", "0" or "-1" = unlimited. */
  USER_STORAGE_QUOTA?: string;
  /** Bytes a project may have staged (uploading/importing), same grammar as USER_STORAGE_QUOTA. */
  IMAGE_STAGE_TOTAL?: string;
  /**
   * Several stores (Glance's enabled_backends): a JSON array of {"id", "binding", "description"?, "default"?,
   * "read-only"?, "weight"?}, each naming an R2 bucket binding. Unset: one store, the IMAGES bucket.
   */
  STORES?: string | unknown[];
}

/** The stores and the R2 binding of each (the composition root opens the buckets). */
export interface StoresConfig {
  catalog: StoreCatalog;
  /** store id -> binding name. */
  bindings: Record<string, string>;
}

export interface Config {
  authMode: "static" | "keystone";
  /** Present when authMode is "keystone". */
  keystone: KeystoneSettings | null;
  imageSizeCap: number;
  maxJsonBody: number;
  publicBaseUrl: string | null;
  limits: Limits;
  /** Image data upload tuning (see services/image-data-service.ts). */
  upload: { staleSeconds: number; partSize: number; singlePutMax: number; inferFormats: boolean };
  /** Interoperable import (see services/import-service.ts, services/chunked-stage.ts). */
  imports: {
    stageChunkMax: number;
    stageParallel: number;
    allowHosts: string[];
    taskTimeoutSeconds: number;
    /** glance-download (services/import/glance-download.ts): offered or not, and the property prefixes it copies. */
    glanceDownload: { enabled: boolean; properties: string[] };
  };
  /** Per-project quotas; null = unlimited. */
  quotas: QuotaLimits;
  /** What the format inspector's verdict requires (services/data/format-check.ts). */
  formats: FormatSettings;
  stores: StoresConfig;
}

const MIB = 1024 * 1024;
/** R2's largest single put (5 GiB - 5 MiB); beyond it an object must be uploaded in parts. */
const R2_SINGLE_PUT_MAX = 5 * 1024 * MIB - 5 * MIB;

/** Glance's default [glance_download_properties] extra_properties. */
const GLANCE_DOWNLOAD_PROPERTIES = ["hw_", "trait:", "os_distro", "os_secure_boot", "os_type"];

/**
 * A setting that is missing or invalid. The message names the variable and what it must be, never its
 * value (some are secrets); app.ts logs it once and answers /v2 with 503 until the setting is fixed.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

function int(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new ConfigError(name, `Configuration ${name} must be a non-negative integer`);
  return n;
}

/** Image counts: negative means unlimited and 0 a real limit of zero, like Glance's unified limits. */
function countQuota(name: string, raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === "") return null;
  const n = Number(raw);
  if (!Number.isSafeInteger(n))
    throw new ConfigError(name, `Configuration ${name} must be an integer (negative = unlimited)`);
  return n < 0 ? null : n;
}

/** Byte quotas: Glance's user_storage_quota grammar, where 0 means off; we take -1 as off too. */
function byteQuota(name: string, raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === "" || raw.trim() === "-1") return null;
  const n = parseByteSize(raw);
  if (n === null) throw new ConfigError(name, `Configuration ${name} must be <digits>[B|KB|MB|GB|TB]`);
  return n === 0 ? null : n;
}

/** A comma-separated list var, without blanks. */
const list = (raw: string | undefined) =>
  (raw ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h !== "");

const cache = new WeakMap<object, Config | ConfigError>();

/** The parsed configuration; throws the (cached) ConfigError when a setting is missing or invalid. */
export function loadConfig(env: Bindings): Config {
  let hit = cache.get(env);
  if (!hit) {
    try {
      hit = parseConfig(env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      hit = err;
    }
    cache.set(env, hit);
  }
  if (hit instanceof ConfigError) throw hit;
  return hit;
}

function parseConfig(env: Bindings): Config {
  const mode = env.AUTH_MODE || "static";
  if (mode !== "static" && mode !== "keystone")
    throw new ConfigError("AUTH_MODE", `Configuration AUTH_MODE must be "static" or "keystone"`);
  const base = (env.PUBLIC_BASE_URL ?? "").replace(/\/+$/, "");
  const config: Config = {
    authMode: mode,
    keystone: mode === "keystone" ? keystoneSettings(env) : null,
    imageSizeCap: int("IMAGE_SIZE_CAP", env.IMAGE_SIZE_CAP, 1099511627776),
    maxJsonBody: int("MAX_JSON_BODY", env.MAX_JSON_BODY, 65536),
    publicBaseUrl: base === "" ? null : base,
    upload: {
      staleSeconds: int("UPLOAD_STALE_SECONDS", env.UPLOAD_STALE_SECONDS, 3600),
      partSize: int("UPLOAD_PART_SIZE", env.UPLOAD_PART_SIZE, 16 * MIB),
      singlePutMax: int("UPLOAD_SINGLE_PUT_MAX", env.UPLOAD_SINGLE_PUT_MAX, R2_SINGLE_PUT_MAX),
      inferFormats: (env.INFER_UPLOAD_FORMATS ?? "true").toLowerCase() !== "false",
    },
    imports: {
      stageChunkMax: int("STAGE_CHUNK_MAX", env.STAGE_CHUNK_MAX, 64 * MIB),
      stageParallel: int("STAGE_PARALLEL", env.STAGE_PARALLEL, 4),
      allowHosts: list(env.IMPORT_ALLOW_HOSTS),
      taskTimeoutSeconds: int("IMPORT_TASK_TIMEOUT_SECONDS", env.IMPORT_TASK_TIMEOUT_SECONDS, 1200),
      glanceDownload: {
        enabled: mode === "keystone" && (env.IMPORT_GLANCE_DOWNLOAD ?? "true").toLowerCase() !== "false",
        properties:
          env.GLANCE_DOWNLOAD_PROPERTIES === undefined
            ? [...GLANCE_DOWNLOAD_PROPERTIES]
            : list(env.GLANCE_DOWNLOAD_PROPERTIES),
      },
    },
    formats: {
      requireFormatMatch: (env.REQUIRE_IMAGE_FORMAT_MATCH ?? "true").toLowerCase() !== "false",
      gptNonfatalChecks: list(env.GPT_SAFETY_CHECKS_NONFATAL),
    },
    quotas: {
      imageCountTotal: countQuota("IMAGE_COUNT_TOTAL", env.IMAGE_COUNT_TOTAL),
      imageCountUploading: countQuota("IMAGE_COUNT_UPLOADING", env.IMAGE_COUNT_UPLOADING),
      storageBytes: byteQuota("USER_STORAGE_QUOTA", env.USER_STORAGE_QUOTA),
      stageBytes: byteQuota("IMAGE_STAGE_TOTAL", env.IMAGE_STAGE_TOTAL),
    },
    stores: {
      catalog: { stores: [], multi: false, defaultId: SINGLE_STORE_ID, legacyId: SINGLE_STORE_ID },
      bindings: {},
    },
    limits: {
      tags: int("IMAGE_TAG_QUOTA", env.IMAGE_TAG_QUOTA, DEFAULT_LIMITS.tags),
      properties: int("IMAGE_PROPERTY_QUOTA", env.IMAGE_PROPERTY_QUOTA, DEFAULT_LIMITS.properties),
      members: int("IMAGE_MEMBER_QUOTA", env.IMAGE_MEMBER_QUOTA, DEFAULT_LIMITS.members),
    },
  };
  const { partSize } = config.upload;
  config.stores = parseStores(env);
  // R2 refuses parts under 5 MiB; bigger parts than 64 MiB would crowd the 128 MB isolate.
  if (partSize < 5 * MIB || partSize > 64 * MIB)
    throw new ConfigError("UPLOAD_PART_SIZE", "Configuration UPLOAD_PART_SIZE must be 5-64 MiB");
  // R2 refuses a single put over 5 GiB - 5 MiB; a larger setting would fail every upload of that size.
  if (config.upload.singlePutMax > R2_SINGLE_PUT_MAX)
    throw new ConfigError(
      "UPLOAD_SINGLE_PUT_MAX",
      `Configuration UPLOAD_SINGLE_PUT_MAX must be at most ${R2_SINGLE_PUT_MAX} (R2's single-put limit)`,
    );
  const { stageChunkMax } = config.imports;
  // Every chunk is one R2 part (>= 5 MiB unless last) held in flight by one request; 64 MiB bounds memory.
  if (stageChunkMax < 5 * MIB || stageChunkMax > 64 * MIB)
    throw new ConfigError("STAGE_CHUNK_MAX", "Configuration STAGE_CHUNK_MAX must be 5-64 MiB");
  // The names of the checks the GPT/MBR probe runs (domain/image-format/gpt.ts).
  for (const check of config.formats.gptNonfatalChecks)
    if (check !== "mbr" && check !== "gpt")
      throw new ConfigError(
        "GPT_SAFETY_CHECKS_NONFATAL",
        `Configuration GPT_SAFETY_CHECKS_NONFATAL: unknown check ${check}`,
      );
  if (config.imports.stageParallel < 1)
    throw new ConfigError("STAGE_PARALLEL", "Configuration STAGE_PARALLEL must be at least 1");
  if (mode === "static") {
    const problem = staticTokensProblem(env.AUTH_TOKENS);
    if (problem) throw new ConfigError("AUTH_TOKENS", `Configuration AUTH_TOKENS ${problem}`);
  }
  return config;
}

function keystoneSettings(env: Bindings): KeystoneSettings {
  const need = (name: keyof Bindings) => {
    const v = env[name];
    if (typeof v !== "string" || v.trim() === "") throw new ConfigError(name, `AUTH_MODE=keystone needs ${name}`);
    return v;
  };
  const url = need("KEYSTONE_URL");
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {}
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:"))
    throw new ConfigError(
      "KEYSTONE_URL",
      "Configuration KEYSTONE_URL must be an http(s) URL, e.g. https://keystone.example.com/v3",
    );
  return {
    url,
    serviceUser: need("KEYSTONE_SERVICE_USER"),
    servicePassword: need("KEYSTONE_SERVICE_PASSWORD"),
    serviceProject: need("KEYSTONE_SERVICE_PROJECT"),
    userDomain: env.KEYSTONE_USER_DOMAIN || "Default",
    projectDomain: env.KEYSTONE_PROJECT_DOMAIN || "Default",
    cacheTtlSeconds: int("TOKEN_CACHE_TTL", env.TOKEN_CACHE_TTL, 300),
  };
}

const STORE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** STORES -> the catalog; every store's binding must be an R2 bucket (a ConfigError names STORES otherwise). */
function parseStores(env: Bindings): StoresConfig {
  const bad = (why: string) => new ConfigError("STORES", `Configuration STORES ${why}`);
  const raw = env.STORES;
  if (raw === undefined || (typeof raw === "string" && raw.trim() === "")) {
    const only: StoreInfo = { id: SINGLE_STORE_ID, description: null, isDefault: true, readOnly: false, weight: 0 };
    const catalog = { stores: [only], multi: false, defaultId: only.id, legacyId: only.id };
    return { catalog, bindings: { [only.id]: "IMAGES" } };
  }
  let list: unknown = raw;
  if (typeof raw === "string") {
    try {
      list = JSON.parse(raw);
    } catch {
      throw bad("must be a JSON array of stores");
    }
  }
  if (!Array.isArray(list) || list.length === 0) throw bad("must be a non-empty JSON array of stores");
  const stores: StoreInfo[] = [];
  const bindings: Record<string, string> = {};
  for (const entry of list) {
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    const id = e.id;
    if (typeof id !== "string" || !STORE_ID.test(id) || id.startsWith("os_glance_"))
      throw bad("needs an id of letters, digits, '-' or '_' (not starting with os_glance_) for every store");
    if (bindings[id] !== undefined) throw bad(`names store ${id} twice`);
    const binding = e.binding;
    if (typeof binding !== "string" || !isBucket((env as unknown as Record<string, unknown>)[binding]))
      throw bad(`store ${id}: "binding" must name an R2 bucket binding of the Worker`);
    if (Object.values(bindings).includes(binding)) throw bad(`store ${id}: binding ${binding} is used twice`);
    const flag = (k: string) => {
      const v = e[k];
      if (v === undefined) return false;
      if (typeof v !== "boolean") throw bad(`store ${id}: "${k}" must be true or false`);
      return v;
    };
    const weight = e.weight ?? 0;
    if (typeof weight !== "number" || !Number.isSafeInteger(weight))
      throw bad(`store ${id}: "weight" must be an integer`);
    const description = e.description ?? null;
    if (description !== null && typeof description !== "string")
      throw bad(`store ${id}: "description" must be a string`);
    stores.push({ id, description, isDefault: flag("default"), readOnly: flag("read-only"), weight });
    bindings[id] = binding;
  }
  const defaults = stores.filter((s) => s.isDefault);
  if (defaults.length > 1) throw bad("may mark only one store as default");
  // Without an explicit default the first store is it (STORES=fast,slow npm run dev).
  const def = defaults[0] ?? stores[0]!;
  def.isDefault = true;
  // Uploads, stages and imports without a named store land in the default store, so it must take writes.
  if (def.readOnly) throw bad(`the default store ${def.id} cannot be read-only`);
  // Rows from before 0007 record no store: their data is in the IMAGES bucket (README "Several stores").
  const legacyId = Object.entries(bindings).find(([, b]) => b === "IMAGES")?.[0] ?? def.id;
  return { catalog: { stores, multi: stores.length > 1, defaultId: def.id, legacyId }, bindings };
}

const isBucket = (v: unknown): v is R2Bucket =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as R2Bucket).put === "function" &&
  typeof (v as R2Bucket).get === "function";
