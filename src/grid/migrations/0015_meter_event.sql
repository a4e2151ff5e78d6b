-- Meter exchanges (計量器取替, HALFHOURLY.md B2/B5): one row per meter taken out of service and
-- replaced by another at a point, with both registers and the multiplier. Written in the same
-- transaction as the replacement itself: meter work of an application completed at stage 08
-- (src/grid/applications/jobs.ts) and the ten-year replacement (検定満了) of the grid's settled-usage
-- job (src/grid/provision/w5-schedule.ts). The W5 exchange files (W51310/W51320) list these rows.
CREATE TABLE meter_event (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  supply_point_id text NOT NULL REFERENCES supply_point ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('meterWork', 'verificationExpiry')),
  -- The day of the exchange and its half-hour (時刻コード): the old meter measured up to the start of it.
  on_date date NOT NULL,
  slot smallint NOT NULL CHECK (slot BETWEEN 1 AND 48),
  old_meter text NOT NULL REFERENCES meter,
  new_meter text NOT NULL REFERENCES meter,
  -- Registers (指示数) in whole kWh ÷ multiplier: the old meter's last, the new meter's first.
  old_reading bigint NOT NULL CHECK (old_reading >= 0),
  new_reading bigint NOT NULL CHECK (new_reading >= 0),
  multiplier integer NOT NULL CHECK (multiplier > 0),
  -- When the grid recorded it: later than on_date for a late event (a new revision of the files it touches).
  recorded_at timestamptz NOT NULL,
  UNIQUE (old_meter)
);

CREATE INDEX meter_event_date_idx ON meter_event (on_date);
CREATE INDEX meter_event_point_idx ON meter_event (supply_point_id, on_date);
