/**
 * When the W5 files of an area appear, and their making (HALFHOURLY.md B3/B4/B7), on the grid's
 * clock. The rules are the kinds' `due` data (src/domain/pps-file.ts):
 *
 * - 月間確定使用量 of reading day R: listed R 02:00, due by the end of the 4th business day counting R
 *   (public, A6; 29 Dec–3 Jan are not business days);
 * - 計量器取替 of day E: listed E+1 02:00, due when the monthly file covering E is listed (so never
 *   after it: the 2016 incident, A9);
 * - 臨時検針他 of day S: listed the business day after S, 02:00, due by the end of the 4th business day
 *   counting S (ours, mirrors the monthly rule).
 *
 * `runW5Schedule` handles one day T per transaction, oldest first, once the clock passes T 02:00:
 * the meters whose ten-year verification ended by T−1 are replaced (検定満了, meter_event), then the
 * exchange files of T−1, the special-reading files listed on T, and the monthly files of R = T are
 * made. After the days, every W5 file of the last 62 days is checked again (B4): a receiver's file
 * set whose inputs moved (a move-in dated back, a correction after execution, a late meter event)
 * gets a new revision of every section, listed at once; an unchanged one is left alone. A 100th
 * revision is refused: PPS_REVISION_EXHAUSTED is logged and nothing of that set is written.
 *
 * The first run starts 7 days back (the demo has the files of the last reading days at once);
 * files of that opening count as made on time.
 */
import { addDays, tokyoDate, tokyoMidnight, type IsoDate } from '../../domain/date.ts';
import { businessDaysTiming, ppsKind, w5ContentOf, w5Kinds, type PpsKind } from '../../domain/pps-file.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import { log } from '../../platform/log.ts';
import type { GridContext } from '../context.ts';
import { replaceExpiredMeters } from '../registry/meter.repository.ts';
import {
  defaultProvisionSettings,
  evictBeyondBudget,
  byReceiverOf,
  dailyTargets,
  lockFileWrites,
  type WatchRule,
  type ProvisionSettings,
  type Timing,
  nextRevision,
  revisionTiming,
  storeSections,
} from './schedule.ts';
import { w5Points, w5SectionFingerprint, w5SectionsOf, w5ZipBytes, type W5ExchangePoint, type W5Point } from './w5-files.ts';

const hourMs = 3_600_000;
const dayMs = 86_400_000;
/** How far back a run looks for files whose inputs moved (B4). */
export const w5RecheckDays = 62;
/** How far back the first run starts. */
export const w5OpeningDays = 7;

const at = (date: IsoDate, hour: number) => new Date(tokyoMidnight(date).getTime() + hour * hourMs);

/**
 * When a W5 file of `kind` for `date` is listed, due and gone. An exchange file is due when the
 * earliest monthly file covering one of its exchanges is listed (`points`' `coveredBy`).
 */
export function w5Timing(kind: PpsKind, date: IsoDate, points: readonly W5Point[] = []): Timing {
  const due = kind.due;
  let availableAt: Date;
  let deadlineAt: Date;
  if (due.rule === 'businessDays') {
    ({ availableAt, deadlineAt } = businessDaysTiming(due, date));
  } else if (due.rule === 'beforeMonthly') {
    availableAt = at(addDays(date, 1), due.availableHour);
    const covering = (points as W5ExchangePoint[]).map((p) => p.coveredBy).sort()[0];
    const monthly = w5Kinds.find((k) => w5ContentOf(k) === 'monthly' && k.voltage === kind.voltage)!;
    deadlineAt = covering ? w5Timing(monthly, covering).availableAt : availableAt;
    if (deadlineAt < availableAt) deadlineAt = availableAt;
  } else {
    throw new RangeError(`not a W5 due rule: ${kind.code}`);
  }
  return { availableAt, deadlineAt, expiresAt: new Date(availableAt.getTime() + kind.retentionDays * dayMs) };
}

/** The day (JST) on which a file of `kind` for `date` is listed. */
function listedOn(kind: PpsKind, date: IsoDate): IsoDate {
  return tokyoDate(w5Timing(kind, date).availableAt);
}

/**
 * The deadline watch's rule of a W5 kind (deadlines.ts): a target per day whose nominal deadline
 * falls in the period (an exchange file's is its listing: the monthly file covering it is known only
 * with its points), made once the daily W5 run has handled the day it is listed on ('w5-day'), a file
 * of it or not (most days have no special reading).
 */
