-- Usage password applications (使用量照会PW申請, IF_10210 / IF_K10210) of one area, and the counter
-- that numbers this and later kinds of application. Applied to each grid_NN schema with search_path set.

-- One row per (prefix, day): the last serial handed out. `UPDATE … RETURNING` on the row serialises
-- concurrent applications across processes without a sequence per day.
CREATE TABLE application_counter (
  prefix text NOT NULL,
  day date NOT NULL,
  last_serial integer NOT NULL CHECK (last_serial > 0),
  PRIMARY KEY (prefix, day)
);

CREATE TABLE usage_password_application (
  -- UP03-2026112800001: kind, area, date of acceptance in Japan, serial of that day.
  application_number text PRIMARY KEY,
  -- IF_10210 or IF_K10210: the status inquiry of the same family answers for it.
  interface_id text NOT NULL CHECK (interface_id IN ('IF_10210', 'IF_K10210')),
  participant_code text NOT NULL,
  request_id text NOT NULL,
  supply_point_id text NOT NULL REFERENCES supply_point,
  -- The identity data as the retailer gave it (examined against the customer record).
  customer_name_kana text NOT NULL,
  phone_number text,
  address text,
  consent_date date NOT NULL,
  accepted_at timestamptz NOT NULL,
  -- The business date from which the application is examined (the day of acceptance when immediate).
  examined_on date NOT NULL,
  -- 受付工程: 01 accepted, 06 complete, 09 refused (src/domain/codes.ts stages).
  stage text NOT NULL CHECK (stage IN ('01', '06', '09')),
  decided_at timestamptz,
  -- Why it was refused: a GRID_ message code.
  refusal_code text,
  -- The customer the examination found: a password unlocks this customer's data only.
  customer_id bigint,
  -- The password, issued when the applicant first asks for the status of a completed application.
  password_salt text,
  password_hash text,
  password_issued_at timestamptz,
  password_expires_at timestamptz,
  CONSTRAINT usage_password_application_request_once UNIQUE (participant_code, request_id),
  CONSTRAINT usage_password_application_decided CHECK ((stage = '01') = (decided_at IS NULL)),
  CONSTRAINT usage_password_application_refused_has_reason CHECK ((stage = '09') = (refusal_code IS NOT NULL)),
  CONSTRAINT usage_password_application_password_when_complete CHECK (password_hash IS NULL OR (stage = '06' AND customer_id IS NOT NULL)),
  CONSTRAINT usage_password_application_password_whole CHECK (
    (password_hash IS NULL) = (password_salt IS NULL)
    AND (password_hash IS NULL) = (password_issued_at IS NULL)
    AND (password_hash IS NULL) = (password_expires_at IS NULL))
);

-- A usage inquiry checks the passwords issued for its supply point.
CREATE INDEX usage_password_application_point_idx ON usage_password_application (supply_point_id) WHERE password_hash IS NOT NULL;
-- Applications waiting for their examination day, for a batch that examines them.
CREATE INDEX usage_password_application_pending_idx ON usage_password_application (examined_on) WHERE stage = '01';
