// parseCreateImage: a POST /v2/images body -> NewImageInput, with Glance's 400/403 checks in Glance's order.
import { badRequest, forbidden } from "../../domain/errors";
import { type NewImageInput, setProperty, type Visibility } from "../../domain/image";
import { assertNotReadOnlyOrReserved, BASE_KEYS, pyRepr, validateValue } from "../../domain/properties";

/** Link-like attributes Glance refuses before schema validation. */
const DISALLOWED = ["direct_url", "self", "file", "schema", "stores"];

export function parseCreateImage(body: unknown): NewImageInput {
  if (Array.isArray(body) || body === null || typeof body !== "object")
    throw badRequest(`Provided object does not match schema 'image': ${pyRepr(body)} is not of type 'object'`);
  const doc = body as Record<string, unknown>;
  for (const key of DISALLOWED) if (key in doc) throw forbidden(`Attribute '${key}' is read-only.`);

  const input: NewImageInput = {};
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key !== "id") assertNotReadOnlyOrReserved(key);
    validateValue(key, value);
    if (!BASE_KEYS.has(key)) {
      setProperty(properties, key, value as string);
      continue;
    }
    switch (key) {
      case "id":
        input.id = value as string;
        break;
      case "name":
        input.name = value as string | null;
        break;
      case "visibility":
        input.visibility = value as Visibility;
        break;
      case "protected":
        input.protected = value as boolean;
        break;
      case "os_hidden":
        input.osHidden = value as boolean;
        break;
      case "min_ram":
        input.minRam = value as number;
        break;
      case "min_disk":
        input.minDisk = value as number;
        break;
      case "container_format":
        input.containerFormat = value as string | null;
        break;
      case "disk_format":
        input.diskFormat = value as string | null;
        break;
      case "tags":
        input.tags = value as string[];
        break;
      case "owner":
        input.owner = value as string | null;
        break;
    }
  }
  input.properties = properties;
  return input;
}
