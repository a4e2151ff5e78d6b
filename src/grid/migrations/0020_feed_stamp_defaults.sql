-- The feed positions' stamp as the columns' defaults (grid/applications/feed-horizon.ts, `feedStamp`):
-- greatest(the writing transaction's ID, the newest ID ended when the statement began). The code's
-- writers name the stamp in every INSERT and UPDATE of a position (a unit test holds them to it);
-- with these defaults an INSERT that leaves it out — a hand-written data fix, a future writer — is
-- stamped the same, so a transaction whose ID is older than a change already published cannot put
-- its row behind a cursor given out. (An UPDATE that moves a position must still name the stamp.)
ALTER TABLE application ALTER COLUMN update_xid
  SET DEFAULT greatest(pg_current_xact_id(), (pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1)::text::xid8);
ALTER TABLE application_event ALTER COLUMN xid
  SET DEFAULT greatest(pg_current_xact_id(), (pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1)::text::xid8);
ALTER TABLE stub_application ALTER COLUMN update_xid
  SET DEFAULT greatest(pg_current_xact_id(), (pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1)::text::xid8);
ALTER TABLE stub_application_event ALTER COLUMN xid
  SET DEFAULT greatest(pg_current_xact_id(), (pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1)::text::xid8);
