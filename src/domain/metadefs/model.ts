// Glance's metadef models (its WSME types): which attributes each has, in which order, and how values convert.
import { pyRepr } from "../properties";

export type Doc = Record<string, unknown>;

/** A value the model refuses; `reason` reads like a jsonschema message. Glance itself answers these with 500. */
export class ModelError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "ModelError";
  }
}

/** strict: a request body (errors throw); lenient: stored rows, where a bad attribute is dropped, never fatal. */
export type Mode = "strict" | "lenient";

type Convert = (v: unknown, mode: Mode) => unknown;

const notOfType = (v: unknown, type: string) => new ModelError(`${pyRepr(v)} is not of type '${type}'`);
export const isObject = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v);

const text: Convert = (v) => {
  if (v === null || typeof v === "string") return v;
  throw notOfType(v, "string");
};

const textList: Convert = (v) => {
  if (v === null) return null;
  if (!Array.isArray(v)) throw notOfType(v, "array");
  for (const x of v) if (x !== null && typeof x !== "string") throw notOfType(x, "string");
  return [...v];
};

const TRUE_WORDS = ["true", "t", "yes", "y", "on", "1"];
const FALSE_WORDS = ["false", "f", "no", "n", "off", "0"];
const bool: Convert = (v) => {
  if (v === null || typeof v === "boolean") return v;
  if (typeof v === "number" && Number.isInteger(v)) return v !== 0;
  if (typeof v === "string" && TRUE_WORDS.includes(v)) return true;
  if (typeof v === "string" && FALSE_WORDS.includes(v)) return false;
  throw notOfType(v, "boolean");
};

/** Python's int() of a string: optional spaces and sign, digits (underscores between them allowed). */
export function pyIntText(s: string): number | null {
  return /^\s*[+-]?\d+(_\d+)*\s*$/.test(s) ? Number(s.trim().replace(/_/g, "")) : null;
}

/** Python's int(): floats truncate, booleans are 0/1, strings parse as pyIntText does. */
const int: Convert = (v) => {
  if (v === null) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number" && Number.isFinite(v)) return Math.trunc(v);
  const n = typeof v === "string" ? pyIntText(v) : null;
  if (n === null) throw notOfType(v, "integer");
  return n;
};

/** Python's repr of a float: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pyFloatRepr(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  const [mantissa = "", expText = "0"] = n.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return String(n);
}

/**
 * `default` is a byte string in Glance's model: text stays, numbers and booleans become Python's str() of them
 * ("5", "True"), lists and objects become null. JSON cannot tell 5 from 5.0 here, so integral numbers are ints.
 */
const defaultValue: Convert = (v) => {
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number")
    return Number.isInteger(v) ? (Math.abs(v) < 1e21 ? String(v) : BigInt(v).toString()) : pyFloatRepr(v);
  return null;
};

interface Attr {
  name: string;
  convert: Convert;
  mandatory?: boolean;
}

/** Builds the model from JSON the way WSME does: unknown keys first, then each attribute in declaration order. */
function fromJson(attrs: Attr[], v: unknown, mode: Mode): Doc {
  if (!isObject(v)) {
    if (mode === "strict") throw notOfType(v, "object");
    return {};
  }
  const known = new Set(attrs.map((a) => a.name));
  const extras = Object.keys(v).filter((k) => !known.has(k));
  if (extras.length > 0 && mode === "strict") {
    const verb = extras.length === 1 ? "was" : "were";
    throw new ModelError(
      `Additional properties are not allowed (${extras.map((k) => pyRepr(k)).join(", ")} ${verb} unexpected)`,
    );
  }
  const out: Doc = {};
  for (const a of attrs) {
    if (!(a.name in v)) {
      if (a.mandatory && mode === "strict") throw new ModelError(`${pyRepr(a.name)} is a required property`);
      continue;
    }
    try {
      out[a.name] = a.convert(v[a.name], mode);
    } catch (e) {
      if (mode === "strict" || !(e instanceof ModelError)) throw e;
    }
  }
  return out;
}

const model =
  (attrs: Attr[]): Convert =>
  (v, mode) =>
    v === null ? null : fromJson(attrs, v, mode);
const listOf =
  (item: Convert): Convert =>
  (v, mode) => {
    if (v === null) return null;
    if (!Array.isArray(v)) throw notOfType(v, "array");
    return v.map((x) => item(x, mode));
  };
const dictOf =
  (item: Convert): Convert =>
  (v, mode) => {
    if (v === null) return null;
    if (!isObject(v)) throw notOfType(v, "object");
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, item(x, mode)]));
  };

const ITEM_TYPE: Attr[] = [
  { name: "type", convert: text, mandatory: true },
  { name: "enum", convert: textList },
];

