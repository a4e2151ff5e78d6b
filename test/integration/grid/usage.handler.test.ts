import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, tokyoDate, type IsoDate } from '../../../src/domain/date.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { findFacility } from '../../../src/grid/registry/facility.repository.ts';
import { dailyUsage, readingMonths, usageBetween } from '../../../src/grid/registry/usage.ts';
import { gridMigrations, gridSchema } from '../../../src/grid/schema.ts';
import { parseReadingCalendar, replaceReadingCalendar } from '../../../src/grid/registry/reading-calendar.repository.ts';
import { readingSchedule } from '../../../src/domain/reading-day.ts';
import { givenSupplyPoint, gridRequest, testGridClock, type PointSpec, type TestPoint } from '../../../src/grid/testing.ts';

const dayMs = 86_400_000;

forEachBackend('usage info (IF_10310, IF_K10310)', (backend) => {
  let db: TestDb;
  const clock = testGridClock(); // 25 November 2026
  let grid: Grid;

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    grid = new Grid({ area: '03', db, clock });
  });
  after(() => db.close());

  /** A point and a usage password the customer gave the applying retailer (10033). */
  async function withPassword(spec: PointSpec = {}): Promise<{ point: TestPoint; password: string }> {
    const point = await givenSupplyPoint(db, spec);
    const interfaces = spec.kind === 'hv' ? ['IF_K10210', 'IF_K10220'] : ['IF_10210', 'IF_10220'];
    const applied = await grid.handle(
      gridRequest(interfaces[0]!, {
        supplyPointId: point.supplyPointId,
        customerNameKana: 'ヤマダ ハナコ',
        phoneNumber: '09012345678',
        consentDate: '2026-11-25',
      }),
    );
    assert.equal(applied.result, 'OK', JSON.stringify(applied.messages));
    const status = await grid.handle(gridRequest(interfaces[1]!, { applicationNumber: (applied.data as Record<string, any>).applicationNumber }));
    return { point, password: (status.data as Record<string, any>).usagePassword };
  }

  const usage = (supplyPointId: string, usagePassword: string, extra: Record<string, unknown> = {}, participantCode = '10033', interfaceId = 'IF_10310') =>
    grid.handle(gridRequest(interfaceId, { supplyPointId, usagePassword, ...extra }, participantCode));

  test('answers 13 reading months and, for a smart meter, the 48 half-hourly values of a day', async () => {
    const { point, password } = await withPassword({ readingGroup: 4 });
    const response = await usage(point.supplyPointId, password, { halfHourlyDate: '2026-10-15' });
    assert.equal(response.result, 'OK', JSON.stringify(response.messages));
    assert.deepEqual(response.messages, []);
    const data = response.data as Record<string, any>;
    assert.deepEqual(Object.keys(data), [
      'supplyPointId',
      'meterKind',
      'passwordValidUntil',
      'withheldBefore',
      'monthlyUsage',
      'halfHourlyDate',
      'halfHourly',
      'halfHourlyDays',
    ]);
    assert.equal(data.meterKind, 'smart');
    assert.equal(data.passwordValidUntil, '2026-12-24');
    assert.equal(data.withheldBefore, null);
    assert.equal(data.monthlyUsage.length, 13);
    const expected = readingMonths(readingSchedule('03', 'LV'), 4, tokyoDate(clock.now()));
    const facility = (await findFacility(db, 'grid_03', point.supplyPointId))!;
    data.monthlyUsage.forEach((m: any, i: number) => {
      assert.deepEqual(Object.keys(m), ['month', 'from', 'to', 'kWh', 'withheld', 'partial']);
      assert.equal(m.month, expected[i]!.month);
      assert.equal(m.from, expected[i]!.from);
      assert.equal(m.to, addDays(expected[i]!.until, -1));
      assert.equal(m.kWh, usageBetween(facility, expected[i]!));
      assert.ok(m.kWh > 0);
      assert.equal(m.withheld, '0');
      assert.equal(m.partial, '0');
    });
    assert.equal(data.halfHourlyDate, '2026-10-15');
    assert.equal(data.halfHourly.length, 48);
    assert.deepEqual(
      data.halfHourly.map((h: any) => h.slot),
      Array.from({ length: 48 }, (_, i) => i + 1),
    );
    const tenths = data.halfHourly.reduce((s: number, h: any) => s + Math.round(h.kWh * 10), 0);
    assert.equal(tenths, Math.round(dailyUsage(facility, '2026-10-15' as IsoDate) * 10));
  });

  test("the reading months follow the calendar the operator loaded for the point's own number and voltage, and nothing else of it", async () => {
    const { point, password } = await withPassword({ readingGroup: 4 });
    const rule = readingSchedule('03', 'LV');
    const october = addDays(rule.dayOf(4, 2026, 10), 1); // a day the rule does not give
    const other = rule.rule.numbers.find((n) => n !== 4)!;
    const calendar = (voltage: 'LV' | 'HV', text: string) =>
      db.transaction((tx) => replaceReadingCalendar(tx, gridSchema('03'), voltage, 2026, parseReadingCalendar(text, 2026)));
    await calendar('LV', `04,${october}\n${String(other).padStart(2, '0')},${addDays(rule.dayOf(other, 2026, 9), 2)}\n`);
    await calendar('HV', `04,${addDays(rule.dayOf(4, 2026, 9), 3)}\n`);
    try {
      const response = await usage(point.supplyPointId, password);
      assert.equal(response.result, 'OK', JSON.stringify(response.messages));
      const months = (response.data as Record<string, any>).monthlyUsage as { month: string; from: string; to: string }[];
      const published = readingSchedule('03', 'LV', [{ voltage: 'LV', readingGroup: 4, readingDay: october }]);
      const expected = readingMonths(published, 4, tokyoDate(clock.now()));
      assert.deepEqual(
        months.map((m) => [m.from, m.to]),
        expected.map((p) => [p.from, addDays(p.until, -1)]),
      );
      assert.ok(months.some((m) => m.from === october) && months.some((m) => m.to === addDays(october, -1)), `${october} bounds two months`);
    } finally {
      await db.query('DELETE FROM grid_03.reading_calendar');
    }
  });

  test('answers the half-hourly values of a range of days in one call, across a month end; at most 31 days', async () => {
    const { point, password } = await withPassword();
    const facility = (await findFacility(db, 'grid_03', point.supplyPointId))!;
    const response = await usage(point.supplyPointId, password, { halfHourlyDate: '2026-10-30', halfHourlyTo: '2026-11-02' });
    assert.equal(response.result, 'OK', JSON.stringify(response.messages));
    const data = response.data as Record<string, any>;
    assert.deepEqual(
      data.halfHourlyDays.map((d: any) => d.date),
      ['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02'],
    );
    for (const d of data.halfHourlyDays) {
      assert.equal(d.halfHourly.length, 48);
      const tenths = d.halfHourly.reduce((s: number, h: any) => s + Math.round(h.kWh * 10), 0);
      assert.equal(tenths, Math.round(dailyUsage(facility, d.date) * 10), d.date);
    }
    const codeOf = async (extra: Record<string, unknown>) => (await usage(point.supplyPointId, password, extra)).messages.map((m) => [m.code, m.field]);
    assert.deepEqual(await codeOf({ halfHourlyDate: '2026-10-01', halfHourlyTo: '2026-10-31' }), []);
    assert.deepEqual(await codeOf({ halfHourlyDate: '2026-10-01', halfHourlyTo: '2026-11-01' }), [['GRID_USAGE_RANGE_TOO_LONG', 'halfHourlyTo']]);
    assert.deepEqual(await codeOf({ halfHourlyDate: '2026-10-05', halfHourlyTo: '2026-10-04' }), [['GRID_USAGE_DATE_OUT_OF_RANGE', 'halfHourlyTo']]);
    assert.deepEqual(
      await codeOf({ halfHourlyDate: '2026-11-20', halfHourlyTo: '2026-11-25' }),
      [['GRID_USAGE_DATE_OUT_OF_RANGE', 'halfHourlyTo']],
      'up to yesterday',
    );
    assert.deepEqual(await codeOf({ halfHourlyTo: '2026-10-04' }), [['GRID_FIELD_REQUIRED', 'halfHourlyDate']]);
  });

  test('without a day asked for, no half-hourly values', async () => {
    const { point, password } = await withPassword();
    const data = (await usage(point.supplyPointId, password)).data as Record<string, any>;
    assert.equal(data.halfHourlyDate, null);
    assert.deepEqual(data.halfHourly, []);
  });

  test('another retailer may use the password the customer showed it', async () => {
    const { point, password } = await withPassword();
    const response = await usage(point.supplyPointId, password, {}, '20013');
    assert.equal(response.result, 'OK');
  });

  test('accepts the password as typed: lower case, in groups', async () => {
    const { point, password } = await withPassword();
    const typed = `${password.slice(0, 4)}-${password.slice(4, 8)} ${password.slice(8)}`.toLowerCase();
    assert.equal((await usage(point.supplyPointId, typed)).result, 'OK');
  });

  test('refuses a wrong password, and a password of another point', async () => {
    const { point, password } = await withPassword();
    const wrong = await usage(point.supplyPointId, 'ABCDEFGHJKLM');
    assert.equal(wrong.result, 'NG');
    assert.deepEqual(
      wrong.messages.map((m) => [m.code, m.field]),
      [['GRID_USAGE_PASSWORD_WRONG', 'usagePassword']],
    );
    const other = await givenSupplyPoint(db);
    assert.equal((await usage(other.supplyPointId, password)).messages[0]?.code, 'GRID_USAGE_PASSWORD_WRONG');
    assert.equal((await usage(point.supplyPointId, '')).messages[0]?.code, 'GRID_FIELD_REQUIRED');
  });

  test('refuses an expired password, with a code of its own, once the clock has passed its validity', async () => {
    const own = testGridClock();
    const expiring = new Grid({ area: '03', db, clock: own });
    const { point, password } = await withPassword();
    assert.equal((await expiring.handle(gridRequest('IF_10310', { supplyPointId: point.supplyPointId, usagePassword: password }))).result, 'OK');
    own.advance(32 * dayMs);
    const response = await expiring.handle(gridRequest('IF_10310', { supplyPointId: point.supplyPointId, usagePassword: password }));
    assert.equal(response.result, 'NG');
    assert.equal(response.messages[0]?.code, 'GRID_USAGE_PASSWORD_EXPIRED');
    assert.match(response.messages[0]?.text ?? '', /2026-12-24/);
  });

  test('refuses a password issued before the customer changed', async () => {
    const { point, password } = await withPassword();
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO grid_03.customer (name_kanji, name_kana, name_kana_key, prefecture, city, street)
       VALUES ('佐藤　一郎', 'サトウ　イチロウ', 'サトウイチロウ', '東京都', '千代田区', '本町2丁目14番3号') RETURNING customer_id AS id`,
    );
    await db.query(`UPDATE grid_03.supply_point SET customer_id = $2, tenure_since = '2026-11-20' WHERE supply_point_id = $1`, [
      point.supplyPointId,
      rows[0]!.id,
    ]);
    assert.equal((await usage(point.supplyPointId, password)).messages[0]?.code, 'GRID_USAGE_PASSWORD_CUSTOMER_CHANGED');
  });

  test("withholds a previous name-holder's months and days, and says from when data is shown", async () => {
    const tenureSince = '2026-06-18' as IsoDate;
    const { point, password } = await withPassword({ tenureSince, readingGroup: 4 });
    const response = await usage(point.supplyPointId, password, { halfHourlyDate: '2026-06-10' });
    assert.equal(response.result, 'OK');
    const data = response.data as Record<string, any>;
    assert.deepEqual(
      response.messages.map((m) => m.code),
      ['GRID_USAGE_WITHHELD'],
    );
    assert.match(response.messages[0]?.text ?? '', /2026-06-18より前/);
    assert.equal(data.withheldBefore, tenureSince);
    assert.equal(data.monthlyUsage.length, 13);
    for (const m of data.monthlyUsage) {
      if (m.to < tenureSince) {
        assert.equal(m.kWh, null, m.month);
        assert.equal(m.withheld, '1');
      } else {
        assert.equal(m.withheld, '0');
        assert.ok(m.kWh > 0);
        assert.ok(m.from >= tenureSince, `${m.month} starts ${m.from}`);
      }
    }
    const straddling = data.monthlyUsage.filter((m: any) => m.partial === '1');
    assert.equal(straddling.length, 1, 'the month the tenure began in counts from its first day');
    assert.equal(straddling[0].from, tenureSince);
    assert.deepEqual(data.halfHourly, [], 'a day before the tenure is withheld');

    const own = await usage(point.supplyPointId, password, { halfHourlyDate: '2026-06-18' });
    assert.equal((own.data as Record<string, any>).halfHourly.length, 48);
  });

  test('a conventional meter gives monthly usage only, and says there are no half-hourly values', async () => {
    const { point, password } = await withPassword({ kind: 'lvConventional' });
    const response = await usage(point.supplyPointId, password, { halfHourlyDate: '2026-10-15' });
    assert.equal(response.result, 'OK');
    const data = response.data as Record<string, any>;
    assert.equal(data.meterKind, 'conventional');
    assert.deepEqual(data.halfHourly, []);
    assert.equal(data.monthlyUsage.length, 13);
    assert.deepEqual(
      response.messages.map((m) => m.code),
      ['GRID_USAGE_NO_HALF_HOURLY'],
    );
  });

  test('no half-hourly values for a day before the smart meter was installed', async () => {
    const { point, password } = await withPassword({ meterInstalledOn: '2026-09-01' as IsoDate });
    const response = await usage(point.supplyPointId, password, { halfHourlyDate: '2026-08-31' });
    assert.deepEqual((response.data as Record<string, any>).halfHourly, []);
    assert.deepEqual(
      response.messages.map((m) => m.code),
      ['GRID_USAGE_BEFORE_SMART_METER'],
    );
  });

  test('refuses a day outside the 13 months, or one not yet over', async () => {
    const { point, password } = await withPassword();
    for (const date of ['2026-11-25', '2025-01-01']) {
      const response = await usage(point.supplyPointId, password, { halfHourlyDate: date });
      assert.equal(response.messages[0]?.code, 'GRID_USAGE_DATE_OUT_OF_RANGE', date);
      assert.equal(response.messages[0]?.field, 'halfHourlyDate');
    }
    assert.equal((await usage(point.supplyPointId, password, { halfHourlyDate: '2026-11-24' })).result, 'OK');
    assert.equal((await usage(point.supplyPointId, password, { halfHourlyDate: '24/11/2026' })).messages[0]?.code, 'DATE_FORMAT');
  });

  test('HV points are asked through IF_K10310; IF_10310 points there, and FIT points are refused', async () => {
    const { point, password } = await withPassword({ kind: 'hv' });
    const k = await usage(point.supplyPointId, password, { halfHourlyDate: '2026-11-02' }, '10033', 'IF_K10310');
    assert.equal(k.result, 'OK');
    const hv = k.data as Record<string, any>;
    assert.equal(hv.halfHourly.length, 48);
    for (const m of hv.monthlyUsage) assert.ok(m.maxDemandKw > 0 && m.maxDemandKw < 150 * 1.5, `${m.month}: ${m.maxDemandKw} kW`);
    const busiest = Math.max(...hv.halfHourly.map((h: any) => h.kWh));
    const month = hv.monthlyUsage.find((m: any) => m.from <= '2026-11-02' && '2026-11-02' <= m.to);
    assert.ok(month.maxDemandKw >= busiest * 2 - 1e-9, 'the maximum demand of the month covers that day');
    assert.equal((await usage(point.supplyPointId, password)).messages[0]?.code, 'GRID_POINT_IS_HV');
    const fit = await givenSupplyPoint(db, { kind: 'fit' });
    assert.equal((await usage(fit.supplyPointId, 'ABCDEFGHJKLM')).messages[0]?.code, 'GRID_USAGE_NOT_FOR_FIT');
  });

  test('refuses an unknown point and one of another area', async () => {
    assert.equal((await usage('0313010000000099999910', 'ABCDEFGHJKLM')).messages[0]?.code, 'SPID_NOT_FOUND');
    assert.equal((await usage('0613010000000099999910', 'ABCDEFGHJKLM')).messages[0]?.code, 'GRID_SPID_WRONG_AREA');
  });
});
