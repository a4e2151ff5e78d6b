-- The hub's outbox of wheeling change applications (IF_10410 … IF_10910 and their K/F variants):
-- every filing a retailer makes is stored here, in the same transaction as the job that delivers it
-- to the area's grid, so that nothing accepted is lost and nothing is delivered twice in effect.

-- One row per (area, day in Japan): the last serial of the application numbers handed out.
-- `INSERT … ON CONFLICT DO UPDATE … RETURNING` serialises concurrent filings across processes.
CREATE TABLE application_counter (
  area text NOT NULL,
  day date NOT NULL,
  last_serial integer NOT NULL CHECK (last_serial > 0),
  PRIMARY KEY (area, day)
);

CREATE TABLE application_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- AP03-20261128000123: assigned by the hub for updateFlag 1; the corrected or cancelled one for 2 and 3.
  application_number text NOT NULL,
  -- What the grid is sent as the envelope's requestId: the application number for a registration,
  -- `{number}-{n}` for the n-th filing about it (the grid is idempotent by participant and requestId).
  delivery_id text NOT NULL UNIQUE,
  company_code text NOT NULL,
  -- The company code and the area digit: the caller as the area's grid knows it.
  participant_code text NOT NULL,
  -- The retailer's requestId: the idempotency key of the filing at the hub.
  request_id text NOT NULL,
  interface_id text NOT NULL,
  update_flag text NOT NULL CHECK (update_flag IN ('1', '2', '3')),
  area text NOT NULL,
  supply_point_id text NOT NULL,
  -- The validated request body, with applicationNumber set: exactly what the grid is sent.
  body jsonb NOT NULL,
  filed_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered')),
  attempts integer NOT NULL DEFAULT 0,
  -- Business time (the sandbox clock) of the next retry of a pending row.
  next_attempt_at timestamptz NOT NULL,
  -- Real time until which one deliverer holds the row (a crashed one's claim runs out).
  claimed_until timestamptz,
  last_error text,
  -- The grid's answer (the InterfaceResponse envelope), once it answered.
  grid_answer jsonb,
  delivered_at timestamptz,
  CONSTRAINT application_outbox_request_once UNIQUE (company_code, request_id),
  CONSTRAINT application_outbox_delivered_has_answer CHECK ((status = 'delivered') = (grid_answer IS NOT NULL))
);

CREATE INDEX application_outbox_number_idx ON application_outbox (application_number, id);
-- The retry scan: pending rows by when they are due.
CREATE INDEX application_outbox_due_idx ON application_outbox (next_attempt_at) WHERE status = 'pending';

-- The application feed (IF_11110 and its K/F variants) of a retailer registered in several areas
-- merges the feeds of their grids: each cursor the hub gives out names the position reached in
-- every area's feed. Written once, never changed: a retailer may give the same cursor again.
CREATE TABLE feed_cursor (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_code text NOT NULL,
  interface_id text NOT NULL,
  -- { "03": "<grid cursor>", "06": "<grid cursor>" }
  positions jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
