// The catalog's entities and rules: who sees a namespace, who may change it, and Glance's messages for both.
import { forbidden, notFound } from "../errors";
import type { RequestContext } from "../request-context";
import type { Doc } from "./model";

export interface MetadefNamespace {
  id: number;
  namespace: string;
  displayName: string | null;
  description: string | null;
  /** NULL (a file without one) reads as private, as Glance's domain model defaults it. */
  visibility: string | null;
  protected: boolean | null;
  owner: string;
  createdAt: number;
  updatedAt: number | null;
}

export interface MetadefObject {
  id: number;
  name: string;
  description: string | null;
  required: string[];
  /** Property definitions by name, each in Glance's attribute order. */
  properties: Record<string, Doc>;
  createdAt: number;
  updatedAt: number | null;
}

export interface MetadefProperty {
  id: number;
  name: string;
  /** The stored definition (it carries `name` when it was created through POST /properties). */
  schema: Doc;
  createdAt: number;
  updatedAt: number | null;
}

export interface MetadefTag {
  id: number;
  name: string;
  createdAt: number;
  updatedAt: number | null;
}

export interface ResourceTypeAssociation {
  name: string;
  prefix: string | null;
  propertiesTarget: string | null;
  createdAt: number;
  updatedAt: number | null;
}

export interface ResourceType {
  name: string;
  protected: boolean;
  createdAt: number;
  updatedAt: number | null;
}

/** Everything a namespace holds, as GET /v2/metadefs/namespaces/{ns} shows it. */
export interface NamespaceContents {
  associations: ResourceTypeAssociation[];
  objects: MetadefObject[];
  properties: MetadefProperty[];
  tags: MetadefTag[];
}

/** Columns a namespace list may sort by (Glance accepts any of its model's columns). */
export const NAMESPACE_SORT_KEYS = [
  "namespace",
  "display_name",
  "description",
  "visibility",
  "protected",
  "owner",
  "created_at",
  "updated_at",
  "id",
];
export const TAG_SORT_KEYS = ["name", "created_at", "updated_at", "id", "namespace_id"];

export const visibilityOf = (ns: Pick<MetadefNamespace, "visibility">) => ns.visibility ?? "private";
export const isProtected = (ns: Pick<MetadefNamespace, "protected">) => ns.protected === true;

/** The database's scoping (metadef_api.namespace): admins see all, others public namespaces and their own. */
export function inCatalogOf(ctx: RequestContext, ns: Pick<MetadefNamespace, "owner" | "visibility">): boolean {
  if (ctx.isAdmin) return true;
  return visibilityOf(ns) === "public" || (ctx.projectId !== null && ns.owner === ctx.projectId);
}

/** get_metadef_namespace (and every other read rule): admin, or reader of the owner project or of a public one. */
export function mayRead(ctx: RequestContext, ns: Pick<MetadefNamespace, "owner" | "visibility">): boolean {
  return ctx.isAdmin || (ctx.roles.has("reader") && inCatalogOf(ctx, ns));
}

/** get_metadef_namespaces / list_metadef_resource_types with no namespace: admin or any reader of a project. */
export const mayList = (ctx: RequestContext) => ctx.isAdmin || (ctx.roles.has("reader") && ctx.projectId !== null);

/** Writes are admin-only (metadef_admin); every policy name Glance checks is listed here. */
export type MetadefWrite =
  | "add_metadef_namespace"
  | "modify_metadef_namespace"
  | "delete_metadef_namespace"
  | "add_metadef_object"
  | "modify_metadef_object"
  | "delete_metadef_object"
  | "add_metadef_property"
  | "modify_metadef_property"
  | "remove_metadef_property"
  | "add_metadef_tag"
  | "add_metadef_tags"
  | "modify_metadef_tag"
  | "delete_metadef_tag"
  | "delete_metadef_tags"
  | "add_metadef_resource_type_association"
  | "remove_metadef_resource_type_association";

/**
 * MetadefAPIPolicy._enforce: a caller who could not even read the namespace gets a bare 404 (it must not
 * learn the namespace exists), any other non-admin a 403 naming the rule.
 */
export function authorizeWrite(
  ctx: RequestContext,
  ns: Pick<MetadefNamespace, "owner" | "visibility"> | null,
  action: MetadefWrite,
): void {
  if (ctx.isAdmin) return;
  const readable = ns ? mayRead(ctx, ns) : mayList(ctx);
  if (!readable) throw notFound();
  throw forbidden(`You are not authorized to complete ${action} action.`);
}

/** Reads of a namespace in the catalog by a caller without the reader role: a bare 404. */
export function authorizeRead(ctx: RequestContext, ns: Pick<MetadefNamespace, "owner" | "visibility">): void {
  if (!mayRead(ctx, ns)) throw notFound();
}

export const msg = {
  namespaceNotFound: (name: string) => `Metadata definition namespace=${name} was not found.`,
  /** What most sub-resource routes say for a namespace that is missing or not the caller's to see. */
  namespaceMissing: (name: string) => `Namespace ${name} not found`,
  duplicateNamespace: (name: string) => `The metadata definition namespace=${name} already exists.`,
  duplicateNamespaceRename: (name: string) =>
    `Invalid update. It would result in a duplicate metadata definition namespace with the same name of ${name}`,
  duplicateObject: (name: string, ns: string) =>
    `A metadata definition object with name=${name} already exists in namespace=${ns}.`,
  duplicateObjectRename: (name: string, ns: string) =>
    `Invalid update. It would result in a duplicate metadata definition object with the same name=${name} in namespace=${ns}.`,
  duplicateProperty: (name: string, ns: string) =>
    `A metadata definition property with name=${name} already exists in namespace=${ns}.`,
  duplicatePropertyRename: (name: string, ns: string) =>
    `Invalid update. It would result in a duplicate metadata definition property with the same name=${name} in namespace=${ns}.`,
  duplicateTag: (name: string, ns: string) =>
    `A metadata tag with name=${name} already exists in namespace=${ns}. (Please note that metadata tag names are case insensitive).`,
  duplicateAssociation: (rt: string, ns: string) =>
    `The metadata definition resource-type association of resource-type=${rt} to namespace=${ns} already exists.`,
  protectedNamespace: (name: string) => `Metadata definition namespace ${name} is protected and cannot be deleted.`,
  protectedObject: (name: string) => `Metadata definition object ${name} is protected and cannot be deleted.`,
  protectedProperty: (name: string) => `Metadata definition property ${name} is protected and cannot be deleted.`,
  protectedTag: (name: string) => `Metadata definition tag ${name} is protected and cannot be deleted.`,
  protectedAssociation: (rt: string) =>
    `Metadata definition resource-type-association ${rt} is protected and cannot be deleted.`,
  objectNotFound: (name: string) => `Could not find metadata object ${name}`,
  propertyNotFound: (name: string) => `Could not find property ${name}`,
  tagNotFound: (name: string) => `Could not find metadata tag ${name}`,
  resourceTypeNotFound: (rt: string) => `The metadata definition resource-type with name=${rt}, was not found.`,
  associationNotFound: (rt: string, ns: string) =>
    `The metadata definition resource-type association of resource-type=${rt} to namespace=${ns}, was not found.`,
  associationToDeleteNotFound: (rt: string) => `Failed to find resource type ${rt} to delete`,
  prefixMismatch: (property: string, prefix: string | null) =>
    `Property ${property} does not start with the expected resource type association prefix of '${prefix ?? "None"}'.`,
};
