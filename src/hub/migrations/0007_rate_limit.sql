-- The request rate limit's token buckets, one per participant, shared by every hub process
-- (src/platform/http/rate-limit.ts). A process takes tokens a lease at a time with one upsert
-- (rate-bucket.repository.ts); between leases it counts in memory.
--
-- credit is in 1/60000 of a request, so that refilling at N requests a minute adds exactly N
-- units a millisecond: integer arithmetic, no rounding drift. refilled_ms is the time (Unix
-- milliseconds, the taking process's real time) up to which the credit has been refilled; it never
-- moves back, so a process whose clock lags refills nothing until its time catches up.
CREATE TABLE rate_bucket (
  bucket_key text PRIMARY KEY,
  credit bigint NOT NULL CHECK (credit >= 0),
  -- What the last take granted (the upsert answers it; RETURNING sees only the new row).
  granted integer NOT NULL CHECK (granted >= 0),
  refilled_ms bigint NOT NULL
);
