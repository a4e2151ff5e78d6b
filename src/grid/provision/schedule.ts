/**
 * When the W4 files of an area appear, and their making (HALFHOURLY.md A6/B7), on the grid's clock:
 *
 * - a same-day file of half-hour n of day D is listed from the slot's end + 15 minutes (never before)
 *   and is due by the slot's end + 60 minutes (public: within 60 minutes, A6);
 * - the daily file of D is listed from D+1 05:00 and due by D+1 12:00 (ours; the real hour is not
 *   public), and when it is made the same-day files of D are checked again: any whose point set
 *   changed since (an execution later that day) gets a new revision, so both hold the same points;
 * - retention: same-day files 3 days, daily files 40 days after they became available (B8).
 *
 * `runW4Schedule` does everything due by now, oldest first, in one transaction per half-hour or day
 * (its files and the schedule's progress together): the job runs it at :15 and :45, at 05:00, and at
 * once after the sandbox clock moves, and two processes never make a file twice (the progress row is
 * locked). On the first run it starts at the beginning of the current day (the demo has all of
 * today's files at once); files of that opening run count as made on time. A run after a long
 * pause makes no file already past its retention.
 *
 * Metadata and bytes are written together: the bytes are streamed into the ZIP as the row is made,
 * and kept in `bytes` while the cache budget allows (oldest evicted first; B9).
 */
import { addDays, tokyoDate, tokyoMidnight, type IsoDate } from '../../domain/date.ts';
import { businessDaysTiming, csvReportKinds, firstOfNextMonth, monthlyReportTiming, ppsKind, w4Kinds, type PpsKind } from '../../domain/pps-file.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import { log } from '../../platform/log.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { GridContext } from '../context.ts';
import { besideRegistryLoads } from '../seed/seed.ts';
import { defaultW4Settings, sectionFingerprint, sectionsOf, voltageOf, w4Points, w4ZipBytes, type W4Point, type W4Settings } from './w4-files.ts';
import { insertPpsFile } from './site.repository.ts';

const minuteMs = 60_000;
/** An arbitrary constant naming "kirikae PPS file writes" for pg_advisory_xact_lock (with the schema). */
const fileWriteLockKey = 1_310_202_612;

/**
 * Files of an area are written one transaction at a time (W4, W5 and the reports alike), so their
 * positions (the JSON list's cursor) are in commit order: a reader never passes a position a later
 * commit could fill. Taken by each transaction that writes files, until it ends.
 */
export async function lockFileWrites(tx: Queryable, schema: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [fileWriteLockKey, schema]);
}

/** Points by their receiver, each receiver's in the order given. */
export function byReceiverOf<P extends { readonly receiverCode: string }>(points: readonly P[]): Map<string, P[]> {
  const byReceiver = new Map<string, P[]>();
  for (const p of points) {
    let list = byReceiver.get(p.receiverCode);
    if (!list) byReceiver.set(p.receiverCode, (list = []));
    list.push(p);
  }
  return byReceiver;
}

/**
 * One target a day (no slot) whose deadline, by `deadlineOf`, falls in (from, to]: days from
 * `lookBackDays` before `from` on (a deadline falls at most that long after its day).
 */
export function dailyTargets(from: Date, to: Date, deadlineOf: (date: IsoDate) => Date, lookBackDays = 31): PpsTarget[] {
  const out: PpsTarget[] = [];
  for (let date = addDays(tokyoDate(from), -lookBackDays); tokyoMidnight(date) <= to; date = addDays(date, 1)) {
    const deadlineAt = deadlineOf(date);
    if (deadlineAt > from && deadlineAt <= to) out.push({ date, slot: null, deadlineAt });
  }
  return out;
}
const slotMs = 30 * minuteMs;
const dayMs = 86_400_000;

export interface ProvisionSettings extends W4Settings {
  /** Bytes of files kept in the database (KIRIKAE_PPS_CACHE_MB, default 1024 MB); the rest regenerate. */
  readonly cacheBytes: number;
}

export const defaultProvisionSettings: ProvisionSettings = { ...defaultW4Settings, cacheBytes: 1024 * 1024 * 1024 };

