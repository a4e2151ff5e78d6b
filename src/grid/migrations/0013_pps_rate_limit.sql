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
