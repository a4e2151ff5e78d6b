-- How far each hub process's audit journal (KIRIKAE_HOME/audit-journal, hub/audit/audit-journal.ts)
-- is in audit_log: the byte position after the last record inserted, written by the same statement
-- as the batch it ends, so that a journal read back after its process was killed starts exactly
-- after the records already here (none twice, none lost). A row is deleted once its journal is.
CREATE TABLE audit_journal (
  journal_id text PRIMARY KEY,
  position bigint NOT NULL CHECK (position >= 0),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