/** PropertyType: `name` is only set where a property stands alone (POST /properties); in dicts it is the key. */
const PROPERTY_TYPE: Attr[] = [
  { name: "name", convert: text },
  { name: "type", convert: text, mandatory: true },
  { name: "title", convert: text, mandatory: true },
  { name: "description", convert: text },
  { name: "operators", convert: textList },
  { name: "default", convert: defaultValue },
  { name: "readonly", convert: bool },
  { name: "minimum", convert: int },
  { name: "maximum", convert: int },
  { name: "enum", convert: textList },
  { name: "pattern", convert: text },
  { name: "minLength", convert: int },
  { name: "maxLength", convert: int },
  { name: "confidential", convert: bool },
  { name: "items", convert: model(ITEM_TYPE) },
  { name: "uniqueItems", convert: bool },
  { name: "minItems", convert: int },
  { name: "maxItems", convert: int },
  { name: "additionalItems", convert: bool },
];

const TIMESTAMPS: Attr[] = [
  { name: "created_at", convert: text },
  { name: "updated_at", convert: text },
];

const OBJECT: Attr[] = [
  { name: "name", convert: text, mandatory: true },
  { name: "required", convert: textList },
  { name: "description", convert: text },
  { name: "properties", convert: dictOf(model(PROPERTY_TYPE)) },
  ...TIMESTAMPS,
  { name: "self", convert: text },
  { name: "schema", convert: text },
];

const ASSOCIATION: Attr[] = [
  { name: "name", convert: text, mandatory: true },
  { name: "prefix", convert: text },
  { name: "properties_target", convert: text },
  ...TIMESTAMPS,
];

const TAG: Attr[] = [{ name: "name", convert: text, mandatory: true }, ...TIMESTAMPS];

const NAMESPACE: Attr[] = [
  { name: "namespace", convert: text, mandatory: true },
  { name: "display_name", convert: text },
  { name: "description", convert: text },
  { name: "visibility", convert: text },
  { name: "protected", convert: bool },
  { name: "owner", convert: text },
  ...TIMESTAMPS,
  { name: "resource_type_associations", convert: listOf(model(ASSOCIATION)) },
  { name: "properties", convert: dictOf(model(PROPERTY_TYPE)) },
  { name: "objects", convert: listOf(model(OBJECT)) },
  { name: "tags", convert: listOf(model(TAG)) },
  { name: "self", convert: text },
  { name: "schema", convert: text },
];

/** A property definition in Glance's attribute order (what is stored, and what every response shows). */
export const toPropertyType = (v: unknown, mode: Mode): Doc => fromJson(PROPERTY_TYPE, v, mode);
export const toObjectModel = (v: unknown, mode: Mode): Doc => fromJson(OBJECT, v, mode);
export const toAssociationModel = (v: unknown, mode: Mode): Doc => fromJson(ASSOCIATION, v, mode);
export const toTagModel = (v: unknown, mode: Mode): Doc => fromJson(TAG, v, mode);
export const toNamespaceModel = (v: unknown, mode: Mode): Doc => fromJson(NAMESPACE, v, mode);
export const TAGS_BODY: Attr[] = [{ name: "tags", convert: listOf(model(TAG)) }];
export const toTagsModel = (v: unknown, mode: Mode): Doc => fromJson(TAGS_BODY, v, mode);

/** Glance's model keeps `default` as bytes and decodes them as ASCII on the way out: other text cannot be stored. */
export const undecodableDefault = (property: Doc) =>
  typeof property.default === "string" && /[\u0080-\uffff]/.test(property.default);

/** A dict of property definitions (a namespace's or an object's), each in attribute order. */
export function toPropertyTypes(v: unknown, mode: Mode): Record<string, Doc> {
  return (dictOf(model(PROPERTY_TYPE))(v, mode) as Record<string, Doc> | null) ?? {};
}

const FOUR_BYTE = /[\u{10000}-\u{10FFFF}]/u;

/**
 * Glance's no_4byte_params (its databases store 3-byte UTF-8): the first string value with a 4-byte character,
 * walking nested dicts in order, is "<Key> can't contain 4 byte unicode characters."; such a key is refused too.
 */
export function fourByteViolation(values: Doc): string | null {
  for (const [key, value] of Object.entries(values)) {
    if (isObject(value)) {
      const inner = fourByteViolation(value);
      if (inner) return inner;
      continue;
    }
    if (FOUR_BYTE.test(key)) return "Property names can't contain 4 byte unicode.";
    if (typeof value === "string" && FOUR_BYTE.test(value))
      return `${pyTitle(key)} can't contain 4 byte unicode characters.`;
  }
  return null;
}

/** Python's str.title(): each run of letters starts upper-case, the rest lower-case. */
export function pyTitle(s: string): string {
  return s.replace(/[A-Za-z]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
}
