// Tags of a metadefs namespace (one by one or in bulk) and resource types with their namespace associations.
import { badRequest, conflict, forbidden, notFound } from "../domain/errors";
import {
  authorizeRead,
  authorizeWrite,
  isProtected,
  type MetadefTag,
  mayList,
  msg,
  type ResourceType,
  type ResourceTypeAssociation,
} from "../domain/metadefs/catalog";
import { schemaViolation } from "../domain/metadefs/json-schema";
import { TAG_SCHEMA } from "../domain/metadefs/schemas";
import type { RequestContext } from "../domain/request-context";
import { assertThreeByte, firstDuplicate, foldTag, loadNamespace, type MetadefDeps } from "./metadef-namespaces";
import type { NewAssociation, SortDir } from "./metadef-ports";

export interface TagListRequest {
  limit: number | null;
  sortKey: string;
  sortDir: SortDir;
  marker?: string;
}

export class MetadefTagService {
  constructor(private readonly d: MetadefDeps) {}

  private namespace = (ctx: RequestContext, ns: string) => loadNamespace(this.d.repo, ctx, ns, msg.namespaceMissing);

  async list(ctx: RequestContext, nsName: string, q: TagListRequest): Promise<MetadefTag[]> {
    const ns = await this.namespace(ctx, nsName);
    authorizeRead(ctx, ns);
    let marker: MetadefTag | null = null;
    if (q.marker) {
      marker = await this.d.repo.findTag(ns.id, q.marker);
      if (!marker) throw notFound(msg.tagNotFound(q.marker));
    }
    return this.d.repo.listTags(ns.id, { limit: q.limit, sortKey: q.sortKey, sortDir: q.sortDir, marker });
  }

  async show(ctx: RequestContext, nsName: string, name: string): Promise<MetadefTag> {
    const ns = await this.namespace(ctx, nsName);
    authorizeRead(ctx, ns);
    const tag = await this.d.repo.findTag(ns.id, name);
    if (!tag) throw notFound(msg.tagNotFound(name));
    return tag;
  }

  /** POST …/tags/{name}: the name from the path is checked against the tag schema once the namespace is found. */
  async create(ctx: RequestContext, nsName: string, name: string): Promise<Omit<MetadefTag, "id">> {
    const ns = await this.namespace(ctx, nsName);
    const violation = schemaViolation(TAG_SCHEMA, { name });
    if (violation) throw badRequest(`Provided object does not match schema 'tag': ${violation}`);
    authorizeWrite(ctx, ns, "add_metadef_tag");
    assertThreeByte("create metadata tag", { name });
    const now = this.d.now();
    const out = await this.d.repo.insertTag(ns.id, name, now);
    if (out === "duplicate") throw conflict(msg.duplicateTag(name, nsName));
    if (out === "missing") throw notFound(msg.namespaceMissing(nsName));
    return { name, createdAt: now, updatedAt: now };
  }

  /** POST …/tags: replaces all tags, or adds to them with X-Openstack-Append; one duplicate fails them all. */
  async createMany(ctx: RequestContext, nsName: string, names: string[], append: boolean): Promise<string[]> {
    const ns = await this.namespace(ctx, nsName);
    authorizeWrite(ctx, ns, "add_metadef_tags");
    if (names.length === 0) return names;
    const duplicates = async () => {
      const existing = append
        ? await this.d.repo.listTags(ns.id, { limit: null, sortKey: "id", sortDir: "asc", marker: null })
        : [];
      firstDuplicate(names, (t) => msg.duplicateTag(t, nsName), foldTag, new Set(existing.map((t) => foldTag(t.name))));
    };
    await duplicates();
    const out = await this.d.repo.putTags(ns.id, names, append, this.d.now());
    if (out === "duplicate") {
      // Another request added one of these tags meanwhile: name it if we can see it.
      await duplicates();
      throw conflict(msg.duplicateTag(names[0]!, nsName));
    }
    if (out === "missing") throw notFound(msg.namespaceMissing(nsName));
    return names;
  }

  async rename(ctx: RequestContext, nsName: string, name: string, newName: string): Promise<MetadefTag> {
    const ns = await this.namespace(ctx, nsName);
    authorizeWrite(ctx, ns, "modify_metadef_tag");
    const tag = await this.d.repo.findTag(ns.id, name);
    if (!tag) throw notFound(msg.tagNotFound(name));
    assertThreeByte("update metadata tag", { name: newName });
    const now = this.d.now();
    const out = await this.d.repo.updateTag(tag.id, newName, now);
    if (out === "duplicate") throw conflict(msg.duplicateTag(newName, nsName));
    if (out === "missing") throw notFound(msg.tagNotFound(name));
    return { ...tag, name: newName, updatedAt: now };
  }

  async remove(ctx: RequestContext, nsName: string, name: string): Promise<void> {
    const ns = await this.namespace(ctx, nsName);
    authorizeWrite(ctx, ns, "delete_metadef_tag");
    const tag = await this.d.repo.findTag(ns.id, name);
    if (!tag) throw notFound(msg.tagNotFound(name));
    if (isProtected(ns)) throw forbidden(msg.protectedTag(name));
    await this.d.repo.deleteTag(tag.id);
  }

  // Resource types.
  async resourceTypes(ctx: RequestContext): Promise<ResourceType[]> {
    if (!mayList(ctx)) throw notFound();
    return this.d.repo.listResourceTypes();
  }

  async associations(ctx: RequestContext, nsName: string): Promise<ResourceTypeAssociation[]> {
    const ns = await this.namespace(ctx, nsName);
    authorizeRead(ctx, ns);
    return this.d.repo.listAssociations(ns.id);
  }

  async associate(ctx: RequestContext, nsName: string, a: NewAssociation): Promise<ResourceTypeAssociation> {
    const ns = await this.namespace(ctx, nsName);
    authorizeWrite(ctx, ns, "add_metadef_resource_type_association");
    const now = this.d.now();
    const out = await this.d.repo.associate(ns.id, a, now);
    if (out === "duplicate") throw conflict(msg.duplicateAssociation(a.name, nsName));
    if (out === "missing") throw notFound(msg.namespaceMissing(nsName));
    return { ...a, createdAt: now, updatedAt: now };
  }

  async dissociate(ctx: RequestContext, nsName: string, resourceType: string): Promise<void> {
    const ns = await this.namespace(ctx, nsName);
    authorizeWrite(ctx, ns, "remove_metadef_resource_type_association");
    const linked = (await this.d.repo.listAssociations(ns.id)).some((a) => a.name === resourceType);
    if (!linked) throw notFound(msg.associationToDeleteNotFound(resourceType));
    if (isProtected(ns)) throw forbidden(msg.protectedAssociation(resourceType));
    if (!(await this.d.repo.dissociate(ns.id, resourceType)))
      throw notFound(msg.associationToDeleteNotFound(resourceType));
  }
}
