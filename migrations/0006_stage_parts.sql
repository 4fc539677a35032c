-- Chunks of a resumable stage may arrive in any order and in parallel: one row per R2 part, so that
-- concurrent chunks each add their own row. A chunk claims its part (etag NULL, claimed_at) before it uploads,
-- so a second copy of it cannot overwrite the part in R2 meanwhile; the etag is set once the part is stored.
-- `hashed` counts the in-order prefix whose MD5/SHA-512 state is in hash_state (the rest is hashed at import).
CREATE TABLE stage_parts (
  image_id TEXT NOT NULL,
  part_number INTEGER NOT NULL,
  etag TEXT,
  size INTEGER NOT NULL,
  claimed_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (image_id, part_number)
);
ALTER TABLE image_staging ADD COLUMN hashed INTEGER DEFAULT 0 NOT NULL;
-- Sessions in progress keep their parts (every part but the last has the chunk size) and their hashed prefix.
INSERT INTO stage_parts (image_id, part_number, etag, size)
  SELECT s.image_id, json_extract(p.value, '$.partNumber'), json_extract(p.value, '$.etag'),
    min(s.chunk_size, s.total - (json_extract(p.value, '$.partNumber') - 1) * s.chunk_size)
  FROM image_staging s, json_each(s.parts) p
  WHERE s.upload_id IS NOT NULL;
UPDATE image_staging SET hashed = received WHERE upload_id IS NOT NULL;
UPDATE image_staging SET parts = '[]';
