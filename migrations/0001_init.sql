-- Images, their extra properties and tags (JSON columns: one row per image keeps updates atomic), and members.
CREATE TABLE images (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT,
  status TEXT NOT NULL,
  visibility TEXT NOT NULL,
  protected INTEGER DEFAULT false NOT NULL,
  os_hidden INTEGER DEFAULT false NOT NULL,
  checksum TEXT,
  os_hash_algo TEXT,
  os_hash_value TEXT,
  owner TEXT,
  size INTEGER,
  virtual_size INTEGER,
  min_ram INTEGER DEFAULT 0 NOT NULL,
  min_disk INTEGER DEFAULT 0 NOT NULL,
  container_format TEXT,
  disk_format TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted INTEGER DEFAULT false NOT NULL,
  deleted_at INTEGER,
  properties TEXT DEFAULT '{}' NOT NULL,
  tags TEXT DEFAULT '[]' NOT NULL,
  revision INTEGER DEFAULT 0 NOT NULL,
  upload_started_at INTEGER,
  upload_id TEXT
);
-- Keyset pagination: one index per sort key, ending in the (created_at, id) tie-breakers.
-- Nullable sort keys are indexed through the same coalesce() the list query orders by.
CREATE INDEX images_created_idx ON images (deleted, created_at, id);
CREATE INDEX images_updated_idx ON images (deleted, updated_at, created_at, id);
CREATE INDEX images_name_idx ON images (deleted, coalesce(name, ''), created_at, id);
CREATE INDEX images_size_idx ON images (deleted, coalesce(size, -1), created_at, id);
CREATE INDEX images_status_idx ON images (deleted, status, created_at, id);
CREATE INDEX images_owner_idx ON images (owner, deleted);
CREATE TABLE image_members (
  image_id TEXT NOT NULL,
  member TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted INTEGER DEFAULT false NOT NULL
);
CREATE UNIQUE INDEX image_members_pk ON image_members (image_id, member);
CREATE INDEX image_members_member_idx ON image_members (member, status);
