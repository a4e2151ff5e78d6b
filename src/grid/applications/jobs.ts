/**
 * The grid's application jobs: matching of switch-ins with switch-outs (every 20 minutes, and right
 * after the later of a pair arrives) and execution of applications whose effective date has come.
 * Both claim rows with `FOR UPDATE SKIP LOCKED` in bounded batches, and re-check the stage in the
 * same transaction (matching set-based, a statement per batch: matching.ts), so two processes running them at once never match or execute one twice; a job
 * never waits for a lock, so it cannot deadlock with a handler.
 */
import { tokyoDate } from '../../domain/date.ts';
import { normalizeKana } from '../../domain/kana.ts';
import type { AreaCode } from '../../domain/area.ts';
import type { Clock } from '../../platform/clock.ts';
import { ident, type Db, type Queryable } from '../../platform/db/db.ts';
import { resolveGridOptions, type GridContext, type GridOptions } from '../context.ts';
import { installSmartMeter, removeMeters } from '../registry/meter.repository.ts';
import { changeRetailerOfRecord } from '../registry/supply-period.repository.ts';
import { gridSchema } from '../schema.ts';
import { findApplication, moveApplication, type Application } from './application.repository.ts';
import { expireUnmatched, matchPairs, type MatchedBatch } from './matching.ts';
import { text } from './rules.ts';

export type JobTarget = { readonly context: GridContext } | { readonly db: Db; readonly clock: Clock; readonly area: AreaCode; readonly options?: GridOptions };

/** The lanes a matching call runs in: the grid's option on PostgreSQL; one on PGlite (one connection). */
function matchingLanesOf(ctx: GridContext): number {
  return ctx.db.backend === 'pglite' ? 1 : ctx.options.matchingLanes;
}

function contextOf(target: JobTarget): GridContext {
  if ('context' in target) return target.context;
  return { area: target.area, schema: gridSchema(target.area), db: target.db, clock: target.clock, options: resolveGridOptions(target.options) };
}

/** Matching of one point, inside the caller's transaction (a handler, right after a switch arrives). */
export async function matchPoint(tx: Queryable, ctx: GridContext, supplyPointId: string, cause: string): Promise<boolean> {
  return (await matchPairs(tx, ctx, { limit: 1, cause, supplyPointId })).pairs > 0;
}

/** What a matching call (runMatching) did. */
export interface MatchingRun {
  /** Pairs matched. */
  readonly matched: number;
  /**
   * Switches refused (09, event matchExpired) without a counterpart: switch-ins whose named date the
   * lead time no longer allows (refused by the batches) and switches past their matching deadline.
   */
  readonly expired: number;
  /**
   * The call used its whole limit, so more may be waiting: a lane's last batch took all it was
   * given (whether it matched, refused or, their counterparts locked elsewhere, left those it took
   * waiting), or the expiry refused its limit. The job calls again while this holds.
   */
  readonly full: boolean;
}

/**
 * Matches up to `limit` pending pairs, then refuses (09) up to `limit` switches that waited past
 * their matching deadline without a counterpart: a few statements each (matching.ts).
 *
 * On PostgreSQL the pairs are matched in lanes (the grid's `matchingLanes`, default 2): concurrent
 * transactions, each on its own connection and PostgreSQL backend, each taking only the pairs of
 * its share of the supply points (a hash of the point: a switch-in and its switch-out are always
 * in one lane), so lanes never meet on a row or skip over each other's locked ones. A batch is
 * one backend's work from start to end (about 0.6 s for 10,000 pairs): one lane leaves the
 * machine's other cores idle. The call goes in rounds of one batch a lane, the call's `limit`
 * shared out among the lanes still open; a lane whose batch came back short has nothing more
 * waiting and closes. So the call comes back short only when every lane did: no lane's pairs are
 * left behind while another lane filled the call. Each lane's batch is atomic on its own (a lane
 * that fails leaves its batch unwritten; the others' stand); the call waits for every lane before
 * it answers or throws. PGlite has one connection: one lane.
 */
export async function runMatching(grid: JobTarget, options: { limit: number }): Promise<MatchingRun> {
  const ctx = contextOf(grid);
  const count = matchingLanesOf(ctx);
  let open = Array.from({ length: count }, (_, index) => index);
  let remaining = options.limit;
  let matched = 0;
  let refused = 0;
  while (remaining > 0 && open.length > 0) {
    const share = Math.floor(remaining / open.length);
    const limits = open.map((_, i) => share + (i < remaining % open.length ? 1 : 0));
    const settled = await Promise.allSettled(
      open.map((index, i) =>
        limits[i] === 0
          ? { pairs: 0, refused: 0, taken: 0 }
          : ctx.db.transaction((tx) => matchPairs(tx, ctx, { limit: limits[i]!, cause: 'matching', ...(count > 1 ? { lane: { index, count } } : {}) })),
      ),
    );
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const results = settled.map((r) => (r as PromiseFulfilledResult<MatchedBatch>).value);
    for (const r of results) {
      matched += r.pairs;
      refused += r.refused;
      remaining -= r.taken;
    }
    open = open.filter((_, i) => results[i]!.taken === limits[i]);
  }
  const expired = await ctx.db.transaction((tx) => expireUnmatched(tx, ctx, { limit: options.limit }));
  // A lane still open took all it was given: more may wait behind its batch (the loop ended on the limit, not on short lanes).
  return { matched, expired: refused + expired, full: open.length > 0 || expired === options.limit };
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
  else await installSmartMeter(tx, ctx.schema, a.supplyPointId, on, ctx.clock.now());
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
