-- The grid's data provision site (データ提供サイト, HALFHOURLY.md B1/B2): who receives which point on
-- which day, the retailer certificates registered with this grid, the files it offers and who
-- fetched what. Applied to each grid_NN schema with search_path set.

-- The retailer of record of a supply point for each day: [from_date, until_date), until_date NULL
-- while open. Written by the execution of switches, move-ins and move-outs on their effective date
-- (src/grid/applications/jobs.ts) and by the seed (one period from tenure_since). At most one
-- period of a point is open, and two periods of a point never overlap (the trigger below): a point
-- is never in two retailers' files for one day.
CREATE TABLE supply_period (
  supply_point_id text NOT NULL REFERENCES supply_point ON DELETE CASCADE,
  retailer_code text NOT NULL CHECK (retailer_code ~ '^[A-Z0-9]{5}$'),
  -- The customer (需要家) of the period: a move-in starts a period with a new one. Files of a past
  -- day name the customer of that day, whatever happened since, so they regenerate to the same bytes.
  customer_id bigint NOT NULL,
  from_date date NOT NULL,
  until_date date CHECK (until_date > from_date),
  PRIMARY KEY (supply_point_id, from_date)
);

CREATE UNIQUE INDEX supply_period_open_idx ON supply_period (supply_point_id) WHERE until_date IS NULL;
-- The receiver's points for a day: retailer first, then the day range.
CREATE INDEX supply_period_retailer_idx ON supply_period (retailer_code, from_date, until_date) INCLUDE (supply_point_id);

-- SET search_path FROM CURRENT: the function reads this area's table whoever calls it.
CREATE FUNCTION supply_period_no_overlap() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM supply_period p
     WHERE p.supply_point_id = NEW.supply_point_id AND p.from_date <> NEW.from_date
       AND p.from_date < COALESCE(NEW.until_date, 'infinity'::date)
       AND NEW.from_date < COALESCE(p.until_date, 'infinity'::date)
  ) THEN
    RAISE EXCEPTION 'supply periods of % overlap at %', NEW.supply_point_id, NEW.from_date USING ERRCODE = 'exclusion_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER supply_period_no_overlap BEFORE INSERT OR UPDATE ON supply_period
  FOR EACH ROW EXECUTE FUNCTION supply_period_no_overlap();

-- The points contracted when this migration runs: one period from the current tenure.
INSERT INTO supply_period (supply_point_id, retailer_code, customer_id, from_date)
SELECT supply_point_id, retailer_code, customer_id, tenure_since FROM supply_point
 WHERE status = 'contracted' AND retailer_code IS NOT NULL AND tenure_since IS NOT NULL;

-- Client certificates registered with this grid's site (slide 32): OCCTO-issued, the hub's CA.
CREATE TABLE pps_certificate (
  fingerprint256 text PRIMARY KEY CHECK (fingerprint256 ~ '^[0-9a-f]{64}$'),
  participant_code text NOT NULL CHECK (participant_code ~ '^[A-Z0-9]{5}$'),
  usage text NOT NULL CHECK (usage IN ('api', 'terminal')),
  subject text NOT NULL,
  not_after timestamptz NOT NULL,
  registered_at timestamptz NOT NULL,
  suspended_at timestamptz,
  suspended_reason text
);

CREATE INDEX pps_certificate_participant_idx ON pps_certificate (participant_code);

-- One row per file per receiver (B2). The name does not carry the receiver: two retailers hold
-- files of the same name. The bytes are a cache (B9): NULL once evicted, regenerated on download
-- from the recorded inputs (kind, target, revision, section, the fingerprint) and checked against
-- sha256.
CREATE TABLE pps_file (
  receiver_code text NOT NULL CHECK (receiver_code ~ '^[A-Z0-9]{5}$'),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind ~ '^W[0-9]{5}$'),
  target_date date NOT NULL,
  -- 1–48 for a half-hour file, NULL for a file of a whole day.
  slot smallint CHECK (slot BETWEEN 1 AND 48),
  revision smallint NOT NULL CHECK (revision BETWEEN 0 AND 99),
  section integer NOT NULL CHECK (section >= 0),
  sections integer NOT NULL CHECK (sections > section),
  points integer NOT NULL CHECK (points >= 0),
  available_at timestamptz NOT NULL,
  deadline_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  fingerprint text NOT NULL,
  size bigint,
  sha256 text,
  materialized_at timestamptz,
  bytes bytea,
  -- The JSON list's cursor (B8): files of an area are written one transaction at a time, so positions
  -- are in commit order.
  position bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (receiver_code, name)
);

CREATE INDEX pps_file_list_idx ON pps_file (receiver_code, available_at, name);
CREATE INDEX pps_file_position_idx ON pps_file (receiver_code, position);
CREATE INDEX pps_file_pending_idx ON pps_file (available_at) WHERE materialized_at IS NULL;
-- One target's files: its revisions and sections (a daily file has no slot: 0 stands for it).
CREATE INDEX pps_file_target_idx ON pps_file (receiver_code, kind, target_date, (COALESCE(slot, 0)), section, revision);

-- How far the file schedule has run (B7): the next slot end not yet handled, per family of files.
CREATE TABLE pps_progress (
  schedule text PRIMARY KEY,
  next_at timestamptz NOT NULL
);

-- Every list and download of the site (README "Audit"): who, with which certificate, what, the answer.
CREATE TABLE pps_download (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  participant_code text,
  fingerprint256 text,
  action text NOT NULL,
  name text,
  result text NOT NULL,
  bytes bigint
);

CREATE INDEX pps_download_at_idx ON pps_download (at);
