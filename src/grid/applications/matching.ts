/**
 * Matching of switch-ins with switch-outs, set-based: one SQL statement per batch claims the pairs
 * (`FOR NO KEY UPDATE … SKIP LOCKED`, so two processes never take the same row and never wait on
 * each other), fixes each pair's switching date, moves both applications to 05, records their
 * transitions and notification events, and refuses the switch-ins whose named date can no longer
 * be kept; two more per batch refuse (09) the switches that waited past their matching deadline.
 *
 * A batch costs its own size, not the number of waiting rows: the oldest waiting switch-ins are
 * read in order from the waiting index, each counterpart is found by a look-up in the matching
 * index, and only then are the counterparts claimed by key. (Pairing the whole join and sorting it
 * for every batch made a day of 100,000 pairs cost ten full joins; a million, a hundred.) What a
 * batch still costs is its writes: each moved application is a new row version with an entry in
 * four or five indexes (the stage, date and feed position it changes are all indexed, so never a
 * HOT update; a matched switch-out is not in the due index), and a transition and an event row
 * with theirs. The history and events have no foreign keys (migration 0019: application rows are
 * never deleted and both are written from the rows this statement moved; the checks took a third
 * of a batch). The row locks stay: without them the same rows cost as much (measured), and they
 * are what keeps two matchers, or a matcher and a handler, off each other's pairs.
 *
 * The rules are the domain's (src/domain/switching-date.ts, slide 31), handed to the SQL as data:
 *   - the switching date: `switchingDateTable(day, schedules)` gives, for the matching day, the
 *     earliest date the lead time allows and the default date (no date named: the first scheduled
 *     reading day on or after it, ours) per (reading group, voltage class, meter work). A named
 *     date on or after the earliest stands; an earlier one refuses the switch-in
 *     (`APP_SWITCH_DATE_PASSED`), never moved to another day; its switch-out keeps waiting.
 *   - the deadline: candidates are chosen in SQL by a bound no later than any deadline, then each
 *     is decided by the domain's `matchingDeadline` (named date: `APP_MATCH_DEADLINE_PASSED`; none:
 *     8 business days, `APP_MATCH_EXPIRED`, ours) and all are written in one statement.
 * The stage moves and events come from the stage machine (stage-machine.ts), not from the SQL.
 */
import { addBusinessDays } from '../../domain/calendar.ts';
import { addDays, tokyoDate, tokyoMidnight, type IsoDate } from '../../domain/date.ts';
import { defaultSwitchingDate, earliestDate, type VoltageClass } from '../../domain/lead-time.ts';
import type { ReadingSchedule } from '../../domain/reading-day.ts';
import { Refusal } from '../../domain/refusal.ts';
import { matchingDeadline, matchingLimitBusinessDays, type SwitchCase } from '../../domain/switching-date.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import type { GridContext } from '../context.ts';
import { readingScheduleOf, scheduleVoltageOf } from '../registry/reading-calendar.repository.ts';
import { feedStamp } from './feed-horizon.ts';
import { transition, type ApplicationKind } from './stage-machine.ts';

const voltageClasses = ['LV', 'HV', 'EHV'] as const;

/** The lead-time case of a switch: the point's voltage class and the application's meter work. */
function switchCaseOf(voltageClass: string, meterWork: boolean): SwitchCase {
  return { voltage: leadTimeVoltageOf(voltageClass), meterWork };
}

function leadTimeVoltageOf(voltageClass: string): VoltageClass {
  return voltageClass === 'HV' ? 'HV' : 'LV';
}

/**
 * The instant (midnight in Japan) before which a switch accepted has passed the 8 business days of
 * a switch naming no date on `today` (the deadline grows with the acceptance day, so one bound
 * holds for every row).
 */
function unnamedExpiredBefore(today: IsoDate): Date {
  // A deadline is at least `matchingLimitBusinessDays` calendar days after acceptance.
  let day = addDays(today, -matchingLimitBusinessDays - 1);
  while (addBusinessDays(day, matchingLimitBusinessDays) >= today) day = addDays(day, -1);
  return tokyoMidnight(addDays(day, 1));
}

