import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { Jobs } from '../../../src/platform/jobs.ts';

forEachBackend('job queue', (backend) => {
  test('runs a job sent to a queue', async () => {
    await using db = await backend.open();
    const jobs = await Jobs.start(db, { pollingIntervalSeconds: 0.5 });
    try {
      const seen = Promise.withResolvers<unknown>();
      await jobs.work<{ n: number }>('echo', async ([job]) => seen.resolve(job!.data));
      await jobs.send('echo', { n: 7 });
      assert.deepEqual(await seen.promise, { n: 7 });
    } finally {
      await jobs.stop();
    }
  });

  test('a job enqueued in a transaction exists only if the transaction commits', async () => {
    await using db = await backend.open();
    const jobs = await Jobs.start(db, { schedule: false });
    try {
      await jobs.queue('outbox');
      await db.transaction(async (tx) => {
        await jobs.enqueue(tx, 'outbox', { kept: true });
      });
      await assert.rejects(
        db.transaction(async (tx) => {
          await jobs.enqueue(tx, 'outbox', { kept: false });
          throw new Error('the write failed');
        }),
        /the write failed/,
      );
      const { rows } = await db.query<{ data: { kept: boolean } }>(`SELECT data FROM pgboss.job WHERE name = 'outbox'`);
      assert.deepEqual(
        rows.map((r) => r.data),
        [{ kept: true }],
      );
    } finally {
      await jobs.stop();
    }
  });

  test('registers a recurring schedule in the database, once however often it is declared', async () => {
    await using db = await backend.open();
    const jobs = await Jobs.start(db, { schedule: false });
    try {
      await jobs.every('matching', '*/20 * * * *');
      await jobs.every('matching', '*/20 * * * *');
      const schedules = await jobs.boss.getSchedules('matching');
      assert.equal(schedules.length, 1);
      assert.equal(schedules[0]!.cron, '*/20 * * * *');
      assert.equal(schedules[0]!.timezone, 'Asia/Tokyo');
    } finally {
      await jobs.stop();
    }
  });
});
