/**
 * Matching of switch-ins with switch-outs, set-based: one SQL statement per batch claims the pairs
 * (`FOR UPDATE … SKIP LOCKED`, so two processes never take the same row and never wait on each
 * other), fixes each pair's effective date, moves both applications to 05, records their
 * transitions and notification events; one more statement per batch refuses (09) the switches
 * that waited past their matching deadline. Nothing is fetched to be written back row by row.
 *
 * Two inputs are computed here, each by one function, and handed to the SQL as parameters:
 *   - the switching date: `switchingDateTable(day)` gives, for the matching day, the earliest
 *     allowed date and the default date per (reading group, voltage, meter work); a pair's date is
 *     the switch-in's requested date if allowed, else the default (`effectiveDateSql`).
 *   - the deadline: `matchingExpiredBefore(today)` is the acceptance instant before which a
 *     waiting switch has passed its deadline (`matchingDeadline`).
 * The stage moves and events come from the stage machine (stage-machine.ts), not from the SQL.
 */
import { addBusinessDays } from '../../domain/calendar.ts';
import { addDays, tokyoDate, tokyoMidnight, type IsoDate } from '../../domain/date.ts';
import { defaultSwitchingDate, earliestDate, type VoltageClass } from '../../domain/lead-time.ts';
import { readingGroups } from '../../domain/reading-day.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import type { GridContext } from '../context.ts';
import { matchingLimitBusinessDays } from './rules.ts';
import { transition, type ApplicationKind } from './stage-machine.ts';

/** The last day a switch accepted on `acceptedOn` may still be matched. */
export function matchingDeadline(acceptedOn: IsoDate): IsoDate {
  return addBusinessDays(acceptedOn, matchingLimitBusinessDays);
}

/**
 * The instant (midnight in Japan) before which a switch accepted has passed its matching deadline
 * on `today`: the day after the last acceptance day whose deadline is before today (the deadline
 * grows with the acceptance day, so one bound holds for every row).
 */
export function matchingExpiredBefore(today: IsoDate): Date {
  // A deadline is at least `matchingLimitBusinessDays` calendar days after acceptance.
  let day = addDays(today, -matchingLimitBusinessDays - 1);
  while (matchingDeadline(day) >= today) day = addDays(day, -1);
  return tokyoMidnight(addDays(day, 1));
}

export interface SwitchingDateRow {
  readonly readingGroup: number;
  readonly voltage: VoltageClass;
  readonly meterWork: boolean;
  /** A requested date on or after it is allowed. */
  readonly earliest: IsoDate;
  /** The date when none (or one too early) was requested. */
  readonly defaultDate: IsoDate;
}

/** The switching dates of a pair matched on `day`, per reading group, voltage and meter work. */
export function switchingDateTable(day: IsoDate): SwitchingDateRow[] {
  const rows: SwitchingDateRow[] = [];
  for (const voltage of ['LV', 'HV'] as const) {
    for (const meterWork of [false, true]) {
      const earliest = earliestDate(day, voltage, { meterWork });
      for (const readingGroup of readingGroups) {
        rows.push({ readingGroup, voltage, meterWork, earliest, defaultDate: defaultSwitchingDate(day, readingGroup, voltage, { meterWork }) });
      }
    }
  }
  return rows;
}

/** One stage-machine move that both kinds of switch make alike: its next stage and notification. */
function switchMove(event: { type: 'matched' } | { type: 'matchExpired' }): { stage: string; notify: string | null; reason: string | null } {
  const moves = (['switchIn', 'switchOut'] as const satisfies readonly ApplicationKind[]).map((kind) => transition({ kind, stage: '03' }, event));
  const [a, b] = moves;
  if (!a || !b || 'refused' in a || 'refused' in b || a.next.stage !== b.next.stage)
    throw new Error(`the stage machine moves the two switches apart on ${event.type}`);
  const notify = a.effects.find((e) => e.type === 'notify');
  return { stage: a.next.stage, notify: notify?.type === 'notify' ? notify.event : null, reason: a.reason ?? null };
}

const matchedMove = switchMove({ type: 'matched' });
const expiredMove = switchMove({ type: 'matchExpired' });

/** The effective date of a pair (`p`: the pair, `d`: its row of the switching-date table). */
const effectiveDateSql = 'CASE WHEN p.requested_date IS NOT NULL AND p.requested_date >= d.earliest THEN p.requested_date ELSE d.default_date END';

