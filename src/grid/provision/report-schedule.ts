/**
 * When the standard CSV reports of an area are made (HALFHOURLY.md B7/B10), on the grid's clock:
 * the reports of reading day R are listed from the first business day after R, 03:00 JST, and due
 * by the end of the 5th business day counting R (the kinds' `due` rule, src/domain/pps-file.ts).
 *
 * `runReportSchedule` makes every report due by now, one reading day per transaction, oldest first
 * (the job runs it every 15 minutes and after the sandbox clock moves; the progress row is locked so
 * two processes never make a report twice). On its first run it starts at the first day of the
 * previous month: a new sandbox has the reports of the last month at once, counted as made on time.
 *
 * The monthly reports (GENSHIWAKE LV 群単位, a calendar month N) have their own progress row
 * (`csv-monthly`): listed the first business day after N's end, due by the end of the 4th business
 * day of N+2 (`monthlyReportTiming`).
 *
 * Revisions (B4): a report is issued again only when its bytes would change; an interruption
 * recorded after its month's reports were made (`interruption.reports_checked_at` NULL) makes the
 * schedule re-issue the 制限中止割引時間 report covering it, as a new revision. Once a day the reports
 * of the last 45 days are made again: a retroactive change of a supply period, a customer or a loaded
 * reading calendar gives each report whose bytes moved its next revision (ours: 45 days covers the
 * periods a retroactive application can still reach).
 */
import { addDays, tokyoDate, tokyoMidnight, yearMonthDay, isoDate, type IsoDate } from '../../domain/date.ts';
import { businessDaysTiming, csvReportKinds, firstOfNextMonth, formatCsvReportName, monthlyReportTiming, type PpsKind } from '../../domain/pps-file.ts';
import { nextReadingDayAfter } from '../../domain/reading-day.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import { log } from '../../platform/log.ts';
import type { GridContext } from '../context.ts';
import { csvBytes, genshiwakeGroupContents, readOn, reportContents, type ReadOn, type ReportContent } from './csv-reports.ts';
import { lockFileWrites, nextRevision, revisionTiming } from './schedule.ts';
import { besideRegistryLoads } from '../seed/seed.ts';
import { insertPpsFile } from './site.repository.ts';

const dayMs = 86_400_000;
const progressName = 'csv-reports';
const monthlyProgressName = 'csv-monthly';
/** The reports of a reading day, and those of a calendar month (GENSHIWAKE LV 群単位). */
export const readingDayReportKinds = csvReportKinds.filter((k) => k.granularity === 'readingDay');
export const monthlyReportKinds = csvReportKinds.filter((k) => k.granularity === 'month');
const recheckName = 'csv-recheck';
/** How far back the daily check looks for reports whose inputs moved. */
export const recheckDays = 45;

/** When the reports of reading day R (or, for a monthly kind, of the month starting on R) are listed and due. */
export function csvTiming(kind: PpsKind, readingDay: IsoDate): { availableAt: Date; deadlineAt: Date; expiresAt: Date } {
  const { availableAt, deadlineAt } = kind.granularity === 'month' ? monthlyReportTiming(kind, readingDay) : businessDaysTiming(kind.due, readingDay);
  return { availableAt, deadlineAt, expiresAt: new Date(availableAt.getTime() + kind.retentionDays * dayMs) };
}

export interface ReportScheduleResult {
  readonly files: number;
  readonly days: number;
}

/** Makes every CSV report due by the grid's clock now, then the revisions that recorded interruptions call for. */
export async function runReportSchedule(ctx: GridContext): Promise<ReportScheduleResult> {
  const now = ctx.clock.now();
  const s = ident(ctx.schema);
  const today = tokyoDate(now);
  const { year, month } = yearMonthDay(today);
  const firstOfLastMonth = month === 1 ? isoDate(year - 1, 12, 1) : isoDate(year, month - 1, 1);
  const monthBeforeLast = month === 1 ? isoDate(year - 1, 11, 1) : month === 2 ? isoDate(year - 1, 12, 1) : isoDate(year, month - 2, 1);
  await ctx.db.query(`INSERT INTO ${s}.pps_progress (schedule, next_at) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT (schedule) DO NOTHING`, [
    progressName,
    tokyoMidnight(firstOfLastMonth),
    recheckName,
    tokyoMidnight(addDays(today, 1)),
    monthlyProgressName,
    tokyoMidnight(monthBeforeLast),
  ]);
  const { rows: existing } = await ctx.db.query(`SELECT 1 FROM ${s}.pps_file WHERE kind = ANY($1::text[]) AND available_at <= $2 LIMIT 1`, [
    csvReportKinds.map((k) => k.code),
    now,
  ]);
  const opening = existing.length === 0;
  let files = 0;
  let days = 0;
  const kind0 = readingDayReportKinds[0]!;
  for (;;) {
    const made = await ctx.db.transaction(async (tx) => {
      await besideRegistryLoads(tx);
      const { rows } = await tx.query<{ next: Date }>(`SELECT next_at AS next FROM ${s}.pps_progress WHERE schedule = $1 FOR UPDATE`, [progressName]);
      const next = rows[0]!.next;
      let date = tokyoDate(next);
      const oldest = addDays(today, -kind0.retentionDays);
      if (date < oldest) date = oldest;
      if (csvTiming(kind0, date).availableAt > now) {
        if (tokyoMidnight(date).getTime() !== next.getTime()) await saveProgress(tx, s, tokyoMidnight(date));
        return undefined;
      }
      const n = await issueReports(tx, ctx, date, readingDayReportKinds, now, opening);
      await saveProgress(tx, s, tokyoMidnight(addDays(date, 1)));
      return n;
    });
    if (made === undefined) break;
    files += made;
    days++;
  }
  files += await runMonthlyReports(ctx, now, opening);
  files += await reissueForInterruptions(ctx, now);
  files += await recheckRecent(ctx, now);
  if (files > 0) log('info', 'pps', `area ${ctx.area}: ${files} CSV reports made (${days} reading days)`);
  return { files, days };
}

