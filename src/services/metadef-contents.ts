// Objects and properties of a metadefs namespace: list, show (properties also by resource type prefix), CRUD.
import { conflict, forbidden, notFound } from "../domain/errors";
import {
  authorizeRead,
  authorizeWrite,
  isProtected,
  type MetadefObject,
  type MetadefProperty,
  msg,
} from "../domain/metadefs/catalog";
import type { Doc } from "../domain/metadefs/model";
import type { RequestContext } from "../domain/request-context";
import {
  assertEncodable,
  assertThreeByte,
  loadNamespace,
  type MetadefDeps,
  objectDbValues,
  objectRow,
} from "./metadef-namespaces";

/** An object as a create/update answers it: the request's model plus the row's times. */
export interface ObjectResult {
  doc: Doc;
  createdAt: number;
  updatedAt: number;
}

export class MetadefContentService {
  constructor(private readonly d: MetadefDeps) {}

  // Objects. Glance's object routes answer a namespace that is missing or hidden with the not-found text.
  private objectsNamespace = (ctx: RequestContext, ns: string) =>
    loadNamespace(this.d.repo, ctx, ns, msg.namespaceNotFound);

  async listObjects(ctx: RequestContext, nsName: string): Promise<MetadefObject[]> {
    const ns = await this.objectsNamespace(ctx, nsName);
    authorizeRead(ctx, ns);
    return this.d.repo.listObjects(ns.id);
  }

  async showObject(ctx: RequestContext, nsName: string, name: string): Promise<MetadefObject> {
    const ns = await this.objectsNamespace(ctx, nsName);
    authorizeRead(ctx, ns);
    const o = await this.d.repo.findObject(ns.id, name);
    if (!o) throw notFound(msg.objectNotFound(name));
    return o;
  }

  async createObject(ctx: RequestContext, nsName: string, doc: Doc): Promise<ObjectResult> {
    const ns = await this.objectsNamespace(ctx, nsName);
    authorizeWrite(ctx, ns, "add_metadef_object");
    const row = objectRow(doc);
    assertEncodable(Object.values(row.properties));
    assertThreeByte("create metadata object", objectDbValues(row));
    const now = this.d.now();
    const out = await this.d.repo.insertObject(ns.id, row, now);
    if (out === "duplicate") throw conflict(msg.duplicateObject(row.name, nsName));
    if (out === "missing") throw notFound(msg.namespaceNotFound(nsName));
    return { doc, createdAt: now, updatedAt: now };
  }

  /** PUT replaces the object: a field left out is cleared. */
  async updateObject(ctx: RequestContext, nsName: string, name: string, doc: Doc): Promise<ObjectResult> {
    const ns = await this.objectsNamespace(ctx, nsName);
    authorizeWrite(ctx, ns, "modify_metadef_object");
    const current = await this.d.repo.findObject(ns.id, name);
    if (!current) throw notFound(msg.objectNotFound(name));
    const row = objectRow(doc);
    assertEncodable(Object.values(row.properties));
    assertThreeByte("update metadata object", objectDbValues(row));
    const now = this.d.now();
    const out = await this.d.repo.updateObject(current.id, row, now);
    // Glance names the object by its old name here (its session rolls the rename back first).
    if (out === "duplicate") throw conflict(msg.duplicateObjectRename(current.name, nsName));
    if (out === "missing") throw notFound(msg.objectNotFound(name));
    return { doc, createdAt: current.createdAt, updatedAt: now };
  }

  async deleteObject(ctx: RequestContext, nsName: string, name: string): Promise<void> {
    const ns = await this.objectsNamespace(ctx, nsName);
    authorizeWrite(ctx, ns, "delete_metadef_object");
    const o = await this.d.repo.findObject(ns.id, name);
    if (!o) throw notFound(msg.objectNotFound(name));
    if (isProtected(ns)) throw forbidden(msg.protectedObject(name));
    await this.d.repo.deleteObject(o.id);
  }

  // Properties.
  private propertiesNamespace = (ctx: RequestContext, ns: string) =>
    loadNamespace(this.d.repo, ctx, ns, msg.namespaceMissing);

  async listProperties(ctx: RequestContext, nsName: string): Promise<MetadefProperty[]> {
    const ns = await this.propertiesNamespace(ctx, nsName);
    authorizeRead(ctx, ns);
    return this.d.repo.listProperties(ns.id);
  }

  /** With `resourceType`, `name` carries that association's prefix, which must be there and is taken off. */
  async showProperty(
    ctx: RequestContext,
    nsName: string,
    name: string,
    resourceType?: string,
  ): Promise<MetadefProperty> {
    const ns = await this.propertiesNamespace(ctx, nsName);
    authorizeRead(ctx, ns);
    let bare = name;
    if (resourceType !== undefined) {
      if (!(await this.d.repo.findResourceType(resourceType))) throw notFound(msg.resourceTypeNotFound(resourceType));
      const assoc = (await this.d.repo.listAssociations(ns.id)).find((a) => a.name === resourceType);
      if (!assoc) throw notFound(msg.associationNotFound(resourceType, nsName));
      if (!assoc.prefix || !name.startsWith(assoc.prefix)) throw notFound(msg.prefixMismatch(name, assoc.prefix));
      bare = name.slice(assoc.prefix.length);
    }
    const p = await this.d.repo.findProperty(ns.id, bare);
    if (!p) throw notFound(msg.propertyNotFound(bare));
    return p;
  }

  /** `doc` is the validated property model including its name; it is stored as is. */
  async createProperty(ctx: RequestContext, nsName: string, doc: Doc): Promise<Doc> {
    const ns = await this.propertiesNamespace(ctx, nsName);
    authorizeWrite(ctx, ns, "add_metadef_property");
    const name = doc.name as string;
    assertEncodable([doc]);
    assertThreeByte("create metadata property", { name, json_schema: doc });
    const out = await this.d.repo.insertProperty(ns.id, { name, schema: doc }, this.d.now());
    if (out === "duplicate") throw conflict(msg.duplicateProperty(name, nsName));
    if (out === "missing") throw notFound(msg.namespaceMissing(nsName));
    return doc;
  }

  async updateProperty(ctx: RequestContext, nsName: string, name: string, doc: Doc): Promise<Doc> {
    const ns = await this.propertiesNamespace(ctx, nsName);
    authorizeWrite(ctx, ns, "modify_metadef_property");
    const current = await this.d.repo.findProperty(ns.id, name);
    if (!current) throw notFound(msg.propertyNotFound(name));
    const newName = doc.name as string;
    assertEncodable([doc]);
    assertThreeByte("update metadata property", { name: newName, json_schema: doc });
    const out = await this.d.repo.updateProperty(current.id, { name: newName, schema: doc }, this.d.now());
    // As for objects, Glance reports the property's old name.
    if (out === "duplicate") throw conflict(msg.duplicatePropertyRename(current.name, nsName));
    if (out === "missing") throw notFound(msg.propertyNotFound(name));
    return doc;
  }

  async deleteProperty(ctx: RequestContext, nsName: string, name: string): Promise<void> {
    const ns = await this.propertiesNamespace(ctx, nsName);
    authorizeWrite(ctx, ns, "remove_metadef_property");
    const p = await this.d.repo.findProperty(ns.id, name);
    if (!p) throw notFound(msg.propertyNotFound(name));
    if (isProtected(ns)) throw forbidden(msg.protectedProperty(name));
    await this.d.repo.deleteProperty(p.id);
  }
}
