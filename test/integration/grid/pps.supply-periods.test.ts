/**
 * Who receives which point (HALFHOURLY.md B2/B6): the supply-period history the grid keeps, written
 * by the execution of switches, move-ins and move-outs on their effective date and by the seed, and
 * the W4 point sets derived from it: never in two retailers' files for a day, never in none while
 * contracted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IsoDate } from '../../../src/domain/date.ts';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import { executeDue } from '../../../src/grid/applications/jobs.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { w4Points } from '../../../src/grid/provision/w4-files.ts';
import { supplyPeriodsOf } from '../../../src/grid/registry/supply-period.repository.ts';
import { givenSupplyPoint, gridRequest, testGridClock } from '../../../src/grid/testing.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';

const OLD = '10033';
const NEW = '20013';
const data = (r: InterfaceResponse) => (r.data ?? {}) as Record<string, any>;

forEachBackend('supply periods: the retailer of record, kept by execution', (backend) => {
  let db: TestDb;
  before(async () => {
    db = await backend.open();
  });
  after(() => db.close());

  const receiversOn = async (supplyPointId: string, date: string) =>
    (await w4Points(db, 'grid_03', 'LV', date as IsoDate)).filter((p) => p.supplyPointId === supplyPointId).map((p) => p.receiverCode);

  test('a switch on day D: the old retailer’s files until D − 1, the new one’s from D, even when executed days late', async () => {
    const clock = testGridClock();
    const grid = new Grid({ area: '03', db, clock });
    const p = await givenSupplyPoint(db, { retailerCode: OLD });
    const sIn = await grid.handle(
      gridRequest(
        'IF_10610',
        {
          updateFlag: '1',
          supplyPointId: p.supplyPointId,
          customerNameKana: 'ヤマダ ハナコ',
          customerName: '山田 花子',
          currentRetailerCode: OLD,
          // The switching date the retailer names (slide 31).
          requestedDate: '2026-12-07',
        },
        NEW,
      ),
    );
    const sOut = await grid.handle(gridRequest('IF_10710', { updateFlag: '1', supplyPointId: p.supplyPointId, newRetailerCode: NEW }, OLD));
    assert.equal(data(sOut).stage, '05', JSON.stringify(sOut));
    const status = await grid.handle(gridRequest('IF_10620', { applicationNumber: data(sIn).applicationNumber }, NEW));
    const day = data(status).scheduledDate as string;
    assert.equal(day, '2026-12-07');
    // Executed two days after its date (the job did not run meanwhile): the period still changes on D.
    clock.set('2026-12-09T10:00:00+09:00');
    await executeDue(grid, { limit: 100 });
    const periods = await supplyPeriodsOf(db, 'grid_03', p.supplyPointId);
    assert.deepEqual(
      periods.map((x) => [x.retailerCode, x.from, x.until]),
      [
        [OLD, '2015-04-01', '2026-12-07'],
        [NEW, '2026-12-07', null],
      ],
    );
    assert.equal(periods[0]!.customerId, periods[1]!.customerId, 'a switch keeps the customer');
    assert.deepEqual(await receiversOn(p.supplyPointId, '2026-12-06'), [OLD]);
    assert.deepEqual(await receiversOn(p.supplyPointId, '2026-12-07'), [NEW]);
    assert.deepEqual(await receiversOn(p.supplyPointId, '2026-12-08'), [NEW]);
  });

  test('a move-out then a move-in: nobody’s files between them, the new resident’s customer number from the move-in', async () => {
    const clock = testGridClock();
    const grid = new Grid({ area: '03', db, clock });
    const p = await givenSupplyPoint(db, { retailerCode: OLD });
    const out = await grid.handle(
      gridRequest('IF_10510', { updateFlag: '1', supplyPointId: p.supplyPointId, applicationKind: '01', requestedDate: '2026-11-30' }, OLD),
    );
    assert.equal(out.result, 'OK', JSON.stringify(out));
    clock.set('2026-11-30T08:00:00+09:00');
    await executeDue(grid, { limit: 100 });
    const moveIn = await grid.handle(
      gridRequest(
        'IF_10410',
        {
          updateFlag: '1',
          supplyPointId: p.supplyPointId,
          requestedDate: '2026-12-03',
          customerNameKana: 'スズキ イチロウ',
          customerName: '鈴木 一郎',
          contractAmpere: '40',
          customerConsent: '1',
        },
        NEW,
      ),
    );
    assert.equal(moveIn.result, 'OK', JSON.stringify(moveIn));
    clock.set('2026-12-03T08:00:00+09:00');
    await executeDue(grid, { limit: 100 });
    const periods = await supplyPeriodsOf(db, 'grid_03', p.supplyPointId);
    assert.deepEqual(
      periods.map((x) => [x.retailerCode, x.from, x.until]),
      [
        [OLD, '2015-04-01', '2026-11-30'],
        [NEW, '2026-12-03', null],
      ],
    );
    assert.notEqual(periods[1]!.customerId, periods[0]!.customerId, 'a move-in brings a new customer');
    assert.deepEqual(await receiversOn(p.supplyPointId, '2026-11-29'), [OLD]);
    assert.deepEqual(await receiversOn(p.supplyPointId, '2026-11-30'), []);
    assert.deepEqual(await receiversOn(p.supplyPointId, '2026-12-02'), []);
    assert.deepEqual(await receiversOn(p.supplyPointId, '2026-12-03'), [NEW]);
    const [record] = (await w4Points(db, 'grid_03', 'LV', '2026-12-03' as IsoDate, NEW)).filter((x) => x.supplyPointId === p.supplyPointId);
    assert.equal(record!.customerId, periods[1]!.customerId);
  });

  test('never both: the table refuses two periods of a point that overlap', async () => {
    const p = await givenSupplyPoint(db, { retailerCode: OLD, tenureSince: '2020-01-01' as IsoDate });
    const { rows } = await db.query<{ id: number }>(`SELECT customer_id AS id FROM grid_03.supply_point WHERE supply_point_id = $1`, [p.supplyPointId]);
    await assert.rejects(
      db.query(
        `INSERT INTO grid_03.supply_period (supply_point_id, retailer_code, customer_id, from_date, until_date) VALUES ($1, $2, $3, '2019-06-01', '2020-01-02')`,
        [p.supplyPointId, NEW, rows[0]!.id],
      ),
      /overlap/,
    );
    await assert.rejects(
      db.query(`INSERT INTO grid_03.supply_period (supply_point_id, retailer_code, customer_id, from_date) VALUES ($1, $2, $3, '2024-01-01')`, [
        p.supplyPointId,
        NEW,
        rows[0]!.id,
      ]),
    );
    // Adjacent is fine: [2019-06-01, 2020-01-01) ends where the open one starts.
    await db.query(
      `INSERT INTO grid_03.supply_period (supply_point_id, retailer_code, customer_id, from_date, until_date) VALUES ($1, $2, $3, '2019-06-01', '2020-01-01')`,
      [p.supplyPointId, NEW, rows[0]!.id],
    );
  });
});
