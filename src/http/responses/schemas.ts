// The JSON schemas Glance serves under /v2/schemas (python-glanceclient validates images and members with them).
// Glance 25's image schema (golden 46) minus `stores`, which Glance documents as multi-store only: with it,
// python-glanceclient 4.1's cached schema adds a second --stores option and every later CLI command fails.
import imageSchema from "./image-schema.json";

const UUID_PATTERN = imageSchema.properties.id.pattern;

/** The links of every paged collection schema. */
const PAGED_LINKS = [
  { rel: "first", href: "{first}" },
  { rel: "next", href: "{next}" },
  { rel: "describedby", href: "{schema}" },
];

const IMAGE_SCHEMA = imageSchema;

const IMAGES_SCHEMA = {
  name: "images",
  properties: {
    images: { type: "array", items: imageSchema },
    schema: { type: "string" },
    first: { type: "string" },
    next: { type: "string" },
  },
  links: PAGED_LINKS,
};

const MEMBER_SCHEMA = {
  name: "member",
  properties: {
    member_id: { type: "string", description: "An identifier for the image member (tenantId)" },
    image_id: { type: "string", description: "An identifier for the image", pattern: UUID_PATTERN },
    created_at: { type: "string", description: "Date and time of image member creation" },
    updated_at: { type: "string", description: "Date and time of last modification of image member" },
    status: {
      type: "string",
      description: "The status of this image member",
      enum: ["pending", "accepted", "rejected"],
    },
    schema: { readOnly: true, type: "string" },
  },
};

const MEMBERS_SCHEMA = {
  name: "members",
  properties: { members: { type: "array", items: MEMBER_SCHEMA }, schema: { type: "string" } },
  links: [{ rel: "describedby", href: "{schema}" }],
};

const TASK_PROPERTIES = {
  id: { type: "string", description: "An identifier for the task", pattern: UUID_PATTERN },
  type: {
    type: "string",
    description: "The type of task represented by this content",
    enum: ["import", "api_image_import", "location_import"],
  },
  status: {
    type: "string",
    description: "The current status of this task",
    enum: ["pending", "processing", "success", "failure"],
  },
  input: { type: ["null", "object"], description: "The parameters required by task, JSON blob" },
  result: { type: ["null", "object"], description: "The result of current task, JSON blob" },
  owner: { type: "string", description: "An identifier for the owner of this task" },
  message: {
    type: "string",
    description: "Human-readable informative message only included when appropriate (usually on failure)",
  },
  image_id: { type: "string", description: "Image associated with the task" },
  request_id: { type: "string", description: "Human-readable informative request-id" },
  user_id: { type: "string", description: "User associated with the task" },
  expires_at: { type: ["null", "string"], description: "Datetime when this resource would be subject to removal" },
  created_at: { type: "string", description: "Datetime when this resource was created" },
  updated_at: { type: "string", description: "Datetime when this resource was updated" },
  self: { type: "string" },
  schema: { type: "string" },
};
const TASK_SCHEMA = { name: "task", properties: TASK_PROPERTIES };
const TASKS_SCHEMA = {
  name: "tasks",
  properties: {
    tasks: { type: "array", items: TASK_SCHEMA },
    schema: { type: "string" },
    first: { type: "string" },
    next: { type: "string" },
  },
  links: PAGED_LINKS,
};

/**
 * Metadata-definition schemas: the catalog itself is not implemented, but clients fetch these documents
 * (the glance CLI caches namespace/resource_type; tempest checks each `name`).
 */
const metadef = (name: string, properties: Record<string, unknown>) => ({
  name,
  properties,
  additionalProperties: false,
});
const collection = (name: string, itemsKey: string, item: object) => ({
  name,
  properties: {
    [itemsKey]: { type: "array", items: item },
    first: { type: "string" },
    next: { type: "string" },
    schema: { type: "string" },
  },
  links: PAGED_LINKS,
});
const NAMESPACE = metadef("namespace", {
  namespace: { type: "string", maxLength: 80, description: "The unique namespace text." },
  display_name: { type: "string", maxLength: 80, description: "The user friendly name for the namespace." },
  description: {
    type: "string",
    maxLength: 500,
    description: "Provides a user friendly description of the namespace.",
  },
  visibility: { type: "string", enum: ["public", "private"], description: "Scope of namespace accessibility." },
  protected: { type: "boolean", description: "If true, namespace will not be deletable." },
  owner: { type: "string", maxLength: 255, description: "Owner of the namespace." },
  created_at: { type: "string", readOnly: true, format: "date-time" },
  updated_at: { type: "string", readOnly: true, format: "date-time" },
  schema: { readOnly: true, type: "string" },
  self: { readOnly: true, type: "string" },
});
const RESOURCE_TYPE = metadef("resource_type_association", {
  name: {
    type: "string",
    maxLength: 80,
    description: "Resource type names should be aligned with Heat resource types whenever possible.",
  },
  prefix: { type: "string", maxLength: 80 },
  properties_target: { type: "string", maxLength: 80 },
  created_at: { type: "string", readOnly: true, format: "date-time" },
  updated_at: { type: "string", readOnly: true, format: "date-time" },
});
const OBJECT = metadef("object", {
  name: { type: "string", maxLength: 80 },
  description: { type: "string" },
  required: { type: "array", items: { type: "string" } },
  properties: { type: "object" },
  schema: { readOnly: true, type: "string" },
  self: { readOnly: true, type: "string" },
  created_at: { type: "string", readOnly: true, format: "date-time" },
  updated_at: { type: "string", readOnly: true, format: "date-time" },
});
const PROPERTY = metadef("property", {
  name: { type: "string", maxLength: 80 },
  title: { type: "string" },
  description: { type: "string" },
  type: { type: "string", enum: ["array", "boolean", "integer", "number", "object", "string", null] },
});
const TAG = metadef("tag", {
  name: { type: "string", maxLength: 255 },
  created_at: { type: "string", readOnly: true, format: "date-time" },
  updated_at: { type: "string", readOnly: true, format: "date-time" },
});

export const SCHEMAS: Record<string, unknown> = {
  image: IMAGE_SCHEMA,
  images: IMAGES_SCHEMA,
  member: MEMBER_SCHEMA,
  members: MEMBERS_SCHEMA,
  task: TASK_SCHEMA,
  tasks: TASKS_SCHEMA,
  "metadefs/namespace": NAMESPACE,
  "metadefs/namespaces": collection("namespaces", "namespaces", NAMESPACE),
  "metadefs/resource_type": RESOURCE_TYPE,
  "metadefs/resource_types": collection("resource_type_associations", "resource_type_associations", RESOURCE_TYPE),
  "metadefs/object": OBJECT,
  "metadefs/objects": collection("objects", "objects", OBJECT),
  "metadefs/property": PROPERTY,
  "metadefs/properties": collection("properties", "properties", PROPERTY),
  "metadefs/tag": TAG,
  "metadefs/tags": collection("tags", "tags", TAG),
};