/** The end of half-hour `slot` (1–48) of `date`. */
export function slotEnd(date: IsoDate, slot: number): Date {
  return new Date(tokyoMidnight(date).getTime() + slot * slotMs);
}

export interface Timing {
  readonly availableAt: Date;
  readonly deadlineAt: Date;
  readonly expiresAt: Date;
}

/**
 * The revision a new set of a file takes after `before` (0 for the first). Past 99 there is none:
 * PPS_REVISION_EXHAUSTED is logged with the catalogue's text and the caller writes nothing of that set.
 */
export function nextRevision(ctx: GridContext, before: { readonly revision: number } | undefined, name: string, receiverCode: string): number | undefined {
  const revision = before ? before.revision + 1 : 0;
  if (revision <= 99) return revision;
  log(
    'error',
    'pps',
    `area ${ctx.area}: PPS_REVISION_EXHAUSTED ${name} for ${receiverCode}: ${new Refusal('PPS_REVISION_EXHAUSTED', { params: { name } }).text}`,
  );
  return undefined;
}

/**
 * Stores one revision's sections of a W4 or W5 file, each zipped by `zip`, with the revision's
 * timing: one `pps_file` row a section. Returns how many.
 */
export async function storeSections<S extends { readonly section: number; readonly sections: number; readonly points: readonly unknown[] }>(
  tx: Queryable,
  s: string,
  file: { readonly receiverCode: string; readonly kind: string; readonly targetDate: IsoDate; readonly slot: number | null; readonly revision: number },
  timing: Timing & { readonly materializedAt: Date },
  sections: readonly S[],
  fingerprints: readonly string[],
  zip: (section: S) => Promise<{ name: string; bytes: Buffer; sha256: string }>,
): Promise<number> {
  for (const [i, section] of sections.entries()) {
    const { name, bytes, sha256 } = await zip(section);
    await insertPpsFile(tx, s, {
      ...file,
      name,
      section: section.section,
      sections: section.sections,
      points: section.points.length,
      ...timing,
      fingerprint: fingerprints[i]!,
      sha256,
      bytes,
    });
  }
  return sections.length;
}

/**
 * The instants of one revision of a file (HALFHOURLY.md B4), from the kind's nominal timing: the
 * first revision is listed at its nominal time and due by its deadline; a later one is listed when it
 * is made (or at the nominal time, if that is still ahead) and keeps the nominal span to its deadline.
 * A file made by a first run (`opening`) counts as made when it was listed.
 */
export function revisionTiming(
  nominal: { readonly availableAt: Date; readonly deadlineAt: Date },
  revision: number,
  now: Date,
  opening: boolean,
  retentionDays: number,
): Timing & { readonly materializedAt: Date } {
  const availableAt = revision === 0 || nominal.availableAt > now ? nominal.availableAt : now;
  const span = Math.max(0, nominal.deadlineAt.getTime() - nominal.availableAt.getTime());
  const deadlineAt = revision === 0 ? nominal.deadlineAt : new Date(availableAt.getTime() + span);
  return {
    availableAt,
    deadlineAt,
    expiresAt: new Date(availableAt.getTime() + retentionDays * dayMs),
    materializedAt: opening && revision === 0 ? availableAt : now,
  };
}

/** When a W4 file of `kind` for `date` (and time code `slot`) is listed, due, and gone. */
export function w4Timing(kind: PpsKind, date: IsoDate, slot: number | null): Timing {
  if (kind.granularity === 'slot') {
    const end = slotEnd(date, slot!).getTime();
    const availableAt = new Date(end + 15 * minuteMs);
    return { availableAt, deadlineAt: new Date(end + 60 * minuteMs), expiresAt: new Date(availableAt.getTime() + kind.retentionDays * dayMs) };
  }
  const next = tokyoMidnight(addDays(date, 1)).getTime();
  const availableAt = new Date(next + 5 * 60 * minuteMs);
  return { availableAt, deadlineAt: new Date(next + 12 * 60 * minuteMs), expiresAt: new Date(availableAt.getTime() + kind.retentionDays * dayMs) };
}