async function saveProgress(tx: Queryable, s: string, next: Date, schedule = progressName): Promise<void> {
  await tx.query(`UPDATE ${s}.pps_progress SET next_at = $2 WHERE schedule = $1`, [schedule, next]);
}

/**
 * The monthly reports (GENSHIWAKE LV 群単位): every calendar month N whose reports are listed by now
 * (the first business day after N's end), one month per transaction, oldest first. On its first run
 * it starts two months back, so a new sandbox has last month's report once it is listed. Returns the
 * files made.
 */
async function runMonthlyReports(ctx: GridContext, now: Date, opening: boolean): Promise<number> {
  const s = ident(ctx.schema);
  const kind = monthlyReportKinds[0];
  if (!kind) return 0;
  let files = 0;
  for (;;) {
    const made = await ctx.db.transaction(async (tx) => {
      await besideRegistryLoads(tx);
      const { rows } = await tx.query<{ next: Date }>(`SELECT next_at AS next FROM ${s}.pps_progress WHERE schedule = $1 FOR UPDATE`, [monthlyProgressName]);
      const month = `${tokyoDate(rows[0]!.next).slice(0, 7)}-01` as IsoDate;
      if (csvTiming(kind, month).availableAt > now) return undefined;
      const n = await issueReports(tx, ctx, month, monthlyReportKinds, now, opening);
      await saveProgress(tx, s, tokyoMidnight(firstOfNextMonth(month)), monthlyProgressName);
      return n;
    });
    if (made === undefined) return files;
    files += made;
  }
}

/** A report's contents per receiver, for its target (a reading day, or a month's first day for a monthly kind). */
async function contentsOf(
  kind: PpsKind,
  q: Queryable,
  ctx: GridContext,
  target: IsoDate,
  read: () => Promise<ReadOn>,
  receiverCode?: string,
): Promise<Map<string, ReportContent>> {
  if (kind.granularity === 'month') return genshiwakeGroupContents(q, ctx.schema, target, receiverCode);
  return reportContents(kind, q, ctx.schema, await read(), receiverCode);
}

/**
 * Issues the reports of `kinds` for reading day R to every receiver that has one (and every receiver
 * that had one): a receiver whose report would come out the same as its latest revision is left
 * alone; otherwise the next revision is written. Returns the files made.
 */
export async function issueReports(
  tx: Queryable,
  ctx: GridContext,
  readingDay: IsoDate,
  kinds: readonly PpsKind[],
  now: Date,
  opening = false,
): Promise<number> {
  const s = ident(ctx.schema);
  await lockFileWrites(tx, ctx.schema);
  let read: ReadOn | undefined;
  const readOnce = async () => (read ??= await readOn(tx, ctx.schema, ctx.area, readingDay));
  let made = 0;
  for (const kind of kinds) {
    const contents = await contentsOf(kind, tx, ctx, readingDay, readOnce);
    const { rows: latest } = await tx.query<{ receiverCode: string; revision: number; sha256: string }>(
      `SELECT DISTINCT ON (receiver_code) receiver_code AS "receiverCode", revision, sha256 FROM ${s}.pps_file
        WHERE kind = $1 AND target_date = $2 ORDER BY receiver_code, revision DESC`,
      [kind.code, readingDay],
    );
    const previous = new Map(latest.map((r) => [r.receiverCode, { revision: Number(r.revision), sha256: r.sha256 }]));
    for (const receiver of previous.keys()) if (!contents.has(receiver)) contents.set(receiver, { rows: [], points: 0 });
    for (const [receiverCode, content] of [...contents].sort(([a], [b]) => a.localeCompare(b))) {
      const before = previous.get(receiverCode);
      const { bytes, sha256 } = csvBytes(kind, content);
      if (before && before.sha256 === sha256) continue;
      const revision = nextRevision(ctx, before, formatCsvReportName({ kind, area: ctx.area, date: readingDay, revision: 99 }), receiverCode);
      if (revision === undefined) continue;
      const name = formatCsvReportName({ kind, area: ctx.area, date: readingDay, revision });
      const timing = revisionTiming(csvTiming(kind, readingDay), revision, now, opening, kind.retentionDays);
      await insertPpsFile(tx, s, {
        receiverCode,
        name,
        kind: kind.code,
        targetDate: readingDay,
        slot: null,
        revision,
        section: 0,
        sections: 1,
        points: content.points,
        ...timing,
        fingerprint: sha256,
        sha256,
        bytes,
      });
      made++;
    }
  }
  return made;
}

