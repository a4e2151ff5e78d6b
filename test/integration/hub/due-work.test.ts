import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, forEachBackend, postgresBackend } from '../../support/backends.ts';
import { countingDueWork } from '../../support/counting-due-work.ts';
import { startSecondProcess } from '../../support/second-process.ts';
import { advanceClock, clockAdvancedQueue, clockControlWithJobs } from '../../../src/hub/clock/clock.commands.ts';
import { systemActor } from '../../../src/hub/policy.ts';
import { openSystemClock } from '../../../src/hub/sandbox-clock.ts';
import type { Db } from '../../../src/platform/db/db.ts';
import { Jobs } from '../../../src/platform/jobs.ts';
import { matchingCron, queues, scheduleDueWork } from '../../../src/jobs/due-work.ts';

/** Waits until every job of `names` has run to completion: then none is left to run again. */
async function settled(db: Db, names: readonly string[]): Promise<Record<string, number>> {
  const until = Date.now() + 30_000;
  for (;;) {
    const { rows } = await db.query<{ name: string; n: number; open: number }>(
      `SELECT name, count(*)::int AS n, count(*) FILTER (WHERE state <> 'completed')::int AS open FROM pgboss.job WHERE name = ANY($1) GROUP BY name`,
      [names],
    );
    if (rows.length === names.length && rows.every((r) => r.open === 0)) return Object.fromEntries(rows.map((r) => [r.name, r.n]));
    if (Date.now() > until) throw new Error(`jobs did not settle: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const advanceJobs = [clockAdvancedQueue, queues.dueNow('03'), queues.dueNow('06')];

/** Each area's due work once, the outbox's retries and the mail once, each area's events after its due work. */
const onceEach = {
  'matching 03': 1,
  'execute 03': 1,
  'matching 06': 1,
  'execute 06': 1,
  retries: 1,
  'notify mail': 1,
  'notify 03': 1,
  'notify 06': 1,
};

forEachBackend('scheduled due work', (backend) => {
  test('declaring the schedules again (as every process does at its start) registers each once; a clock advance runs each area’s due work once', async () => {
    await using db = await backend.open();
    const calls = new Map<string, number>();
    const grids = [{ area: '03' }, { area: '06' }];
    const jobs = await Jobs.start(db, { pollingIntervalSeconds: 0.5 });
    try {
      await scheduleDueWork(jobs, countingDueWork(grids, { matching: 0, due: 0 }, calls));
      await scheduleDueWork(jobs, countingDueWork(grids, { matching: 0, due: 0 }, calls));
      const schedules = await jobs.boss.getSchedules();
      const names = schedules.map((s) => s.name).sort();
      assert.deepEqual(names, [...new Set(names)], 'no schedule twice');
      assert.equal(schedules.length, 6, 'matching, execution and the 00:05 execution of two areas');
      assert.equal(schedules.find((s) => s.name === queues.matching('03'))?.cron, matchingCron);

      const clock = await openSystemClock(db, 'sandbox');
      await advanceClock(db, await clockControlWithJobs(clock, jobs), systemActor, { advance: '2d' });
      // One job per queue, all completed: nothing is left that could run the work a second time.
      assert.deepEqual(await settled(db, advanceJobs), Object.fromEntries(advanceJobs.map((name) => [name, 1])));
      assert.deepEqual(Object.fromEntries(calls), onceEach);
    } finally {
      await jobs.stop();
    }
  });
});

// PGlite is a single-process database: no second process can open it. Two processes share the
// work on PostgreSQL.
if (backends.some((b) => b.name === 'postgres')) {
  describe('scheduled due work in two processes [postgres]', () => {
    test('a second process declares the same schedules: each registered once; a clock advance runs each area’s due work once, in one of the two', async () => {
      await using db = await postgresBackend.open();
      const calls = new Map<string, number>();
      const grids = [{ area: '03' }, { area: '06' }];
      const jobs = await Jobs.start(db, { pollingIntervalSeconds: 0.5 });
      const second = await startSecondProcess<Record<string, number>>('dueWorkQueue', { url: db.url, areas: ['03', '06'] });
      let secondCalls: Record<string, number> = {};
      try {
        await scheduleDueWork(jobs, countingDueWork(grids, { matching: 0, due: 0 }, calls));
        const schedules = await jobs.boss.getSchedules();
        assert.equal(schedules.length, 6, 'six schedules, not twelve');
        const clock = await openSystemClock(db, 'sandbox');
        await advanceClock(db, await clockControlWithJobs(clock, jobs), systemActor, { advance: '2d' });
        assert.deepEqual(await settled(db, advanceJobs), Object.fromEntries(advanceJobs.map((name) => [name, 1])));
      } finally {
        secondCalls = await second.result();
        await jobs.stop();
      }
      const total = new Map(Object.entries(secondCalls));
      for (const [key, n] of calls) total.set(key, (total.get(key) ?? 0) + n);
      assert.deepEqual(
        Object.fromEntries(total),
        onceEach,
        `this process ${JSON.stringify(Object.fromEntries(calls))}, the second ${JSON.stringify(secondCalls)}`,
      );
    });
  });
}