/** One target of a file kind (a day, and a half-hour for same-day kinds) and when its files are due. */
export interface PpsTarget {
  readonly date: IsoDate;
  readonly slot: number | null;
  readonly deadlineAt: Date;
}

/**
 * A kind's due rule, for the deadline watch (deadlines.ts): which targets fall due when, and how to
 * tell one was made even when it had no receiver (no file): the schedule's progress row
 * (`pps_progress.schedule`) has passed `madeBefore(target)`. Without `schedule`, a target counts as
 * made when a file of it exists. Every kind that is made on a schedule adds its rule here.
 */
export interface WatchRule {
  /** The rule in words, as the watch page shows it. */
  readonly text: string;
  /** The targets whose deadline falls in (from, to], oldest first. */
  due(from: Date, to: Date): PpsTarget[];
  readonly schedule?: { readonly name: string; madeBefore(target: PpsTarget): Date };
}

const sameDayRule: WatchRule = {
  text: 'コマ終了後60分以内（コマ終了後15分から提供）',
  due(from, to) {
    const out: PpsTarget[] = [];
    // Half-hours end on the half-hour (JST is UTC+9:00, so the same boundaries); deadline = end + 60 min.
    let end = Math.floor((from.getTime() - 60 * minuteMs) / slotMs) * slotMs + slotMs;
    for (; end + 60 * minuteMs <= to.getTime(); end += slotMs) {
      const start = new Date(end - slotMs);
      const date = tokyoDate(start);
      out.push({ date, slot: Math.round((start.getTime() - tokyoMidnight(date).getTime()) / slotMs) + 1, deadlineAt: new Date(end + 60 * minuteMs) });
    }
    return out;
  },
  schedule: { name: 'w4-slot', madeBefore: (t) => slotEnd(t.date, t.slot!) },
};

const dailyRule: WatchRule = {
  text: '翌日12:00まで（翌日5:00から提供）',
  due(from, to) {
    const out: PpsTarget[] = [];
    for (let date = addDays(tokyoDate(from), -2); tokyoMidnight(date) <= to; date = addDays(date, 1)) {
      const deadlineAt = w4Timing(dailyKindOf, date, null).deadlineAt;
      if (deadlineAt > from && deadlineAt <= to) out.push({ date, slot: null, deadlineAt });
    }
    return out;
  },
  schedule: { name: 'w4-daily', madeBefore: (t) => tokyoMidnight(t.date) },
};

const dailyKindOf = w4Kinds.find((k) => k.granularity === 'day')!;

/**
 * A report of reading day R (its kind's `businessDays` rule, the standard CSV reports): one target
 * per reading day R, due as the rule says; made once the report schedule (report-schedule.ts) passed R.
 */
function businessDaysRuleOf(kind: PpsKind): WatchRule {
  const rule = kind.due;
  if (rule.rule !== 'businessDays') throw new RangeError(`${kind.code} does not follow a business-day rule`);
  return {
    text: `検針日から${rule.days}営業日目まで（${rule.from === 'sameDay' ? '当日' : '1営業日後の'}${String(rule.availableHour).padStart(2, '0')}:00から提供）`,
    // A deadline falls at most a few weeks after its reading day (the year end included).
    due: (from, to) => dailyTargets(from, to, (date) => businessDaysTiming(rule, date).deadlineAt),
    schedule: { name: 'csv-reports', madeBefore: (t) => tokyoMidnight(t.date) },
  };
}

/**
 * A report of a calendar month (GENSHIWAKE LV 群単位, `monthAfterNext`): one target per month N (its
 * first day), due by the end of the 4th business day of N+2; made once the monthly report schedule
 * (report-schedule.ts) passed N.
 */
