// The image's base attributes in one table: Glance's wire name, the domain key (also the D1 column), who may set
// it, its type rule and its PATCH rules. Requests, responses and the D1 row mapping are all driven by it.
import { CONTAINER_FORMATS, DISK_FORMATS, type Image, uniqueSorted, VISIBILITIES } from "./image";
import { authorizeOwnerChange, authorizeVisibility } from "./policy";
import type { RequestContext } from "./request-context";
import {
  checkBoolean,
  checkMinimum,
  checkNullableEnum,
  checkString,
  checkUuid,
  enumCheck,
  typeError,
} from "./schema-checks";

/** settable: create and PATCH; create_only: create (PATCH says read-only); read_only: computed by the server. */
export type FieldAccess = "settable" | "create_only" | "read_only";

export interface ImageField {
  key: Exclude<keyof Image, "properties">;
  access: FieldAccess;
  /** The image schema's rule for a value a client sends (400 with jsonschema's text). */
  validate?: (value: unknown) => void;
  /** Policy a PATCH of this field needs beyond modify_image (403). */
  patchGuard?: (ctx: RequestContext, value: unknown) => void;
  /** Part of the data's identity: Glance locks it once the image left queued/importing. */
  lockedWithData?: true;
  /** The stored form of a value (tags are a set). */
  normalize?: (value: unknown) => unknown;
  /** Milliseconds in the domain, Glance's isotime on the wire. */
  time?: true;
  /** Store ids: shown only with several stores, comma-separated in configuration order, omitted when empty. */
  storeList?: true;
}

/** In the order Glance serializes an image's base keys (after the extra properties). */
export const IMAGE_FIELDS = {
  name: { key: "name", access: "settable", validate: (v) => checkString(v, { nullable: true, maxLength: 255 }) },
  disk_format: {
    key: "diskFormat",
    access: "settable",
    lockedWithData: true,
    validate: (v) => checkNullableEnum(v, DISK_FORMATS),
  },
  container_format: {
    key: "containerFormat",
    access: "settable",
    lockedWithData: true,
    validate: (v) => checkNullableEnum(v, CONTAINER_FORMATS),
  },
  visibility: {
    key: "visibility",
    access: "settable",
    validate: (v) => {
      if (typeof v !== "string") throw typeError(v, "'string'");
      enumCheck(v, VISIBILITIES);
    },
    patchGuard: (ctx, v) => authorizeVisibility(ctx, v as string),
  },
  size: { key: "size", access: "read_only" },
  virtual_size: { key: "virtualSize", access: "read_only" },
  status: { key: "status", access: "read_only" },
  checksum: { key: "checksum", access: "read_only" },
  protected: { key: "protected", access: "settable", validate: checkBoolean },
  min_ram: { key: "minRam", access: "settable", validate: (v) => checkMinimum("min_ram", v) },
  min_disk: { key: "minDisk", access: "settable", validate: (v) => checkMinimum("min_disk", v) },
  owner: {
    key: "owner",
    access: "settable",
    validate: (v) => checkString(v, { nullable: true, maxLength: 255 }),
    patchGuard: (ctx) => authorizeOwnerChange(ctx),
  },
  os_hidden: { key: "osHidden", access: "settable", validate: checkBoolean },
  os_hash_algo: { key: "osHashAlgo", access: "read_only" },
  os_hash_value: { key: "osHashValue", access: "read_only" },
  id: { key: "id", access: "create_only", validate: (v) => checkUuid(v) },
  created_at: { key: "createdAt", access: "read_only", time: true },
  updated_at: { key: "updatedAt", access: "read_only", time: true },
  tags: {
    key: "tags",
    access: "settable",
    validate: (v) => {
      if (!Array.isArray(v)) throw typeError(v, "'array'");
      for (const t of v) checkString(t, { maxLength: 255 });
    },
    normalize: (v) => uniqueSorted(v as string[]),
  },
  stores: { key: "stores", access: "read_only", storeList: true },
} as const satisfies Record<string, ImageField>;

export type FieldName = keyof typeof IMAGE_FIELDS;

// Every attribute of Image but the extra properties has a row in the table (a compile error otherwise).
const _everyKey: Exclude<keyof Image, "properties"> extends (typeof IMAGE_FIELDS)[FieldName]["key"] ? true : never =
  true;
void _everyKey;

/** The field a wire name denotes, or undefined for an extra property. */
export function fieldOf(name: string): ImageField | undefined {
  return Object.hasOwn(IMAGE_FIELDS, name) ? IMAGE_FIELDS[name as FieldName] : undefined;
}

/** [wire name, field] in serialization order. */
export const FIELD_ENTRIES = Object.entries(IMAGE_FIELDS) as [FieldName, ImageField][];

/** The domain keys every stored image carries (the D1 columns of the table, plus the extra properties). */
export const IMAGE_KEYS: readonly (keyof Image)[] = [...FIELD_ENTRIES.map(([, f]) => f.key), "properties"];
