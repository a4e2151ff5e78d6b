-- The data provision site's request rate limit (`kirikae grid serve`; src/platform/http/rate-limit.ts):
-- one token bucket per participant and area, shared by every process serving the area's site, as
-- the hub's `hub.rate_bucket` (hub migration 0007; the same columns and statement,
-- platform/http/rate-bucket.ts). credit is in 1/60000 of a request; refilled_ms never moves back.
CREATE TABLE pps_rate_bucket (
  bucket_key text PRIMARY KEY,
  credit bigint NOT NULL CHECK (credit >= 0),
  granted integer NOT NULL CHECK (granted >= 0),
  refilled_ms bigint NOT NULL
);

-- The site's lists (the screens' page and count, the PULL list) read a receiver's files by
-- availability and keep those not past retention, filtered by name and target day: with those
-- columns in the index the count of 100,000 files is an index-only scan (bench "pps list").
CREATE INDEX pps_file_listing_idx ON pps_file (receiver_code, available_at, name) INCLUDE (expires_at, target_date);
DROP INDEX pps_file_list_idx;
