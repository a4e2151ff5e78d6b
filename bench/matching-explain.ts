/**
 * Where a matching batch's time goes (issue 18): loads the matching bench's rows into a kept
 * database (KIRIKAE_EXPLAIN_DB, created once), then for each experiment runs one batch of
 * `matchPairs` under EXPLAIN (ANALYZE, BUFFERS, WAL, TIMING) in a transaction that is rolled back,
 * with the experiment's change (DDL or SET, transactional) made first. Usage:
 *   node bench/matching-explain.ts [experiment…]   (KIRIKAE_EXPLAIN_LIMIT: batch size, 10,000;
 *   KIRIKAE_EXPLAIN_LANES: the batch of the first of that many lanes)
 */
import { readFileSync } from 'node:fs';
import { ManualClock } from '../src/platform/clock.ts';
import { ident, type Queryable } from '../src/platform/db/db.ts';
import { gridSchema } from '../src/grid/schema.ts';
import { resolveGridOptions, type GridContext } from '../src/grid/context.ts';
import { matchPairs } from '../src/grid/applications/matching.ts';
import { keptPairsDatabase } from './matching.bench.ts';

const pairs = Number(process.env.KIRIKAE_BENCH_PAIRS ?? 100_000);
const limit = Number(process.env.KIRIKAE_EXPLAIN_LIMIT ?? 10_000);
const dbName = process.env.KIRIKAE_EXPLAIN_DB ?? 'kirikae_matching_explain';
/** The batch as the first of this many lanes takes it (jobs.ts `runMatching`). */
const lanes = Number(process.env.KIRIKAE_EXPLAIN_LANES ?? 1);
const area = '03';
const schema = gridSchema(area);
const s = ident(schema);
const now = '2026-11-30T10:00:00+09:00';

const { db, loaded } = await keptPairsDatabase(dbName, pairs);
if (loaded) console.log(`loaded ${pairs} pairs into ${dbName}`);

/** Experiments that change the statement's text. */
const unused = (ps: number[]) => ps.map((p) => `$${p}::text IS NOT NULL`).join(' OR ');
const locksOff = (sql: string) => sql.replaceAll(/FOR NO KEY UPDATE( OF i)? SKIP LOCKED/g, '');
const upToMoved = (sql: string) =>
  `${sql.slice(0, sql.indexOf('    -- A switch-in whose named date'))} SELECT count(*)::int FROM moved WHERE ${unused([4, 11, 12, 13, 14])}`.replace(
    /,\s*SELECT count/,
    ' SELECT count',
  );
const pairRow = (sql: string) =>
  `${sql.slice(0, sql.indexOf('    side AS ('))} ins AS (INSERT INTO ${s}.pair_probe SELECT in_no, out_no, effective_date FROM dated WHERE effective_date IS NOT NULL RETURNING 1)
   SELECT count(*)::int FROM ins WHERE $2::text IS NOT NULL OR $3::timestamptz IS NOT NULL OR ${unused([4, 11, 12, 13, 14])}`;
const materialized = (sql: string) => sql.replace('WITH candidate AS (', 'WITH candidate AS MATERIALIZED (').replace('pair AS (', 'pair AS MATERIALIZED (');
const rewrites: Record<string, (sql: string) => string> = {
  updateOnly: upToMoved,
  noLocksMaterialized: (sql) => materialized(locksOff(sql)),
  updateOnlyNoLocksMaterialized: (sql) => upToMoved(materialized(locksOff(sql))),
  updateOnlyNoLocks: (sql) => upToMoved(locksOff(sql)),
  pairRowOnly: pairRow,
  pairRowOnlyNoLocks: (sql) => pairRow(locksOff(sql)),
  noLocks: locksOff,
  noSeq: (sql) => sql.replaceAll(/nextval\('[a-z_0-9]+\.application_update_seq'\)/g, '0'),
  // The pairing alone (candidate, claim, dates), nothing written.
  readOnly: (sql) =>
    `${sql.slice(0, sql.indexOf('    side AS ('))} SELECT count(*)::int FROM dated WHERE $2::text IS NOT NULL OR $3::timestamptz IS NOT NULL OR $4::text IS NOT NULL OR $11::text IS NOT NULL OR $12::text IS NOT NULL OR $13::text IS NOT NULL OR $14::text IS NOT NULL`.replace(
      /,\s*SELECT count/,
      ' SELECT count',
    ),
};

