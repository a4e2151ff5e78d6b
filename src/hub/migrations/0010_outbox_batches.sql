-- Delivery in batches (issue 18): a deliverer claims the oldest pending filings of one area
-- (hub/applications/batch-delivery.ts), one grid message for many applications.
CREATE INDEX application_outbox_pending_area_idx ON application_outbox (area, id) WHERE status = 'pending';
