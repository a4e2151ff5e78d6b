-- The verification environment's grid stub (src/grid/stub/): applications filed on designated
-- supply point IDs (src/interfaces/verification/designated.ts) are kept here, apart from the
-- reference grid's own applications, with the stages their script still has to go through.
CREATE TABLE stub_application (
  application_number text PRIMARY KEY,
  interface_id text NOT NULL,
  participant_code text NOT NULL,
  -- The envelope's request ID of the registration (the hub's application number or its n-th filing).
  request_id text NOT NULL,
  -- The retailer's own request ID (the body's requestId), for status inquiries by request ID.
  retailer_request_id text,
  supply_point_id text NOT NULL,
  application_kind text NOT NULL,
  stage text NOT NULL,
  -- The stages still to come, one per status inquiry: [{ "stage": "05" }, { "stage": "09", "code": "…" }].
  script jsonb NOT NULL,
  refusal_code text,
  refusal_text text,
  scheduled_date date,
  -- A usage password application completed: the password, shown once (then only its validity).
  usage_password text,
  password_shown boolean NOT NULL DEFAULT false,
  history jsonb NOT NULL,
  accepted_at timestamptz NOT NULL,
  stage_at timestamptz NOT NULL
);
CREATE INDEX stub_application_by_request ON stub_application (participant_code, retailer_request_id);

-- Every delivery of a filing on a designated ID, by (participant, envelope request ID): how often it
-- came (the faults fail the first ones) and the answer given, which a redelivery gets again.
CREATE TABLE stub_delivery (
  participant_code text NOT NULL,
  request_id text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  response jsonb,
  PRIMARY KEY (participant_code, request_id)
);
