// Glance-shaped metadefs documents: keys in Glance's model order, unset values left out, times as isotime.
import {
  isProtected,
  type MetadefNamespace,
  type MetadefObject,
  type MetadefProperty,
  type MetadefTag,
  type NamespaceContents,
  type ResourceType,
  type ResourceTypeAssociation,
  visibilityOf,
} from "../../domain/metadefs/catalog";
import type { Doc } from "../../domain/metadefs/model";
import { isoTime } from "./image";

const NAMESPACE_SCHEMA = "/v2/schemas/metadefs/namespace";
const OBJECT_SCHEMA = "/v2/schemas/metadefs/object";

export const namespaceHref = (name: string) => `/v2/metadefs/namespaces/${name}`;
const objectHref = (ns: string, name: string) => `${namespaceHref(ns)}/objects/${name}`;

/** Glance's to_wsme_model: attributes that are None are not shown at all. */
function compact(entries: [string, unknown][]): Doc {
  const out: Doc = {};
  for (const [k, v] of entries) if (v !== null && v !== undefined) out[k] = v;
  return out;
}
const time = (ms: number | null) => (ms === null ? null : isoTime(ms));

/** The namespace's own fields; `nested` (associations, properties, objects, tags) goes between them and self. */
export function namespaceDoc(ns: Omit<MetadefNamespace, "id">, nested: Doc = {}): Doc {
  return compact([
    ["namespace", ns.namespace],
    ["display_name", ns.displayName],
    ["description", ns.description],
    ["visibility", visibilityOf(ns)],
    ["protected", isProtected(ns)],
    ["owner", ns.owner],
    ["created_at", time(ns.createdAt)],
    ["updated_at", time(ns.updatedAt)],
    ["resource_type_associations", nested.resource_type_associations],
    ["properties", nested.properties],
    ["objects", nested.objects],
    ["tags", nested.tags],
    ["self", namespaceHref(ns.namespace)],
    ["schema", NAMESPACE_SCHEMA],
  ]);
}

export const associationDoc = (a: Omit<ResourceTypeAssociation, never>): Doc =>
  compact([
    ["name", a.name],
    ["prefix", a.prefix],
    ["properties_target", a.propertiesTarget],
    ["created_at", time(a.createdAt)],
    ["updated_at", time(a.updatedAt)],
  ]);

export const resourceTypeDoc = (r: ResourceType): Doc =>
  compact([
    ["name", r.name],
    ["created_at", time(r.createdAt)],
    ["updated_at", time(r.updatedAt)],
  ]);

const prefixed = (prefix: string, props: Record<string, Doc>) =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [prefix + k, v]));

export function objectDoc(nsName: string, o: MetadefObject, prefix: string | null = null): Doc {
  return compact([
    ["name", o.name],
    ["required", prefix && o.required.length > 0 ? o.required.map((r) => prefix + r) : o.required],
    ["description", o.description],
    ["properties", prefix ? prefixed(prefix, o.properties) : o.properties],
    ["created_at", time(o.createdAt)],
    ["updated_at", time(o.updatedAt)],
    ["self", objectHref(nsName, o.name)],
    ["schema", OBJECT_SCHEMA],
  ]);
}

/** An object as POST/PUT answer it: what the request set (Glance echoes its model), with times and links. */
export function objectResultDoc(nsName: string, r: { doc: Doc; createdAt: number; updatedAt: number }): Doc {
  return compact([
    ["name", r.doc.name],
    ["required", r.doc.required],
    ["description", r.doc.description],
    ["properties", r.doc.properties],
    ["created_at", time(r.createdAt)],
    ["updated_at", time(r.updatedAt)],
    ["self", objectHref(nsName, r.doc.name as string)],
    ["schema", OBJECT_SCHEMA],
  ]);
}

/** GET/POST/PUT of one property: the row's name comes first, then the definition. */
export function propertyDoc(name: string, schema: Doc): Doc {
  const { name: _ignored, ...rest } = schema;
  return { name, ...rest };
}

/** A namespace's properties by name, as stored (a definition made by POST /properties carries its name). */
export const propertiesDict = (props: MetadefProperty[], prefix: string | null = null): Record<string, Doc> =>
  Object.fromEntries(props.map((p) => [(prefix ?? "") + p.name, p.schema]));

export const tagDoc = (t: Omit<MetadefTag, "id">): Doc =>
  compact([
    ["name", t.name],
    ["created_at", time(t.createdAt)],
    ["updated_at", time(t.updatedAt)],
  ]);

/** GET /namespaces/{ns}: contents appear only when there are some; `prefix` applies a resource type's. */
export function namespaceDetailDoc(ns: MetadefNamespace, c: NamespaceContents, prefix: string | null): Doc {
  const nested: Doc = {};
  if (c.associations.length) nested.resource_type_associations = c.associations.map(associationDoc);
  if (c.properties.length) nested.properties = propertiesDict(c.properties, prefix);
  if (c.objects.length) nested.objects = c.objects.map((o) => objectDoc(ns.namespace, o, prefix));
  if (c.tags.length) nested.tags = c.tags.map((t) => ({ name: t.name }));
  return namespaceDoc(ns, nested);
}
