/**
 * The feeds' horizon: how far the application feed (IF_11110, feed.handler.ts) and the events feed
 * the hub reads (GRID_EVENTS, events.handler.ts) may publish, so that a poller giving back each
 * page's cursor misses no change and sees none twice, however writers interleave and commit.
 *
 * Positions. Every change written into a feed table (`application`, `application_event`, the
 * stub's `stub_application`, `stub_application_event`) carries a position (stamp, sequence value),
 * ordered by stamp then sequence value: the sequence value is unique and taken in the writing
 * statement (sequences with no cache: later calls, in time, get greater values), the stamp is
 * `feedStamp` below, evaluated in the writing statement:
 *
 *     stamp = greatest(the writing transaction's ID, xmax of the statement's snapshot − 1)
 *
 * (xmax − 1 is the newest transaction ID known to have ended when the statement began.)
 * A feed query Q (one statement, snapshot S_Q) returns the rows after the cursor whose stamp is
 * below a horizon H_Q, in position order. The whole guarantee is one invariant:
 *
 *     (I) every row Q cannot see (written by a transaction still running or committed after S_Q,
 *         or written later) has a position after every row Q can see and publish: a stamp ≥ H_Q,
 *         or the stamp H_Q − 1 with a sequence value taken after every row Q sees had committed.
 *
 * Then the cursor a page gives back lies before every change Q did not see: nothing is missed, and
 * nothing is seen twice since the cursor only moves forward.
 *
 * The horizon (`feedHorizon`), read in the statement after its snapshot: the least of
 *   (a) xmax of S_Q;
 *   (b) the ID of every transaction that holds RowExclusiveLock on one of the feed's tables
 *       (pg_locks, this database), as its own transaction-ID lock gives it;
 *   (c) every ID in progress in S_Q that no longer holds (or does not yet show) its transaction-ID
 *       lock when the locks are read.
 * Why (I) holds, for a writer W of a row Q cannot see:
 *   - W holds its RowExclusiveLock when the locks are read and already has an ID X: every stamp
 *     of W is ≥ X (the greatest above) and H_Q ≤ X by (b). This covers a transaction that has
 *     its ID from earlier writes (of other tables) and a writer that took the lock in a statement
 *     that wrote nothing (`LOCK TABLE`, an UPDATE matching no row): the lock is what counts.
 *   - W holds the lock but shows no ID: either it has none yet, and will get one ≥ the next ID at
 *     that moment ≥ xmax of S_Q ≥ H_Q; or it got one a moment before its ID lock was entered (the
 *     ID is in the process array before the lock table): an ID older than S_Q is then in S_Q's
 *     in-progress list without a lock, so H_Q ≤ it by (c), and a younger one is ≥ xmax of S_Q.
 *   - W does not hold the lock when the locks are read: it takes it later, and every write
 *     statement takes its locks before its snapshot (READ COMMITTED: each statement takes a new
 *     snapshot once parsing, planning or the cached plan's revalidation has locked its tables),
 *     so W's stamp is ≥ xmax of a snapshot taken after Q's − 1 ≥ xmax of S_Q − 1 ≥ H_Q − 1, and
 *     on that stamp its sequence value, taken after the lock, is greater than those of all rows
 *     Q sees (committed before S_Q). The stamp's second term exists for this case: a
 *     transaction's ID may be far older than its first write into a feed table (the stage machine
 *     locks the application FOR UPDATE, which gives an ID, before it writes; it writes
 *     `application` before `application_event`; a data fix may write other tables first), and
 *     without it that old ID would land behind a cursor already given out. Why xmax − 1 and not
 *     xmax: xmax may be an ID no transaction has ended with yet, and a change stamped with it
 *     would wait, in a quiet grid, until one does; xmax − 1 has ended, so the change is out as
 *     soon as its own transaction ends.
 *   - W held the lock but ended between S_Q and the reading of the locks: its ID, if older than
 *     S_Q, is in S_Q's in-progress list and no longer locked, so H_Q ≤ it by (c); a younger one is
 *     ≥ xmax of S_Q.
 * pg_locks is not read in one instant (each backend's fast-path slots, then the shared table), but
 * every case above only needs "after S_Q" for the moment W's own entries were read, and holds for
 * each W separately. Subtransactions: the stamp uses the top-level ID, and a subtransaction's lock
 * released at its rollback goes with the rows it wrote. Prepared transactions (2PC) keep their locks,
 * their transaction-ID lock among them, on a dummy process that takes over the backend's virtual
 * transaction ID (PostgreSQL's twophase.c), so (b) and (c) hold for them unchanged — read from the
 * source, not tested: the test server has max_prepared_transactions = 0.
 *
 * What no longer holds a feed back: any transaction that has not locked the feed's tables — another
 * database, another grid's schema, a registry load, a long data fix of other tables, a long open
 * transaction that only reads — while the old horizon (`pg_snapshot_xmin`: the oldest transaction
 * of the whole server) waited for all of them. What still does: a transaction that has locked one of
 * the feed's tables and has an ID, until it ends (a matching batch of the same grid, as before).
 *
 * Conditions on writers: every write of a position names its stamp, `feedStamp` (this code's
 * INSERTs and UPDATEs of the four tables in grid/applications/ and grid/stub/; the columns' defaults
 * are still the bare `pg_current_xact_id()` of their migrations, so an INSERT that leaves the stamp
 * out is exposed to the case above), in READ COMMITTED (a REPEATABLE READ transaction's snapshot
 * may be older than its lock). A hand-written data fix that moves a position must do the same.
 *
 * Cost. Reading pg_locks takes every lock partition and scans every backend's fast-path slots. The
 * horizon alone, measured on the shared 2-core machine: 0.4 ms with a few locks on the server,
 * 1.3–2.4 ms with 1,000, 4–11 ms with 5,000 (pg_locks alone 4–8 ms there), against 0.05–0.1 ms for
 * pg_snapshot_xmin. So the feeds read it only when a page meets a change not older than the
 * snapshot's xmin (what the old horizon would have held back: every horizon is ≥ that xmin), in a
 * CASE whose subquery PostgreSQL runs on first need, so a quiet poll never reads pg_locks; and their
 * statements are prepared once per connection (planning the horizon costs 0.15 ms more than the
 * old query).
 *
 * PGlite: one backend, so no other transaction runs; pg_locks and pg_current_snapshot() work as on
 * PostgreSQL, and the horizon is the snapshot's xmax (inside a transaction that has written the
 * feed's tables, its own ID: its changes are not published before it commits).
 */
