-- Notifications to participants (issue 6): each one enters the participant's pull mailbox and, by
-- e-mail, the mail outbox, in the transaction of the change that caused it. Rules in
-- src/hub/notifications/notifications.ts.

-- Where a participant's notification e-mails go. A participant without a row gets no e-mail; its
-- notifications still enter its pull mailbox.
CREATE TABLE notification_address (
  company_code text PRIMARY KEY REFERENCES participant,
  email text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);

-- The e-mail outbox: one row per e-mail to send (one notification, or a digest of several).
CREATE TABLE mail_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_code text NOT NULL REFERENCES participant,
  -- Stable for the life of the row: a resend after a crash between the SMTP server's acceptance and
  -- the commit of "sent" carries the same Message-ID, so the receiving side can recognise it.
  message_id text NOT NULL UNIQUE,
  to_address text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  -- 'single': one notification; 'digest': relays awaiting decision gathered for one interval.
  kind text NOT NULL CHECK (kind IN ('single', 'digest')),
  -- Business time (the sandbox clock).
  created_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
  attempts integer NOT NULL DEFAULT 0,
  -- Business time of the next attempt of a pending row.
  next_attempt_at timestamptz NOT NULL,
  -- Real time until which one sender holds the row, and the sender's claim (a crashed one's runs out).
  claimed_until timestamptz,
  claim_token text,
  last_error text,
  -- 'smtp' or 'mailbox' (the built-in mailbox, when no SMTP server is configured).
  sent_via text CHECK (sent_via IN ('smtp', 'mailbox')),
  sent_at timestamptz,
  CHECK ((status = 'sent') = (sent_at IS NOT NULL AND sent_via IS NOT NULL))
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX mail_outbox_digest_idx ON mail_outbox (company_code, created_at) WHERE kind = 'digest';

-- The built-in mailbox: the mails "received" when no SMTP server is configured (the embedded
-- default and the sandbox). Written in the transaction that marks the outbox row sent.
CREATE TABLE mailbox_message (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  mail_id bigint NOT NULL UNIQUE REFERENCES mail_outbox,
  company_code text NOT NULL REFERENCES participant,
  message_id text NOT NULL UNIQUE,
  to_address text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  delivered_at timestamptz NOT NULL
);
CREATE INDEX mailbox_message_company_idx ON mailbox_message (company_code, id DESC);

-- One row per notification: the pull mailbox (peek, lease, acknowledge) and its e-mail state.
CREATE TABLE notification (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_code text NOT NULL REFERENCES participant,
  kind text NOT NULL CHECK (kind IN ('relayAwaitingDecision', 'relayDecided', 'matchingComplete', 'applicationCompleted')),
  subject text NOT NULL,
  text text NOT NULL,
  relay_number text,
  application_number text,
  supply_point_id text,
  -- Business time (the sandbox clock).
  created_at timestamptz NOT NULL,
  -- Pull mailbox: real time until which the last peek holds it, that peek's token, how many peeks
  -- handed it out, and when it was acknowledged (never handed out again).
  leased_until timestamptz,
  lease_token text,
  peek_count integer NOT NULL DEFAULT 0,
  acknowledged_at timestamptz,
  -- E-mail: true while it waits for the participant's next digest; the mail that carries it.
  awaiting_digest boolean NOT NULL DEFAULT false,
  mail_id bigint REFERENCES mail_outbox
);
CREATE INDEX notification_unacknowledged_idx ON notification (company_code, id) WHERE acknowledged_at IS NULL;
CREATE INDEX notification_lease_idx ON notification (lease_token) WHERE lease_token IS NOT NULL;
CREATE INDEX notification_awaiting_digest_idx ON notification (company_code, id) WHERE awaiting_digest;

-- How far the hub has read each area grid's application events (GRID_EVENTS).
CREATE TABLE grid_event_cursor (
  area text PRIMARY KEY CHECK (area IN ('01', '02', '03', '04', '05', '06', '07', '08', '09', '10')),
  position text NOT NULL,
  updated_at timestamptz NOT NULL
);