function w5WatchRule(kind: PpsKind): WatchRule {
  const due = kind.due;
  const text =
    due.rule === 'businessDays'
      ? `対象日から${due.days}営業日目まで（${due.from === 'sameDay' ? '当日' : '翌営業日'}${due.availableHour}:00から提供）`
      : `対象の月間確定使用量の提供まで（翌日${due.rule === 'beforeMonthly' ? due.availableHour : 2}:00から提供）`;
  return {
    text,
    // A deadline falls at most a few weeks after its day (the year end included).
    due: (from, to) => dailyTargets(from, to, (date) => w5Timing(kind, date).deadlineAt),
    schedule: { name: 'w5-day', madeBefore: (t) => w5Timing(kind, t.date).availableAt },
  };
}

/** The W5 kinds' rules for the deadline watch, by kind code. */
export const w5WatchRules: Readonly<Record<string, WatchRule>> = Object.fromEntries(w5Kinds.map((k) => [k.code, w5WatchRule(k)]));

export interface W5ScheduleResult {
  readonly files: number;
  readonly days: number;
  readonly revised: number;
}

/** Makes every W5 file due by the grid's clock now, then revises those whose inputs moved. */
export async function runW5Schedule(ctx: GridContext, settings: ProvisionSettings = defaultProvisionSettings): Promise<W5ScheduleResult> {
  const now = ctx.clock.now();
  const s = ident(ctx.schema);
  const today = tokyoDate(now);
  // 'w5-day' is the next day to handle; 'w5-opening' keeps where the first run began.
  const { rows: started } = await ctx.db.query(
    `INSERT INTO ${s}.pps_progress (schedule, next_at) VALUES ('w5-day', $1), ('w5-opening', $1) ON CONFLICT (schedule) DO NOTHING RETURNING schedule`,
    [tokyoMidnight(addDays(today, -w5OpeningDays))],
  );
  // The first run (it created the rows): its files count as made on time.
  const opening = started.length > 0;
  let files = 0;
  let days = 0;
  for (;;) {
    const made = await ctx.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ next: Date }>(`SELECT next_at AS next FROM ${s}.pps_progress WHERE schedule = 'w5-day' FOR UPDATE`);
      let day = tokyoDate(rows[0]!.next);
      const oldest = addDays(today, -w5Kinds[0]!.retentionDays);
      if (day < oldest) day = oldest;
      if (at(day, 2) > now) return undefined;
      let n = 0;
      await replaceExpiredMeters(tx, ctx.schema, addDays(day, -1), now);
      for (const kind of w5Kinds) {
        const content = w5ContentOf(kind);
        // The targets listed on `day`: exchanges of the day before, special readings since the last business day, reading day `day`.
        const targets: IsoDate[] = [];
        if (content === 'monthly') targets.push(day);
        else if (content === 'exchange') targets.push(addDays(day, -1));
        else for (let d = addDays(day, -12); d < day; d = addDays(d, 1)) if (listedOn(kind, d) === day) targets.push(d);
        for (const target of targets) {
          const points = await w5Points(tx, ctx.schema, ctx.area, kind, target);
          n += await issueW5FileSets(tx, ctx, kind, target, points, settings, now, opening);
        }
      }
      await tx.query(`UPDATE ${s}.pps_progress SET next_at = $1 WHERE schedule = 'w5-day'`, [tokyoMidnight(addDays(day, 1))]);
      return n;
    });
    if (made === undefined) break;
    files += made;
    days++;
  }
  const revised = days > 0 ? await reviseW5(ctx, settings) : 0;
  await evictBeyondBudget(ctx, settings.cacheBytes);
  if (files + revised > 0) log('info', 'pps', `area ${ctx.area}: ${files} settled-usage files made (${days} days), ${revised} revised`);
  return { files, days, revised };
}

/**
 * Checks every W5 target of the last 62 days already listed (every reading day, and each day with
 * files, a special reading or an exchange on record) against the registry now, and issues a new revision of each receiver's
 * set whose inputs moved (B4). Returns the files made.
 */
