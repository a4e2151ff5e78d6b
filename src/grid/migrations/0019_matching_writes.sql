-- Matching writes less per pair (issue 18, matching, fourth round). Measured on a batch of 10,000
-- pairs (EXPLAIN ANALYZE and the backend's CPU time, bench/matching-explain.ts):
--   - the foreign keys of the history and the events to `application` ran one check per inserted
--     row (a look-up and a key-share lock of the application row just updated): 40,000 checks, a
--     third of the batch's database time. An application row is never deleted (no DELETE or
--     TRUNCATE of `application` anywhere; the registry's reload truncates only its own tables, which
--     `application` does not reference), and every writer inserts its transitions and events for the
--     rows it has just inserted or updated in the same statement or transaction, so the checks can
--     never fail. Without them the rows still name their application; the tests check that each
--     transition and event of a batch belongs to an application it moved.
--   - the due index (execution by effective date) held every application at 05 or 10, but the one
--     query that reads it (jobs.ts executeDue) wants only switch-ins at 05 and anything at 10: a
--     matched switch-out (half of the rows a batch moves) no longer gets an entry.
ALTER TABLE application_transition DROP CONSTRAINT application_transition_application_number_fkey;
ALTER TABLE application_event DROP CONSTRAINT application_event_application_number_fkey;
DROP INDEX application_due_idx;
CREATE INDEX application_due_idx ON application (effective_date) WHERE (stage = '05' AND kind = 'switchIn') OR stage = '10';