interface SwitchingDateRow {
  readonly readingGroup: number;
  readonly voltageClass: (typeof voltageClasses)[number];
  readonly meterWork: boolean;
  /** A named date on or after it is kept. */
  readonly earliest: IsoDate;
  /** The date when none was named. */
  readonly defaultDate: IsoDate;
}

/**
 * The switching dates of a pair matched on `day`, per reading group of the area's schedules,
 * voltage class and meter work (the domain's switchingDateAtMatching, as a table).
 */
function switchingDateTable(day: IsoDate, schedules: { readonly LV: ReadingSchedule; readonly HV: ReadingSchedule }): SwitchingDateRow[] {
  const rows: SwitchingDateRow[] = [];
  for (const voltageClass of voltageClasses) {
    const schedule = schedules[scheduleVoltageOf(voltageClass)];
    for (const meterWork of [false, true]) {
      const { voltage } = switchCaseOf(voltageClass, meterWork);
      const earliest = earliestDate(day, voltage, { meterWork });
      for (const readingGroup of schedule.rule.numbers) {
        rows.push({ readingGroup, voltageClass, meterWork, earliest, defaultDate: defaultSwitchingDate(day, schedule, readingGroup, voltage, { meterWork }) });
      }
    }
  }
  return rows;
}

async function schedulesOf(q: Queryable, ctx: GridContext, day: IsoDate) {
  return {
    LV: await readingScheduleOf(q, ctx.schema, ctx.area, 'LV', day),
    HV: await readingScheduleOf(q, ctx.schema, ctx.area, 'HV', day),
  };
}

/** One stage-machine move that both kinds of switch make alike: its next stage and notification. */
function switchMove(event: { type: 'matched' } | { type: 'matchExpired' }): { stage: string; notify: string | null } {
  const moves = (['switchIn', 'switchOut'] as const satisfies readonly ApplicationKind[]).map((kind) => transition({ kind, stage: '03' }, event));
  const [a, b] = moves;
  if (!a || !b || 'refused' in a || 'refused' in b || a.next.stage !== b.next.stage)
    throw new Error(`the stage machine moves the two switches apart on ${event.type}`);
  const notify = a.effects.find((e) => e.type === 'notify');
  return { stage: a.next.stage, notify: notify?.type === 'notify' ? notify.event : null };
}

const matchedMove = switchMove({ type: 'matched' });
const expiredMove = switchMove({ type: 'matchExpired' });

/** The text of APP_SWITCH_DATE_PASSED with its two dates left as SQL fills them in. */
const switchDatePassedTemplate = new Refusal('APP_SWITCH_DATE_PASSED', { params: { requestedDate: '{requestedDate}', earliest: '{earliest}' } }).text;

/**
 * Which pairs a statement may match: every waiting one (`all`), those of one point (`one`, $9 the
 * point), or those of the points of a batch of filings (`points`, $9 the points and $15 the request
 * ID that filed at each, the cause of its transitions).
 */
type MatchScope = 'all' | 'one' | 'points';

/** One of `count` disjoint shares of the supply points: lane `index` (0 … count − 1). */
export interface Lane {
  readonly index: number;
  readonly count: number;
}

/** The lane (of `count`) of a supply point, in SQL: a hash of its ID, so a point and both its switches are in one lane. */
function laneOf(point: string, count: string): string {
  return `(hashtext(${point}) & 2147483647) % ${count}`;
}

/** The lanes other than `lane`. */
function otherLanes(lane: Lane): number[] {
  return Array.from({ length: lane.count }, (_, i) => i).filter((i) => i !== lane.index);
}

