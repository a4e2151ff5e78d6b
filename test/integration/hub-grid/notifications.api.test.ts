import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { startTestHub } from '../../support/hub-server.ts';
import { executeDue } from '../../../src/grid/applications/jobs.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../../src/grid/transport/config.ts';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { KirikaeClient } from '../../../src/sdk/client.ts';
import { buildCertificate, buildRetailer, givenCertificate, givenIdentityWorld, givenParticipant, testClock } from '../../../src/hub/identity/testing.ts';
import type { AddressInfo } from 'node:net';
import { Grid } from '../../../src/grid/grid.ts';
import { createGridServer } from '../../../src/grid/server.ts';
import { HttpsGridTransport } from '../../../src/grid/transport/https.ts';
import { createCa } from '../../../src/platform/pki/ca.ts';
import { issueClientCert, issueServerCert } from '../../../src/platform/pki/issue.ts';
import { fetchGridEvents } from '../../../src/hub/notifications/grid-events.ts';
import { runMailWork } from '../../../src/hub/notifications/mail.ts';
import { givenNotificationAddress, TestSmtpServer } from '../../../src/hub/notifications/testing.ts';

type Data = Record<string, any>;
const data = (r: InterfaceResponse): Data => (r.data ?? {}) as Data;
const codes = (r: InterfaceResponse): string[] => r.messages.map((m) => m.code);

/**
 * Fetches until `events` events came (or 20 s passed). A grid hands out only events of
 * transactions older than every running one, cluster-wide: on a PostgreSQL server shared with
 * other tests, another database's open transaction may hold them back for a moment.
 */
async function fetchUntil(deps: Parameters<typeof fetchGridEvents>[0], events: number) {
  const totals = { events: 0, notified: 0 };
  const until = Date.now() + 60_000;
  while (totals.events < events && Date.now() < until) {
    const got = await fetchGridEvents(deps, '03');
    totals.events += got.events;
    totals.notified += got.notified;
    if (totals.events < events) await new Promise((r) => setTimeout(r, 100));
  }
  return totals;
}

