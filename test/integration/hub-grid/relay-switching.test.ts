import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { startTestHub } from '../../support/hub-server.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../../src/grid/transport/config.ts';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { KirikaeClient } from '../../../src/sdk/client.ts';
import { buildCertificate, givenCertificate, testClock } from '../../../src/hub/identity/testing.ts';
import { fetchGridEvents } from '../../../src/hub/notifications/grid-events.ts';

type Data = Record<string, any>;
const data = (r: InterfaceResponse): Data => (r.data ?? {}) as Data;

forEachBackend('relay then switching', (backend) => {
  test('after an OK relay the old retailer files its switch-out, the new retailer its switch-in, the grid matches them, and only the new retailer is told', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    const hub = await startTestHub(db, { transport: grids, clock });
    try {
      await givenCertificate(db, clock, { participantCode: '20013', usage: 'api' });
      const { cert } = buildCertificate({ participantCode: '20013', usage: 'api' });
      const newRetailer = new KirikaeClient({ baseUrl: hub.base, certPem: cert.certPem, keyPem: cert.keyPem, caPem: hub.caPem });
      const oldRetailer = hub.sdk('aApi');
      const point = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '10033' });

      const relay = await newRetailer.call('IS_20110', {
        requestId: 'relay-1',
        updateFlag: '1',
        supplyPointId: point.supplyPointId,
        contractNumber: 'A-123456',
        address: { prefecture: '東京都', city: '千代田区', street: '丸の内一丁目1番1号' },
        customerNameKana: 'ヤマダ ハナコ',
        customerName: '山田 花子',
        terminationDate: '2026-12-10',
        oldRetailerCode: '10033',
      });
      assert.equal(relay.result, 'OK', JSON.stringify(relay.messages));
      const decided = await oldRetailer.call('IS_20410', {
        requestId: 'decide-1',
        relayNumber: data(relay).relayNumber,
        decision: '01',
        decidingPersonName: '佐藤',
      });
      assert.equal(data(decided).status, '02');

      const switchOut = await oldRetailer.call('IF_10710', {
        requestId: 'so-1',
        updateFlag: '1',
        supplyPointId: point.supplyPointId,
        newRetailerCode: '20013',
      });
      assert.equal(switchOut.result, 'OK', JSON.stringify(switchOut.messages));
      const switchIn = await newRetailer.call('IF_10610', {
        requestId: 'si-1',
        updateFlag: '1',
        supplyPointId: point.supplyPointId,
        customerNameKana: 'ヤマダ ハナコ',
        customerName: '山田 花子',
        currentRetailerCode: '10033',
      });
      assert.equal(switchIn.result, 'OK', JSON.stringify(switchIn.messages));
      // The later of the two arrived: matched at once (stage 05, マッチング完了).
      const status = await newRetailer.call('IF_10620', { requestId: 'si-1' });
      assert.equal(data(status).stage, '05', JSON.stringify(status));

      // The grid hands out an event once no older transaction on the server can still add one before
      // it (events.handler.ts): with other databases busy on the same server, that may take a moment.
      const notifications = async () =>
        (await db.query<{ company_code: string; kind: string }>(`SELECT company_code, kind FROM hub.notification ORDER BY id`)).rows;
      for (const until = Date.now() + 60_000; Date.now() < until; ) {
        await fetchGridEvents({ db, clock, transport: grids }, '03');
        if ((await notifications()).some((r) => r.kind === 'matchingComplete')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const rows = await notifications();
      assert.deepEqual(
        rows.map((r) => [r.company_code, r.kind]),
        [
          ['1003', 'relayAwaitingDecision'],
          ['2001', 'relayDecided'],
          ['2001', 'matchingComplete'],
        ],
      );
      newRetailer.close();
    } finally {
      await hub.close();
      grids.close();
    }
  });
});
