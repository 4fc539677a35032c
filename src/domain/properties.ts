// Which image attributes are base, read-only or reserved, and how each value is validated (Glance's schema rules).
import { badRequest, forbidden, limitExceeded } from "./errors";
import { CONTAINER_FORMATS, DISK_FORMATS, UUID_RE, VISIBILITIES } from "./image";

/** Base attributes a user may set (create or PATCH). */
export const SETTABLE_BASE = [
  "name",
  "visibility",
  "protected",
  "os_hidden",
  "min_ram",
  "min_disk",
  "container_format",
  "disk_format",
  "tags",
  "owner",
] as const;

/** Server-computed attributes: 403 "Attribute 'x' is read-only." */
export const READ_ONLY = [
  "id",
  "status",
  "checksum",
  "size",
  "virtual_size",
  "created_at",
  "updated_at",
  "os_hash_algo",
  "os_hash_value",
  "self",
  "file",
  "schema",
  "direct_url",
  "stores",
] as const;

/** Names Glance keeps for itself: 403 "Attribute 'x' is reserved." */
export const RESERVED = ["location", "locations", "deleted", "deleted_at"] as const;
const RESERVED_PREFIX = "os_glance";

/** Every key that is a column of the image rather than an extra property. */
export const BASE_KEYS: ReadonlySet<string> = new Set<string>([...SETTABLE_BASE, ...READ_ONLY]);

const MAX_INT32 = 2147483647;

export interface Limits {
  tags: number;
  properties: number;
  members: number;
}
/** Glance's image_tag_quota, image_property_quota and image_member_quota defaults. */
export const DEFAULT_LIMITS: Limits = { tags: 128, properties: 128, members: 128 };

export const isReserved = (key: string) =>
  (RESERVED as readonly string[]).includes(key) || key.startsWith(RESERVED_PREFIX);
export const isReadOnly = (key: string) => (READ_ONLY as readonly string[]).includes(key);

export function assertNotReadOnlyOrReserved(key: string): void {
  if (isReadOnly(key)) throw forbidden(`Attribute '${key}' is read-only.`);
  if (isReserved(key)) throw forbidden(`Attribute '${key}' is reserved.`);
}

/** Deeper nesting is elided ("[...]", as Python's reprlib does): a deeply nested body must not exhaust the stack. */
const REPR_DEPTH = 32;

/** Python-style repr, so messages read like the jsonschema errors Glance relays. */
export function pyRepr(v: unknown, depth = 0): string {
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return depth >= REPR_DEPTH ? "[...]" : `[${v.map((x) => pyRepr(x, depth + 1)).join(", ")}]`;
  if (typeof v === "object")
    return depth >= REPR_DEPTH
      ? "{...}"
      : `{${Object.entries(v as object)
          .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x, depth + 1)}`)
          .join(", ")}}`;
  return String(v);
}

const schemaError = (reason: string) => badRequest(`Provided object does not match schema 'image': ${reason}`);
/** jsonschema joins a union's type names with ", " (not a list repr): "5 is not of type 'null', 'string'". */
const typeError = (v: unknown, type: string) => schemaError(`${pyRepr(v)} is not of type ${type}`);
const NULL_OR_STRING = "'null', 'string'";

function enumCheck(v: unknown, allowed: readonly (string | null)[]): void {
  if (!allowed.includes(v as string | null)) schemaFail(`${pyRepr(v)} is not one of ${pyRepr(allowed)}`);
}
function schemaFail(reason: string): never {
  throw schemaError(reason);
}
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

function checkMinimum(key: string, v: number): void {
  if (v < 0) throw badRequest(`Invalid value '${v}' for parameter '${key}': Cannot be a negative value`);
  if (v > MAX_INT32) throw badRequest(`'${key}' value out of range, must not exceed ${MAX_INT32}.`);
}

function checkString(v: unknown, opts: { nullable?: boolean; maxLength?: number } = {}): void {
  if (v === null && opts.nullable) return;
  if (typeof v !== "string") throw typeError(v, opts.nullable ? NULL_OR_STRING : "'string'");
  if (opts.maxLength !== undefined && [...v].length > opts.maxLength) schemaFail(`${pyRepr(v)} is too long`);
}

/** A string that must be a UUID (the image id, kernel_id, ramdisk_id). */
function checkUuid(v: unknown, nullable = false): void {
  checkString(v, { nullable });
  if (!UUID_RE.test(v as string)) schemaFail(`${pyRepr(v)} does not match ${pyRepr(UUID_RE.source)}`);
}

/** Extra properties from Glance's shipped schema-image.json that carry their own rules. */
const UUID_PROPS = new Set(["kernel_id", "ramdisk_id"]);
const DELETION_POLICIES = ["on_image_deletion", "do_not_delete"];

/**
 * Validates one attribute value against the image schema (400 on failure). `key` is a base attribute or an
 * extra property; read-only/reserved checks happen before this.
 */
export function validateValue(key: string, v: unknown): void {
  switch (key) {
    case "name":
    case "owner":
      checkString(v, { nullable: true, maxLength: 255 });
      return;
    case "visibility":
      if (typeof v !== "string") throw typeError(v, "'string'");
      enumCheck(v, VISIBILITIES);
      return;
    case "protected":
    case "os_hidden":
      if (typeof v !== "boolean") throw typeError(v, "'boolean'");
      return;
    case "min_ram":
    case "min_disk":
      if (!isInt(v)) throw typeError(v, "'integer'");
      checkMinimum(key, v);
      return;
    case "container_format":
      if (v !== null && typeof v !== "string") throw typeError(v, NULL_OR_STRING);
      enumCheck(v, [null, ...CONTAINER_FORMATS]);
      return;
    case "disk_format":
      if (v !== null && typeof v !== "string") throw typeError(v, NULL_OR_STRING);
      enumCheck(v, [null, ...DISK_FORMATS]);
      return;
    case "tags":
      if (!Array.isArray(v)) throw typeError(v, "'array'");
      for (const t of v) checkString(t, { maxLength: 255 });
      return;
    case "id":
      checkUuid(v);
      return;
    default:
      validateExtraProperty(key, v);
      return;
  }
}

function validateExtraProperty(key: string, v: unknown): void {
  if ([...key].length > 255) throw badRequest("Custom property should not be greater than 255 characters.");
  if (UUID_PROPS.has(key)) {
    if (v === null) return;
    checkUuid(v, true);
    return;
  }
  if (typeof v !== "string") throw typeError(v, "'string'");
  if (key === "cinder_encryption_key_deletion_policy") enumCheck(v, DELETION_POLICIES);
}

/** Counts extra properties against the quota; Glance does not count its own os_glance* keys. */
export function countedProperties(props: Record<string, string>): number {
  return Object.keys(props).filter((k) => !k.startsWith(RESERVED_PREFIX)).length;
}

export function assertWithinLimits(
  image: { tags: readonly string[]; properties: Record<string, string> },
  limits: Limits,
): void {
  if (image.tags.length > limits.tags) throw limitExceeded("tags", image.tags.length, limits.tags);
  const n = countedProperties(image.properties);
  if (n > limits.properties) throw limitExceeded("properties", n, limits.properties);
}
