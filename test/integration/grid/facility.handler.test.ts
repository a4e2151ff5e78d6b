import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tokyoDate } from '../../../src/domain/date.ts';
import { firstReadingDayOnOrAfter, readingDayOf, readingGroups } from '../../../src/domain/reading-day.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest, testGridClock } from '../../../src/grid/testing.ts';

forEachBackend('facility info (IF_10110, IF_F10110)', (backend) => {
  let db: TestDb;
  let grid: Grid;
  const clock = testGridClock();

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    grid = new Grid({ area: '03', db, clock });
  });
  after(() => db.close());

  const facility = (interfaceId: string, supplyPointId: string) => grid.handle(gridRequest(interfaceId, { supplyPointId }));

  test('answers an LV smart point with its contract, meter, place and next reading day', async () => {
    const point = await givenSupplyPoint(db, { kind: 'lvSmart', readingGroup: 7 });
    const response = await facility('IF_10110', point.supplyPointId);
    assert.equal(response.result, 'OK');
    assert.deepEqual(response.messages, []);
    const data = response.data as Record<string, any>;
    assert.deepEqual(
      Object.keys(data),
      [
        'supplyPointId',
        'status',
        'voltageClass',
        'contractType',
        'wheelingMenu',
        'contractAmpere',
        'contractKw',
        'address',
        'servicePoleNumber',
        'meters',
        'nextReadingDate',
      ],
      'the fields of the catalogue, no more',
    );
    assert.equal(data.supplyPointId, point.supplyPointId);
    assert.equal(data.voltageClass, 'LV');
    assert.equal(data.status, 'contracted');
    assert.equal(data.contractType, 'lighting');
    assert.equal(data.contractAmpere, 30);
    assert.equal(data.contractKw, null);
    assert.equal(data.wheelingMenu, '低圧電灯標準接続送電サービス');
    assert.deepEqual(data.meters, [{ meterNumber: data.meters[0].meterNumber, meterKind: 'smart', installedOn: '2019-06-01' }]);
    assert.equal(data.servicePoleNumber, '本町幹12支3');
    assert.deepEqual(data.address, { prefecture: '東京都', city: '千代田区', street: '本町2丁目14番3号', building: null });
    assert.equal(data.nextReadingDate, firstReadingDayOnOrAfter(7, tokyoDate(clock.now())));
    assert.equal(data.nextReadingDate, '2026-12-09'); // group 7 read on 11 November, before today (25 November)
    assert.equal('customer' in data, false, 'no personal data in facility info');
    assert.equal('retailerCode' in data, false);
  });

  test('a conventional meter is named as such', async () => {
    const point = await givenSupplyPoint(db, { kind: 'lvConventional' });
    const data = (await facility('IF_10110', point.supplyPointId)).data as Record<string, any>;
    assert.equal(data.meters[0].meterKind, 'conventional');
  });

  test('the next reading day is today on the reading day itself', async () => {
    const today = tokyoDate(clock.now());
    const group = readingGroups.find((g) => readingDayOf(g, 2026, 11) === today);
    assert.ok(group, 'some group reads on 25 November 2026');
    const point = await givenSupplyPoint(db, { readingGroup: group });
    const data = (await facility('IF_10110', point.supplyPointId)).data as Record<string, any>;
    assert.equal(data.nextReadingDate, today);
  });

  test('a vacant point is answered too, with its status', async () => {
    const point = await givenSupplyPoint(db, { kind: 'vacant' });
    const response = await facility('IF_10110', point.supplyPointId);
    assert.equal(response.result, 'OK');
    assert.equal((response.data as Record<string, any>).status, 'discontinued');
  });

  test('answers a FIT receiving point through IF_F10110', async () => {
    const point = await givenSupplyPoint(db, { kind: 'fit' });
    const response = await facility('IF_F10110', point.supplyPointId);
    assert.equal(response.result, 'OK');
    const data = response.data as Record<string, any>;
    assert.equal(data.contractType, null);
    assert.equal(data.wheelingMenu, '低圧発電量調整受電サービス');
  });

  test('refuses an unknown supply point', async () => {
    const response = await facility('IF_10110', '0313010000000099999910');
    assert.equal(response.result, 'NG');
    assert.deepEqual(
      response.messages.map((m) => [m.code, m.field]),
      [['SPID_NOT_FOUND', 'supplyPointId']],
    );
  });

  test("refuses another area's supply point without looking it up", async () => {
    const point = await givenSupplyPoint(db, { area: '03' });
    const osaka = point.supplyPointId.replace(/^03/, '06');
    const response = await facility('IF_10110', osaka);
    assert.equal(response.messages[0]?.code, 'GRID_SPID_WRONG_AREA');
    assert.match(response.messages[0]?.text ?? '', /エリア06.*エリア03/);
  });

  test('refuses a malformed or missing supply point ID with its own code', async () => {
    assert.equal((await facility('IF_10110', '03-1234')).messages[0]?.code, 'SPID_LENGTH');
    assert.equal((await grid.handle(gridRequest('IF_10110', {}))).messages[0]?.code, 'GRID_FIELD_REQUIRED');
    assert.equal((await grid.handle(gridRequest('IF_10110', { supplyPointId: 42 }))).messages[0]?.code, 'GRID_FIELD_INVALID');
  });

  test('accepts an ID typed with full-width digits and spaces', async () => {
    const point = await givenSupplyPoint(db);
    const typed = point.supplyPointId.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))).replace(/(.{4})/g, '$1 ');
    assert.equal((await facility('IF_10110', typed)).result, 'OK');
  });

  test('refuses high-voltage and extra-high-voltage points: facility info is not for HV and above', async () => {
    for (const kind of ['hv', 'ehv'] as const) {
      const point = await givenSupplyPoint(db, { kind });
      for (const interfaceId of ['IF_10110', 'IF_F10110']) {
        const response = await facility(interfaceId, point.supplyPointId);
        assert.equal(response.messages[0]?.code, 'GRID_FACILITY_NOT_FOR_HV', `${kind} ${interfaceId}`);
      }
    }
  });

  test('refuses a FIT receiving point asked through IF_10110, and a demand point through IF_F10110', async () => {
    const fit = await givenSupplyPoint(db, { kind: 'fit' });
    assert.equal((await facility('IF_10110', fit.supplyPointId)).messages[0]?.code, 'GRID_POINT_IS_FIT');
    const demand = await givenSupplyPoint(db, { kind: 'lvSmart' });
    assert.equal((await facility('IF_F10110', demand.supplyPointId)).messages[0]?.code, 'GRID_POINT_NOT_FIT');
  });
});
