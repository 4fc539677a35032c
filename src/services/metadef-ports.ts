// The storage interface of the metadata definitions catalog, in catalog words; storage/d1 implements it.
import type {
  MetadefNamespace,
  MetadefObject,
  MetadefProperty,
  MetadefTag,
  NamespaceContents,
  ResourceType,
  ResourceTypeAssociation,
} from "../domain/metadefs/catalog";
import type { Doc } from "../domain/metadefs/model";

export interface NamespaceFields {
  namespace: string;
  displayName: string | null;
  description: string | null;
  visibility: string;
  protected: boolean;
  owner: string;
}

export interface NewObject {
  name: string;
  description: string | null;
  /** Glance's storage format: names joined with commas, null when none were given. */
  required: string | null;
  properties: Record<string, Doc>;
}

export interface NewProperty {
  name: string;
  schema: Doc;
}

export interface NewAssociation {
  name: string;
  prefix: string | null;
  propertiesTarget: string | null;
}

export type SortDir = "asc" | "desc";

export interface NamespaceListQuery {
  limit: number;
  sortKey: string;
  sortDir: SortDir;
  /** The namespace to continue after (already checked to be visible). */
  marker: MetadefNamespace | null;
  visibility?: string;
  /** Namespaces associated with any of these resource types. */
  resourceTypes?: string[];
  caller: { isAdmin: boolean; projectId: string | null };
}

export interface TagListQuery {
  limit: number | null;
  sortKey: string;
  sortDir: SortDir;
  marker: MetadefTag | null;
}

/** ok; duplicate: a unique name is taken; missing: the namespace (or row) went away meanwhile. */
export type WriteOutcome = "ok" | "duplicate" | "missing";

export type ContentKind = "objects" | "properties" | "tags";

export interface MetadefRepository {
  findNamespace(name: string): Promise<MetadefNamespace | null>;
  listNamespaces(q: NamespaceListQuery): Promise<MetadefNamespace[]>;
  /** Each namespace's resource type associations, in the order they were made. */
  associationsOf(namespaceIds: number[]): Promise<Map<number, ResourceTypeAssociation[]>>;
  contents(namespaceId: number): Promise<NamespaceContents>;
  /** The namespace and everything in it, in one transaction; duplicate when the name is taken. */
  createNamespace(
    fields: NamespaceFields,
    contents: { associations: NewAssociation[]; objects: NewObject[]; properties: NewProperty[]; tags: string[] },
    now: number,
  ): Promise<WriteOutcome>;
  updateNamespace(id: number, fields: NamespaceFields, now: number): Promise<WriteOutcome>;
  /** Deletes the namespace with all its objects, properties, tags and associations. */
  deleteNamespace(id: number): Promise<void>;
  clear(namespaceId: number, kind: ContentKind): Promise<void>;

  listObjects(namespaceId: number): Promise<MetadefObject[]>;
  findObject(namespaceId: number, name: string): Promise<MetadefObject | null>;
  insertObject(namespaceId: number, o: NewObject, now: number): Promise<WriteOutcome>;
  updateObject(id: number, o: NewObject, now: number): Promise<WriteOutcome>;
  deleteObject(id: number): Promise<void>;

  listProperties(namespaceId: number): Promise<MetadefProperty[]>;
  findProperty(namespaceId: number, name: string): Promise<MetadefProperty | null>;
  insertProperty(namespaceId: number, p: NewProperty, now: number): Promise<WriteOutcome>;
  updateProperty(id: number, p: NewProperty, now: number): Promise<WriteOutcome>;
  deleteProperty(id: number): Promise<void>;

  listTags(namespaceId: number, q: TagListQuery): Promise<MetadefTag[]>;
  /** Tag names compare case-insensitively. */
  findTag(namespaceId: number, name: string): Promise<MetadefTag | null>;
  insertTag(namespaceId: number, name: string, now: number): Promise<WriteOutcome>;
  /** Adds the tags (append) or replaces all of the namespace's tags with them, in one transaction. */
  putTags(namespaceId: number, names: string[], append: boolean, now: number): Promise<WriteOutcome>;
  updateTag(id: number, name: string, now: number): Promise<WriteOutcome>;
  deleteTag(id: number): Promise<void>;

  listResourceTypes(): Promise<ResourceType[]>;
  findResourceType(name: string): Promise<ResourceType | null>;
  listAssociations(namespaceId: number): Promise<ResourceTypeAssociation[]>;
  /** Creates the resource type first if it is new (unprotected, as Glance does for API-made ones). */
  associate(namespaceId: number, a: NewAssociation, now: number): Promise<WriteOutcome>;
  dissociate(namespaceId: number, resourceType: string): Promise<boolean>;
}