function monthlyRuleOf(kind: PpsKind): WatchRule {
  const due = kind.due;
  if (due.rule !== 'monthAfterNext') throw new RangeError(`${kind.code} is not a monthly report`);
  return {
    text: `対象月の翌々月${due.days}営業日目まで（翌月最初の営業日${due.availableHour}:00から提供）`,
    due(from, to) {
      const out: PpsTarget[] = [];
      // A month's deadline falls in N+2: start three months back.
      let month = `${addDays(tokyoDate(from), -93).slice(0, 7)}-01` as IsoDate;
      for (; tokyoMidnight(month) <= to; month = firstOfNextMonth(month)) {
        const { deadlineAt } = monthlyReportTiming(kind, month);
        if (deadlineAt > from && deadlineAt <= to) out.push({ date: month, slot: null, deadlineAt });
      }
      return out;
    },
    schedule: { name: 'csv-monthly', madeBefore: (t) => tokyoMidnight(t.date) },
  };
}

/** The due rule of each kind made on a schedule, by kind code. */
export const w4ReportWatchRules: Readonly<Record<string, WatchRule>> = Object.fromEntries([
  ...w4Kinds.map((k) => [k.code, k.granularity === 'slot' ? sameDayRule : dailyRule] as const),
  ...csvReportKinds.map((k) => [k.code, k.granularity === 'month' ? monthlyRuleOf(k) : businessDaysRuleOf(k)] as const),
]);

const sameDayKinds = w4Kinds.filter((k) => k.granularity === 'slot');
const dailyKinds = w4Kinds.filter((k) => k.granularity === 'day');

export interface ScheduleResult {
  /** Files made (rows written), over all receivers, kinds and revisions. */
  readonly files: number;
  readonly slots: number;
  readonly days: number;
}

/** Makes every W4 file due by the grid's clock now. */
export async function runW4Schedule(ctx: GridContext, settings: ProvisionSettings = defaultProvisionSettings): Promise<ScheduleResult> {
  let files = 0;
  let slots = 0;
  let days = 0;
  const now = ctx.clock.now();
  const s = ident(ctx.schema);
  const today = tokyoDate(now);
  const slotOpening = await startProgress(ctx, 'w4-slot', slotEnd(today, 1), sameDayKinds, now);
  const dailyOpening = await startProgress(ctx, 'w4-daily', tokyoMidnight(addDays(today, -1)), dailyKinds, now);
  // Same-day files, one half-hour per transaction.
  for (;;) {
    const made = await ctx.db.transaction(async (tx) => {
      await besideRegistryLoads(tx);
      const next = await lockProgress(tx, s, 'w4-slot');
      let end = next;
      const oldest = now.getTime() - sameDayKinds[0]!.retentionDays * dayMs;
      while (end.getTime() + 15 * minuteMs <= oldest) end = new Date(end.getTime() + slotMs);
      if (end.getTime() + 15 * minuteMs > now.getTime()) {
        if (end.getTime() !== next.getTime()) await saveProgress(tx, s, 'w4-slot', end);
        return undefined;
      }
      const start = new Date(end.getTime() - slotMs);
      const date = tokyoDate(start);
      const slot = Math.round((start.getTime() - tokyoMidnight(date).getTime()) / slotMs) + 1;
      const points = await w4Points(tx, ctx.schema, 'all', date);
      let n = 0;
      for (const kind of sameDayKinds) {
        n += await issueFileSets(
          tx,
          ctx,
          kind,
          date,
          [slot],
          points.filter((p) => voltageOf(p) === kind.voltage),
          settings,
          now,
          slotOpening,
        );
      }
      await saveProgress(tx, s, 'w4-slot', new Date(end.getTime() + slotMs));
      return n;
    });
    if (made === undefined) break;
    files += made;
    slots++;
  }
  // Daily files, one day per transaction, with the same-day files of that day checked again.
  for (;;) {
    const made = await ctx.db.transaction(async (tx) => {
      await besideRegistryLoads(tx);
      const next = await lockProgress(tx, s, 'w4-daily');
      let date = tokyoDate(next);
      const oldest = addDays(today, -dailyKinds[0]!.retentionDays - 1);
      if (date < oldest) date = oldest;
      if (w4Timing(dailyKinds[0]!, date, null).availableAt > now) {
        if (tokyoMidnight(date).getTime() !== next.getTime()) await saveProgress(tx, s, 'w4-daily', tokyoMidnight(date));
        return undefined;
      }
      const all = await w4Points(tx, ctx.schema, 'all', date);
      let n = 0;
      for (const kind of dailyKinds) {
        const points = all.filter((p) => voltageOf(p) === kind.voltage);
        n += await issueFileSets(tx, ctx, kind, date, [null], points, settings, now, dailyOpening);
        const sameDay = sameDayKinds.find((k) => k.voltage === kind.voltage)!;
        // Only the half-hours already issued: a later run issues the others with the same points.
        const issued = await issuedSlots(tx, s, sameDay, date);
        n += await issueFileSets(tx, ctx, sameDay, date, issued, points, settings, now, dailyOpening);
      }
      await saveProgress(tx, s, 'w4-daily', tokyoMidnight(addDays(date, 1)));
      return n;
    });
    if (made === undefined) break;
    files += made;
    days++;
  }
  await evictBeyondBudget(ctx, settings.cacheBytes);
  if (files > 0) log('info', 'pps', `area ${ctx.area}: ${files} half-hourly files made (${slots} half-hours, ${days} days)`);
  return { files, slots, days };
}