function matchSql(schema: string, scope: MatchScope, laned: boolean): string {
  const s = ident(schema);
  const where = {
    all: laned ? `$9::text IS NULL AND ${laneOf('i.supply_point_id', '$15')} <> ALL($16::int[])` : '$9::text IS NULL',
    one: 'i.supply_point_id = $9',
    points: 'i.supply_point_id = ANY($9::text[])',
  }[scope];
  const cause =
    scope === 'points'
      ? `COALESCE((SELECT c.cause FROM unnest($9::text[], $15::text[]) AS c(point, cause) WHERE c.point = m.supply_point_id LIMIT 1), $4)`
      : '$4';
  // The oldest waiting switch-ins first, each with its counterpart found by a look-up (the
  // matching index), so a batch costs its own size, not a pass over every waiting row; then the
  // counterparts claimed, and both re-checked on the row versions locked.
  return `WITH candidate AS (
      SELECT i.application_number AS in_no, i.participant_code AS in_participant, p.out_no, i.requested_date, i.meter_work,
             p.reading_group, p.voltage_class, i.accepted_at
        FROM ${s}.application i
        CROSS JOIN LATERAL (
          SELECT o.application_number AS out_no, sp.reading_group, sp.voltage_class
            FROM ${s}.supply_point sp
            JOIN ${s}.application o ON o.supply_point_id = sp.supply_point_id AND o.kind = 'switchOut' AND o.stage = '03'
                 AND o.participant_code = sp.retailer_code
           WHERE sp.supply_point_id = i.supply_point_id AND sp.retailer_code <> i.participant_code
             AND (o.body->>'newRetailerCode' IS NULL OR o.body->>'newRetailerCode' = i.participant_code)
           ORDER BY o.accepted_at, o.application_number LIMIT 1
        ) p
       WHERE i.kind = 'switchIn' AND i.stage = '03' AND ${where}
       ORDER BY i.accepted_at LIMIT $1
       FOR NO KEY UPDATE OF i SKIP LOCKED
    ),
    pair AS (
      SELECT c.* FROM candidate c
       CROSS JOIN LATERAL (
         SELECT FROM ${s}.application o
          WHERE o.application_number = c.out_no AND o.kind = 'switchOut' AND o.stage = '03'
            AND (o.body->>'newRetailerCode' IS NULL OR o.body->>'newRetailerCode' = c.in_participant)
          FOR NO KEY UPDATE SKIP LOCKED
       ) claimed
    ),
    -- Each switch-out in one pair only (the conflict rules already allow no more).
    one_pair AS (SELECT DISTINCT ON (out_no) * FROM pair ORDER BY out_no, accepted_at, in_no),
    dated AS (
      SELECT p.in_no, p.out_no, p.requested_date, d.earliest,
             CASE WHEN p.requested_date IS NULL THEN d.default_date WHEN p.requested_date >= d.earliest THEN p.requested_date END AS effective_date
        FROM one_pair p
        JOIN unnest($5::smallint[], $6::text[], $7::boolean[], $8::date[], $10::date[]) AS d(reading_group, voltage_class, meter_work, earliest, default_date)
          ON d.reading_group = p.reading_group AND d.voltage_class = p.voltage_class AND d.meter_work = p.meter_work
    ),
    side AS (
      SELECT in_no AS number, out_no AS other, effective_date FROM dated WHERE effective_date IS NOT NULL
      UNION ALL
      SELECT out_no, in_no, effective_date FROM dated WHERE effective_date IS NOT NULL
    ),
    moved AS (
      UPDATE ${s}.application a
         SET stage = $2, stage_at = CASE WHEN a.stage = $2 THEN a.stage_at ELSE $3 END, refusal_code = NULL, refusal_text = NULL,
             effective_date = side.effective_date, matched_with = side.other,
             updated_at = $3, update_xid = ${feedStamp}, update_seq = nextval('${schema}.application_update_seq')
        FROM side
       WHERE a.application_number = side.number AND a.stage = '03'
      RETURNING a.application_number, a.participant_code, a.kind, a.supply_point_id
    ),
    -- A switch-in whose named date the lead time from today no longer allows: refused, never moved.
    late AS (
      UPDATE ${s}.application a
         SET stage = $12, stage_at = CASE WHEN a.stage = $12 THEN a.stage_at ELSE $3 END, refusal_code = 'APP_SWITCH_DATE_PASSED',
             refusal_text = replace(replace($14, '{requestedDate}', to_char(dated.requested_date, 'YYYY-MM-DD')), '{earliest}', to_char(dated.earliest, 'YYYY-MM-DD')),
             updated_at = $3, update_xid = ${feedStamp}, update_seq = nextval('${schema}.application_update_seq')
        FROM dated
       WHERE a.application_number = dated.in_no AND dated.effective_date IS NULL AND a.stage = '03'
      RETURNING a.application_number, a.participant_code, a.supply_point_id
    ),
    history AS (
      INSERT INTO ${s}.application_transition (application_number, from_stage, to_stage, event, cause, at)
      SELECT m.application_number, '03', $2, 'matched', ${cause}, $3 FROM moved m
      UNION ALL
      SELECT m.application_number, '03', $12, 'matchExpired', ${cause}, $3 FROM late m
    ),
    events AS (
      INSERT INTO ${s}.application_event (application_number, participant_code, event, stage, at, xid)
      SELECT application_number, participant_code, $11, $2, $3, ${feedStamp} FROM moved WHERE $11::text IS NOT NULL
      UNION ALL
      SELECT application_number, participant_code, $13, $12, $3, ${feedStamp} FROM late WHERE $13::text IS NOT NULL
    )
    SELECT (SELECT count(*) FILTER (WHERE kind = 'switchIn') FROM moved)::int AS pairs, (SELECT count(*) FROM late)::int AS refused,
           (SELECT count(*) FROM candidate)::int AS taken`;
}