forEachBackend('notifications of matching and completion through the pull mailbox API', (backend) => {
  test('the new retailer alone is notified of matching complete and completion, by mail and through IS_40110/IS_40120; no one else reads its mailbox', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    const hub = await startTestHub(db, { transport: grids, clock });
    const smtp = await new TestSmtpServer().start();
    const { smtpSender } = await import('../../../src/hub/notifications/mail.ts');
    const sender = smtpSender(smtp.url);
    const aApi = hub.sdk('aApi');
    // A third retailer of Tokyo with an API certificate of its own.
    await givenParticipant(db, clock, buildRetailer({ companyCode: '3005', name: 'テスト第三電力株式会社', areas: ['03'] }));
    await givenCertificate(db, clock, { participantCode: '30053', usage: 'api' });
    const cCert = buildCertificate({ participantCode: '30053', usage: 'api' }).cert;
    const cApi = new KirikaeClient({ baseUrl: hub.base, certPem: cCert.certPem, keyPem: cCert.keyPem, caPem: hub.caPem });
    try {
      await givenNotificationAddress(db, '1003', '1003@retailer.example');
      await givenNotificationAddress(db, '2001', '2001@retailer.example');
      // 1003 switches in a point of 2001; 2001 files its switch-out at the grid: matched (05).
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const switchIn = await aApi.call('IF_10610', {
        requestId: 'si-notify',
        updateFlag: '1',
        supplyPointId: p.supplyPointId,
        customerNameKana: 'ヤマダ ハナコ',
        customerName: '山田 花子',
        currentRetailerCode: '20013',
      });
      assert.equal(switchIn.result, 'OK', JSON.stringify(switchIn.messages));
      const applicationNumber = data(switchIn).applicationNumber as string;
      const switchOut = await grids.send(
        '03',
        gridRequest(
          'IF_10710',
          { updateFlag: '1', applicationNumber: 'AP03-20261125900001', supplyPointId: p.supplyPointId, newRetailerCode: '10033' },
          '20013',
        ),
      );
      assert.equal(data(switchOut).stage, '05', JSON.stringify(switchOut));

      const events = { db, clock, transport: grids };
      const first = await fetchUntil(events, 2);
      assert.equal(first.events, 2, 'both applicants have a matching event');
      assert.equal(first.notified, 1, 'only the switch-in applicant is notified');
      assert.deepEqual(await fetchGridEvents(events, '03'), { events: 0, notified: 0, heldBack: false }, 'nothing twice');

      // Completion on the effective date.
      const status = await aApi.call('IF_10620', { applicationNumber });
      clock.set(`${data(status).scheduledDate}T01:00:00+09:00`);
      assert.ok((await executeDue({ db, clock, area: '03' }, { limit: 100 })).executed >= 2);
      const second = await fetchUntil(events, 2);
      assert.equal(second.notified, 1);

      const { rows } = await db.query<{ companyCode: string; kind: string }>(`SELECT company_code AS "companyCode", kind FROM hub.notification ORDER BY id`);
      assert.deepEqual(rows, [
        { companyCode: '1003', kind: 'matchingComplete' },
        { companyCode: '1003', kind: 'applicationCompleted' },
      ]);

      // By mail: one each, to 1003 only.
      await runMailWork({ db, clock, sender });
      assert.deepEqual(
        smtp.received.map((m) => m.to),
        [['1003@retailer.example'], ['1003@retailer.example']],
      );
      assert.match(smtp.received[0]!.text, new RegExp(`申込番号: ${applicationNumber}`));

      // The pull mailbox through the real API.
      const peeked = await aApi.call('IS_40110', { maxCount: 10 });
      assert.equal(peeked.result, 'OK', JSON.stringify(peeked.messages));
      assert.deepEqual(
        data(peeked).notifications.map((n: Data) => n.kind),
        ['matchingComplete', 'applicationCompleted'],
      );
      assert.equal(data(peeked).notifications[0].applicationNumber, applicationNumber);
      assert.equal(data(peeked).notifications[0].supplyPointId, p.supplyPointId);
      assert.equal(data(peeked).remaining, 0);
      const again = await aApi.call('IS_40110', {});
      assert.deepEqual(data(again).notifications, [], 'leased: not handed out to a second peek');

      // The third retailer sees nothing of 1003's and cannot acknowledge it.
      const theirs = await cApi.call('IS_40110', {});
      assert.equal(theirs.result, 'OK');
      assert.deepEqual(data(theirs).notifications, []);
      const foreign = await cApi.call('IS_40120', { notificationIds: [data(peeked).notifications[0].notificationId] });
      assert.deepEqual(codes(foreign), ['MAIL_NOTIFICATION_UNKNOWN']);
      const foreignToken = await cApi.call('IS_40120', { peekToken: data(peeked).peekToken });
      assert.equal(data(foreignToken).acknowledged, 0);

      const ack = await aApi.call('IS_40120', { peekToken: data(peeked).peekToken });
      assert.equal(ack.result, 'OK', JSON.stringify(ack.messages));
      assert.equal(data(ack).acknowledged, 2);
      const nothing = await aApi.call('IS_40120', {});
      assert.equal(nothing.result, 'NG');
      assert.equal(data(await aApi.call('IS_40110', {})).notifications.length, 0);
    } finally {
      aApi.close();
      cApi.close();
      sender.close();
      await smtp.stop();
      await hub.close();
      grids.close();
    }
  });

  test('the grids give their application events to the hub only', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    try {
      const refused = await grids.send('03', gridRequest('GRID_EVENTS', { since: '0-0' }, '10033'));
      assert.deepEqual(codes(refused), ['MAIL_GRID_EVENTS_HUB_ONLY']);
      const bad = await grids.send('03', gridRequest('GRID_EVENTS', { since: 'x' }, 'H000'));
      assert.deepEqual(codes(bad), ['MAIL_GRID_EVENTS_CURSOR_INVALID']);
      const ok = await grids.send('03', gridRequest('GRID_EVENTS', {}, 'H000'));
      assert.equal(ok.result, 'OK');
      assert.deepEqual(data(ok).events, []);
    } finally {
      grids.close();
    }
  });

  test('a grid in another process: the hub fetches its events over mutual TLS and notifies the new retailer', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    await givenIdentityWorld(db, clock);
    const ca = createCa({ commonName: 'kirikae notifications test CA' });
    const serverCert = issueServerCert({ ca, hostnames: ['localhost', '127.0.0.1'] });
    const hubCert = issueClientCert({ ca, participantCode: 'H000', usage: 'api' });
    const grid = new Grid({ area: '03', db, clock });
    const app = createGridServer({ grids: [grid], tls: { keyPem: serverCert.keyPem, certPem: serverCert.certPem, caPems: [ca.certPem] } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `https://localhost:${(app.server.address() as AddressInfo).port}`;
    const transport = new HttpsGridTransport({
      urls: { '03': url },
      tls: { keyPem: hubCert.keyPem, certPem: hubCert.certPem, caPems: [ca.certPem] },
      timeoutMs: 5_000,
    });
    try {
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '10033' });
      const filed = await grid.handle(
        gridRequest(
          'IF_10610',
          { updateFlag: '1', supplyPointId: p.supplyPointId, customerNameKana: 'ヤマダ ハナコ', customerName: '山田 花子', currentRetailerCode: '10033' },
          '20013',
        ),
      );
      assert.equal(filed.result, 'OK', JSON.stringify(filed));
      await grid.handle(gridRequest('IF_10710', { updateFlag: '1', supplyPointId: p.supplyPointId, newRetailerCode: '20013' }, '10033'));
      const fetched = await fetchUntil({ db, clock, transport }, 2);
      assert.deepEqual(fetched, { events: 2, notified: 1 });
      const { rows } = await db.query<{ companyCode: string; kind: string; applicationNumber: string }>(
        `SELECT company_code AS "companyCode", kind, application_number AS "applicationNumber" FROM hub.notification`,
      );
      assert.deepEqual(rows, [{ companyCode: '2001', kind: 'matchingComplete', applicationNumber: data(filed).applicationNumber }]);
    } finally {
      transport.close();
      await app.close();
    }
  });
});
