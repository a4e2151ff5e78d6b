-- The mode the hub's data belongs to (sandbox, verification, production), written by the first
-- start: a start in another mode is refused (VERIFY_MODE_DATA_MISMATCH), so the verification
-- environment's data never mixes with another mode's.
CREATE TABLE system_mode (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  mode text NOT NULL CHECK (mode IN ('sandbox', 'verification', 'production')),
  since timestamptz NOT NULL
);

-- Every interface call answered in the verification environment (src/hub/verification/): what the
-- test scenarios' progress is computed from. Codes and IDs only, like the audit log.
CREATE TABLE verification_call (
  call_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  company_code text NOT NULL,
  interface_id text NOT NULL,
  -- The point of the request, or of the application a status inquiry answered about.
  supply_point_id text,
  result text NOT NULL CHECK (result IN ('OK', 'NG')),
  codes text[] NOT NULL,
  stage text
);
CREATE INDEX verification_call_by_company ON verification_call (company_code, call_id);
