-- Several stores (R2 buckets): the ids of the stores holding an image's data (a JSON array, in the order the
-- copies were made; NULL on rows from before 0007, whose data is in the bucket bound as IMAGES), and how many
-- further copies an import or copy-image has reserved against the storage quota but not yet stored.
ALTER TABLE images ADD COLUMN stores TEXT;
ALTER TABLE images ADD COLUMN pending_copies INTEGER DEFAULT 0 NOT NULL;
