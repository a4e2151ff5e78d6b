/**
 * The retailer of record (HALFHOURLY.md B2/B6): table `supply_period` (migration 0011), one row per
 * stretch of days a retailer supplied a point, [from_date, until_date). It decides who receives a
 * point's half-hourly data for a day: never two retailers (the table's trigger refuses overlaps),
 * never none while the point is contracted (every change closes and opens in one transaction).
 *
 * Written on the effective date of an executed application (applications/jobs.ts), not on the day
 * the job happened to run, and by the seed (one period per contracted point, from its tenure).
 */
import type { IsoDate } from '../../domain/date.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';

export interface SupplyPeriod {
  readonly supplyPointId: string;
  readonly retailerCode: string;
  readonly customerId: number;
  readonly from: IsoDate;
  /** The day after the last one; null while open. */
  readonly until: IsoDate | null;
}

/**
 * From `on`, the point's retailer of record is `to.retailerCode` with customer `to.customerId` (a
 * switch-in keeps the customer, a move-in brings a new one), or nobody (`null`: a move-out). The open period ends the day before `on`; one that would begin on or after
 * `on` (an earlier change executed for a later date) is superseded and removed.
 */
export async function changeRetailerOfRecord(
  q: Queryable,
  schema: string,
  supplyPointId: string,
  to: { retailerCode: string; customerId: number } | null,
  on: IsoDate,
): Promise<void> {
  const s = ident(schema);
  await q.query(`DELETE FROM ${s}.supply_period WHERE supply_point_id = $1 AND from_date >= $2`, [supplyPointId, on]);
  await q.query(`UPDATE ${s}.supply_period SET until_date = $2 WHERE supply_point_id = $1 AND (until_date IS NULL OR until_date > $2)`, [supplyPointId, on]);
  if (to !== null) {
    await q.query(`INSERT INTO ${s}.supply_period (supply_point_id, retailer_code, customer_id, from_date) VALUES ($1, $2, $3, $4)`, [
      supplyPointId,
      to.retailerCode,
      to.customerId,
      on,
    ]);
  }
}

/** Every period of a point, oldest first. */
export async function supplyPeriodsOf(q: Queryable, schema: string, supplyPointId: string): Promise<SupplyPeriod[]> {
  const { rows } = await q.query<SupplyPeriod>(
    `SELECT supply_point_id AS "supplyPointId", retailer_code AS "retailerCode", customer_id AS "customerId", to_char(from_date, 'YYYY-MM-DD') AS "from",
            to_char(until_date, 'YYYY-MM-DD') AS "until"
       FROM ${ident(schema)}.supply_period WHERE supply_point_id = $1 ORDER BY from_date`,
    [supplyPointId],
  );
  return rows;
}

/** One period per contracted point without one, from its tenure (after a seed's bulk load). */
export async function openSeededPeriods(q: Queryable, schema: string): Promise<void> {
  const s = ident(schema);
  await q.exec(`INSERT INTO ${s}.supply_period (supply_point_id, retailer_code, customer_id, from_date)
    SELECT sp.supply_point_id, sp.retailer_code, sp.customer_id, sp.tenure_since FROM ${s}.supply_point sp
     WHERE sp.status = 'contracted' AND sp.retailer_code IS NOT NULL AND sp.tenure_since IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM ${s}.supply_period p WHERE p.supply_point_id = sp.supply_point_id)`);
}
