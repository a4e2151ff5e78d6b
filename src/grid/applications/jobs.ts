/**
 * The grid's application jobs: matching of switch-ins with switch-outs (every 20 minutes, and right
 * after the later of a pair arrives) and execution of applications whose effective date has come.
 * Both claim rows with `FOR UPDATE SKIP LOCKED` in bounded batches, and re-check the stage in the
 * same transaction, so two processes running them at once never match or execute one twice; a job
 * never waits for a lock, so it cannot deadlock with a handler.
 */
import { addBusinessDays } from '../../domain/calendar.ts';
import { addDays, tokyoDate, tokyoMidnight, type IsoDate } from '../../domain/date.ts';
import { defaultSwitchingDate, isDateAllowed } from '../../domain/lead-time.ts';
import { normalizeKana } from '../../domain/kana.ts';
import type { AreaCode } from '../../domain/area.ts';
import type { Clock } from '../../platform/clock.ts';
import { ident, type Db, type Queryable } from '../../platform/db/db.ts';
import { resolveGridOptions, type GridContext } from '../context.ts';
import { findFacility } from '../registry/facility.repository.ts';
import { installSmartMeter, removeMeters } from '../registry/meter.repository.ts';
import { changeRetailerOfRecord } from '../registry/supply-period.repository.ts';
import { gridSchema } from '../schema.ts';
import { applicationColumns, findApplication, moveApplication, type Application } from './application.repository.ts';
import { matchingLimitBusinessDays, text } from './rules.ts';

export type JobTarget = { readonly context: GridContext } | { readonly db: Db; readonly clock: Clock; readonly area: AreaCode };

function contextOf(target: JobTarget): GridContext {
  if ('context' in target) return target.context;
  return { area: target.area, schema: gridSchema(target.area), db: target.db, clock: target.clock, options: resolveGridOptions() };
}

function pairSql(schema: string, onePoint: boolean): string {
  const s = ident(schema);
  return `SELECT i.application_number AS "switchIn", o.application_number AS "switchOut"
    FROM ${s}.application i
    JOIN ${s}.application o ON o.supply_point_id = i.supply_point_id AND o.kind = 'switchOut' AND o.stage = '03'
    JOIN ${s}.supply_point sp ON sp.supply_point_id = i.supply_point_id
    WHERE i.kind = 'switchIn' AND i.stage = '03' AND o.participant_code = sp.retailer_code
      AND i.participant_code <> sp.retailer_code
      AND (o.body->>'newRetailerCode' IS NULL OR o.body->>'newRetailerCode' = i.participant_code)
      ${onePoint ? 'AND i.supply_point_id = $2' : ''}
    ORDER BY i.accepted_at LIMIT $1
    FOR UPDATE OF i, o SKIP LOCKED`;
}

/** Matches one claimed pair: both to 05 with the effective date fixed. */
async function matchPair(tx: Queryable, ctx: GridContext, switchInNumber: string, switchOutNumber: string, cause: string): Promise<boolean> {
  const switchIn = await findApplication(tx, ctx.schema, switchInNumber);
  const switchOut = await findApplication(tx, ctx.schema, switchOutNumber);
  if (!switchIn || !switchOut || switchIn.stage !== '03' || switchOut.stage !== '03') return false;
  const facility = await findFacility(tx, ctx.schema, switchIn.supplyPointId);
  if (!facility) return false;
  const now = ctx.clock.now();
  const day = tokyoDate(now);
  const voltage = facility.voltageClass === 'HV' ? 'HV' : 'LV';
  const options = { meterWork: switchIn.meterWork };
  const requested = switchIn.requestedDate;
  const effectiveDate =
    requested !== null && isDateAllowed(requested, day, voltage, options) ? requested : defaultSwitchingDate(day, facility.readingGroup, voltage, options);
  await moveApplication(tx, ctx.schema, switchIn, { type: 'matched' }, cause, now, { effectiveDate, matchedWith: switchOut.applicationNumber });
  await moveApplication(tx, ctx.schema, switchOut, { type: 'matched' }, cause, now, { effectiveDate, matchedWith: switchIn.applicationNumber });
  return true;
}

