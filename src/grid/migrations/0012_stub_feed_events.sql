-- The grid stub's applications (0007) in the application feed (IF_11110, IF_K11110, IF_F11110) and
-- in the application events the hub notifies retailers of (GRID_EVENTS), as the reference grid's:
-- a retailer's system that reads the feed sees its stub applications move through their stages.
--
-- Feed position: the stub's changes take their sequence value from the reference grid's own
-- sequence, so both tables share one order by (writing transaction, sequence value) and the feed
-- reads them as one (see grid/applications/feed.handler.ts).
ALTER TABLE stub_application ADD COLUMN update_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE stub_application ADD COLUMN update_seq bigint NOT NULL DEFAULT nextval('application_update_seq');
CREATE INDEX stub_application_feed_idx ON stub_application (participant_code, update_xid, update_seq);

-- The stub's application events, numbered from the reference grid's event sequence (one order for
-- both, see grid/applications/events.handler.ts); `kind` as the reference grid's application.kind.
CREATE TABLE stub_application_event (
  event_id bigint PRIMARY KEY DEFAULT nextval('application_event_event_id_seq'),
  application_number text NOT NULL REFERENCES stub_application,
  participant_code text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('moveIn', 'moveOut', 'switchIn', 'switchOut', 'infoChange', 'ampereChange')),
  event text NOT NULL CHECK (event IN ('matchingComplete', 'completed', 'refused', 'cancelled')),
  stage text NOT NULL,
  at timestamptz NOT NULL,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX stub_application_event_position_idx ON stub_application_event (xid, event_id);

-- The hub hears of them at the commit as of the reference grid's (0010).
CREATE TRIGGER stub_application_event_notify AFTER INSERT ON stub_application_event
  FOR EACH STATEMENT EXECUTE FUNCTION application_event_notify();
