// parseCreateImage: a POST /v2/images body -> NewImageInput, with Glance's 400/403 checks in Glance's order.
import { badRequest, forbidden } from "../../domain/errors";
import { type NewImageInput, setProperty } from "../../domain/image";
import { fieldOf } from "../../domain/image-fields";
import { assertNotReadOnlyOrReserved, pyRepr, validateValue } from "../../domain/properties";

/** Link-like attributes Glance refuses before schema validation. */
const DISALLOWED = ["direct_url", "self", "file", "schema", "stores"];

export function parseCreateImage(body: unknown): NewImageInput {
  if (Array.isArray(body) || body === null || typeof body !== "object")
    throw badRequest(`Provided object does not match schema 'image': ${pyRepr(body)} is not of type 'object'`);
  const doc = body as Record<string, unknown>;
  for (const key of DISALLOWED) if (key in doc) throw forbidden(`Attribute '${key}' is read-only.`);

  const input: Record<string, unknown> = {};
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc)) {
    const field = fieldOf(key);
    if (field?.access !== "create_only") assertNotReadOnlyOrReserved(key);
    validateValue(key, value);
    if (field) input[field.key] = value;
    else setProperty(properties, key, value as string);
  }
  input.properties = properties;
  return input as NewImageInput;
}
