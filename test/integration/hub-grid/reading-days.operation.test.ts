/**
 * `kirikae grid reading-days load` as the operation it runs (src/operations/operations.ts): an
 * area's published calendar of a year replaces that year's days, whole or not at all, audited; the
 * grid's facility info follows it at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { isRefusal } from '../../../src/domain/refusal.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { givenSupplyPoint, gridRequest, testGridClock } from '../../../src/grid/testing.ts';
import type { SystemClock } from '../../../src/hub/sandbox-clock.ts';
import { allMigrations } from '../../../src/operations/database.ts';
import { operatorOperations } from '../../../src/operations/operations.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';

forEachBackend('loading a published reading calendar', (backend) => {
  let db: TestDb;
  const clock = testGridClock(); // 25 November 2026
  before(async () => {
    db = await backend.open();
    await migrate(db, allMigrations);
  });
  after(() => db.close());

  const operations = () =>
    operatorOperations({
      db,
      clock: clock as unknown as SystemClock,
      clockControl: () => Promise.reject(new Error('not used')),
    });
  const nextReadingDate = async (area: '03' | '04', supplyPointId: string) =>
    ((await new Grid({ area, db, clock }).handle(gridRequest('IF_10110', { supplyPointId }))).data as Record<string, any>).nextReadingDate;

  test('replaces the year of one area and voltage, audited; the next reading day follows it; other areas keep their rule', async () => {
    const tokyo = await givenSupplyPoint(db, { area: '03', readingGroup: 8 });
    const chubu = await givenSupplyPoint(db, { area: '04', readingGroup: 8 });
    const before = await nextReadingDate('04', chubu.supplyPointId);
    assert.equal(await nextReadingDate('03', tokyo.supplyPointId), '2026-12-08');
    const loaded = await operations()['grid.readingDays.load']({
      area: '03',
      voltage: 'LV',
      year: 2026,
      text: '日程,検針日\n08,2026-12-10\n',
      operator: 'ops',
    });
    assert.deepEqual([loaded.area, loaded.voltage, loaded.year, loaded.loaded, loaded.deleted], ['03', 'LV', 2026, 1, 0]);
    assert.equal(await nextReadingDate('03', tokyo.supplyPointId), '2026-12-10');
    assert.equal(await nextReadingDate('04', chubu.supplyPointId), before, "Chubu's rule is untouched");
    const { rows } = await db.query<{ action: string; result: string }>(`SELECT action, result FROM hub.audit_log WHERE action = 'grid.readingDays.load'`);
    assert.deepEqual(rows, [{ action: 'grid.readingDays.load', result: 'OK' }]);
  });

  test('a bad line refuses the whole file and leaves the loaded calendar as it was', async () => {
    const tokyo = await givenSupplyPoint(db, { area: '03', readingGroup: 8 });
    await operations()['grid.readingDays.load']({ area: '03', voltage: 'LV', year: 2026, text: '08,2026-12-10\n', operator: 'ops' });
    const refused = await operations()
      ['grid.readingDays.load']({ area: '03', voltage: 'LV', year: 2026, text: '08,2026-12-11\n09,2026-13-01\n', operator: 'ops' })
      .then(
        () => assert.fail('not refused'),
        (error: unknown) => error,
      );
    assert.ok(isRefusal(refused));
    assert.equal(refused.code, 'GRID_CALENDAR_LINE_INVALID');
    assert.match(refused.text, /2行目/);
    assert.equal(await nextReadingDate('03', tokyo.supplyPointId), '2026-12-10', 'the previous load stands');
    const unknownArea = await operations()
      ['grid.readingDays.load']({ area: '11', voltage: 'LV', year: 2026, text: '08,2026-12-11\n', operator: 'ops' })
      .catch((error: unknown) => error);
    assert.ok(isRefusal(unknownArea) && unknownArea.code === 'AREA_UNKNOWN');
  });
});