/**
 * Interruptions recorded since the schedule last looked: the 制限中止割引時間 report of the reading
 * day covering each is issued again (a new revision when it changes) if that day's reports were
 * already made; later days pick them up when made. Returns the files made.
 */
async function reissueForInterruptions(ctx: GridContext, now: Date): Promise<number> {
  const s = ident(ctx.schema);
  const kind = csvReportKinds.find((k) => k.code === 'STD_SEIGENCHUSHI')!;
  return ctx.db.transaction(async (tx) => {
    await besideRegistryLoads(tx);
    const { rows: progress } = await tx.query<{ next: Date }>(`SELECT next_at AS next FROM ${s}.pps_progress WHERE schedule = $1 FOR UPDATE`, [progressName]);
    const madeUntil = tokyoDate(progress[0]!.next); // reading days before this one have their reports
    const { rows } = await tx.query<{ id: number; from: Date; voltageClass: string; readingGroup: number }>(
      `SELECT i.id, i.from_at AS "from", sp.voltage_class AS "voltageClass", sp.reading_group AS "readingGroup"
         FROM ${s}.interruption i JOIN ${s}.supply_point sp ON sp.supply_point_id = i.supply_point_id
        WHERE i.reports_checked_at IS NULL ORDER BY i.id FOR UPDATE OF i`,
    );
    if (rows.length === 0) return 0;
    const readingDays = new Set<IsoDate>();
    for (const r of rows) {
      const day = tokyoDate(r.from);
      const read = await readOn(tx, ctx.schema, ctx.area, day);
      const schedule = r.voltageClass === 'LV' ? read.schedules.LV : read.schedules.HV;
      if (!schedule.has(Number(r.readingGroup))) continue;
      const readingDay = nextReadingDayAfter(schedule, Number(r.readingGroup), day);
      if (readingDay < madeUntil) readingDays.add(readingDay);
    }
    let made = 0;
    for (const readingDay of [...readingDays].sort()) made += await issueReports(tx, ctx, readingDay, [kind], now);
    await tx.query(`UPDATE ${s}.interruption SET reports_checked_at = $2 WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id), now]);
    return made;
  });
}

/**
 * Once a day (the first run on or after midnight): the reports of the reading days of the last
 * `recheckDays` days already made are made again, one day per transaction; only those whose bytes
 * moved get a new revision. Returns the files made.
 */
async function recheckRecent(ctx: GridContext, now: Date): Promise<number> {
  const s = ident(ctx.schema);
  const today = tokyoDate(now);
  const window = await ctx.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ schedule: string; next: Date }>(
      `SELECT schedule, next_at AS next FROM ${s}.pps_progress WHERE schedule = ANY($1::text[]) ORDER BY schedule FOR UPDATE`,
      [[progressName, recheckName]],
    );
    const due = rows.find((r) => r.schedule === recheckName)!.next;
    if (due > now) return undefined;
    await tx.query(`UPDATE ${s}.pps_progress SET next_at = $2 WHERE schedule = $1`, [recheckName, tokyoMidnight(addDays(today, 1))]);
    return { from: addDays(today, -recheckDays), until: tokyoDate(rows.find((r) => r.schedule === progressName)!.next) };
  });
  if (!window) return 0;
  let made = 0;
  for (let day = window.from; day < window.until; day = addDays(day, 1)) {
    made += await ctx.db.transaction(async (tx) => {
      await besideRegistryLoads(tx);
      return issueReports(tx, ctx, day, readingDayReportKinds, now);
    });
  }
  // The monthly reports already made of the months the window reaches.
  const { rows } = await ctx.db.query<{ next: Date }>(`SELECT next_at AS next FROM ${s}.pps_progress WHERE schedule = $1`, [monthlyProgressName]);
  const monthsUntil = tokyoDate(rows[0]!.next);
  for (let month = `${window.from.slice(0, 7)}-01` as IsoDate; month < monthsUntil; month = firstOfNextMonth(month)) {
    made += await ctx.db.transaction(async (tx) => {
      await besideRegistryLoads(tx);
      return issueReports(tx, ctx, month, monthlyReportKinds, now);
    });
  }
  return made;
}

/** The bytes of a receiver's report as it would be made now (an evicted report regenerates from this). */
export async function reportBytesNow(ctx: GridContext, kind: PpsKind, readingDay: IsoDate, receiverCode: string): Promise<{ bytes: Buffer; sha256: string }> {
  const read = () => readOn(ctx.db, ctx.schema, ctx.area, readingDay);
  const content = (await contentsOf(kind, ctx.db, ctx, readingDay, read, receiverCode)).get(receiverCode) ?? { rows: [], points: 0 };
  return csvBytes(kind, content);
}
