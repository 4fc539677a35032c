// Namespace use cases of the metadefs catalog: list, create (with contents), show, update, delete, clear.
import { badRequest, conflict, forbidden, notFound } from "../domain/errors";
import {
  authorizeRead,
  authorizeWrite,
  inCatalogOf,
  isProtected,
  type MetadefNamespace,
  mayList,
  msg,
  type NamespaceContents,
  type ResourceTypeAssociation,
} from "../domain/metadefs/catalog";
import { type Doc, fourByteViolation, undecodableDefault } from "../domain/metadefs/model";
import type { RequestContext } from "../domain/request-context";
import type { ContentKind, MetadefRepository, NamespaceFields, NewObject, SortDir } from "./metadef-ports";

export interface MetadefDeps {
  repo: MetadefRepository;
  now: () => number;
}

/** The namespace by name if it is in the caller's catalog; `missing` builds the route's 404 otherwise. */
export async function loadNamespace(
  repo: MetadefRepository,
  ctx: RequestContext,
  name: string,
  missing: (name: string) => string,
): Promise<MetadefNamespace> {
  const ns = await repo.findNamespace(name);
  if (!ns || !inCatalogOf(ctx, ns)) throw notFound(missing(name));
  return ns;
}

const DECODE_ERROR =
  "Error decoding your request. Either the URL or the request body contained characters that could not be decoded by Glance";

/** Glance stores a property only if its `default` survives an ASCII round trip (400 otherwise). */
export function assertEncodable(properties: Iterable<Doc>): void {
  for (const p of properties) if (undecodableDefault(p)) throw badRequest(DECODE_ERROR);
}

/** Glance's no_4byte_params on what is about to be stored; `what` names the operation ("create metadata tag"). */
export function assertThreeByte(what: string, values: Doc): void {
  const v = fourByteViolation(values);
  if (v) throw badRequest(`Couldn't ${what}: ${v}`);
}

/** How an object is stored: required names joined with commas (null when none), definitions by name. */
export function objectRow(doc: Doc): NewObject {
  const required = doc.required as string[] | null | undefined;
  return {
    name: doc.name as string,
    description: (doc.description as string | null | undefined) ?? null,
    required: required && required.length > 0 ? required.join(",") : null,
    properties: (doc.properties as Record<string, Doc> | null | undefined) ?? {},
  };
}

export const objectDbValues = (o: NewObject): Doc => ({
  name: o.name,
  required: o.required,
  description: o.description,
  json_schema: o.properties,
});

/** ASCII-only case folding, as SQLite's NOCASE compares tag names. */
export const foldTag = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

export interface NamespaceListRequest {
  limit: number;
  sortKey: string;
  sortDir: SortDir;
  marker?: string;
  visibility?: string;
  resourceTypes?: string[];
}

export interface ListedNamespace {
  namespace: MetadefNamespace;
  associations: ResourceTypeAssociation[];
}

export class MetadefNamespaceService {
  constructor(private readonly d: MetadefDeps) {}

  async list(ctx: RequestContext, q: NamespaceListRequest): Promise<ListedNamespace[]> {
    if (!mayList(ctx)) throw notFound();
    const marker =
      q.marker === undefined ? null : await loadNamespace(this.d.repo, ctx, q.marker, msg.namespaceNotFound);
    const page = await this.d.repo.listNamespaces({
      limit: q.limit,
      sortKey: q.sortKey,
      sortDir: q.sortDir,
      marker,
      visibility: q.visibility,
      resourceTypes: q.resourceTypes,
      caller: { isAdmin: ctx.isAdmin, projectId: ctx.projectId },
    });
    const associations = await this.d.repo.associationsOf(page.map((n) => n.id));
    return page.map((namespace) => ({ namespace, associations: associations.get(namespace.id) ?? [] }));
  }