/**
 * The settings of a batch's transaction (SET LOCAL: they end with it, the connection's own stay):
 *   - no JIT (above);
 *   - `wal_compression = lz4`, where the server has lz4 and our role may set the parameter (a
 *     superuser, or `GRANT SET ON PARAMETER wal_compression`; elsewhere the batch runs as before).
 *     A batch rewrites every page its 20,000 applications are on; the first write of a page after a
 *     checkpoint logs the whole page (8 kB), and a million pairs write ~3.3 GB of WAL (several
 *     checkpoints' worth at max_wal_size 1 GB), so those images were ~86,000 of the batch's pages.
 *     Compressed, the same million wrote 20 % less WAL (1,722 MB instead of 2,155 for the updates)
 *     and took 19–29 % less time (issue 18, fifth round). Durability is unchanged: the images are
 *     still logged, only smaller, and recovery reads them the same way.
 */
const batchSettingsSql = `SELECT set_config('jit', 'off', true),
  (SELECT set_config('wal_compression', 'lz4', true) FROM pg_settings
    WHERE name = 'wal_compression' AND 'lz4' = ANY(enumvals) AND has_parameter_privilege('wal_compression', 'SET'))`;

/** What a matching batch did (matchPairs). */
export interface MatchedBatch {
  /** Pairs matched (both switches to 05). */
  readonly pairs: number;
  /** Switch-ins refused (09, APP_SWITCH_DATE_PASSED) because the lead time no longer allows their named date. */
  readonly refused: number;
  /** Switch-ins the batch took (at most its limit): matched, refused, or left waiting (counterpart locked elsewhere). */
  readonly taken: number;
}

/**
 * Matches up to `limit` pending pairs (of one point, when `supplyPointId` is given; of the points
 * of a batch of filings, each with the request ID that caused it, when `points` is) in the
 * caller's transaction: both applications to 05 with the switching date fixed, history and events
 * recorded; a switch-in whose named date can no longer be kept is refused (09). Returns the number
 * of pairs matched (`pairs`), of switch-ins refused for their date (`refused`), and of switch-ins the
 * batch took (`taken`, at most `limit`): besides those two, a switch-in whose counterpart another
 * transaction holds (SKIP LOCKED) is taken and left waiting, so a batch that took its `limit` may
 * have left more waiting behind it, whatever it matched or refused.
 */
