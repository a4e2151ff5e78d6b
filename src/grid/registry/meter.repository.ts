/**
 * Meter work in the registry of one area (table `meter`, migrations 0001 and 0006): what a completed
 * application with meter work does to a point's meters. Every function takes the caller's
 * `Queryable` (the completion's transaction) and the area's schema. The rules of when meter work
 * happens are the applications' (src/grid/applications/rules.ts); these only read and write rows.
 */
import { isoDate, yearMonthDay, type IsoDate } from '../../domain/date.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import type { Meter, UsageProfileKind } from './facility.ts';
import { hash32 } from './random.ts';
import { halfHourlyTenths, usageBetween, type UsageSubject } from './usage.ts';

/** Years a meter's verification (検定) is valid: it is replaced when they are over (検定満了). */
export const meterValidityYears = 10;

/** The multiplier (乗率) of a point's meters (ours): 1 at low voltage, 40 at high and extra-high voltage. */
export function meterMultiplierOf(voltageClass: string): number {
  return voltageClass === 'LV' ? 1 : 40;
}

/** The half-hour an exchange at a point on a day happens in (ours): one of 09:00–17:00, stable per point and day. */
export function exchangeSlotOf(supplyPointId: string, on: IsoDate): number {
  return 19 + (hash32(`${supplyPointId}|${on}`) % 16);
}

/**
 * Energy through a meter from its installation to the start of half-hour `slot` of `on`, in tenths
 * of a kWh: the usage model's (B5 "Registers": the register is this ÷ multiplier, whole kWh down).
 */
export function tenthsUntil(subject: UsageSubject, installedOn: IsoDate, on: IsoDate, slot: number): number {
  let tenths = installedOn < on ? Math.round(usageBetween(subject, { from: installedOn, until: on }) * 10) : 0;
  const day = halfHourlyTenths(subject, on);
  for (let i = 0; i < slot - 1; i++) tenths += day[i]!;
  return tenths;
}

/** The register of a meter installed on `installedOn`, at the start of `slot` of `on`. */
export function registerAt(subject: UsageSubject, installedOn: IsoDate, on: IsoDate, slot: number, multiplier: number): number {
  return Math.floor(tenthsUntil(subject, installedOn, on, slot) / 10 / multiplier);
}

interface ExchangeInput {
  readonly supplyPointId: string;
  readonly kind: 'meterWork' | 'verificationExpiry';
  readonly on: IsoDate;
  readonly oldMeter: { readonly meterNumber: string; readonly installedOn: IsoDate };
  readonly newMeter: string;
  readonly recordedAt: Date;
}

/** Records one exchange (table `meter_event`, migration 0015) with both registers, in the caller's transaction. */
async function recordExchange(q: Queryable, schema: string, e: ExchangeInput): Promise<void> {
  const s = ident(schema);
  const { rows } = await q.query<{ voltageClass: string; profile: UsageProfileKind; dailyWh: number; seed: number }>(
    `SELECT voltage_class AS "voltageClass", usage_profile AS profile, usage_daily_wh AS "dailyWh", usage_seed AS seed
       FROM ${s}.supply_point WHERE supply_point_id = $1`,
    [e.supplyPointId],
  );
  const point = rows[0]!;
  const subject: UsageSubject = {
    supplyPointId: e.supplyPointId,
    usageProfile: { kind: point.profile, dailyWh: Number(point.dailyWh), seed: Number(point.seed) },
  };
  const slot = exchangeSlotOf(e.supplyPointId, e.on);
  const multiplier = meterMultiplierOf(point.voltageClass);
  await q.query(
    `INSERT INTO ${s}.meter_event (supply_point_id, kind, on_date, slot, old_meter, new_meter, old_reading, new_reading, multiplier, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)`,
    [
      e.supplyPointId,
      e.kind,
      e.on,
      slot,
      e.oldMeter.meterNumber,
      e.newMeter,
      registerAt(subject, e.oldMeter.installedOn, e.on, slot, multiplier),
      multiplier,
      e.recordedAt,
    ],
  );
}

/**
 * Replaces every conventional meter in service at the point by one smart meter installed on `on`,
 * and installs one where the point has no meter in service; a smart meter already in place stays.
 * The replaced meters are kept, removed on `on`. Returns the meter installed, if any.
 */
