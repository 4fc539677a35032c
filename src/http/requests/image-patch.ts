// PATCH /v2/images/{id} request parsing: media type -> dialect (415 otherwise), body -> ops, JSON pointers.
import { badRequest, unsupportedMediaType } from "../../domain/errors";
import type { PatchDialect, PatchOp } from "../../domain/image-patch";

export const ACCEPT_PATCH =
  "application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch";

/**
 * The media type decides the dialect. application/json is not Glance's (it answers 415), but the seed
 * walkthrough sends it with v2.1-style ops, so we read it as v2.1.
 */
export function patchDialect(contentType: string | undefined): PatchDialect {
  const media = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (media === "application/openstack-images-v2.1-json-patch" || media === "application/json") return "v2.1";
  if (media === "application/openstack-images-v2.0-json-patch") return "v2.0";
  throw unsupportedMediaType(`The request media type ${contentType ?? "None"} is not supported by this server.`, {
    headers: { "Accept-Patch": ACCEPT_PATCH },
  });
}

const OPS = ["add", "remove", "replace"] as const;
type OpName = (typeof OPS)[number];

/** Decodes a JSON pointer that must name exactly one image attribute (Glance allows deeper only for locations). */
export function decodePointer(pointer: unknown): string {
  if (typeof pointer !== "string") throw badRequest(`Pointer \`${String(pointer)}\` does not start with "/".`);
  if (!pointer.startsWith("/")) throw badRequest(`Pointer \`${pointer}\` does not start with "/".`);
  if (pointer.endsWith("/")) throw badRequest(`Pointer \`${pointer}\` end with "/".`);
  if (pointer.includes("//")) throw badRequest(`Pointer \`${pointer}\` contains adjacent "/".`);
  if (/~(?![01])/.test(pointer))
    throw badRequest(`Pointer \`${pointer}\` contains "~" not part of a recognized escape sequence.`);
  const segments = pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~").trim());
  if (segments.length !== 1 || segments[0] === "")
    throw badRequest(`Invalid JSON pointer for this resource: '${pointer}'`);
  return segments[0]!;
}

function parseV21(raw: Record<string, unknown>): { op: OpName; path: unknown } {
  if (!("op" in raw))
    throw badRequest(
      "Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.",
    );
  if (!OPS.includes(raw.op as OpName))
    throw badRequest(
      `Invalid operation: \`${String(raw.op)}\`. It must be one of the following: add, remove, replace.`,
    );
  if (!("path" in raw)) throw badRequest("Unable to find 'path' in JSON Schema change");
  return { op: raw.op as OpName, path: raw.path };
}

function parseV20(raw: Record<string, unknown>): { op: OpName; path: unknown } {
  const present = OPS.filter((o) => o in raw);
  if (present.length === 0)
    throw badRequest('Operation objects must contain exactly one member named "add", "remove", or "replace".');
  if (present.length > 1)
    throw badRequest('Operation objects must contain only one member named "add", "remove", or "replace".');
  return { op: present[0]!, path: raw[present[0]!] };
}

export function parseImagePatch(dialect: PatchDialect, body: unknown): PatchOp[] {
  if (!Array.isArray(body)) throw badRequest("Request body must be a JSON array of operation objects.");
  return body.map((raw: unknown) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw))
      throw badRequest("Operations must be JSON objects.");
    const obj = raw as Record<string, unknown>;
    const { op, path } = dialect === "v2.1" ? parseV21(obj) : parseV20(obj);
    const key = decodePointer(path);
    if (op === "remove") return { op, key };
    if (!("value" in obj)) throw badRequest(`Operation "${op}" requires a member named "value".`);
    return { op, key, value: obj.value };
  });
}
