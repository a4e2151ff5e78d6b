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
--   - expiry (matching.ts expireUnmatched, run after every batch) read every waiting application and
--     its point to find the few past their deadline: 1–2.5 s a call with 200,000 waiting. It now
--     reads two ranges: accepted before a bound (the waiting index) and named dates before the
--     latest earliest date (this index: waiting applications that name a date, no others; a
--     matched one leaves it, so matching writes no entry in it).
ALTER TABLE application_transition DROP CONSTRAINT application_transition_application_number_fkey;
ALTER TABLE application_event DROP CONSTRAINT application_event_application_number_fkey;
DROP INDEX application_due_idx;
CREATE INDEX application_due_idx ON application (effective_date) WHERE (stage = '05' AND kind = 'switchIn') OR stage = '10';
CREATE INDEX application_waiting_date_idx ON application (requested_date) WHERE stage = '03' AND requested_date IS NOT NULL;
