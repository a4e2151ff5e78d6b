/**
 * The grid's application jobs: matching of switch-ins with switch-outs (every 20 minutes, and right
 * after the later of a pair arrives) and execution of applications whose effective date has come.
 * Both claim rows with `FOR UPDATE SKIP LOCKED` in bounded batches, and re-check the stage in the
 * same transaction, so two processes running them at once never match or execute one twice; a job
 * never waits for a lock, so it cannot deadlock with a handler.
 */
import { addBusinessDays } from '../../domain/calendar.ts';
import { addDays, tokyoDate, tokyoMidnight, type IsoDate } from '../../domain/date.ts';
import { longestLeadTimeDays } from '../../domain/lead-time.ts';
import { matchingDeadline as switchMatchingDeadline, switchingDateAtMatching, type SwitchCase } from '../../domain/switching-date.ts';
import { normalizeKana } from '../../domain/kana.ts';
import type { AreaCode } from '../../domain/area.ts';
import type { Clock } from '../../platform/clock.ts';
import { ident, type Db, type Queryable } from '../../platform/db/db.ts';
import { resolveGridOptions, type GridContext } from '../context.ts';
import { findFacility } from '../registry/facility.repository.ts';
import { installSmartMeter, removeMeters } from '../registry/meter.repository.ts';
import { readingScheduleOf, scheduleVoltageOf } from '../registry/reading-calendar.repository.ts';
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

/** The lead-time case of a switch: the point's voltage and the application's meter work. */
function switchCaseOf(voltageClass: string, meterWork: boolean): SwitchCase {
  return { voltage: voltageClass === 'HV' ? 'HV' : 'LV', meterWork };
}

/**
 * Matches one claimed pair: both to 05 with the switching date fixed (src/domain/switching-date.ts).
 * A switch-in whose named date the lead time from today no longer allows is refused (09,
 * APP_SWITCH_DATE_PASSED), never moved; its switch-out keeps waiting (another switch-in may come).
 */
async function matchPair(tx: Queryable, ctx: GridContext, switchInNumber: string, switchOutNumber: string, cause: string): Promise<boolean> {
  const switchIn = await findApplication(tx, ctx.schema, switchInNumber);
  const switchOut = await findApplication(tx, ctx.schema, switchOutNumber);
  if (!switchIn || !switchOut || switchIn.stage !== '03' || switchOut.stage !== '03') return false;
  const facility = await findFacility(tx, ctx.schema, switchIn.supplyPointId);
  if (!facility) return false;
  const now = ctx.clock.now();
  const day = tokyoDate(now);
  const decision = switchingDateAtMatching({
    matchedOn: day,
    requestedDate: switchIn.requestedDate,
    schedule: await readingScheduleOf(tx, ctx.schema, ctx.area, scheduleVoltageOf(facility.voltageClass), day),
    readingGroup: facility.readingGroup,
    switchCase: switchCaseOf(facility.voltageClass, switchIn.meterWork),
  });
  if (!decision.ok) {
    await moveApplication(tx, ctx.schema, switchIn, { type: 'matchExpired', reason: 'APP_SWITCH_DATE_PASSED' }, cause, now, {
      refusalParams: { requestedDate: switchIn.requestedDate!, earliest: decision.earliest },
    });
    return false;
  }
  const effectiveDate = decision.date;
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

/**
 * The last day a switch may still be matched (src/domain/switching-date.ts): the last day the lead
 * time allows its named date, or 8 business days after acceptance when it names none (ours).
 */
export function matchingDeadline(application: Pick<Application, 'kind' | 'acceptedAt' | 'requestedDate' | 'meterWork'>, voltageClass: string): IsoDate {
  return switchMatchingDeadline({
    kind: application.kind === 'switchOut' ? 'switchOut' : 'switchIn',
    acceptedOn: tokyoDate(application.acceptedAt),
    requestedDate: application.requestedDate,
    switchCase: switchCaseOf(voltageClass, application.meterWork),
  });
}

/**
 * Matches up to `limit` pending pairs, then refuses (09) up to `limit` switches whose matching
 * deadline has passed without a counterpart.
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
    // Candidates, checked exactly below: without a named date, 8 business days are at least 8
    // calendar days; with one, the deadline lies at least the lead time's days before the date.
    const { rows } = await tx.query<Application & { voltageClass: string }>(
      `SELECT ${applicationColumns}, sp.voltage_class AS "voltageClass"
         FROM ${ident(ctx.schema)}.application
         JOIN ${ident(ctx.schema)}.supply_point sp USING (supply_point_id)
       WHERE stage = '03' AND (accepted_at < $1 OR requested_date < $3::date)
       ORDER BY accepted_at LIMIT $2 FOR UPDATE OF application SKIP LOCKED`,
      [tokyoMidnight(addDays(today, -matchingLimitBusinessDays)), options.limit, addDays(today, longestLeadTimeDays + 1)],
    );
    let n = 0;
    const now = ctx.clock.now();
    for (const application of rows) {
      const deadline = matchingDeadline(application, application.voltageClass);
      if (today <= deadline) continue;
      const named =
        application.requestedDate !== null &&
        (application.kind === 'switchIn' || deadline > addBusinessDays(tokyoDate(application.acceptedAt), matchingLimitBusinessDays));
      const event = named ? { type: 'matchExpired' as const, reason: 'APP_MATCH_DEADLINE_PASSED' as const } : { type: 'matchExpired' as const };
      const refusalParams: Record<string, string | number> = named
        ? { requestedDate: application.requestedDate!, deadline }
        : { days: matchingLimitBusinessDays };
      await moveApplication(tx, ctx.schema, application, event, 'matching', now, { refusalParams });
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
  switch (a.kind) {
    case 'switchIn':
      await tx.query(`UPDATE ${s}.supply_point SET retailer_code = $2 WHERE supply_point_id = $1`, [a.supplyPointId, a.participantCode]);
      return;
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
      return;
    }
    case 'moveOut': {
      const removal = a.applicationKind === '02' || a.applicationKind === '13';
      await tx.query(`UPDATE ${s}.supply_point SET status = $2, retailer_code = NULL, customer_id = NULL, tenure_since = NULL WHERE supply_point_id = $1`, [
        a.supplyPointId,
        removal ? 'removed' : 'discontinued',
      ]);
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
