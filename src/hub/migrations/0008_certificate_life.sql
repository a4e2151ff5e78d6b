-- Certificates across their whole life (issue 19, slides 38–42 and 46): requests made on the web by
-- a participant's administrator (企業内管理者), the hub admins' decision, issuance in batches on the
-- weekly schedule, the one download of the result, notices before expiry, and the hub's flags of
-- suspicious use. Rules in src/hub/certificates/.

-- The hours (Japan time, whole hours, from inclusive, to exclusive) in which the participant declares
-- its terminals are used; outside them a terminal certificate's use is flagged. Null: not declared.
ALTER TABLE participant
  ADD COLUMN terminal_hours_from smallint CHECK (terminal_hours_from BETWEEN 0 AND 23),
  ADD COLUMN terminal_hours_to smallint CHECK (terminal_hours_to BETWEEN 1 AND 24),
  ADD CONSTRAINT participant_terminal_hours CHECK ((terminal_hours_from IS NULL) = (terminal_hours_to IS NULL));

-- One request for one certificate. `method`: 'csr' (the participant's own key; the CSR is kept) or
-- 'pkcs12' (the hub makes the key at issuance). A PKCS#12 request's PIN is shown once, when the
-- request is made, and kept only until issuance, which encrypts the .p12 with it and erases it;
-- the .p12 is kept only until its one download. The table never holds a PIN and its .p12 together.
CREATE TABLE certificate_request (
  request_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_code text NOT NULL REFERENCES participant,
  -- The subject as it will be issued: O = bound_code, OU = usage, CN = subject_cn.
  bound_code text NOT NULL,
  usage text NOT NULL CHECK (usage IN ('api', 'terminal')),
  subject_cn text NOT NULL CHECK (length(subject_cn) BETWEEN 1 AND 64),
  method text NOT NULL CHECK (method IN ('csr', 'pkcs12')),
  csr_pem text,
  -- A renewal names the certificate it replaces; both are valid until the old one's end.
  renews text REFERENCES certificate,
  status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'refused', 'issued', 'downloaded')),
  requested_at timestamptz NOT NULL,
  requested_by text NOT NULL,
  decided_at timestamptz,
  decided_by text,
  decision_reason text,
  -- The batch (its closing time) that issued it.
  batch_at timestamptz,
  issued_at timestamptz,
  fingerprint256 text REFERENCES certificate,
  cert_pem text,
  p12 bytea,
  pin text,
  downloaded_at timestamptz,
  downloaded_by text,
  CHECK ((method = 'csr') = (csr_pem IS NOT NULL)),
  CHECK ((status IN ('issued', 'downloaded')) = (fingerprint256 IS NOT NULL)),
  CHECK ((status = 'downloaded') = (downloaded_at IS NOT NULL)),
  CHECK (status = 'issued' OR p12 IS NULL),
  CHECK (status IN ('requested', 'approved') OR pin IS NULL),
  CHECK (p12 IS NULL OR pin IS NULL)
);
CREATE INDEX certificate_request_company ON certificate_request (company_code, request_id);
CREATE INDEX certificate_request_open ON certificate_request (status, decided_at) WHERE status IN ('requested', 'approved');

-- The batches run, by their closing time: a closing time is worked once, whichever process takes it.
CREATE TABLE certificate_batch (
  batch_at timestamptz PRIMARY KEY,
  ran_at timestamptz NOT NULL,
  issued integer NOT NULL CHECK (issued >= 0)
);

-- The expiry notices sent (90, 30 and 7 days before the end), once per certificate and threshold.
CREATE TABLE certificate_expiry_notice (
  fingerprint256 text NOT NULL REFERENCES certificate,
  days_before integer NOT NULL CHECK (days_before IN (90, 30, 7)),
  notified_at timestamptz NOT NULL,
  PRIMARY KEY (fingerprint256, days_before)
);

-- Suspicious use the hub found in the audit log (slide 46), for the hub admins to look at and, in
-- one click, suspend. One flag per certificate, rule and window.
CREATE TABLE suspicion_flag (
  flag_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  fingerprint256 text NOT NULL REFERENCES certificate,
  company_code text NOT NULL REFERENCES participant,
  rule text NOT NULL CHECK (rule IN ('many_addresses', 'refusal_burst', 'outside_hours')),
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  observed integer NOT NULL,
  detail text NOT NULL,
  raised_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'suspended', 'dismissed')),
  resolved_at timestamptz,
  resolved_by text,
  UNIQUE (fingerprint256, rule, window_start),
  CHECK ((status = 'open') = (resolved_at IS NULL))
);
CREATE INDEX suspicion_flag_open ON suspicion_flag (raised_at) WHERE status = 'open';

-- The suspensions' history is the published state grids follow (GET /api/v1/credential-status):
-- its change_id is the position a follower resumes from.

-- Notifications of the certificates' life enter the pull mailbox and the mail outbox like the others.
ALTER TABLE notification DROP CONSTRAINT IF EXISTS notification_kind_check;
ALTER TABLE notification ADD CONSTRAINT notification_kind_check CHECK (kind IN (
  'relayAwaitingDecision', 'relayDecided', 'matchingComplete', 'applicationCompleted',
  'certificateIssued', 'certificateRequestRefused', 'certificateExpiring', 'credentialSuspended'));
