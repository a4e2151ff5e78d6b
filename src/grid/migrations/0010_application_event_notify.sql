-- Notices within seconds (issue 18): every transaction that records application events tells the
-- hub at its commit, with NOTIFY on the channel `kirikae_grid_events` and the area as payload
-- (hub/notifications/event-watch.ts listens and fetches that area's events at once). One
-- notification per statement, not per row: a matching batch of 10,000 pairs sends one; PostgreSQL
-- also folds equal notifications of one transaction into one. A hub that does not listen (or
-- another database) still gets the events from its minute job.
CREATE FUNCTION application_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kirikae_grid_events', right(TG_TABLE_SCHEMA, 2));
  RETURN NULL;
END
$$;

CREATE TRIGGER application_event_notify AFTER INSERT ON application_event
  FOR EACH STATEMENT EXECUTE FUNCTION application_event_notify();
