// jsonschema-style checks with the texts Glance relays ("5 is not of type 'string'"), and Python's repr.
import { badRequest } from "./errors";
import { UUID_RE } from "./image";

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
export const typeError = (v: unknown, type: string) => schemaError(`${pyRepr(v)} is not of type ${type}`);
export const NULL_OR_STRING = "'null', 'string'";
const MAX_INT32 = 2147483647;

export function schemaFail(reason: string): never {
  throw schemaError(reason);
}

export function enumCheck(v: unknown, allowed: readonly (string | null)[]): void {
  if (!allowed.includes(v as string | null)) schemaFail(`${pyRepr(v)} is not one of ${pyRepr(allowed)}`);
}

export const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

export function checkBoolean(v: unknown): void {
  if (typeof v !== "boolean") throw typeError(v, "'boolean'");
}

/** min_ram / min_disk: a non-negative int32. */
export function checkMinimum(key: string, v: unknown): void {
  if (!isInt(v)) throw typeError(v, "'integer'");
  if (v < 0) throw badRequest(`Invalid value '${v}' for parameter '${key}': Cannot be a negative value`);
  if (v > MAX_INT32) throw badRequest(`'${key}' value out of range, must not exceed ${MAX_INT32}.`);
}

export function checkString(v: unknown, opts: { nullable?: boolean; maxLength?: number } = {}): void {
  if (v === null && opts.nullable) return;
  if (typeof v !== "string") throw typeError(v, opts.nullable ? NULL_OR_STRING : "'string'");
  if (opts.maxLength !== undefined && [...v].length > opts.maxLength) schemaFail(`${pyRepr(v)} is too long`);
}

/** A nullable string out of a fixed vocabulary (container_format, disk_format). */
export function checkNullableEnum(v: unknown, allowed: readonly string[]): void {
  if (v !== null && typeof v !== "string") throw typeError(v, NULL_OR_STRING);
  enumCheck(v, [null, ...allowed]);
}

/** A string that must be a UUID (the image id, kernel_id, ramdisk_id). */
export function checkUuid(v: unknown, nullable = false): void {
  checkString(v, { nullable });
  if (!UUID_RE.test(v as string)) schemaFail(`${pyRepr(v)} does not match ${pyRepr(UUID_RE.source)}`);
}
