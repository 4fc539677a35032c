-- Quotas: the declared size of the upload or single-request stage in progress, counted as used by the
-- storage quota so that uploads starting one after another cannot spend the same remaining bytes twice.
ALTER TABLE images ADD COLUMN upload_size INTEGER;