/** Each experiment: statements run in the transaction before the batch. */
const experiments: Record<string, string[]> = {
  noLocks: [],
  noSeq: [],
  readOnly: [],
  updateOnly: [],
  noLocksMaterialized: [],
  updateOnlyNoLocksMaterialized: [],
  updateOnlyNoLocks: [],
  pairRowOnly: [`CREATE TABLE ${s}.pair_probe (in_no text PRIMARY KEY, out_no text NOT NULL, effective_date date NOT NULL)`],
  pairRowOnlyNoLocks: [`CREATE TABLE ${s}.pair_probe (in_no text PRIMARY KEY, out_no text NOT NULL, effective_date date NOT NULL)`],
  base: [],
  noNotify: [`DROP TRIGGER application_event_notify ON ${s}.application_event`],
  noOpenIdx: [`DROP INDEX ${s}.application_open_idx`],
  noDueIdx: [`DROP INDEX ${s}.application_due_idx`],
  noFeedIdx: [`DROP INDEX ${s}.application_feed_idx`],
  noRequestIdx: [`ALTER TABLE ${s}.application DROP CONSTRAINT application_request_once`],
  noTransitionIdx: [`DROP INDEX ${s}.application_transition_number_idx`],
  noEventPosIdx: [`DROP INDEX ${s}.application_event_position_idx`],
  jitOn: ['SET LOCAL jit = on'],
  workMem64: ['SET LOCAL work_mem = "64MB"'],
  asyncCommit: ['SET LOCAL synchronous_commit = off'],
  walLz4: ['SET LOCAL wal_compression = lz4'],
  walPglz: ['SET LOCAL wal_compression = pglz'],
};

class Rollback extends Error {}
/** CPU time (ms) the database backend `pid` has used: utime + stime of /proc (the server is local). */
function backendCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(experiments);
const clock = new ManualClock(now);
const ctx: GridContext = { area, schema, db, clock, options: resolveGridOptions() };
for (const name of chosen) {
  const setup = experiments[name];
  if (!setup) throw new Error(`no experiment ${name}`);
  await db.exec(`VACUUM ${s}.application, ${s}.application_transition, ${s}.application_event`);
  await db
    .transaction(async (tx) => {
      for (const sql of setup) await tx.query(sql);
      const explaining: Queryable = {
        query: async (text, values, options) => {
          if (!text.startsWith('WITH candidate')) return tx.query(text, values, options);
          const rewrite = rewrites[name] ?? ((sql: string) => sql);
          const { rows: pidRows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          const pid = pidRows[0]!.pid;
          const cpuBefore = backendCpuMs(pid);
          const started = performance.now();
          const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, WAL, TIMING) ${rewrite(text)}`, values);
          const ms = performance.now() - started;
          console.log(`=== ${name} (limit ${limit}): ${ms.toFixed(0)} ms wall, ${backendCpuMs(pid) - cpuBefore} ms backend CPU`);
          const plan = rows.map((r) => r['QUERY PLAN']);
          if (process.env.KIRIKAE_EXPLAIN_PLAN === '1') console.log(plan.join('\n'));
          else
            console.log(plan.filter((l) => /^( {2}CTE |Trigger|Execution Time)|^ {4}-> {2}(Update|Insert|Limit|Nested|Hash Join)|^\s+WAL:/.test(l)).join('\n'));
          return { rows: [] as never[], rowCount: 0 };
        },
        exec: (text) => tx.exec(text),
        copyFrom: (t, c, l) => tx.copyFrom(t, c, l),
      };
      await matchPairs(explaining, ctx, { limit, cause: 'matching', ...(lanes > 1 ? { lane: { index: 0, count: lanes } } : {}) });
      throw new Rollback();
    })
    .catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
}
await db.close();
