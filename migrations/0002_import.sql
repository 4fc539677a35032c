-- Interoperable import: staged data (one row per image in `uploading`) and import tasks.
CREATE TABLE image_staging (
  image_id TEXT PRIMARY KEY NOT NULL,
  upload_id TEXT,
  total INTEGER,
  chunk_size INTEGER,
  received INTEGER DEFAULT 0 NOT NULL,
  parts TEXT DEFAULT '[]' NOT NULL,
  hash_state TEXT,
  checksum TEXT,
  os_hash_value TEXT,
  head TEXT,
  updated_at INTEGER NOT NULL
);
CREATE TABLE tasks (
  id TEXT PRIMARY KEY NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  owner TEXT,
  image_id TEXT,
  request_id TEXT,
  user_id TEXT,
  input TEXT,
  result TEXT,
  message TEXT DEFAULT '' NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER,
  deleted INTEGER DEFAULT false NOT NULL,
  deleted_at INTEGER
);
CREATE INDEX tasks_image_idx ON tasks (image_id, created_at);
CREATE INDEX tasks_created_idx ON tasks (created_at, id);
