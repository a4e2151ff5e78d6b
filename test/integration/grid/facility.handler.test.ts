import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tokyoDate } from '../../../src/domain/date.ts';
import { firstReadingDayOnOrAfter, readingSchedule } from '../../../src/domain/reading-day.ts';
import { gridSchema } from '../../../src/grid/schema.ts';
import { parseReadingCalendar, replaceReadingCalendar } from '../../../src/grid/registry/reading-calendar.repository.ts';
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
    await migrate(db, [gridMigrations('03'), gridMigrations('04'), gridMigrations('01')]);
    grid = new Grid({ area: '03', db, clock });
  });
  after(() => db.close());

  const facility = (interfaceId: string, supplyPointId: string) => grid.handle(gridRequest(interfaceId, { supplyPointId }));

  test('answers an LV smart point with its contract, meter, place and next reading day', async () => {
    const point = await givenSupplyPoint(db, { kind: 'lvSmart', readingGroup: 8 });
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
        'discontinuationMethod',
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
    assert.equal(data.discontinuationMethod, null);
    assert.deepEqual(data.meters, [
      { meterNumber: data.meters[0].meterNumber, meterKind: 'smart', halfHourlyCollectable: '1', autoReadingUnavailable: '0', installedOn: '2019-06-01' },
    ]);
    assert.equal(data.servicePoleNumber, '本町幹12支3');
    assert.deepEqual(data.address, { prefecture: '東京都', city: '千代田区', street: '本町2丁目14番3号', building: null });
    assert.equal(data.nextReadingDate, firstReadingDayOnOrAfter(readingSchedule('03', 'LV'), 8, tokyoDate(clock.now())));
    // Tokyo's 08 is its 5th number, from the 2nd business day: 9 November (read, before today 25 November), then 8 December.
    assert.equal(data.nextReadingDate, '2026-12-08');
    assert.equal('customer' in data, false, 'no personal data in facility info');
    assert.equal('retailerCode' in data, false);
  });

  test('a conventional meter is named as such: no half-hourly values, no automatic reading', async () => {
    const point = await givenSupplyPoint(db, { kind: 'lvConventional' });
    const data = (await facility('IF_10110', point.supplyPointId)).data as Record<string, any>;
    assert.equal(data.meters[0].meterKind, 'conventional');
    assert.equal(data.meters[0].halfHourlyCollectable, '0');
    assert.equal(data.meters[0].autoReadingUnavailable, '1');
  });

  test('a smart meter that cannot be read remotely shows both flags independently (30分値収集可 and 自動検針不可)', async () => {
    const point = await givenSupplyPoint(db, { kind: 'lvSmart', autoReadingUnavailable: true });
    const data = (await facility('IF_10110', point.supplyPointId)).data as Record<string, any>;
    assert.equal(data.meters[0].meterKind, 'smart');
    assert.equal(data.meters[0].halfHourlyCollectable, '1');
    assert.equal(data.meters[0].autoReadingUnavailable, '1');
  });

  test("the next reading day follows each area's own schedule (Tokyo, Chubu, Hokkaido)", async () => {
    const ask = async (area: '03' | '04' | '01', readingGroup: number) => {
      const point = await givenSupplyPoint(db, { area, readingGroup });
      const areaGrid = new Grid({ area, db, clock });
      return ((await areaGrid.handle(gridRequest('IF_10110', { supplyPointId: point.supplyPointId }))).data as Record<string, any>).nextReadingDate;
    };
    // Number 01 in December 2026: Tokyo from the 2nd business day (2 Dec), Chubu from the 1st (1 Dec),
    // Hokkaido reads Saturdays too (its 05 falls on Saturday 5 Dec).
    assert.equal(await ask('03', 1), '2026-12-02');
    assert.equal(await ask('04', 1), '2026-12-01');
    assert.equal(await ask('01', 5), '2026-12-05');
  });

  test('a calendar the operator loaded decides the next reading day of its month; loading the year again replaces it', async () => {
    const point = await givenSupplyPoint(db, { readingGroup: 8 });
    const load = (text: string) => db.transaction((tx) => replaceReadingCalendar(tx, gridSchema('03'), 'LV', 2026, parseReadingCalendar(text, 2026)));
    assert.deepEqual(await load('日程,検針日\n08,2026-12-09\n09,2026-12-10\n'), { deleted: 0, loaded: 2 });
    assert.equal(((await facility('IF_10110', point.supplyPointId)).data as Record<string, any>).nextReadingDate, '2026-12-09');
    assert.deepEqual(await load('08,2026-12-11\n'), { deleted: 2, loaded: 1 });
    assert.equal(((await facility('IF_10110', point.supplyPointId)).data as Record<string, any>).nextReadingDate, '2026-12-11');
    await db.query(`DELETE FROM ${gridSchema('03')}.reading_calendar`);
    assert.equal(((await facility('IF_10110', point.supplyPointId)).data as Record<string, any>).nextReadingDate, '2026-12-08', 'the rule again');
  });

  test("only the point's own number and voltage in a loaded calendar move its next reading day", async () => {
    const point = await givenSupplyPoint(db, { readingGroup: 8 });
    await db.transaction((tx) => replaceReadingCalendar(tx, gridSchema('03'), 'LV', 2026, parseReadingCalendar('09,2026-12-01\n', 2026)));
    await db.transaction((tx) => replaceReadingCalendar(tx, gridSchema('03'), 'HV', 2026, parseReadingCalendar('08,2026-12-01\n', 2026)));
    assert.equal(((await facility('IF_10110', point.supplyPointId)).data as Record<string, any>).nextReadingDate, '2026-12-08', 'the rule');
    // A day of its number before today (25 November) does not count; next month's then decides.
    await db.transaction((tx) => replaceReadingCalendar(tx, gridSchema('03'), 'LV', 2026, parseReadingCalendar('08,2026-11-20\n08,2026-12-03\n', 2026)));
    assert.equal(((await facility('IF_10110', point.supplyPointId)).data as Record<string, any>).nextReadingDate, '2026-12-03');
    await db.query(`DELETE FROM ${gridSchema('03')}.reading_calendar`);
  });

  test('the next reading day is today on the reading day itself', async () => {
    const today = tokyoDate(clock.now());
    const tokyo = readingSchedule('03', 'LV');
    const group = tokyo.rule.numbers.find((g) => tokyo.dayOf(g, 2026, 11) === today);
    assert.equal(group, 23, "Tokyo's 23 reads on 25 November 2026 (18 business days from the 2nd: Saturday 7 November is read too)");
    const point = await givenSupplyPoint(db, { readingGroup: group });
    const data = (await facility('IF_10110', point.supplyPointId)).data as Record<string, any>;
    assert.equal(data.nextReadingDate, today);
  });

  test('a vacant point is answered too, with its status', async () => {
    const point = await givenSupplyPoint(db, { kind: 'vacant' });
    const response = await facility('IF_10110', point.supplyPointId);
    assert.equal(response.result, 'OK');
    assert.equal((response.data as Record<string, any>).status, 'discontinued');
    assert.equal((response.data as Record<string, any>).discontinuationMethod, 'remote', 'a smart meter reconnects remotely');
  });

  test('the discontinuation method (廃止措置方法) says how a vacant point is reconnected', async () => {
    const method = async (spec: Parameters<typeof givenSupplyPoint>[1]) =>
      ((await facility('IF_10110', (await givenSupplyPoint(db, spec)).supplyPointId)).data as Record<string, any>).discontinuationMethod;
    assert.equal(await method({ kind: 'vacant', vacantStatus: 'discontinuedLit' }), 'customerSwitch');
    assert.equal(await method({ kind: 'vacant', autoReadingUnavailable: true }), 'onSite');
    assert.equal(await method({ kind: 'vacant', vacantStatus: 'removed' }), 'removed');
  });

  test('answers a FIT receiving point through IF_F10110 with its address only (slide 7)', async () => {
    const point = await givenSupplyPoint(db, { kind: 'fit' });
    const response = await facility('IF_F10110', point.supplyPointId);
    assert.equal(response.result, 'OK');
    assert.deepEqual(response.data, {
      supplyPointId: point.supplyPointId,
      address: { prefecture: '東京都', city: '千代田区', street: '本町2丁目14番3号', building: null },
    });
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
