/**
 * Meter work in the registry of one area (table `meter`, migrations 0001 and 0006): what a completed
 * application with meter work does to a point's meters. Every function takes the caller's
 * `Queryable` (the completion's transaction) and the area's schema. The rules of when meter work
 * happens are the applications' (src/grid/applications/rules.ts); these only read and write rows.
 */
import type { IsoDate } from '../../domain/date.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import type { Meter } from './facility.ts';

/**
 * Replaces every conventional meter in service at the point by one smart meter installed on `on`,
 * and installs one where the point has no meter in service; a smart meter already in place stays.
 * The replaced meters are kept, removed on `on`. Returns the meter installed, if any.
 */
export async function installSmartMeter(q: Queryable, schema: string, supplyPointId: string, on: IsoDate): Promise<Meter | undefined> {
  const s = ident(schema);
  await q.query(`UPDATE ${s}.meter SET removed_on = $2 WHERE supply_point_id = $1 AND removed_on IS NULL AND kind = 'conventional'`, [supplyPointId, on]);
  // A smart meter that could not be read remotely (自動検針不可) is made reachable by the same work.
  await q.query(`UPDATE ${s}.meter SET auto_reading_unavailable = false WHERE supply_point_id = $1 AND removed_on IS NULL AND kind = 'smart'`, [supplyPointId]);
  const { rows } = await q.query<Meter>(
    `INSERT INTO ${s}.meter (meter_number, supply_point_id, kind, installed_on)
     SELECT '2' || lpad(nextval('${s}.meter_number_seq')::text, 9, '0'), $1, 'smart', $2
      WHERE NOT EXISTS (SELECT 1 FROM ${s}.meter WHERE supply_point_id = $1 AND removed_on IS NULL)
     RETURNING meter_number AS "meterNumber", kind, to_char(installed_on, 'YYYY-MM-DD') AS "installedOn", false AS "autoReadingUnavailable"`,
    [supplyPointId, on],
  );
  return rows[0];
}

/** Takes every meter of the point out of service on `on` (a move-out with removal, 撤去). */
export async function removeMeters(q: Queryable, schema: string, supplyPointId: string, on: IsoDate): Promise<void> {
  await q.query(`UPDATE ${ident(schema)}.meter SET removed_on = $2 WHERE supply_point_id = $1 AND removed_on IS NULL`, [supplyPointId, on]);
}