export async function installSmartMeter(q: Queryable, schema: string, supplyPointId: string, on: IsoDate, recordedAt: Date): Promise<Meter | undefined> {
  const s = ident(schema);
  const { rows: replaced } = await q.query<{ meterNumber: string; installedOn: IsoDate }>(
    `UPDATE ${s}.meter SET removed_on = $2 WHERE supply_point_id = $1 AND removed_on IS NULL AND kind = 'conventional'
     RETURNING meter_number AS "meterNumber", to_char(installed_on, 'YYYY-MM-DD') AS "installedOn"`,
    [supplyPointId, on],
  );
  // A smart meter that could not be read remotely (自動検針不可) is made reachable by the same work.
  await q.query(`UPDATE ${s}.meter SET auto_reading_unavailable = false WHERE supply_point_id = $1 AND removed_on IS NULL AND kind = 'smart'`, [supplyPointId]);
  const { rows } = await q.query<Meter>(
    `INSERT INTO ${s}.meter (meter_number, supply_point_id, kind, installed_on)
     SELECT '2' || lpad(nextval('${s}.meter_number_seq')::text, 9, '0'), $1, 'smart', $2
      WHERE NOT EXISTS (SELECT 1 FROM ${s}.meter WHERE supply_point_id = $1 AND removed_on IS NULL)
     RETURNING meter_number AS "meterNumber", kind, to_char(installed_on, 'YYYY-MM-DD') AS "installedOn", false AS "autoReadingUnavailable"`,
    [supplyPointId, on],
  );
  const installed = rows[0];
  // Each conventional meter taken out for the new one is an exchange (both registers recorded).
  if (installed) {
    for (const old of replaced) {
      await recordExchange(q, schema, { supplyPointId, kind: 'meterWork', on, oldMeter: old, newMeter: installed.meterNumber, recordedAt });
    }
  }
  return installed;
}

/** The day a meter installed on `installedOn` reaches the end of its verification's validity. */
export function verificationExpiryOf(installedOn: IsoDate): IsoDate {
  const { year, month, day } = yearMonthDay(installedOn);
  // 29 February + 10 years is 1 March (isoDate rolls the day over).
  return isoDate(year + meterValidityYears, month, day);
}

/**
 * The ten-year replacement (検定満了): every meter in service whose validity ended on or before
 * `upTo` is replaced, on the day it ended (the job runs daily, for the day before; a meter found
 * further past it is replaced on `upTo`), by a new smart meter (the rollout replaces a conventional
 * one by a smart one too), and the exchange recorded. Returns the meters replaced.
 */
export async function replaceExpiredMeters(q: Queryable, schema: string, upTo: IsoDate, recordedAt: Date): Promise<number> {
  const s = ident(schema);
  const { rows } = await q.query<{ meterNumber: string; supplyPointId: string; installedOn: IsoDate }>(
    `SELECT meter_number AS "meterNumber", supply_point_id AS "supplyPointId", to_char(installed_on, 'YYYY-MM-DD') AS "installedOn"
       FROM ${s}.meter WHERE removed_on IS NULL AND installed_on <= (($1::date - make_interval(years => $2))::date + 1)
      ORDER BY supply_point_id, meter_number FOR UPDATE`,
    [upTo, meterValidityYears],
  );
  const due = rows.filter((m) => verificationExpiryOf(m.installedOn) <= upTo);
  for (const old of due) {
    // Day by day, `upTo` is the day the validity ended; a meter found already past it (a registry
    // loaded late) is replaced on `upTo` too, never back-dated to its expiry.
    const on = upTo;
    await q.query(`UPDATE ${s}.meter SET removed_on = $2 WHERE meter_number = $1`, [old.meterNumber, on]);
    const { rows: added } = await q.query<{ meterNumber: string }>(
      `INSERT INTO ${s}.meter (meter_number, supply_point_id, kind, installed_on)
       VALUES ('2' || lpad(nextval('${s}.meter_number_seq')::text, 9, '0'), $1, 'smart', $2) RETURNING meter_number AS "meterNumber"`,
      [old.supplyPointId, on],
    );
    await recordExchange(q, schema, {
      supplyPointId: old.supplyPointId,
      kind: 'verificationExpiry',
      on,
      oldMeter: old,
      newMeter: added[0]!.meterNumber,
      recordedAt,
    });
  }
  return due.length;
}

/** Takes every meter of the point out of service on `on` (a move-out with removal, 撤去). */
export async function removeMeters(q: Queryable, schema: string, supplyPointId: string, on: IsoDate): Promise<void> {
  await q.query(`UPDATE ${ident(schema)}.meter SET removed_on = $2 WHERE supply_point_id = $1 AND removed_on IS NULL`, [supplyPointId, on]);
}
