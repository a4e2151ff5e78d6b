/**
 * A request ID is a retailer's idempotency key for an application: sent again with the same content
 * it is a resend and gets the first answer; with other content it is refused, never answered with
 * another application's answer (issue 12 §2). On every application interface of the catalogue, in
 * JSON and SOAP, single and bulk CSV. And a status inquiry (…20) by request ID alone finds the
 * application's area from the hub's own record of the filing (issue 12 §4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, type TestHub } from '../../support/hub-server.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../../src/grid/transport/config.ts';
import { interfaces } from '../../../src/interfaces/catalogue/catalogue.ts';
import { exampleValues } from '../../../src/interfaces/examples.ts';
import { GridUnavailableError } from '../../../src/interfaces/grid-unavailable.ts';
import type { GridTransport, InterfaceResponse } from '../../../src/interfaces/message.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { testClock } from '../../../src/hub/identity/testing.ts';

type Data = Record<string, any>;
const data = (r: InterfaceResponse): Data => (r.data ?? {}) as Data;
const codes = (r: InterfaceResponse): string[] => r.messages.map((m) => m.code);

forEachBackend('a request ID used again', (backend) => {
  async function withHub(fn: (hub: TestHub, db: TestDb) => Promise<void>) {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    const hub = await startTestHub(db, { transport: grids, clock });
    try {
      await fn(hub, db);
    } finally {
      await hub.close();
      grids.close();
    }
  }
  const count = async (db: TestDb, sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0]!.n;

  test('IF_10610 with the same request ID but another point and customer is refused, and the second point gets no application', () =>
    withHub(async (hub, db) => {
      const first = (await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' })).supplyPointId;
      const second = (await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' })).supplyPointId;
      const request = {
        requestId: 'si-dup-1',
        updateFlag: '1',
        supplyPointId: first,
        customerNameKana: 'ヤマダ ハナコ',
        customerName: '山田 花子',
        currentRetailerCode: '20013',
      };
      const json = hub.sdk('aApi');
      const soap = hub.sdk('aApi', 'soap');
      const answer = await json.call('IF_10610', request);
      assert.equal(answer.result, 'OK', JSON.stringify(answer.messages));
      const number = data(answer).applicationNumber;

      const other = { ...request, supplyPointId: second, customerNameKana: 'スズキ イチロウ', customerName: '鈴木 一郎' };
      for (const [client, name] of [
        [json, 'JSON'],
        [soap, 'SOAP'],
      ] as const) {
        const refused = await client.call('IF_10610', other);
        assert.equal(refused.result, 'NG', `${name}: ${JSON.stringify(refused)}`);
        assert.deepEqual(codes(refused), ['OUTBOX_REQUEST_ID_OTHER_CONTENT'], name);
        assert.equal(refused.messages[0]!.field, 'requestId');
        assert.match(refused.messages[0]!.text, new RegExp(number), 'names the application the ID belongs to');
        assert.equal(refused.data, undefined, `${name}: no application's data`);
      }
      // Only one field differing is other content too.
      const onlyName = await json.call('IF_10610', { ...request, customerName: '山田 華子' });
      assert.deepEqual(codes(onlyName), ['OUTBOX_REQUEST_ID_OTHER_CONTENT']);
      assert.equal(await count(db, `SELECT count(*)::int AS n FROM grid_03.application WHERE supply_point_id = $1`, [second]), 0);
      assert.equal(await count(db, `SELECT count(*)::int AS n FROM hub.application_outbox`), 1);

      // The same content again, in either binding, in another key order, typed full-width where the
      // catalogue normalises: a resend, answered with the first answer.
      const reordered = {
        currentRetailerCode: '20013',
        customerName: '山田 花子',
        customerNameKana: 'ﾔﾏﾀﾞ ﾊﾅｺ',
        supplyPointId: first,
        updateFlag: '１',
        requestId: 'si-dup-1',
      };
      for (const resend of [await json.call('IF_10610', reordered), await soap.call('IF_10610', request)]) {
        assert.deepEqual(resend, answer);
      }
      assert.equal(await count(db, `SELECT count(*)::int AS n FROM grid_03.application`), 1);
      json.close();
      soap.close();
    }));

  test('every application interface of the catalogue (LV, HV, FIT) refuses its request ID with other content, in JSON and SOAP, and answers a resend with the first answer', () =>
    withHub(async (hub, db) => {
      const json = hub.sdk('aApi');
      const soap = hub.sdk('aApi', 'soap');
      const applications = interfaces.filter((def) => def.kind === 'application');
      assert.ok(applications.length >= 17, `${applications.length} application interfaces`);
      for (const def of applications) {
        const { applicationNumber: _, ...example } = exampleValues(def.request);
        const request = { ...example, requestId: `reuse-${def.id}`, ...('updateFlag' in example ? { updateFlag: '1' } : {}) };
        const first = await json.call(def.id, request);
        assert.ok(
          first.messages.every((m) => !m.code.startsWith('IF_')),
          `${def.id} example is valid: ${JSON.stringify(first.messages)}`,
        );
        const other = { ...request, supplyPointId: '0300001234567890123457' };
        for (const client of [json, soap]) {
          const refused = await client.call(def.id, other);
          assert.deepEqual(codes(refused), ['OUTBOX_REQUEST_ID_OTHER_CONTENT'], `${def.id}: ${JSON.stringify(refused)}`);
          assert.deepEqual(await client.call(def.id, request), first, `${def.id}: a resend gets the first answer`);
        }
      }
      assert.equal(await count(db, `SELECT count(*)::int AS n FROM hub.application_outbox`), applications.length, 'one filing per interface');
      json.close();
      soap.close();
    }));

  test('a CSV row reusing a request ID with other content rejects the file; the same file again files nothing twice', () =>
    withHub(async (hub, db) => {
      const [a, b] = [
        (await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' })).supplyPointId,
        (await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' })).supplyPointId,
      ];
      const header = 'リクエストID,供給地点特定番号,需要者名（カナ）,需要者名（漢字）,現小売電気事業者コード';
      const sdk = hub.sdk('aApi');
      const filed = await sdk.bulk('IF_10610', [header, `csv-1,${a},ヤマダ ハナコ,山田 花子,20013`].join('\r\n'));
      assert.equal(filed.result, 'OK', JSON.stringify(filed));
      const number = filed.data.rows[0]!.applicationNumber;

      const reused = await sdk.bulk(
        'IF_10610',
        [header, `csv-2,${a},ヤマダ ハナコ,山田 花子,20013`, `csv-1,${b},スズキ イチロウ,鈴木 一郎,20013`].join('\r\n'),
      );
      assert.equal(reused.result, 'NG');
      assert.deepEqual(
        reused.messages.map((m) => m.code),
        ['BULK_REJECTED'],
      );
      assert.deepEqual(
        reused.data.rows.map((r) => [r.row, r.messages.map((m) => m.code)]),
        [
          [2, []],
          [3, ['OUTBOX_REQUEST_ID_OTHER_CONTENT']],
        ],
      );
      assert.equal(await count(db, `SELECT count(*)::int AS n FROM hub.application_outbox`), 1, 'nothing of the file was filed');

      // The row as first sent: a resend, the first filing's number.
      const again = await sdk.bulk('IF_10610', [header, `csv-1,${a},ヤマダ ハナコ,山田 花子,20013`].join('\r\n'));
      assert.equal(again.result, 'OK');
      assert.equal(again.data.rows[0]!.applicationNumber, number);
      // The same ID by the single API with other content: refused there too.
      const single = await sdk.call('IF_10610', {
        requestId: 'csv-1',
        updateFlag: '1',
        supplyPointId: b,
        customerNameKana: 'スズキ イチロウ',
        customerName: '鈴木 一郎',
        currentRetailerCode: '20013',
      });
      assert.deepEqual(codes(single), ['OUTBOX_REQUEST_ID_OTHER_CONTENT']);
      assert.equal(await count(db, `SELECT count(*)::int AS n FROM hub.application_outbox`), 1);
      sdk.close();
    }));

  test('every status inquiry (…20) finds an application by request ID alone, from the hub’s own record, even while no grid answers', async () => {
    await using db = await backend.open();
    const down: GridTransport = {
      send: async (area) => {
        throw new GridUnavailableError(area, 'unreachable', 'down for this test');
      },
    };
    const hub = await startTestHub(db, { transport: down, clock: testClock('2026-11-25T10:00:00+09:00') });
    const sdk = hub.sdk('aApi');
    try {
      for (const def of interfaces.filter((d) => d.kind === 'application')) {
        const { applicationNumber: _, ...example } = exampleValues(def.request);
        const filed = await sdk.call(def.id, { ...example, requestId: `status-${def.id}`, ...('updateFlag' in example ? { updateFlag: '1' } : {}) });
        assert.deepEqual(codes(filed), ['OUTBOX_NOT_DELIVERED'], `${def.id}: ${JSON.stringify(filed)}`);
        const statusId = def.id.replace(/10$/, '20');
        const status = await sdk.call(statusId, { requestId: `status-${def.id}` });
        assert.equal(status.result, 'OK', `${statusId}: ${JSON.stringify(status)}`);
        assert.deepEqual(codes(status), ['OUTBOX_NOT_DELIVERED']);
        assert.equal(data(status).applicationNumber, data(filed).applicationNumber, statusId);
        assert.equal(data(status).supplyPointId, example.supplyPointId, statusId);
      }
    } finally {
      sdk.close();
      await hub.close();
    }
  });

  test('a status inquiry by request ID alone answers for every kind of application, the usage password application included', () =>
    withHub(async (hub, db) => {
      const point = await givenSupplyPoint(db, {
        area: '03',
        kind: 'lvSmart',
        retailerCode: '10033',
        customer: { nameKana: 'ヤマダ タロウ', phone: '03-1111-2222' },
      });
      const sdk = hub.sdk('aApi');
      const soap = hub.sdk('aApi', 'soap');
      const usage = await sdk.call('IF_10210', {
        requestId: 'pw-1',
        supplyPointId: point.supplyPointId,
        customerNameKana: 'ヤマダ タロウ',
        phoneNumber: '03-1111-2222',
        consentDate: '2026-11-25',
      });
      assert.equal(usage.result, 'OK', JSON.stringify(usage));
      const status = await sdk.call('IF_10220', { requestId: 'pw-1' });
      assert.equal(status.result, 'OK', JSON.stringify(status));
      assert.equal(data(status).applicationNumber, data(usage).applicationNumber);
      assert.equal(data(status).supplyPointId, point.supplyPointId);
      assert.equal(data(status).stage, '06');
      assert.match(data(status).usagePassword ?? '', /./, 'the password, shown once');

      const target = (await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' })).supplyPointId;
      const switchIn = await sdk.call('IF_10610', {
        requestId: 'si-1',
        updateFlag: '1',
        supplyPointId: target,
        customerNameKana: 'ヤマダ ハナコ',
        customerName: '山田 花子',
        currentRetailerCode: '20013',
      });
      assert.equal(switchIn.result, 'OK', JSON.stringify(switchIn));
      for (const client of [sdk, soap]) {
        const bySoap = await client.call('IF_10620', { requestId: 'si-1' });
        assert.equal(bySoap.result, 'OK', JSON.stringify(bySoap));
        assert.equal(data(bySoap).applicationNumber, data(switchIn).applicationNumber);
        assert.equal(data(bySoap).stage, '03');
      }
      // A request ID this company never filed: not found, by that ID (not "area unknown").
      const unknown = await sdk.call('IF_10620', { requestId: 'never-filed' });
      assert.equal(unknown.result, 'NG');
      assert.deepEqual(codes(unknown), ['OUTBOX_REQUEST_NOT_FOUND']);
      assert.equal(unknown.messages[0]!.field, 'requestId');
      // The usage password's ID asked on the switch-in's status interface names the right one.
      const wrong = await sdk.call('IF_10620', { requestId: 'pw-1' });
      assert.equal(wrong.result, 'NG');
      assert.deepEqual(codes(wrong), ['GRID_APPLICATION_OTHER_INTERFACE']);
      sdk.close();
      soap.close();
    }));
});