export async function reviseW5(ctx: GridContext, settings: ProvisionSettings = defaultProvisionSettings): Promise<number> {
  const now = ctx.clock.now();
  const s = ident(ctx.schema);
  const since = addDays(tokyoDate(now), -w5RecheckDays);
  // Targets listed before the first run's opening day are never made afterwards.
  const { rows: opening } = await ctx.db.query<{ at: Date }>(`SELECT next_at AS at FROM ${s}.pps_progress WHERE schedule = 'w5-opening'`);
  if (!opening[0]) return 0;
  const firstListed = new Date(opening[0].at);
  const from = since;
  const { rows } = await ctx.db.query<{ kind: string; target: IsoDate }>(
    `SELECT DISTINCT kind, to_char(target_date, 'YYYY-MM-DD') AS target FROM ${s}.pps_file WHERE kind LIKE 'W5%' AND target_date >= $1
     UNION SELECT DISTINCT k.kind, to_char(p.until_date, 'YYYY-MM-DD') FROM ${s}.supply_period p, (VALUES ('W51410'), ('W51420')) k(kind) WHERE p.until_date >= $1
     UNION SELECT DISTINCT k.kind, to_char(e.on_date, 'YYYY-MM-DD') FROM ${s}.meter_event e, (VALUES ('W51310'), ('W51320')) k(kind) WHERE e.on_date >= $1
     ORDER BY 2, 1`,
    [from],
  );
  // Every day of the window is a candidate reading day too: a change dated back may give a receiver
  // (or anyone) a record on a reading day that had no file yet (days no group reads on cost nothing).
  const targets = new Map(rows.map((r) => [`${r.target}|${r.kind}`, r]));
  for (let d = from; d <= tokyoDate(now); d = addDays(d, 1)) {
    for (const k of w5Kinds) if (w5ContentOf(k) === 'monthly') targets.set(`${d}|${k.code}`, { kind: k.code, target: d });
  }
  let made = 0;
  for (const row of [...targets.values()].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : a.kind < b.kind ? -1 : 1))) {
    const kind = ppsKind(row.kind)!;
    const listed = w5Timing(kind, row.target).availableAt;
    if (listed > now || listed < firstListed) continue;
    made += await ctx.db.transaction(async (tx) => {
      const points = await w5Points(tx, ctx.schema, ctx.area, kind, row.target);
      return issueW5FileSets(tx, ctx, kind, row.target, points, settings, now);
    });
  }
  return made;
}

/**
 * Issues the W5 file sets of `kind` and `date` for every receiver of `points` (and every receiver
 * that had a set and has no record any more): a set whose fingerprints are those of its latest
 * revision is left alone; otherwise the next revision of every section is written. `force` issues
 * a new revision whatever the fingerprints (the sandbox's `reissue`).
 */
export async function issueW5FileSets(
  tx: Queryable,
  ctx: GridContext,
  kind: PpsKind,
  date: IsoDate,
  points: readonly W5Point[],
  settings: ProvisionSettings,
  now: Date,
  opening = false,
  force = false,
): Promise<number> {
  const s = ident(ctx.schema);
  await lockFileWrites(tx, ctx.schema);
  const byReceiver = byReceiverOf(points);
  const { rows: latest } = await tx.query<{ receiverCode: string; revision: number; fingerprint: string }>(
    `SELECT f.receiver_code AS "receiverCode", f.revision, f.fingerprint FROM ${s}.pps_file f
      WHERE f.kind = $1 AND f.target_date = $2
        AND f.revision = (SELECT max(g.revision) FROM ${s}.pps_file g WHERE g.receiver_code = f.receiver_code AND g.kind = f.kind AND g.target_date = f.target_date)
      ORDER BY f.receiver_code, f.section`,
    [kind.code, date],
  );
  const previous = new Map<string, { revision: number; fingerprints: string[] }>();
  for (const row of latest) {
    let entry = previous.get(row.receiverCode);
    if (!entry) previous.set(row.receiverCode, (entry = { revision: Number(row.revision), fingerprints: [] }));
    entry.fingerprints.push(row.fingerprint);
  }
  for (const row of latest) if (!byReceiver.has(row.receiverCode)) byReceiver.set(row.receiverCode, []);

  let made = 0;
  for (const [receiverCode, receiverPoints] of byReceiver) {
    const before = previous.get(receiverCode);
    if (!before && receiverPoints.length === 0) continue;
    const sections = w5SectionsOf(kind, ctx.area, receiverCode, date, receiverPoints);
    const fingerprints = sections.map((section) => w5SectionFingerprint(section, settings));
    if (before && !force && before.fingerprints.join() === fingerprints.join()) continue;
    const revision = nextRevision(ctx, before, `${kind.code}${date.replaceAll('-', '')}`, receiverCode);
    if (revision === undefined) continue;
    const timing = revisionTiming(w5Timing(kind, date, receiverPoints), revision, now, opening, kind.retentionDays);
    made += await storeSections(tx, s, { receiverCode, kind: kind.code, targetDate: date, slot: null, revision }, timing, sections, fingerprints, (section) =>
      w5ZipBytes(section, revision, timing.availableAt, settings),
    );
  }
  return made;
}

/** A new revision of every receiver's W5 files of one target, whatever the fingerprints (sandbox `reissue`). */
export async function reissueW5(ctx: GridContext, kindCode: string, date: IsoDate, settings: ProvisionSettings = defaultProvisionSettings): Promise<number> {
  const kind = ppsKind(kindCode);
  if (kind?.bp !== 'W5') throw new Refusal('PPS_FILTER_INVALID', { field: 'kind', params: { field: 'kind' } });
  return ctx.db.transaction(async (tx) => {
    const points = await w5Points(tx, ctx.schema, ctx.area, kind, date);
    return issueW5FileSets(tx, ctx, kind, date, points, settings, ctx.clock.now(), false, true);
  });
}
