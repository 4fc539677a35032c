-- The metadata definitions catalog (Glance's metadef_* tables). Children reference their namespace by id and go
-- with it (ON DELETE CASCADE); names are unique per namespace, tag names case-insensitively as Glance documents.
-- Times are epoch milliseconds; a NULL updated_at (rows loaded from files) is shown without one, as in Glance.
CREATE TABLE metadef_namespaces (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace TEXT NOT NULL,
  display_name TEXT,
  description TEXT,
  visibility TEXT,
  protected INTEGER,
  owner TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER
);
CREATE UNIQUE INDEX metadef_namespaces_namespace_uq ON metadef_namespaces (namespace);
CREATE INDEX metadef_namespaces_owner_idx ON metadef_namespaces (owner);
CREATE INDEX metadef_namespaces_created_idx ON metadef_namespaces (created_at, id);

CREATE TABLE metadef_resource_types (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  protected INTEGER DEFAULT 0 NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER
);
CREATE UNIQUE INDEX metadef_resource_types_name_uq ON metadef_resource_types (name);

-- A rowid table: rowid order is the order associations were made, which is the order Glance lists them in.
CREATE TABLE metadef_namespace_resource_types (
  resource_type_id INTEGER NOT NULL REFERENCES metadef_resource_types (id),
  namespace_id INTEGER NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  properties_target TEXT,
  prefix TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER,
  PRIMARY KEY (resource_type_id, namespace_id)
);
CREATE INDEX metadef_ns_res_types_namespace_idx ON metadef_namespace_resource_types (namespace_id);

CREATE TABLE metadef_objects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  -- Glance's format: the required property names joined with commas.
  required TEXT,
  json_schema TEXT DEFAULT '{}' NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER
);
CREATE UNIQUE INDEX metadef_objects_namespace_name_uq ON metadef_objects (namespace_id, name);

CREATE TABLE metadef_properties (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  json_schema TEXT DEFAULT '{}' NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER
);
CREATE UNIQUE INDEX metadef_properties_namespace_name_uq ON metadef_properties (namespace_id, name);

CREATE TABLE metadef_tags (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  name TEXT NOT NULL COLLATE NOCASE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER
);
CREATE UNIQUE INDEX metadef_tags_namespace_name_uq ON metadef_tags (namespace_id, name);
CREATE INDEX metadef_tags_namespace_created_idx ON metadef_tags (namespace_id, created_at, id);
