-- Matching at the speed of its join (issue 18, matching): a matched or refused application gets a new
-- row version with an entry in every index of `application` whose predicate it meets, and each of its
-- history rows and events one in every index of theirs. Two indexes no query needs that way:
--   - the retailer's own requestId (status inquiry by it: `retailer_request_id = $2`, never NULL):
--     only the applications that carry one;
--   - the events by participant: the hub reads a grid's events by position (xid, event_id), an
--     application's by its number; none by participant.
DROP INDEX application_retailer_request_idx;
CREATE INDEX application_retailer_request_idx ON application (participant_code, retailer_request_id) WHERE retailer_request_id IS NOT NULL;
DROP INDEX application_event_participant_idx;
