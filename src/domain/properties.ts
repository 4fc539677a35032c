// Which image attributes are base, read-only or reserved, and how each value is validated (Glance's schema rules).
import { badRequest, forbidden, limitExceeded } from "./errors";
import { FIELD_ENTRIES, fieldOf } from "./image-fields";
import { checkUuid, enumCheck, typeError } from "./schema-checks";

export { pyRepr } from "./schema-checks";

/** Base attributes a user may set (create or PATCH). */
export const SETTABLE_BASE: readonly string[] = FIELD_ENTRIES.filter(([, f]) => f.access === "settable").map(
  ([n]) => n,
);

/** Link-like keys of the image document: read-only like the computed attributes. */
const LINK_KEYS = ["self", "file", "schema", "direct_url"];

/** Server-computed attributes (and `id` after create): 403 "Attribute 'x' is read-only." */
export const READ_ONLY: readonly string[] = [
  ...FIELD_ENTRIES.filter(([, f]) => f.access !== "settable").map(([n]) => n),
  ...LINK_KEYS,
];

/** Names Glance keeps for itself: 403 "Attribute 'x' is reserved." */
export const RESERVED = ["location", "locations", "deleted", "deleted_at"] as const;
const RESERVED_PREFIX = "os_glance";

/** Every key that is a column of the image rather than an extra property. */
export const BASE_KEYS: ReadonlySet<string> = new Set<string>([...SETTABLE_BASE, ...READ_ONLY]);

export interface Limits {
  tags: number;
  properties: number;
  members: number;
}
/** Glance's image_tag_quota, image_property_quota and image_member_quota defaults. */
export const DEFAULT_LIMITS: Limits = { tags: 128, properties: 128, members: 128 };

export const isReserved = (key: string) =>
  (RESERVED as readonly string[]).includes(key) || key.startsWith(RESERVED_PREFIX);
export const isReadOnly = (key: string) => READ_ONLY.includes(key);

export function assertNotReadOnlyOrReserved(key: string): void {
  if (isReadOnly(key)) throw forbidden(`Attribute '${key}' is read-only.`);
  if (isReserved(key)) throw forbidden(`Attribute '${key}' is reserved.`);
}

/**
 * Validates one attribute value against the image schema (400 on failure). `key` is a base attribute or an
 * extra property; read-only base attributes other than `id` are refused before this is called.
 */
export function validateValue(key: string, v: unknown): void {
  const field = fieldOf(key);
  if (field?.validate) field.validate(v);
  else if (!field) validateExtraProperty(key, v);
}

/** Extra properties from Glance's shipped schema-image.json that carry their own rules. */
const UUID_PROPS = new Set(["kernel_id", "ramdisk_id"]);
const DELETION_POLICIES = ["on_image_deletion", "do_not_delete"];

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
