// The JSON-schema subset Glance's metadef schemas use, reporting the one error Python jsonschema's best_match picks.
import { pyRepr } from "../properties";
import { isObject } from "./model";

type Schema = Record<string, unknown>;

interface SchemaError {
  /** Depth of the failing instance below the document root. */
  depth: number;
  message: string;
  /** jsonschema ranks errors whose instance does not even have the subschema's `type` first. */
  typeMismatch: boolean;
}

/** jsonschema's draft 2020-12 type checker (an integer-valued float is an integer; booleans are not numbers). */
function isType(v: unknown, type: string): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "boolean":
      return typeof v === "boolean";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "array":
      return Array.isArray(v);
    case "object":
      return isObject(v);
    case "null":
      return v === null;
    default:
      return false;
  }
}

/** Structural equality, as Python compares decoded JSON. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && same(a[k], b[k]));
  }
  return false;
}

const codePoints = (s: string) => [...s].length;

class Validator {
  readonly errors: SchemaError[] = [];
  constructor(private readonly root: Schema) {}

  private fail(schema: Schema, instance: unknown, depth: number, message: string): void {
    const t = schema.type;
    const matches =
      typeof t === "string" ? isType(instance, t) : Array.isArray(t) && t.some((x) => isType(instance, x));
    this.errors.push({ depth, message, typeMismatch: !matches });
  }

  private resolve(ref: string): Schema {
    const name = ref.replace(/^#\/definitions\//, "");
    const defs = this.root.definitions as Record<string, Schema> | undefined;
    const target = defs?.[name];
    if (!target) throw new Error(`unresolvable $ref ${ref}`);
    return target;
  }

  /** Keywords are checked in the schema's own key order, as jsonschema iterates them. */
  check(schema: Schema, v: unknown, depth: number): void {
    for (const [keyword, arg] of Object.entries(schema)) {
      switch (keyword) {
        case "$ref":
          this.check(this.resolve(arg as string), v, depth);
          break;
        case "allOf":
          for (const sub of arg as Schema[]) this.check(sub, v, depth);
          break;
        case "type": {
          const types = Array.isArray(arg) ? (arg as string[]) : [arg as string];
          if (!types.some((t) => isType(v, t)))
            this.fail(schema, v, depth, `${pyRepr(v)} is not of type ${types.map((t) => pyRepr(t)).join(", ")}`);
          break;
        }
        case "enum":
          if (!(arg as unknown[]).some((e) => same(e, v)))
            this.fail(schema, v, depth, `${pyRepr(v)} is not one of ${pyRepr(arg)}`);
          break;
        case "maxLength":
          if (typeof v === "string" && codePoints(v) > (arg as number))
            this.fail(schema, v, depth, `${pyRepr(v)} is too long`);
          break;
        case "minLength":
          if (typeof v === "string" && codePoints(v) < (arg as number))
            this.fail(schema, v, depth, `${pyRepr(v)} is too short`);
          break;
        case "minimum":
          if (typeof v === "number" && v < (arg as number))
            this.fail(schema, v, depth, `${pyRepr(v)} is less than the minimum of ${pyRepr(arg)}`);
          break;
        case "maximum":
          if (typeof v === "number" && v > (arg as number))
            this.fail(schema, v, depth, `${pyRepr(v)} is greater than the maximum of ${pyRepr(arg)}`);
          break;
        case "items":
          if (Array.isArray(v)) for (const x of v) this.check(arg as Schema, x, depth + 1);
          break;
        case "minItems":
          if (Array.isArray(v) && v.length < (arg as number)) this.fail(schema, v, depth, `${pyRepr(v)} is too short`);
          break;
        case "uniqueItems":
          if (arg === true && Array.isArray(v) && v.some((x, i) => v.findIndex((y) => same(x, y)) !== i))
            this.fail(schema, v, depth, `${pyRepr(v)} has non-unique elements`);
          break;
        case "required":
          if (isObject(v))
            for (const key of arg as string[])
              if (!(key in v)) this.fail(schema, v, depth, `${pyRepr(key)} is a required property`);
          break;
        case "properties":
          if (isObject(v))
            for (const [key, sub] of Object.entries(arg as Record<string, Schema>))
              if (key in v) this.check(sub, v[key], depth + 1);
          break;
        case "additionalProperties": {
          if (!isObject(v)) break;
          const known = (schema.properties ?? {}) as Record<string, unknown>;
          const extras = Object.keys(v).filter((k) => !(k in known));
          if (arg === false && extras.length > 0) {
            const verb = extras.length === 1 ? "was" : "were";
            this.fail(
              schema,
              v,
              depth,
              `Additional properties are not allowed (${extras.map((k) => pyRepr(k)).join(", ")} ${verb} unexpected)`,
            );
          } else if (isObject(arg)) {
            for (const k of extras) this.check(arg, v[k], depth + 1);
          }
          break;
        }
        default:
          // name, description, format, default, definitions, readOnly, links: annotations only.
          break;
      }
    }
  }
}

/**
 * Validates `instance` against one of the metadef schemas; returns jsonschema's best_match message (the
 * shallowest error, type mismatches first, then schema order), or null when the instance is valid.
 */
export function schemaViolation(schema: Schema, instance: unknown): string | null {
  const v = new Validator(schema);
  v.check(schema, instance, 0);
  let best: SchemaError | undefined;
  for (const e of v.errors) {
    if (!best || e.depth < best.depth || (e.depth === best.depth && e.typeMismatch && !best.typeMismatch)) best = e;
  }
  return best?.message ?? null;
}