/** Creates the schedule's progress row on its first run; true while no file of its kinds exists (the opening). */
async function startProgress(ctx: GridContext, schedule: string, initial: Date, kinds: readonly PpsKind[], now: Date): Promise<boolean> {
  const s = ident(ctx.schema);
  await ctx.db.query(`INSERT INTO ${s}.pps_progress (schedule, next_at) VALUES ($1, $2) ON CONFLICT (schedule) DO NOTHING`, [schedule, initial]);
  const { rows } = await ctx.db.query(`SELECT 1 FROM ${s}.pps_file WHERE kind = ANY($1::text[]) AND available_at <= $2 LIMIT 1`, [
    kinds.map((k) => k.code),
    now,
  ]);
  return rows.length === 0;
}

async function lockProgress(tx: Queryable, s: string, schedule: string): Promise<Date> {
  const { rows } = await tx.query<{ next: Date }>(`SELECT next_at AS next FROM ${s}.pps_progress WHERE schedule = $1 FOR UPDATE`, [schedule]);
  return rows[0]!.next;
}

async function saveProgress(tx: Queryable, s: string, schedule: string, next: Date): Promise<void> {
  await tx.query(`UPDATE ${s}.pps_progress SET next_at = $2 WHERE schedule = $1`, [schedule, next]);
}

async function issuedSlots(tx: Queryable, s: string, kind: PpsKind, date: IsoDate): Promise<number[]> {
  const { rows } = await tx.query<{ slot: number }>(`SELECT DISTINCT slot FROM ${s}.pps_file WHERE kind = $1 AND target_date = $2 ORDER BY slot`, [
    kind.code,
    date,
  ]);
  return rows.map((r) => Number(r.slot));
}

interface LatestSection {
  readonly receiverCode: string;
  readonly slot: number | null;
  readonly revision: number;
  readonly section: number;
  readonly fingerprint: string;
}

/**
 * Issues the file sets of `kind`, `date` and each of `slots` for every receiver of `points` (and
 * every receiver that had a set and has no point any more): a set whose fingerprints are those of
 * its latest revision is left alone; otherwise the next revision of every section is written.
 * `force` issues a new revision whatever the fingerprints (the sandbox's `reissue`).
 */
