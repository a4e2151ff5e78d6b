-- The hub reads each grid's application events (GRID_EVENTS) to notify retailers. Like the feed,
-- it follows them by (writing transaction, event ID) and only up to the oldest transaction still
-- running, so an event committed late is never behind the hub's cursor.
ALTER TABLE application_event ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX application_event_position_idx ON application_event (xid, event_id);
