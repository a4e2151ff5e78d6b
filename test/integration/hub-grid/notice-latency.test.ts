import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { forEachBackend } from '../../support/backends.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../../src/grid/transport/config.ts';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { givenIdentityWorld, testClock } from '../../../src/hub/identity/testing.ts';
import { givenNotificationAddress } from '../../../src/hub/notifications/testing.ts';
import { watchGridEvents, type GridEventRun, type GridEventWatch } from '../../../src/hub/notifications/event-watch.ts';
import type { NotificationDeps } from '../../../src/hub/notifications/notification.jobs.ts';

const data = (r: InterfaceResponse): Record<string, unknown> => (r.data ?? {}) as Record<string, unknown>;

/** Waits for the watcher's run of `area` that notified someone. */
async function notifiedRun(watch: GridEventWatch, area: string): Promise<GridEventRun> {
  for (;;) {
    const [run] = (await once(watch.runs, 'run')) as [GridEventRun];
    if (run.area === area && run.notified > 0) return run;
  }
}

forEachBackend('notices are event-driven: the grid NOTIFYs at the commit of its events, the hub fetches at once', (backend) => {
  test('a matching notice reaches the pull mailbox and the mail outbox at the instant of matching, with the manual clock never moved and no job running', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    await givenIdentityWorld(db, clock);
    await givenNotificationAddress(db, '1003', '1003@retailer.example');
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    const deps: NotificationDeps = { mail: { db, clock }, events: { db, clock, transport: grids }, areas: ['03'] };
    const watch = await watchGridEvents(db, deps);
    try {
      assert.equal(watch.listening, true);
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const switchIn = await grids.send(
        '03',
        gridRequest('IF_10610', {
          updateFlag: '1',
          applicationNumber: 'AP03-20261125000001',
          supplyPointId: p.supplyPointId,
          customerNameKana: 'ヤマダ ハナコ',
          currentRetailerCode: '20013',
        }),
      );
      assert.equal(data(switchIn).stage, '03', JSON.stringify(switchIn));
      const run = notifiedRun(watch, '03');
      const switchOut = await grids.send(
        '03',
        gridRequest(
          'IF_10710',
          { updateFlag: '1', applicationNumber: 'AP03-20261125900001', supplyPointId: p.supplyPointId, newRetailerCode: '10033' },
          '20013',
        ),
      );
      assert.equal(data(switchOut).stage, '05', 'matched at once by the switch-out');
      const done = await run;
      assert.equal(done.notified, 1, 'the new retailer alone');

      const { rows } = await db.query<{ kind: string; createdAt: Date; mailCreatedAt: Date | null; sentAt: Date | null }>(
        `SELECT n.kind, n.created_at AS "createdAt", m.created_at AS "mailCreatedAt", m.sent_at AS "sentAt"
           FROM hub.notification n LEFT JOIN hub.mail_outbox m ON m.id = n.mail_id WHERE n.company_code = '1003'`,
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.kind, 'matchingComplete');
      // The manual clock never moved: the notice is stamped with the matching's own instant (latency 0
      // in business time), not at a later minute tick.
      assert.equal(rows[0]!.createdAt.toISOString(), clock.now().toISOString());
      assert.equal(rows[0]!.mailCreatedAt?.toISOString(), clock.now().toISOString(), 'the mail is in the outbox with it');
      assert.equal(done.mailsSent, 1, 'and sent in the same run (the built-in mailbox)');
      assert.equal(rows[0]!.sentAt?.toISOString(), clock.now().toISOString());
    } finally {
      await watch.stop();
      grids.close();
    }
  });

  test('a NOTIFY for an area the hub does not serve, or garbage, does nothing; after stop nothing runs', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    const deps: NotificationDeps = { mail: { db, clock }, events: { db, clock, transport: grids }, areas: ['03'] };
    const watch = await watchGridEvents(db, deps);
    const seen: GridEventRun[] = [];
    watch.runs.on('run', (r: GridEventRun) => seen.push(r));
    try {
      // The run of the subscription's start (events recorded while not subscribed).
      if (seen.length === 0) await once(watch.runs, 'run');
      seen.length = 0;
      await db.query(`SELECT pg_notify('kirikae_grid_events', '04'), pg_notify('kirikae_grid_events', 'x''; DROP')`);
      await db.query(`SELECT pg_notify('kirikae_grid_events', '03')`);
      await once(watch.runs, 'run');
      assert.deepEqual(
        seen.map((r) => r.area),
        ['03'],
        'only the served area ran',
      );
    } finally {
      await watch.stop();
      grids.close();
    }
    const before = seen.length;
    await db.query(`SELECT pg_notify('kirikae_grid_events', '03')`);
    // A round trip later, a NOTIFY delivered to a live subscription would have started a run.
    await db.query('SELECT 1');
    assert.equal(seen.length, before);
  });
});