export async function matchPairs(
  tx: Queryable,
  ctx: GridContext,
  options: {
    readonly limit: number;
    readonly cause: string;
    readonly supplyPointId?: string;
    readonly points?: readonly { readonly supplyPointId: string; readonly cause: string }[];
    /** Of every waiting pair (neither point nor points given): only those of this lane. */
    readonly lane?: Lane;
  },
): Promise<MatchedBatch> {
  const onePoint = options.supplyPointId !== undefined;
  const scope: MatchScope = onePoint ? 'one' : options.points ? 'points' : 'all';
  const laned = scope === 'all' && options.lane !== undefined && options.lane.count > 1;
  if (options.points?.length === 0) return { pairs: 0, refused: 0, taken: 0 };
  if (onePoint) {
    // Most deliveries find no counterpart: a cheap look first (the matching index), the pairing only for a pair.
    const { rows } = await tx.query<{ both: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${ident(ctx.schema)}.application WHERE supply_point_id = $1 AND kind = 'switchIn' AND stage = '03')
          AND EXISTS (SELECT 1 FROM ${ident(ctx.schema)}.application WHERE supply_point_id = $1 AND kind = 'switchOut' AND stage = '03') AS both`,
      [options.supplyPointId],
      { name: `match_point_check_${ctx.schema}` },
    );
    if (!rows[0]?.both) return { pairs: 0, refused: 0, taken: 0 };
  }
  const at = ctx.clock.now();
  const day = tokyoDate(at);
  const table = switchingDateTable(day, await schedulesOf(tx, ctx, day));
  const values: unknown[] = [
    options.limit,
    matchedMove.stage,
    at,
    options.cause,
    table.map((r) => r.readingGroup),
    table.map((r) => r.voltageClass),
    table.map((r) => r.meterWork),
    table.map((r) => r.earliest),
    scope === 'points' ? options.points!.map((p) => p.supplyPointId) : (options.supplyPointId ?? null),
    table.map((r) => r.defaultDate),
    matchedMove.notify,
    expiredMove.stage,
    expiredMove.notify,
    switchDatePassedTemplate,
    ...(scope === 'points' ? [options.points!.map((p) => p.cause)] : []),
    ...(laned ? [options.lane!.count, otherLanes(options.lane!)] : []),
  ];
  // One point: prepared per schema (its planning costs more than matching one pair). A batch: planned
  // each time with its values (the plan depends on how many rows wait); the job's batch is not
  // JIT-compiled: its cost estimate (a look-up per waiting switch-in) passes the JIT's threshold,
  // and compiling took 0.1–0.2 s a batch for a plan that runs once. Its full-page images are
  // compressed (batchSettingsSql).
  if (scope === 'all') await tx.query(batchSettingsSql);
  const { rows } = await tx.query<MatchedBatch>(matchSql(ctx.schema, scope, laned), values, onePoint ? { name: `match_point_${ctx.schema}` } : {});
  return { pairs: rows[0]?.pairs ?? 0, refused: rows[0]?.refused ?? 0, taken: rows[0]?.taken ?? 0 };
}

interface Waiting {
  readonly number: string;
  readonly kind: 'switchIn' | 'switchOut';
  readonly acceptedAt: Date;
  readonly requestedDate: IsoDate | null;
  readonly meterWork: boolean;
  readonly voltageClass: string;
}

/**
 * Refuses (09) up to `limit` switches still waiting for a counterpart past their matching
 * deadline, in the caller's transaction: candidates claimed by one statement, each decided by the
 * domain's rule, all written by a second. Returns how many.
 */
export async function expireUnmatched(tx: Queryable, ctx: GridContext, options: { readonly limit: number }): Promise<number> {
  const s = ident(ctx.schema);
  const at = ctx.clock.now();
  const today = tokyoDate(at);
  // Due in SQL: no date named and past the 8 business days; a date named that the lead time from
  // today no longer reaches (its deadline is the last day whose earliest date is on or before it); a
  // switch-out naming a date, both (it waits the longer). The domain's rule decides each again below.
  const earliest = voltageClasses.flatMap((voltageClass) =>
    [false, true].map((meterWork) => ({ voltageClass, meterWork, earliest: earliestDate(today, leadTimeVoltageOf(voltageClass), { meterWork }) })),
  );
  // The candidates are read by two ranges, so a call costs the rows that may be due, not a pass over
  // every waiting one (with a day's pairs waiting, that pass took 1–2.5 s a call, after every batch):
  // accepted before the bound (waiting index), or naming a date before the latest earliest date
  // (waiting-date index). Every due row is in one of them; the CASE decides as before.
  const latestEarliest = earliest
    .map((e) => e.earliest)
    .sort()
    .at(-1)!;
  const { rows } = await tx.query<Waiting>(
    `SELECT a.application_number AS number, a.kind, a.accepted_at AS "acceptedAt", to_char(a.requested_date, 'YYYY-MM-DD') AS "requestedDate",
            a.meter_work AS "meterWork", sp.voltage_class AS "voltageClass"
       FROM ${s}.application a
       JOIN ${s}.supply_point sp USING (supply_point_id)
       JOIN unnest($3::text[], $4::boolean[], $5::date[]) AS e(voltage_class, meter_work, earliest)
         ON e.voltage_class = sp.voltage_class AND e.meter_work = a.meter_work
      WHERE a.application_number IN (
              SELECT application_number FROM ${s}.application WHERE stage = '03' AND accepted_at < $1
              UNION
              SELECT application_number FROM ${s}.application WHERE stage = '03' AND requested_date IS NOT NULL AND requested_date < $6::date)
        AND a.stage = '03' AND a.kind IN ('switchIn', 'switchOut')
        AND CASE WHEN a.requested_date IS NULL THEN a.accepted_at < $1
                 WHEN a.kind = 'switchIn' THEN a.requested_date < e.earliest
                 ELSE a.requested_date < e.earliest AND a.accepted_at < $1 END
      ORDER BY a.accepted_at LIMIT $2 FOR UPDATE OF a SKIP LOCKED`,
    [
      unnamedExpiredBefore(today),
      options.limit,
      earliest.map((e) => e.voltageClass),
      earliest.map((e) => e.meterWork),
      earliest.map((e) => e.earliest),
      latestEarliest,
    ],
  );
  const due: { number: string; code: string; text: string }[] = [];
  for (const w of rows) {
    const switchCase = switchCaseOf(w.voltageClass, w.meterWork);
    const acceptedOn = tokyoDate(w.acceptedAt);
    const deadline = matchingDeadline({ kind: w.kind, acceptedOn, requestedDate: w.requestedDate, switchCase });
    if (today <= deadline) continue;
    const named = w.requestedDate !== null && (w.kind === 'switchIn' || deadline > addBusinessDays(acceptedOn, matchingLimitBusinessDays));
    const refusal = named
      ? new Refusal('APP_MATCH_DEADLINE_PASSED', { params: { requestedDate: w.requestedDate!, deadline } })
      : new Refusal('APP_MATCH_EXPIRED', { params: { days: matchingLimitBusinessDays } });
    due.push({ number: w.number, code: refusal.code, text: refusal.text });
  }
  if (due.length === 0) return 0;
  const { rows: moved } = await tx.query<{ n: number }>(
    `WITH due AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS d(number, code, text)),
      moved AS (
        UPDATE ${s}.application a
           SET stage = $4, stage_at = CASE WHEN a.stage = $4 THEN a.stage_at ELSE $5 END, refusal_code = due.code, refusal_text = due.text,
               updated_at = $5, update_xid = ${feedStamp}, update_seq = nextval('${ctx.schema}.application_update_seq')
          FROM due
         WHERE a.application_number = due.number AND a.stage = '03'
        RETURNING a.application_number, a.participant_code
      ),
      history AS (
        INSERT INTO ${s}.application_transition (application_number, from_stage, to_stage, event, cause, at)
        SELECT application_number, '03', $4, 'matchExpired', 'matching', $5 FROM moved
      ),
      events AS (
        INSERT INTO ${s}.application_event (application_number, participant_code, event, stage, at, xid)
        SELECT application_number, participant_code, $6, $4, $5, ${feedStamp} FROM moved WHERE $6::text IS NOT NULL
      )
      SELECT count(*)::int AS n FROM moved`,
    [due.map((d) => d.number), due.map((d) => d.code), due.map((d) => d.text), expiredMove.stage, at, expiredMove.notify],
  );
  return moved[0]?.n ?? 0;
}
