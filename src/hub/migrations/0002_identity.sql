-- Identity and security core (SYSTEM.md §7, slides 38–46): participants and their per-area codes,
-- registered client certificates, users (one ID per person), web sessions, suspensions, and the
-- append-only audit log. Status columns are closed lists; "who, when, why" of a suspension is kept
-- on the row and, for the history, in status_change.

-- 事業者: a company, by its 4-character company code.
CREATE TABLE participant (
  company_code text PRIMARY KEY CHECK (company_code ~ '^[A-Z0-9]{4}$'),
  kind text NOT NULL CHECK (kind IN ('hub', 'grid', 'retailer', 'generator')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  suspended_at timestamptz,
  suspended_by text,
  suspension_reason text,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  CHECK ((status = 'suspended') = (suspended_at IS NOT NULL))
);

-- The participant codes of a company: one per area it is registered in (company code + area digit).
CREATE TABLE participant_area (
  participant_code text PRIMARY KEY,
  company_code text NOT NULL REFERENCES participant,
  area_code text NOT NULL CHECK (area_code IN ('01', '02', '03', '04', '05', '06', '07', '08', '09', '10')),
  UNIQUE (company_code, area_code),
  CHECK (participant_code = company_code || right(area_code, 1))
);

-- Client certificates admitted to the hub, by the SHA-256 of their DER. Never revoked, only suspended.
CREATE TABLE certificate (
  fingerprint256 text PRIMARY KEY CHECK (fingerprint256 ~ '^[0-9a-f]{64}$'),
  serial_number text NOT NULL,
  company_code text NOT NULL REFERENCES participant,
  -- The subject's O as issued: a participant code of the company, or its company code.
  bound_code text NOT NULL,
  usage text NOT NULL CHECK (usage IN ('api', 'terminal')),
  terminal_name text,
  subject_cn text NOT NULL,
  not_before timestamptz NOT NULL,
  not_after timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  suspended_at timestamptz,
  suspended_by text,
  suspension_reason text,
  registered_at timestamptz NOT NULL,
  registered_by text NOT NULL,
  CHECK ((status = 'suspended') = (suspended_at IS NOT NULL)),
  CHECK ((usage = 'terminal') = (terminal_name IS NOT NULL))
);
CREATE INDEX certificate_company ON certificate (company_code, registered_at);

-- One row per person's ID, kept after deletion so that the audit log's user IDs stay meaningful
-- and a deleted ID is never issued again.
CREATE TABLE user_account (
  user_id text PRIMARY KEY CHECK (user_id ~ '^[a-z0-9][a-z0-9._-]{3,31}$'),
  company_code text NOT NULL REFERENCES participant,
  role text NOT NULL CHECK (role IN ('hub_admin', 'participant_admin', 'user')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  email text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
  suspended_at timestamptz,
  suspended_by text,
  suspension_reason text,
  deleted_at timestamptz,
  deleted_by text,
  -- scrypt, parameters in the string; null once the user is deleted.
  password_hash text,
  must_change_password boolean NOT NULL DEFAULT true,
  password_changed_at timestamptz,
  failed_attempts int NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until timestamptz,
  last_sign_in_at timestamptz,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL,
  CHECK ((status = 'deleted') = (deleted_at IS NOT NULL)),
  CHECK (status = 'deleted' OR password_hash IS NOT NULL)
);
CREATE INDEX user_account_company ON user_account (company_code, user_id);

-- Web sessions, keyed by the SHA-256 of the token: the token itself is never stored.
CREATE TABLE session (
  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  user_id text NOT NULL REFERENCES user_account,
  company_code text NOT NULL REFERENCES participant,
  fingerprint256 text NOT NULL REFERENCES certificate,
  csrf_token text NOT NULL,
  source_address text,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  ended_at timestamptz,
  end_reason text CHECK (end_reason IN ('signed_out', 'idle', 'expired', 'certificate_mismatch',
    'user_suspended', 'participant_suspended', 'certificate_suspended', 'user_deleted', 'password_reset')),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
-- Suspension ends the open sessions of a user, a participant or a certificate at once.
CREATE INDEX session_open_user ON session (user_id) WHERE ended_at IS NULL;
CREATE INDEX session_open_company ON session (company_code) WHERE ended_at IS NULL;
CREATE INDEX session_open_certificate ON session (fingerprint256) WHERE ended_at IS NULL;
CREATE INDEX session_created ON session (created_at);

-- The history of suspensions and resumptions (権限停止), newest last.
CREATE TABLE status_change (
  change_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  target_kind text NOT NULL CHECK (target_kind IN ('participant', 'certificate', 'user')),
  target_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'suspended')),
  changed_by text NOT NULL,
  reason text NOT NULL
);
CREATE INDEX status_change_target ON status_change (target_kind, target_id, at);

-- Who used which credential, where and when: one row per request and per sign-in attempt.
-- No personal data (names, phones, addresses): only codes and IDs.
CREATE TABLE audit_log (
  audit_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  company_code text,
  user_id text,
  fingerprint256 text,
  source_address text,
  channel text NOT NULL CHECK (channel IN ('api', 'soap', 'web', 'cli')),
  action text NOT NULL,
  supply_point_ids text[] NOT NULL DEFAULT '{}',
  result text NOT NULL,
  request_id text
);
-- Newest first, by (at, audit_id); each filter has an index that ends in the same order, so a page
-- is an index range scan whatever the table's size.
CREATE INDEX audit_log_at ON audit_log (at, audit_id);
CREATE INDEX audit_log_company ON audit_log (company_code, at, audit_id);
CREATE INDEX audit_log_user ON audit_log (user_id, at, audit_id);
CREATE INDEX audit_log_fingerprint ON audit_log (fingerprint256, at, audit_id);
CREATE INDEX audit_log_action ON audit_log (action, at, audit_id);
CREATE INDEX audit_log_result ON audit_log (result, at, audit_id);
CREATE INDEX audit_log_supply_points ON audit_log USING gin (supply_point_ids);

-- Append-only: statement triggers, so that even an UPDATE or DELETE matching no row is refused.
-- Archiving old rows, when it comes, is an owner's job that disables the trigger explicitly.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'hub.audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