import { ident } from '../../platform/db/db.ts';

/** The stamp of a position written now (see above), for the writers' INSERTs and UPDATEs. */
export const feedStamp = 'greatest(pg_current_xact_id(), (pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1)::text::xid8)';

/**
 * The horizon of a feed over `tables` (of `schema`), as a scalar SQL expression of type xid8 for the
 * statement that reads the feed (the same snapshot): changes stamped below it may be published.
 */
export function feedHorizon(schema: string, tables: readonly string[]): string {
  const relations = tables.map((t) => `'${ident(schema)}.${ident(t)}'::regclass`).join(', ');
  // xmax of the snapshot as a bigint, and a 32-bit transaction ID of pg_locks widened to the 64-bit
  // ID nearest to it (in-progress IDs are within 2^31 of the next one, whatever the epoch).
  const xmax = 'pg_snapshot_xmax(h_snap.s)::text::bigint';
  const widened = `(${xmax} + ((l.transactionid::text::bigint - (${xmax} & 4294967295) + 6442450944) % 4294967296) - 2147483648)::text::xid8`;
  return `(WITH h_snap AS MATERIALIZED (SELECT pg_current_snapshot() AS s),
      h_locks AS MATERIALIZED (SELECT locktype, database, relation, transactionid, virtualtransaction, mode FROM pg_locks
                                WHERE granted AND (locktype = 'transactionid' OR relation IN (${relations}))),
      h_ids AS MATERIALIZED (SELECT l.virtualtransaction, ${widened} AS xid FROM h_locks l, h_snap
                              WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock')
    SELECT LEAST(
      pg_snapshot_xmax(h_snap.s),
      (SELECT min(i.xid) FROM h_locks l JOIN h_ids i USING (virtualtransaction)
        WHERE l.locktype = 'relation' AND l.mode = 'RowExclusiveLock' AND l.relation IN (${relations})
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())),
      (SELECT min(x) FROM pg_snapshot_xip(h_snap.s) AS x WHERE NOT EXISTS (SELECT FROM h_ids i WHERE i.xid = x)))
    FROM h_snap)`;
}
