// The metadata-definitions JSON schemas, key for key as Glance serves them; request bodies are validated against them.
type Json = Record<string, unknown>;

const TYPES = ["array", "boolean", "integer", "number", "object", "string", null];
const readOnlyTime = (description: string) => ({ type: "string", readOnly: true, description, format: "date-time" });
const READ_ONLY_STRING = { readOnly: true, type: "string" };

/** One property definition (a namespace's, an object's, or POST /properties), minus the `name` rule. */
const propertyAttributes = (): Json => ({
  name: { type: "string", maxLength: 80 },
  title: { type: "string" },
  description: { type: "string" },
  operators: { type: "array", items: { type: "string" } },
  type: { type: "string", enum: TYPES },
  required: { $ref: "#/definitions/stringArray" },
  minimum: { type: "number" },
  maximum: { type: "number" },
  maxLength: { $ref: "#/definitions/positiveInteger" },
  minLength: { $ref: "#/definitions/positiveIntegerDefault0" },
  pattern: { type: "string", format: "regex" },
  enum: { type: "array" },
  readonly: { type: "boolean" },
  default: {},
  items: { type: "object", properties: { type: { type: "string", enum: TYPES }, enum: { type: "array" } } },
  maxItems: { $ref: "#/definitions/positiveInteger" },
  minItems: { $ref: "#/definitions/positiveIntegerDefault0" },
  uniqueItems: { type: "boolean", default: false },
  additionalItems: { type: "boolean" },
});

/** Glance's shared definitions; the property schema's string arrays need at least one item, the others do not. */
const definitions = (withProperty: boolean, stringArrayMinItems: boolean): Json => ({
  positiveInteger: { type: "integer", minimum: 0 },
  positiveIntegerDefault0: { allOf: [{ $ref: "#/definitions/positiveInteger" }, { default: 0 }] },
  stringArray: stringArrayMinItems
    ? { type: "array", items: { type: "string" }, minItems: 1, uniqueItems: true }
    : { type: "array", items: { type: "string" }, uniqueItems: true },
  ...(withProperty
    ? {
        property: {
          type: "object",
          additionalProperties: { type: "object", required: ["title", "type"], properties: propertyAttributes() },
        },
      }
    : {}),
});

/** glance.schema.Schema.raw(): name, properties, additionalProperties, then definitions and required if any. */
const item = (name: string, properties: Json, required: string[], defs?: Json): Json => ({
  name,
  properties,
  additionalProperties: false,
  ...(defs ? { definitions: defs } : {}),
  required,
});

const namespaceProperties = (): Json => ({
  namespace: { type: "string", description: "The unique namespace text.", maxLength: 80 },
  display_name: {
    type: "string",
    description: "The user friendly name for the namespace. Used by UI if available.",
    maxLength: 80,
  },
  description: {
    type: "string",
    description: "Provides a user friendly description of the namespace.",
    maxLength: 500,
  },
  visibility: { type: "string", description: "Scope of namespace accessibility.", enum: ["public", "private"] },
  protected: { type: "boolean", description: "If true, namespace will not be deletable." },
  owner: { type: "string", description: "Owner of the namespace.", maxLength: 255 },
  created_at: readOnlyTime("Date and time of namespace creation"),
  updated_at: readOnlyTime("Date and time of the last namespace modification"),
  schema: READ_ONLY_STRING,
  self: READ_ONLY_STRING,
  resource_type_associations: {
    type: "array",
    items: {
      type: "object",
      properties: { name: { type: "string" }, prefix: { type: "string" }, properties_target: { type: "string" } },
    },
  },
  properties: { $ref: "#/definitions/property" },
  objects: {
    type: "array",
    items: {
      type: "object",
      properties: {
        name: { type: "string" },
        description: { type: "string" },
        required: { $ref: "#/definitions/stringArray" },
        properties: { $ref: "#/definitions/property" },
      },
    },
  },
  tags: { type: "array", items: { type: "object", properties: { name: { type: "string" } } } },
});

