// The JSON schemas Glance serves under /v2/schemas (python-glanceclient validates images and members with them);
// the metadefs ones live in domain/metadefs/schemas.ts, which also validates request bodies with them.
// Glance 25's image schema (golden 46) minus `stores`, which Glance documents as multi-store only: with it,
// python-glanceclient 4.1's cached schema adds a second --stores option and every later CLI command fails.
import { METADEF_SCHEMA_DOCS, PAGED_LINKS } from "../../domain/metadefs/schemas";
import imageSchema from "./image-schema.json";

const UUID_PATTERN = imageSchema.properties.id.pattern;

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

export const SCHEMAS: Record<string, unknown> = {
  image: IMAGE_SCHEMA,
  images: IMAGES_SCHEMA,
  member: MEMBER_SCHEMA,
  members: MEMBERS_SCHEMA,
  task: TASK_SCHEMA,
  tasks: TASKS_SCHEMA,
  ...Object.fromEntries(Object.entries(METADEF_SCHEMA_DOCS).map(([k, doc]) => [`metadefs/${k}`, doc])),
};
