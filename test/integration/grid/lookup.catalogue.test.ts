/**
 * The grid answers in the catalogue's terms: every request the tests send validates against the
 * interface's request fields, and every answer's data against its response fields (no field the
 * catalogue does not list, every required one present, every code in its table).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupInterfaces } from '../../../src/interfaces/catalogue/lookup.ts';
import type { InterfaceRequest, InterfaceResponse } from '../../../src/interfaces/message.ts';
import { validateRequest, validateResponseData } from '../../../src/interfaces/validate.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest, testGridClock, type PointSpec } from '../../../src/grid/testing.ts';

forEachBackend('look-up answers conform to the interface catalogue', (backend) => {
  let db: TestDb;
  let grid: Grid;

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    grid = new Grid({ area: '03', db, clock: testGridClock() });
  });
  after(() => db.close());

  /** Sends a request that the catalogue accepts, and checks the answer's data against it. */
  async function call(interfaceId: string, body: Record<string, unknown>): Promise<InterfaceResponse> {
    const def = lookupInterfaces.find((d) => d.id === interfaceId);
    assert.ok(def, interfaceId);
    const validated = validateRequest(def, body);
    assert.ok(validated.ok, `${interfaceId} request: ${JSON.stringify(!validated.ok && validated.messages)}`);
    const request: InterfaceRequest = { ...gridRequest(interfaceId, validated.value) };
    const response = await grid.handle(request);
    if (response.data !== undefined) {
      const checked = validateResponseData(def, JSON.parse(JSON.stringify(response.data)));
      assert.ok(checked.ok, `${interfaceId} response: ${JSON.stringify(!checked.ok && checked.messages)}`);
    }
    return response;
  }

  async function passwordFor(spec: PointSpec, family: '' | 'K'): Promise<{ supplyPointId: string; password: string }> {
    const point = await givenSupplyPoint(db, spec);
    const applied = await call(`IF_${family}10210`, {
      requestId: `conformance-${point.supplyPointId}`,
      supplyPointId: point.supplyPointId,
      customerNameKana: 'ヤマダ ハナコ',
      address: { prefecture: '東京都', city: '千代田区', street: '本町2丁目14番3号' },
      consentDate: '2026-11-25',
    });
    assert.equal(applied.result, 'OK');
    const status = await call(`IF_${family}10220`, { applicationNumber: (applied.data as Record<string, any>).applicationNumber });
    return { supplyPointId: point.supplyPointId, password: (status.data as Record<string, any>).usagePassword };
  }

  test('facility info of an LV point and of a FIT receiving point', async () => {
    assert.equal((await call('IF_10110', { supplyPointId: (await givenSupplyPoint(db, { kind: 'lvConventional' })).supplyPointId })).result, 'OK');
    assert.equal((await call('IF_F10110', { supplyPointId: (await givenSupplyPoint(db, { kind: 'fit' })).supplyPointId })).result, 'OK');
  });

  test('usage password application and status, accepted and refused, by number and by request ID', async () => {
    await passwordFor({}, '');
    await passwordFor({ kind: 'hv' }, 'K');
    const point = await givenSupplyPoint(db);
    const refused = await call('IF_10210', {
      requestId: 'conformance-refused',
      supplyPointId: point.supplyPointId,
      customerNameKana: 'サトウ',
      phoneNumber: '09012345678',
      consentDate: '2026-11-25',
    });
    assert.equal(refused.result, 'NG');
    const status = await call('IF_10220', { requestId: 'conformance-refused' });
    assert.equal((status.data as Record<string, any>).stage, '09');
  });

  test('usage info with half-hourly values, LV and HV, and with months withheld', async () => {
    const lv = await passwordFor({ tenureSince: '2026-06-18' as never }, '');
    assert.equal((await call('IF_10310', { supplyPointId: lv.supplyPointId, usagePassword: lv.password, halfHourlyDate: '2026-11-01' })).result, 'OK');
    const hv = await passwordFor({ kind: 'hv' }, 'K');
    assert.equal((await call('IF_K10310', { supplyPointId: hv.supplyPointId, usagePassword: hv.password, halfHourlyDate: '2026-11-01' })).result, 'OK');
  });
});
