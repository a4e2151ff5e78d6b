/**
 * The grid's matching and execution as the scheduled jobs run them: two runs at once on one database
 * (on PostgreSQL in two processes) never match a pair twice; a sandbox clock advance makes the due work
 * run at once, through the job queue, and the supply points change retailer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { startSecondProcess } from '../../support/second-process.ts';
import { runMatching, executeDue } from '../../../src/grid/applications/jobs.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint } from '../../../src/grid/testing.ts';
import { advanceClock, clockControlWithJobs } from '../../../src/hub/clock/clock.commands.ts';
import { migrateHub } from '../../../src/hub/identity/testing.ts';
import { systemActor } from '../../../src/hub/policy.ts';
import { openSystemClock } from '../../../src/hub/sandbox-clock.ts';
import type { Clock } from '../../../src/platform/clock.ts';
import type { Db } from '../../../src/platform/db/db.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { Jobs } from '../../../src/platform/jobs.ts';
import { scheduleDueWork } from '../../../src/jobs/due-work.ts';

const oldRetailer = '20013';
const newRetailer = '10033';

/** `count` Tokyo points of 2001, each with a switch-in from 1003 and a switch-out from 2001 waiting for matching. */
async function givenPendingPairs(db: Db, clock: Clock, count: number): Promise<string[]> {
  const ids: string[] = [];
  const at = clock.now();
  for (let i = 0; i < count; i++) {
    const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: oldRetailer });
    ids.push(p.supplyPointId);
    for (const [kind, code, participant, prefix] of [
      ['switchIn', '03', newRetailer, 'API'],
      ['switchOut', '04', oldRetailer, 'APO'],
    ] as const) {
      const number = `${prefix}03-${String(i).padStart(6, '0')}`;
      await db.query(
        `INSERT INTO grid_03.application (application_number, participant_code, request_id, interface_id, kind, application_kind,
           supply_point_id, stage, stage_at, body, accepted_at, updated_at, update_seq)
         VALUES ($1, $2, $1, $3, $4, $5, $6, '03', $7, '{}', $7, $7, nextval('grid_03.application_update_seq'))`,
        [number, participant, kind === 'switchIn' ? 'IF_10610' : 'IF_10710', kind, code, p.supplyPointId, at],
      );
    }
  }
  return ids;
}

forEachBackend('matching and execution jobs', (backend) => {
  test('two matching runs at once (on PostgreSQL, the second in another process) match each pair exactly once', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    await migrateHub(db);
    const clock = await openSystemClock(db, 'sandbox');
    const pairs = 60;
    await givenPendingPairs(db, clock, pairs);
    const drain = async (q: Db) => {
      let matched = 0;
      for (;;) {
        const result = await runMatching({ db: q, clock, area: '03' }, { limit: 7 });
        matched += result.matched;
        if (result.matched === 0) return matched;
      }
    };
    // PGlite is a single-process database: there the two runs share this process (and its one session).
    const second = db.url
      ? await startSecondProcess<{ matched: number }>('drainMatching', { url: db.url, area: '03', limit: 7, now: clock.now().toISOString() })
      : undefined;
    {
      const [a, b] = await Promise.all([drain(db), second ? second.result().then((r) => r.matched) : drain(db)]);
      assert.equal(a + b, pairs, `first ${a} + second ${b}`);
      const { rows } = await db.query<{ application_number: string; n: number }>(
        `SELECT a.application_number, count(t.*)::int AS n FROM grid_03.application a
           LEFT JOIN grid_03.application_transition t ON t.application_number = a.application_number AND t.to_stage = '05'
          GROUP BY a.application_number`,
      );
      assert.equal(rows.length, 2 * pairs);
      assert.deepEqual(
        rows.filter((r) => r.n !== 1),
        [],
        'every application reached 05 once',
      );
      const { rows: mismatched } = await db.query(
        `SELECT 1 FROM grid_03.application i JOIN grid_03.application o ON o.application_number = i.matched_with
          WHERE o.matched_with <> i.application_number OR o.supply_point_id <> i.supply_point_id`,
      );
      assert.equal(mismatched.length, 0, 'pairs point at each other, on the same supply point');
    }
  });

  test('a clock advance runs the due work at once through the queue: matched, executed, retailer changed', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    await migrateHub(db);
    const clock = await openSystemClock(db, 'sandbox');
    const ids = await givenPendingPairs(db, clock, 3);
    const jobs = await Jobs.start(db, { pollingIntervalSeconds: 0.5 });
    try {
      await scheduleDueWork(jobs, { grids: [{ area: '03' as const, db, clock }], areas: ['03'], runMatching, executeDue });
      const control = await clockControlWithJobs(clock, jobs);
      const waitFor = async (what: string, sql: string, values: unknown[], expected: number) => {
        const until = Date.now() + 30_000;
        for (;;) {
          const { rows } = await db.query<{ n: number }>(sql, values);
          if (rows[0]!.n === expected) return;
          if (Date.now() > until) {
            const { rows: apps } = await db.query(`SELECT application_number, stage, effective_date FROM grid_03.application`);
            throw new Error(`${what}: ${JSON.stringify(apps)}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      // A minute later: the pairs are matched at once (not at the next 20-minute tick), the date fixed.
      await advanceClock(db, control, systemActor, { advance: '1m' });
      await waitFor('not matched', `SELECT count(*)::int AS n FROM grid_03.application WHERE stage = '05'`, [], 2 * ids.length);
      const { rows: dates } = await db.query<{ d: string }>(`SELECT DISTINCT effective_date::text AS d FROM grid_03.application`);
      assert.equal(dates.length, 1);
      // The effective date (the first reading day after the lead time: weeks at most) comes: executed at once.
      await advanceClock(db, control, systemActor, { to: `${dates[0]!.d}T00:01+09:00` });
      await waitFor(
        'not executed',
        `SELECT count(*)::int AS n FROM grid_03.supply_point WHERE supply_point_id = ANY($1) AND retailer_code = $2`,
        [ids, newRetailer],
        ids.length,
      );
      const { rows } = await db.query<{ kind: string; stage: string }>(`SELECT kind, stage FROM grid_03.application ORDER BY kind, application_number`);
      assert.ok(
        rows.every((r) => r.stage === '06' || r.stage === '08'),
        JSON.stringify(rows),
      );
    } finally {
      await jobs.stop();
    }
  });
});