export async function issueFileSets(
  tx: Queryable,
  ctx: GridContext,
  kind: PpsKind,
  date: IsoDate,
  slots: readonly (number | null)[],
  points: readonly W4Point[],
  settings: ProvisionSettings,
  now: Date,
  opening = false,
  force = false,
): Promise<number> {
  const s = ident(ctx.schema);
  await lockFileWrites(tx, ctx.schema);
  const byReceiver = byReceiverOf(points);
  const { rows: latest } = await tx.query<LatestSection>(
    `SELECT f.receiver_code AS "receiverCode", f.slot, f.revision, f.section, f.fingerprint FROM ${s}.pps_file f
      WHERE f.kind = $1 AND f.target_date = $2
        AND f.revision = (SELECT max(g.revision) FROM ${s}.pps_file g
                           WHERE g.receiver_code = f.receiver_code AND g.kind = f.kind AND g.target_date = f.target_date
                             AND COALESCE(g.slot, 0) = COALESCE(f.slot, 0))
      ORDER BY f.receiver_code, f.slot, f.section`,
    [kind.code, date],
  );
  const previous = new Map<string, { revision: number; fingerprints: string[] }>();
  for (const row of latest) {
    const key = `${row.receiverCode}|${row.slot ?? ''}`;
    let entry = previous.get(key);
    if (!entry) previous.set(key, (entry = { revision: Number(row.revision), fingerprints: [] }));
    entry.fingerprints.push(row.fingerprint);
  }
  for (const row of latest) if (!byReceiver.has(row.receiverCode)) byReceiver.set(row.receiverCode, []);

  let made = 0;
  for (const [receiverCode, receiverPoints] of byReceiver) {
    for (const slot of slots) {
      const before = previous.get(`${receiverCode}|${slot ?? ''}`);
      if (!before && receiverPoints.length === 0) continue;
      const sections = sectionsOf(kind, ctx.area, receiverCode, date, slot, receiverPoints);
      const fingerprints = sections.map((section) => sectionFingerprint(section, settings));
      if (before && !force && before.fingerprints.join() === fingerprints.join()) continue;
      const revision = nextRevision(ctx, before, `${kind.code} ${date}${slot === null ? '' : ` ${slot}`}`, receiverCode);
      if (revision === undefined) continue;
      const timing = revisionTiming(w4Timing(kind, date, slot), revision, now, opening, kind.retentionDays);
      made += await storeSections(tx, s, { receiverCode, kind: kind.code, targetDate: date, slot, revision }, timing, sections, fingerprints, (section) =>
        w4ZipBytes(section, revision, timing.availableAt, settings),
      );
    }
  }
  return made;
}

/**
 * Drops the cached bytes of the oldest files while the cache holds more than `budget` bytes. The CSV
 * reports are kept: small, and a superseded revision could not be remade once its inputs (an
 * interruption recorded later) moved.
 */
export async function evictBeyondBudget(ctx: GridContext, budget: number): Promise<void> {
  const s = ident(ctx.schema);
  await ctx.db.query(
    `UPDATE ${s}.pps_file f SET bytes = NULL FROM (
       SELECT receiver_code, name FROM (
         SELECT receiver_code, name, sum(size) OVER (ORDER BY available_at DESC, name, receiver_code) AS kept
           FROM ${s}.pps_file WHERE bytes IS NOT NULL AND NOT starts_with(kind, 'STD_')) c
        WHERE c.kept > $1) e
     WHERE f.receiver_code = e.receiver_code AND f.name = e.name`,
    [budget],
  );
}

/**
 * A new revision of every receiver's files of one target, whatever the fingerprints (the sandbox
 * command `kirikae grid pps reissue`, B4). Returns the files made.
 */
export async function reissueW4(
  ctx: GridContext,
  kindCode: string,
  date: IsoDate,
  slot: number | null,
  settings: ProvisionSettings = defaultProvisionSettings,
): Promise<number> {
  const kind = ppsKind(kindCode);
  if (kind?.bp !== 'W4') throw new Refusal('PPS_FILTER_INVALID', { field: 'kind', params: { field: 'kind' } });
  return ctx.db.transaction(async (tx) => {
    await besideRegistryLoads(tx);
    const points = await w4Points(tx, ctx.schema, kind.voltage, date);
    return issueFileSets(tx, ctx, kind, date, [kind.granularity === 'slot' ? slot : null], points, settings, ctx.clock.now(), false, true);
  });
}

/** Deletes files past their retention (they already answer 404; this frees the rows). */
export async function purgeExpiredFiles(ctx: GridContext): Promise<number> {
  const { rowCount } = await ctx.db.query(`DELETE FROM ${ident(ctx.schema)}.pps_file WHERE expires_at <= $1`, [ctx.clock.now()]);
  return rowCount;
}
