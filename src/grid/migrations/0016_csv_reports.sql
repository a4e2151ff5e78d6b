-- The three standard CSV reports of the data provision site (統一化帳票, HALFHOURLY.md B10) and the
-- interruptions (制限・中止) the sandbox records for the third one. Applied to each grid_NN schema
-- with search_path set.

-- CSV reports are files of the site like the BP files: `STD_GENSHIWAKE`, `STD_KEIYAKUKW`,
-- `STD_SEIGENCHUSHI` are kinds too (names `STD_{report}_{area}_{yyyymmdd}_{rr}.csv`).
ALTER TABLE pps_file DROP CONSTRAINT pps_file_kind_check;
ALTER TABLE pps_file ADD CONSTRAINT pps_file_kind_check CHECK (kind ~ '^(W[0-9]{5}|STD_[A-Z]+)$');

-- A supply restriction or interruption (供給の制限・中止) at a point: [from_at, until_at), on
-- half-hour boundaries. 計画 (planned) or 事故 (accident). The discount rate (割引率, %) is fixed
-- when it is recorded (the rule is kirikae's: src/grid/provision/interruption.repository.ts).
CREATE TABLE interruption (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  supply_point_id text NOT NULL REFERENCES supply_point ON DELETE CASCADE,
  from_at timestamptz NOT NULL,
  until_at timestamptz NOT NULL CHECK (until_at > from_at),
  cause text NOT NULL CHECK (cause IN ('planned', 'accident')),
  discount_percent numeric(5, 1) NOT NULL CHECK (discount_percent BETWEEN 0 AND 100),
  note text,
  recorded_at timestamptz NOT NULL,
  recorded_by text NOT NULL,
  -- When the file schedule last made sure the reports covering it are issued (NULL: not yet). An
  -- interruption recorded after its month's report was made gives that report a new revision.
  reports_checked_at timestamptz
);

CREATE INDEX interruption_point_idx ON interruption (supply_point_id, from_at);
CREATE INDEX interruption_unchecked_idx ON interruption (id) WHERE reports_checked_at IS NULL;