function matchSql(schema: string, onePoint: boolean): string {
  const s = ident(schema);
  return `WITH pair AS (
      SELECT i.application_number AS in_no, o.application_number AS out_no, i.requested_date, i.meter_work,
             sp.reading_group, CASE WHEN sp.voltage_class = 'HV' THEN 'HV' ELSE 'LV' END AS voltage, i.accepted_at
        FROM ${s}.application i
        JOIN ${s}.application o ON o.supply_point_id = i.supply_point_id AND o.kind = 'switchOut' AND o.stage = '03'
        JOIN ${s}.supply_point sp ON sp.supply_point_id = i.supply_point_id
       WHERE i.kind = 'switchIn' AND i.stage = '03' AND o.participant_code = sp.retailer_code
         AND i.participant_code <> sp.retailer_code
         AND (o.body->>'newRetailerCode' IS NULL OR o.body->>'newRetailerCode' = i.participant_code)
         AND ${onePoint ? 'i.supply_point_id = $9' : '$9::text IS NULL'}
       ORDER BY i.accepted_at LIMIT $1
       FOR UPDATE OF i, o SKIP LOCKED
    ),
    -- Each application in one pair only (the conflict rules already allow no more).
    one_in AS (SELECT DISTINCT ON (in_no) * FROM pair ORDER BY in_no, accepted_at),
    one_pair AS (SELECT DISTINCT ON (out_no) * FROM one_in ORDER BY out_no, accepted_at),
    dated AS (
      SELECT p.in_no, p.out_no, ${effectiveDateSql} AS effective_date
        FROM one_pair p
        JOIN unnest($5::smallint[], $6::text[], $7::boolean[], $8::date[], $10::date[]) AS d(reading_group, voltage, meter_work, earliest, default_date)
          ON d.reading_group = p.reading_group AND d.voltage = p.voltage AND d.meter_work = p.meter_work
    ),
    side AS (
      SELECT in_no AS number, out_no AS other, effective_date FROM dated
      UNION ALL
      SELECT out_no, in_no, effective_date FROM dated
    ),
    moved AS (
      UPDATE ${s}.application a
         SET stage = $2, stage_at = CASE WHEN a.stage = $2 THEN a.stage_at ELSE $3 END, refusal_code = NULL, refusal_text = NULL,
             effective_date = side.effective_date, matched_with = side.other,
             updated_at = $3, update_xid = pg_current_xact_id(), update_seq = nextval('${schema}.application_update_seq')
        FROM side
       WHERE a.application_number = side.number AND a.stage = '03'
      RETURNING a.application_number, a.participant_code, a.kind
    ),
    history AS (
      INSERT INTO ${s}.application_transition (application_number, from_stage, to_stage, event, cause, at)
      SELECT application_number, '03', $2, 'matched', $4, $3 FROM moved
    ),
    events AS (
      INSERT INTO ${s}.application_event (application_number, participant_code, event, stage, at)
      SELECT application_number, participant_code, $11, $2, $3 FROM moved WHERE $11::text IS NOT NULL
    )
    SELECT count(*) FILTER (WHERE kind = 'switchIn')::int AS pairs FROM moved`;
}

/**
 * Matches up to `limit` pending pairs (of one point, when `supplyPointId` is given) in the
 * caller's transaction: both applications to 05 with the effective date fixed, history and events
 * recorded. Returns the number of pairs matched.
 */
export async function matchPairs(
  tx: Queryable,
  ctx: GridContext,
  options: { readonly limit: number; readonly cause: string; readonly supplyPointId?: string },
): Promise<number> {
  const at = ctx.clock.now();
  const table = switchingDateTable(tokyoDate(at));
  const values: unknown[] = [
    options.limit,
    matchedMove.stage,
    at,
    options.cause,
    table.map((r) => r.readingGroup),
    table.map((r) => r.voltage),
    table.map((r) => r.meterWork),
    table.map((r) => r.earliest),
    options.supplyPointId ?? null,
    table.map((r) => r.defaultDate),
    matchedMove.notify,
  ];
  const onePoint = options.supplyPointId !== undefined;
  if (onePoint) {
    // Most deliveries find no counterpart: a cheap look first (the matching index), the pairing only for a pair.
    const { rows } = await tx.query<{ both: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${ident(ctx.schema)}.application WHERE supply_point_id = $1 AND kind = 'switchIn' AND stage = '03')
          AND EXISTS (SELECT 1 FROM ${ident(ctx.schema)}.application WHERE supply_point_id = $1 AND kind = 'switchOut' AND stage = '03') AS both`,
      [options.supplyPointId],
      { name: `match_point_check_${ctx.schema}` },
    );
    if (!rows[0]?.both) return 0;
  }
  // One point: prepared per schema (its planning costs more than matching one pair). A batch: planned
  // each time with its values (the plan depends on how many rows wait).
  const { rows } = await tx.query<{ pairs: number }>(matchSql(ctx.schema, onePoint), values, onePoint ? { name: `match_point_${ctx.schema}` } : {});
  return rows[0]?.pairs ?? 0;
}

/**
 * Refuses (09, "matching deadline passed") up to `limit` switches still waiting for a counterpart
 * past their deadline, in the caller's transaction. Returns how many.
 */
export async function expireUnmatched(tx: Queryable, ctx: GridContext, options: { readonly limit: number }): Promise<number> {
  const s = ident(ctx.schema);
  const at = ctx.clock.now();
  const refusal = new Refusal(expiredMove.reason as 'APP_MATCH_EXPIRED', { params: { days: matchingLimitBusinessDays } });
  const { rows } = await tx.query<{ n: number }>(
    `WITH due AS (
        SELECT application_number FROM ${s}.application
         WHERE stage = '03' AND kind IN ('switchIn', 'switchOut') AND accepted_at < $1
         ORDER BY accepted_at LIMIT $2 FOR UPDATE SKIP LOCKED
      ),
      moved AS (
        UPDATE ${s}.application a
           SET stage = $3, stage_at = CASE WHEN a.stage = $3 THEN a.stage_at ELSE $4 END, refusal_code = $5, refusal_text = $6,
               updated_at = $4, update_xid = pg_current_xact_id(), update_seq = nextval('${ctx.schema}.application_update_seq')
          FROM due
         WHERE a.application_number = due.application_number AND a.stage = '03'
        RETURNING a.application_number, a.participant_code
      ),
      history AS (
        INSERT INTO ${s}.application_transition (application_number, from_stage, to_stage, event, cause, at)
        SELECT application_number, '03', $3, 'matchExpired', 'matching', $4 FROM moved
      ),
      events AS (
        INSERT INTO ${s}.application_event (application_number, participant_code, event, stage, at)
        SELECT application_number, participant_code, $7, $3, $4 FROM moved WHERE $7::text IS NOT NULL
      )
      SELECT count(*)::int AS n FROM moved`,
    [matchingExpiredBefore(tokyoDate(at)), options.limit, expiredMove.stage, at, refusal.code, refusal.text, expiredMove.notify],
  );
  return rows[0]?.n ?? 0;
}