  /** `doc` is the validated namespace model; its contents are stored with it in one transaction. */
  async create(ctx: RequestContext, doc: Doc): Promise<Omit<MetadefNamespace, "id">> {
    authorizeWrite(ctx, null, "add_metadef_namespace");
    const fields: NamespaceFields = {
      namespace: doc.namespace as string,
      displayName: (doc.display_name as string | undefined) ?? null,
      description: (doc.description as string | undefined) ?? null,
      visibility: (doc.visibility as string | undefined) ?? "private",
      protected: (doc.protected as boolean | undefined) ?? false,
      owner: (doc.owner as string | undefined) ?? ctx.projectId ?? ctx.userId,
    };
    const name = fields.namespace;
    const what = "create metadata namespace";
    assertThreeByte(what, namespaceDbValues(fields));
    if (await this.d.repo.findNamespace(name)) throw conflict(msg.duplicateNamespace(name));
    // Glance creates the contents in this order and stops at the first failure.
    const associations = ((doc.resource_type_associations as Doc[] | undefined) ?? []).map((a) => ({
      name: a.name as string,
      prefix: (a.prefix as string | null | undefined) ?? null,
      propertiesTarget: (a.properties_target as string | null | undefined) ?? null,
    }));
    firstDuplicate(
      associations.map((a) => a.name),
      (rt) => msg.duplicateAssociation(rt, name),
    );
    const objects = ((doc.objects as Doc[] | undefined) ?? []).map(objectRow);
    for (const o of objects) {
      assertEncodable(Object.values(o.properties));
      assertThreeByte(what, objectDbValues(o));
    }
    firstDuplicate(
      objects.map((o) => o.name),
      (o) => msg.duplicateObject(o, name),
    );
    const tags = ((doc.tags as Doc[] | undefined) ?? []).map((t) => t.name as string);
    for (const t of tags) assertThreeByte(what, { name: t });
    firstDuplicate(tags, (t) => msg.duplicateTag(t, name), foldTag);
    const properties = Object.entries((doc.properties as Record<string, Doc> | undefined) ?? {}).map(([n, schema]) => ({
      name: n,
      schema,
    }));
    for (const p of properties) {
      assertEncodable([p.schema]);
      assertThreeByte(what, { name: p.name, json_schema: p.schema });
    }
    const now = this.d.now();
    const out = await this.d.repo.createNamespace(fields, { associations, objects, properties, tags }, now);
    if (out !== "ok") throw conflict(msg.duplicateNamespace(name));
    return { ...fields, createdAt: now, updatedAt: now };
  }

  async show(
    ctx: RequestContext,
    name: string,
    resourceType?: string,
  ): Promise<{ namespace: MetadefNamespace; contents: NamespaceContents; prefix: string | null }> {
    const namespace = await loadNamespace(this.d.repo, ctx, name, msg.namespaceNotFound);
    authorizeRead(ctx, namespace);
    const contents = await this.d.repo.contents(namespace.id);
    const assoc = resourceType === undefined ? undefined : contents.associations.find((a) => a.name === resourceType);
    return { namespace, contents, prefix: assoc?.prefix ?? null };
  }

  /** PUT replaces every field: absent ones fall back to Glance's create defaults (the owner to the caller). */
  async update(ctx: RequestContext, name: string, doc: Doc): Promise<MetadefNamespace> {
    const ns = await loadNamespace(this.d.repo, ctx, name, msg.namespaceMissing);
    authorizeWrite(ctx, ns, "modify_metadef_namespace");
    const fields: NamespaceFields = {
      namespace: doc.namespace as string,
      displayName: (doc.display_name as string | undefined) ?? null,
      description: (doc.description as string | undefined) ?? null,
      visibility: (doc.visibility as string | undefined) || "private",
      protected: (doc.protected as boolean | undefined) || false,
      owner: (doc.owner as string | undefined) || (ctx.projectId ?? ctx.userId),
    };
    assertThreeByte("update metadata namespace", namespaceDbValues(fields));
    const now = this.d.now();
    const out = await this.d.repo.updateNamespace(ns.id, fields, now);
    if (out === "duplicate") throw conflict(msg.duplicateNamespaceRename(fields.namespace));
    if (out === "missing") throw notFound(msg.namespaceMissing(name));
    return { ...ns, ...fields, updatedAt: now };
  }

  async remove(ctx: RequestContext, name: string): Promise<void> {
    const ns = await this.writable(ctx, name);
    await this.d.repo.deleteNamespace(ns.id);
  }

  /** DELETE …/objects, …/properties, …/tags: Glance checks the namespace's own delete rule (and protection). */
  async clear(ctx: RequestContext, name: string, kind: ContentKind): Promise<void> {
    const ns = await this.writable(ctx, name);
    await this.d.repo.clear(ns.id, kind);
  }

  private async writable(ctx: RequestContext, name: string): Promise<MetadefNamespace> {
    const ns = await loadNamespace(this.d.repo, ctx, name, msg.namespaceMissing);
    authorizeWrite(ctx, ns, "delete_metadef_namespace");
    if (isProtected(ns)) throw forbidden(msg.protectedNamespace(ns.namespace));
    return ns;
  }
}

const namespaceDbValues = (f: NamespaceFields): Doc => ({
  namespace: f.namespace,
  display_name: f.displayName,
  description: f.description,
  visibility: f.visibility,
  protected: f.protected,
  owner: f.owner,
});

/** 409 with `message(name)` for the first name that repeats an earlier one (compared through `key`). */
export function firstDuplicate(
  names: string[],
  message: (name: string) => string,
  key = (s: string) => s,
  seen = new Set<string>(),
): void {
  for (const n of names) {
    if (seen.has(key(n))) throw conflict(message(n));
    seen.add(key(n));
  }
}
