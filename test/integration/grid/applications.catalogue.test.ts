/**
 * The application interfaces answer in the catalogue's terms: each request is first validated (and
 * normalised) by the catalogue, as the hub does, and each answer's data checked against the
 * interface's response fields.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationInterfaces } from '../../../src/interfaces/catalogue/applications.ts';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import { validateRequest, validateResponseData } from '../../../src/interfaces/validate.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest, testGridClock } from '../../../src/grid/testing.ts';
import { executeDue } from '../../../src/grid/applications/jobs.ts';

forEachBackend('application answers conform to the interface catalogue', (backend) => {
  let db: TestDb;
  const clock = testGridClock();
  let grid: Grid;

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    grid = new Grid({ area: '03', db, clock });
  });
  after(() => db.close());

  async function call(interfaceId: string, body: Record<string, unknown>, participant = '10033'): Promise<InterfaceResponse> {
    const def = applicationInterfaces.find((d) => d.id === interfaceId);
    assert.ok(def, interfaceId);
    const validated = validateRequest(def, body);
    assert.ok(validated.ok, `${interfaceId} request: ${JSON.stringify(!validated.ok && validated.messages)}`);
    const response = await grid.handle(gridRequest(interfaceId, validated.value, participant));
    if (response.data !== undefined) {
      const checked = validateResponseData(def, JSON.parse(JSON.stringify(response.data)));
      assert.ok(checked.ok, `${interfaceId} response: ${JSON.stringify(!checked.ok && checked.messages)}`);
    }
    return response;
  }

  test('every application kind, its status and the feed', async () => {
    const p = await givenSupplyPoint(db);
    const q = await givenSupplyPoint(db, { kind: 'vacant' });
    const r = await givenSupplyPoint(db, { kind: 'fit' });
    const h = await givenSupplyPoint(db, { kind: 'hv' });
    const calls: [string, Record<string, unknown>, string][] = [
      [
        'IF_10610',
        {
          requestId: 'c-1',
          updateFlag: '1',
          supplyPointId: p.supplyPointId,
          customerNameKana: 'ヤマダ ハナコ',
          customerName: '山田 花子',
          currentRetailerCode: '10033',
          contractAmpere: 30,
        },
        '20013',
      ],
      ['IF_10710', { requestId: 'c-2', updateFlag: '1', supplyPointId: p.supplyPointId, newRetailerCode: '20013' }, '10033'],
      [
        'IF_10410',
        {
          requestId: 'c-3',
          updateFlag: '1',
          supplyPointId: q.supplyPointId,
          requestedDate: '2026-12-01',
          customerNameKana: 'スズキ イチロウ',
          customerName: '鈴木 一郎',
          phoneNumber: '03-1111-2222',
          contractAmpere: 40,
        },
        '20013',
      ],
      ['IF_F10510', { requestId: 'c-4', updateFlag: '1', supplyPointId: r.supplyPointId, applicationKind: '12', requestedDate: '2026-12-01' }, '10033'],
      ['IF_K10810', { requestId: 'c-5', updateFlag: '1', supplyPointId: h.supplyPointId, changeDate: '2026-12-01', phoneNumber: '03-2222-3333' }, '10033'],
      ['IF_10910', { requestId: 'c-6', updateFlag: '1', supplyPointId: p.supplyPointId, contractAmpere: 50, requestedDate: '2026-12-01' }, '10033'],
    ];
    const numbers: [string, string][] = [];
    for (const [id, body, participant] of calls) {
      const response = await call(id, body, participant);
      assert.ok(response.data, JSON.stringify(response));
      numbers.push([id, (response.data as { applicationNumber: string }).applicationNumber]);
    }
    clock.set('2026-12-08T09:00:00+09:00');
    await executeDue(grid, { limit: 100 });
    for (const [id, applicationNumber] of numbers) {
      const participant = calls.find((c) => c[0] === id)![2];
      const status = await call(id.replace(/10$/, '20'), { applicationNumber }, participant);
      assert.equal(status.result, 'OK', JSON.stringify(status));
    }
    const feed = await call('IF_11110', { pageSize: 2 }, '20013');
    assert.equal(feed.result, 'OK');
    const cancel = await call('IF_10410', { requestId: 'c-7', updateFlag: '3', applicationNumber: numbers[2]![1], supplyPointId: q.supplyPointId }, '20013');
    assert.deepEqual(
      cancel.messages.map((m) => m.code),
      ['APP_NOT_CANCELLABLE'],
      'complete: too late to cancel',
    );
  });
});