const objectProperties = (): Json => ({
  name: { type: "string", maxLength: 80 },
  description: { type: "string" },
  required: { $ref: "#/definitions/stringArray" },
  properties: { $ref: "#/definitions/property" },
  schema: READ_ONLY_STRING,
  self: READ_ONLY_STRING,
  created_at: readOnlyTime("Date and time of object creation"),
  updated_at: readOnlyTime("Date and time of the last object modification"),
});

const tagProperties = (): Json => ({
  name: { type: "string", maxLength: 80 },
  created_at: readOnlyTime("Date and time of tag creation"),
  updated_at: readOnlyTime("Date and time of the last tag modification"),
});

const resourceTypeProperties = (): Json => ({
  name: {
    type: "string",
    description:
      "Resource type names should be aligned with Heat resource types whenever possible: https://docs.openstack.org/heat/latest/template_guide/openstack.html",
    maxLength: 80,
  },
  prefix: {
    type: "string",
    description:
      "Specifies the prefix to use for the given resource type. Any properties in the namespace should be prefixed with this prefix when being applied to the specified resource type. Must include prefix separator (e.g. a colon :).",
    maxLength: 80,
  },
  properties_target: {
    type: "string",
    description:
      "Some resource types allow more than one key / value pair per instance.  For example, Cinder allows user and image metadata on volumes. Only the image properties metadata is evaluated by Nova (scheduling or drivers). This property allows a namespace target to remove the ambiguity.",
    maxLength: 80,
  },
  created_at: readOnlyTime("Date and time of resource type association"),
  updated_at: readOnlyTime("Date and time of the last resource type association modification"),
});

export const NAMESPACE_SCHEMA = item("namespace", namespaceProperties(), ["namespace"], definitions(true, false));
export const OBJECT_SCHEMA = item("object", objectProperties(), ["name"], definitions(true, false));
/** POST/PUT /properties/{name} (name required) and each property of a POST /objects body (name optional). */
export const PROPERTY_SCHEMA = item(
  "property",
  propertyAttributes(),
  ["type", "title", "name"],
  definitions(false, true),
);
export const OBJECT_PROPERTY_SCHEMA = item(
  "property",
  propertyAttributes(),
  ["type", "title"],
  definitions(false, true),
);
export const TAG_SCHEMA = item("tag", tagProperties(), ["name"]);
export const RESOURCE_TYPE_SCHEMA = item("resource_type_association", resourceTypeProperties(), ["name"]);
/** The body of POST /tags (not served under /v2/schemas). */
export const TAGS_BODY_SCHEMA: Json = {
  name: "tags",
  properties: {
    tags: {
      type: "array",
      items: {
        type: "object",
        properties: { name: { type: "string" } },
        required: ["name"],
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};

/** The links of every paged collection schema (images and tasks use them too). */
export const PAGED_LINKS = [
  { rel: "first", href: "{first}" },
  { rel: "next", href: "{next}" },
  { rel: "describedby", href: "{schema}" },
];

/** CollectionSchema / DictCollectionSchema .raw(): the item's definitions move up to the collection. */
function collection(name: string, itemSchema: Json, asDict = false): Json {
  const { definitions: defs, ...rest } = itemSchema;
  const items = asDict ? { type: "object", additionalProperties: rest } : { type: "array", items: rest };
  return {
    name,
    properties: { [name]: items, first: { type: "string" }, next: { type: "string" }, schema: { type: "string" } },
    links: PAGED_LINKS,
    ...(defs ? { definitions: defs } : {}),
  };
}

/** Everything GET /v2/schemas/metadefs/{name} serves. */
export const METADEF_SCHEMA_DOCS: Record<string, Json> = {
  namespace: NAMESPACE_SCHEMA,
  namespaces: collection("namespaces", NAMESPACE_SCHEMA),
  resource_type: RESOURCE_TYPE_SCHEMA,
  resource_types: collection("resource_type_associations", RESOURCE_TYPE_SCHEMA),
  object: OBJECT_SCHEMA,
  objects: collection("objects", OBJECT_SCHEMA),
  property: PROPERTY_SCHEMA,
  // In the collection the property name is the dict key, so it is not required.
  properties: collection("properties", OBJECT_PROPERTY_SCHEMA, true),
  tag: TAG_SCHEMA,
  tags: collection("tags", TAG_SCHEMA),
};