/** Matching of one point, inside the caller's transaction (a handler, right after a switch arrives). */
export async function matchPoint(tx: Queryable, ctx: GridContext, supplyPointId: string, cause: string): Promise<boolean> {
  const { rows } = await tx.query<{ switchIn: string; switchOut: string }>(pairSql(ctx.schema, true), [1, supplyPointId]);
  const pair = rows[0];
  return pair ? matchPair(tx, ctx, pair.switchIn, pair.switchOut, cause) : false;
}

/** The last day a switch accepted on `acceptedOn` may still be matched. */
export function matchingDeadline(acceptedOn: IsoDate): IsoDate {
  return addBusinessDays(acceptedOn, matchingLimitBusinessDays);
}

/**
 * Matches up to `limit` pending pairs, then refuses (09) up to `limit` switches that waited past
 * the matching limit without a counterpart.
 */
export async function runMatching(grid: JobTarget, options: { limit: number }): Promise<{ matched: number; expired: number }> {
  const ctx = contextOf(grid);
  const matched = await ctx.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ switchIn: string; switchOut: string }>(pairSql(ctx.schema, false), [options.limit]);
    let n = 0;
    for (const pair of rows) if (await matchPair(tx, ctx, pair.switchIn, pair.switchOut, 'matching')) n++;
    return n;
  });
  const today = tokyoDate(ctx.clock.now());
  const expired = await ctx.db.transaction(async (tx) => {
    // 8 business days are at least 8 calendar days: older than that is a candidate, checked exactly below.
    const { rows } = await tx.query<Application>(
      `SELECT ${applicationColumns} FROM ${ident(ctx.schema)}.application
       WHERE stage = '03' AND accepted_at < $1 ORDER BY accepted_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [tokyoMidnight(addDays(today, -matchingLimitBusinessDays)), options.limit],
    );
    let n = 0;
    const now = ctx.clock.now();
    for (const application of rows) {
      if (today <= matchingDeadline(tokyoDate(application.acceptedAt))) continue;
      await moveApplication(tx, ctx.schema, application, { type: 'matchExpired' }, 'matching', now, { refusalParams: { days: matchingLimitBusinessDays } });
      n++;
    }
    return n;
  });
  return { matched, expired };
}

/**
 * Carries out up to `limit` applications whose effective date has come (by the grid's clock, the
 * business date in Japan): the supply point (and with meter work its meters) changes and the
 * application completes (06, 08 with meter work), all in one transaction; a switch-in completes
 * its matched switch-out with it.
 */
export async function executeDue(grid: JobTarget, options: { limit: number }): Promise<{ executed: number }> {
  const ctx = contextOf(grid);
  const s = ident(ctx.schema);
  const today = tokyoDate(ctx.clock.now());
  return ctx.db.transaction(async (tx) => {
    const { rows: claimed } = await tx.query<{ applicationNumber: string }>(
      `SELECT a.application_number AS "applicationNumber" FROM ${s}.application a
       JOIN ${s}.supply_point sp ON sp.supply_point_id = a.supply_point_id
       WHERE a.effective_date <= $1 AND ((a.stage = '05' AND a.kind = 'switchIn') OR a.stage = '10')
       ORDER BY a.effective_date, a.accepted_at LIMIT $2
       FOR UPDATE OF a, sp SKIP LOCKED`,
      [today, options.limit],
    );
    const rows: Application[] = [];
    for (const c of claimed) rows.push((await findApplication(tx, ctx.schema, c.applicationNumber))!);
    let executed = 0;
    const now = ctx.clock.now();
    for (const application of rows) {
      const counterpart =
        application.kind === 'switchIn' && application.matchedWith
          ? await findApplication(tx, ctx.schema, application.matchedWith, { forUpdate: true })
          : undefined;
      await applyToSupplyPoint(tx, ctx, application);
      await moveApplication(tx, ctx.schema, application, { type: 'executed', meterWork: application.meterWork }, 'execution', now);
      executed++;
      if (counterpart && counterpart.stage === '05') {
        await moveApplication(tx, ctx.schema, counterpart, { type: 'executed', meterWork: counterpart.meterWork }, 'execution', now);
        executed++;
      }
    }
    return { executed };
  });
}

/**
 * Carries out an application on its supply point, in the completion's transaction: the point's
 * contract and parties as the kind says, then the meter work if it had any (completion 08). Meter
 * work takes place on the effective date: a move-out with removal (撤去) takes the meters out;
 * any other replaces a conventional meter by a smart one (or installs one where there is none).
 */
async function applyToSupplyPoint(tx: Queryable, ctx: GridContext, a: Application): Promise<void> {
  await applyContract(tx, ctx, a);
  if (!a.meterWork) return;
  const on = a.effectiveDate ?? tokyoDate(ctx.clock.now());
  if (a.kind === 'moveOut') await removeMeters(tx, ctx.schema, a.supplyPointId, on);
  else await installSmartMeter(tx, ctx.schema, a.supplyPointId, on);
}

async function applyContract(tx: Queryable, ctx: GridContext, a: Application): Promise<void> {
  const s = ident(ctx.schema);
  const body = a.body;
  // The retailer of record changes on the effective date, whenever the job runs (supply_period).
  const on = a.effectiveDate ?? tokyoDate(ctx.clock.now());
  switch (a.kind) {
    case 'switchIn': {
      const { rows } = await tx.query<{ customerId: number }>(
        `UPDATE ${s}.supply_point SET retailer_code = $2 WHERE supply_point_id = $1 RETURNING customer_id AS "customerId"`,
        [a.supplyPointId, a.participantCode],
      );
      await changeRetailerOfRecord(tx, ctx.schema, a.supplyPointId, { retailerCode: a.participantCode, customerId: rows[0]!.customerId }, on);
      return;
    }
    case 'switchOut':
      return;
    case 'moveIn': {
      const fit = a.interfaceId.startsWith('IF_F');
      const kana = text(body, fit ? 'generatorNameKana' : 'customerNameKana')!;
      const kanji = text(body, fit ? 'generatorName' : 'customerName') ?? kana;
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO ${s}.customer (name_kanji, name_kana, name_kana_key, phone, prefecture, city, street, building)
         SELECT $2, $3, $4, $5, prefecture, city, street, building FROM ${s}.supply_point WHERE supply_point_id = $1
         RETURNING customer_id AS id`,
        [a.supplyPointId, kanji, kana, normalizeKana(kana), text(body, 'phoneNumber') ?? null],
      );
      const ampere = text(body, 'contractAmpere');
      await tx.query(
        `UPDATE ${s}.supply_point SET status = 'contracted', retailer_code = $2, customer_id = $3, tenure_since = $4,
           contract_ampere = CASE WHEN $5::smallint IS NOT NULL AND voltage_class = 'LV' AND contract_type = 'lighting' THEN $5::smallint ELSE contract_ampere END
         WHERE supply_point_id = $1`,
        [a.supplyPointId, a.participantCode, rows[0]!.id, a.effectiveDate, ampere === undefined ? null : Number(ampere)],
      );
      await changeRetailerOfRecord(tx, ctx.schema, a.supplyPointId, { retailerCode: a.participantCode, customerId: rows[0]!.id }, on);
      return;
    }
    case 'moveOut': {
      const removal = a.applicationKind === '02' || a.applicationKind === '13';
      await tx.query(`UPDATE ${s}.supply_point SET status = $2, retailer_code = NULL, customer_id = NULL, tenure_since = NULL WHERE supply_point_id = $1`, [
        a.supplyPointId,
        removal ? 'removed' : 'discontinued',
      ]);
      await changeRetailerOfRecord(tx, ctx.schema, a.supplyPointId, null, on);
      return;
    }
    case 'ampereChange':
      await tx.query(`UPDATE ${s}.supply_point SET contract_ampere = $2 WHERE supply_point_id = $1`, [a.supplyPointId, Number(text(body, 'contractAmpere'))]);
      return;
    case 'infoChange': {
      const fit = a.interfaceId.startsWith('IF_F');
      const kana = text(body, fit ? 'generatorNameKana' : 'customerNameKana') ?? null;
      await tx.query(
        `UPDATE ${s}.customer c SET name_kana = COALESCE($2, c.name_kana), name_kana_key = COALESCE($3, c.name_kana_key),
           name_kanji = COALESCE($4, c.name_kanji), phone = COALESCE($5, c.phone)
         FROM ${s}.supply_point sp WHERE sp.supply_point_id = $1 AND c.customer_id = sp.customer_id`,
        [
          a.supplyPointId,
          kana,
          kana === null ? null : normalizeKana(kana),
          text(body, fit ? 'generatorName' : 'customerName') ?? null,
          text(body, 'phoneNumber') ?? null,
        ],
      );
      return;
    }
  }
}
