import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { advanceClock, clockControlWithJobs } from '../../../src/hub/clock/clock.commands.ts';
import { migrateHub } from '../../../src/hub/identity/testing.ts';
import { systemActor } from '../../../src/hub/policy.ts';
import { openSystemClock } from '../../../src/hub/sandbox-clock.ts';
import type { Db } from '../../../src/platform/db/db.ts';
import { openPostgres } from '../../../src/platform/db/postgres.ts';
import { Jobs } from '../../../src/platform/jobs.ts';
import { allDue, matchAll, matchingCron, queues, scheduleDueWork, type DueWork } from '../../../src/jobs/due-work.ts';

interface FakeGrid {
  readonly area: string;
}

/** Grid functions that count their calls and hand out `pending` rows `limit` at a time. */
function fakeWork(grids: FakeGrid[], pending: { matching: number; due: number }, calls: Map<string, number>): DueWork<FakeGrid> {
  const count = (key: string) => calls.set(key, (calls.get(key) ?? 0) + 1);
  return {
    grids,
    areas: grids.map((g) => g.area),
    limit: 10,
    maxRuns: 5,
    runMatching: async (grid, { limit }) => {
      count(`matching ${grid.area}`);
      const matched = Math.min(limit, pending.matching);
      pending.matching -= matched;
      return { matched, expired: 0 };
    },
    executeDue: async (grid, { limit }) => {
      count(`execute ${grid.area}`);
      const executed = Math.min(limit, pending.due);
      pending.due -= executed;
      return { executed };
    },
    retryDueDeliveries: async () => {
      count('retries');
    },
    notify: async (areas = []) => {
      count(`notify ${areas.length > 0 ? areas.join(',') : 'mail'}`);
    },
  };
}

test('a full batch is followed by another, up to the cap; the rest waits for the next tick', async () => {
  const calls = new Map<string, number>();
  const pending = { matching: 25, due: 0 };
  const work = fakeWork([{ area: '03' }], pending, calls);
  assert.deepEqual(await matchAll(work, { area: '03' }), { matched: 25, expired: 0, executed: 0 });
  assert.equal(calls.get('matching 03'), 3, '10 + 10 + 5');
  pending.matching = 1_000;
  assert.equal((await matchAll(work, { area: '03' })).matched, 50, 'at most maxRuns × limit');
  pending.due = 7;
  assert.deepEqual(await allDue(work, { area: '03' }), { matched: 50, expired: 0, executed: 7 });
});

async function secondDb(db: Db & { url: string | undefined }): Promise<{ db: Db; close: () => Promise<void> }> {
  if (!db.url) return { db, close: async () => {} };
  const other = await openPostgres(db.url);
  return { db: other, close: () => other.close() };
}

forEachBackend('scheduled due work', (backend) => {
  test('two processes: every schedule registered once; a clock advance runs each area’s due work once, in one of them', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const other = await secondDb(db);
    const calls = new Map<string, number>();
    const grids = [{ area: '03' }, { area: '06' }];
    const first = await Jobs.start(db, { pollingIntervalSeconds: 0.5 });
    const second = await Jobs.start(other.db, { pollingIntervalSeconds: 0.5 });
    try {
      await scheduleDueWork(first, fakeWork(grids, { matching: 0, due: 0 }, calls));
      await scheduleDueWork(second, fakeWork(grids, { matching: 0, due: 0 }, calls));
      const schedules = await first.boss.getSchedules();
      const names = schedules.map((s) => s.name).sort();
      assert.deepEqual(names, [...new Set(names)], 'no schedule twice');
      assert.equal(schedules.length, 6, 'matching, execution and the 00:05 execution of two areas');
      assert.equal(schedules.find((s) => s.name === queues.matching('03'))?.cron, matchingCron);

      const clock = await openSystemClock(db, 'sandbox');
      await advanceClock(db, await clockControlWithJobs(clock, first), systemActor, { advance: '2d' });
      const until = Date.now() + 20_000;
      while (!(calls.get('notify 03') && calls.get('notify 06') && calls.get('retries'))) {
        if (Date.now() > until) throw new Error(`due work did not run: ${JSON.stringify([...calls])}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 1_500)); // time for a second run, if there were one
      assert.deepEqual(Object.fromEntries(calls), {
        'matching 03': 1, 'execute 03': 1, 'matching 06': 1, 'execute 06': 1, retries: 1,
        // The hub's notification work: the mail after the advance, each area's events after its due work.
        'notify mail': 1, 'notify 03': 1, 'notify 06': 1,
      });
    } finally {
      await first.stop();
      await second.stop();
      await other.close();
    }
  });
});
