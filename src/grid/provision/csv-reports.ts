/**
 * The three standard CSV reports of a grid's data provision site (統一化帳票, slide 34; HALFHOURLY.md
 * B10): their rows, from the registry and the usage model, and their bytes. Layouts are kirikae's
 * (the real ones are sent by OCCTO on request); names and timing are public.
 *
 * One report per receiver and reading day R, about the points read on R (each point's reading
 * schedule: LV points the area's LV schedule, HV and EHV points the HV one) and the period
 * [previous reading day, R) of each:
 *
 * - `STD_GENSHIWAKE` 発電者の仕訳後の電力量のお知らせ: one row per FIT receiving point (受電地点) ×
 *   day × half-hour of the period on which the receiver bought its output (its supply periods). The
 *   received energy is the usage model's half-hourly value (the same numbers as the W4 files'
 *   model). 仕訳後 (after allocation): each receiving point has one buyer per day in kirikae, so the
 *   allocation gives the buyer of record all of that day's energy (ours; a split between several
 *   buyers is not modelled). Issued to receivers with such a point read on R.
 * - `STD_KEIYAKUKW` 契約電力算定結果内訳: one row per HV/EHV point read on R whose receiver of
 *   record on R−1 (the period's last day) is the receiver (実量制). This month's maximum demand is
 *   the largest half-hour of the receiver's days of the period (kW = kWh × 2); the previous 11
 *   months' is the largest of the point's 11 reading months before it, whoever supplied it. The
 *   calculated contract power is the larger of the two; last month's is the same calculation one
 *   month earlier; 変更有無 says whether they differ.
 * - `STD_SEIGENCHUSHI` 制限中止割引時間: one row per interruption (interruption.repository.ts)
 *   starting in the period of a point read on R, at a point the receiver supplied on the day it
 *   started. Header-only for a receiver with points read on R and no interruption.
 *
 * Format (B10): Shift_JIS, CRLF, a Japanese header row, a field quoted only when it holds a comma.
 * Dates are `YYYYMMDD`, months `YYYYMM`, times `YYYY/MM/DD HH:MM` (JST), kWh and kW with one decimal.
 * Content is a pure function of the registry (points, supply periods, customers, interruptions), so
 * a report's SHA-256 is the fingerprint of its inputs and an evicted one regenerates to it.
 */
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import type { AreaCode } from '../../domain/area.ts';
import { csvField, csvReportHeaders } from '../../domain/csv-report.ts';
import { addDays, tokyoDate, tokyoMidnight, yearMonthDay, type IsoDate } from '../../domain/date.ts';
import { firstOfNextMonth, slotsPerDay, type PpsKind } from '../../domain/pps-file.ts';
import type { ReadingGroup, ReadingSchedule } from '../../domain/reading-day.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import type { UsageProfileKind } from '../registry/facility.ts';
import { readingScheduleOf } from '../registry/reading-calendar.repository.ts';
import { halfHourlyTenths, readingMonths } from '../registry/usage.ts';
import { interruptionCauseLabels, jstMinute, type InterruptionCause } from './interruption.repository.ts';

/** The header rows, by kind code. */
export const csvHeaders: Readonly<Record<string, readonly string[]>> = {
  STD_GENSHIWAKE: csvReportHeaders.GENSHIWAKE,
  STD_GENSHIWAKE_G: csvReportHeaders.GENSHIWAKE_G,
  STD_KEIYAKUKW: csvReportHeaders.KEIYAKUKW,
  STD_SEIGENCHUSHI: csvReportHeaders.SEIGENCHUSHI,
};
/** The points read on R: per schedule voltage, each reading group reading on R with its previous reading day. */
export interface ReadOn {
  readonly readingDay: IsoDate;
  readonly LV: ReadonlyMap<ReadingGroup, IsoDate>;
  readonly HV: ReadonlyMap<ReadingGroup, IsoDate>;
  readonly schedules: { readonly LV: ReadingSchedule; readonly HV: ReadingSchedule };
}

function previousMonth(year: number, month: number): { year: number; month: number } {
  return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
}

/** Which reading groups of the area read on R (by its rule and loaded calendar), with their previous reading day. */
export async function readOn(q: Queryable, schema: string, area: AreaCode, readingDay: IsoDate): Promise<ReadOn> {
  const { year, month } = yearMonthDay(readingDay);
  const before = previousMonth(year, month);
  const schedules = {
    LV: await readingScheduleOf(q, schema, area, 'LV', readingDay),
    HV: await readingScheduleOf(q, schema, area, 'HV', readingDay),
  };
  const groups = (schedule: ReadingSchedule) => {
    const map = new Map<ReadingGroup, IsoDate>();
    for (const group of schedule.rule.numbers) {
      if (schedule.dayOf(group, year, month) === readingDay) map.set(group, schedule.dayOf(group, before.year, before.month));
    }
    return map;
  };
  return { readingDay, LV: groups(schedules.LV), HV: groups(schedules.HV), schedules };
}

/** The previous reading day of a point read on R (undefined when it is not read on R). */
function periodStart(read: ReadOn, voltageClass: string, group: number): IsoDate | undefined {
  return (voltageClass === 'LV' ? read.LV : read.HV).get(group);
}

function noPointsRead(read: ReadOn): boolean {
  return read.LV.size === 0 && read.HV.size === 0;
}

/** The earliest previous reading day of the groups read on R (the widest period to query). */
function earliestStart(read: ReadOn): IsoDate {
  return [...read.LV.values(), ...read.HV.values(), read.readingDay].sort()[0]!;
}

/** The reports' field formats: a day, a month, kWh from tenths, kW from a half-hour's tenths of a kWh (exported for the test page's samples). */
export const ymd = (date: IsoDate) => date.replaceAll('-', '');
export const ym = (date: IsoDate) => date.slice(0, 7).replace('-', '');
export const tenthsText = (tenths: number) => (tenths / 10).toFixed(1);

/** One report's rows for one receiver, before encoding. */
export interface ReportContent {
  readonly rows: readonly (readonly (string | number)[])[];
  /** Distinct points in the rows. */
  readonly points: number;
}

interface PeriodRow {
  receiverCode: string;
  supplyPointId: string;
  voltageClass: string;
  readingGroup: number;
  customerName: string;
  fromDate: IsoDate;
  untilDate: IsoDate | null;
  profileKind: UsageProfileKind;
  dailyWh: number;
  seed: number;
}

/** The columns of a `PeriodRow` and the tables they come from (`s`: the area's schema, quoted). */
const periodsFrom = (s: string) =>
  `SELECT p.retailer_code AS "receiverCode", sp.supply_point_id AS "supplyPointId", sp.voltage_class AS "voltageClass", sp.reading_group AS "readingGroup",
            c.name_kanji AS "customerName", to_char(p.from_date, 'YYYY-MM-DD') AS "fromDate", to_char(p.until_date, 'YYYY-MM-DD') AS "untilDate",
            sp.usage_profile AS "profileKind", sp.usage_daily_wh AS "dailyWh", sp.usage_seed AS "seed"
       FROM ${s}.supply_period p
       JOIN ${s}.supply_point sp ON sp.supply_point_id = p.supply_point_id
       JOIN ${s}.customer c ON c.customer_id = p.customer_id`;

/** A period row with its numbers as numbers (the driver gives bigint and numeric as text). */
const periodRowOf = (r: PeriodRow): PeriodRow => ({ ...r, readingGroup: Number(r.readingGroup), dailyWh: Number(r.dailyWh), seed: Number(r.seed) });

/**
 * The GENSHIWAKE rows of a receiving point (its usage subject) over `days`: one per day × half-hour, the allocation giving
 * the whole to its one buyer (ours). `lead` are the columns before the day (point, name, month …).
 */
export function genshiwakeRows(
  subject: Parameters<typeof halfHourlyTenths>[0],
  days: { from: IsoDate; until: IsoDate },
  lead: readonly (string | number)[],
): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (let d = days.from; d < days.until; d = addDays(d, 1)) {
    const values = halfHourlyTenths(subject, d);
    for (let slot = 1; slot <= slotsPerDay; slot++) {
      const received = values[slot - 1]!;
      rows.push([...lead, ymd(d), slot, tenthsText(received), tenthsText(received)]);
    }
  }
  return rows;
}

/** Supply periods overlapping [from, until) of points of the given kind whose group is read on R. */
async function periodsOf(q: Queryable, schema: string, read: ReadOn, which: 'fit' | 'hv' | 'demand', receiverCode?: string): Promise<PeriodRow[]> {
  const s = ident(schema);
  const kindCondition =
    which === 'fit'
      ? `sp.fit_receiving AND sp.reading_group = ANY($3::int[]) AND $4::int[] IS NOT NULL`
      : which === 'hv'
        ? `sp.voltage_class <> 'LV' AND sp.reading_group = ANY($4::int[]) AND $3::int[] IS NOT NULL`
        : `NOT sp.fit_receiving AND ((sp.voltage_class = 'LV' AND sp.reading_group = ANY($3::int[])) OR (sp.voltage_class <> 'LV' AND sp.reading_group = ANY($4::int[])))`;
  const { rows } = await q.query<PeriodRow>(
    `${periodsFrom(s)}
      WHERE p.from_date < $2::date AND (p.until_date IS NULL OR p.until_date > $1::date) AND ${kindCondition}
        AND ($5::text IS NULL OR p.retailer_code = $5)
      ORDER BY p.retailer_code, sp.supply_point_id, p.from_date`,
    [earliestStart(read), read.readingDay, [...read.LV.keys()], [...read.HV.keys()], receiverCode ?? null],
  );
  return rows.map(periodRowOf);
}

function subjectOf(p: PeriodRow) {
  return { supplyPointId: p.supplyPointId, usageProfile: { kind: p.profileKind, dailyWh: p.dailyWh, seed: p.seed } };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(value);
}

/** The days of [from, until) a supply period covers. */
function clip(p: PeriodRow, from: IsoDate, until: IsoDate): { from: IsoDate; until: IsoDate } | undefined {
  const start = p.fromDate > from ? p.fromDate : from;
  const end = p.untilDate !== null && p.untilDate < until ? p.untilDate : until;
  return start < end ? { from: start, until: end } : undefined;
}

/** 発電者の仕訳後の電力量のお知らせ, per receiver. */
export async function genshiwakeContents(q: Queryable, schema: string, read: ReadOn, receiverCode?: string): Promise<Map<string, ReportContent>> {
  const out = new Map<string, { rows: (string | number)[][]; points: Set<string> }>();
  if (noPointsRead(read)) return new Map();
  for (const p of await periodsOf(q, schema, read, 'fit', receiverCode)) {
    const start = periodStart(read, 'LV', p.readingGroup);
    if (!start) continue;
    const days = clip(p, start, read.readingDay);
    if (!days) continue;
    let entry = out.get(p.receiverCode);
    if (!entry) out.set(p.receiverCode, (entry = { rows: [], points: new Set() }));
    entry.points.add(p.supplyPointId);
    entry.rows.push(...genshiwakeRows(subjectOf(p), days, [p.supplyPointId, p.customerName, ym(read.readingDay), ymd(read.readingDay)]));
  }
  return new Map([...out].map(([k, v]) => [k, { rows: v.rows, points: v.points.size }]));
}

/**
 * 発電者の仕訳後の電力量のお知らせ, LV 群単位 (STD_GENSHIWAKE_G), per receiver: one row per LV FIT
 * receiving point × day × half-hour of calendar month N (`month`, its first day) on which the receiver
 * bought the point's output (its supply periods), whatever the point's reading day. Same values and
 * allocation as the per-reading-day report.
 */
export async function genshiwakeGroupContents(q: Queryable, schema: string, month: IsoDate, receiverCode?: string): Promise<Map<string, ReportContent>> {
  const s = ident(schema);
  const until = firstOfNextMonth(month);
  const { rows } = await q.query<PeriodRow>(
    `${periodsFrom(s)}
      WHERE p.from_date < $2::date AND (p.until_date IS NULL OR p.until_date > $1::date) AND sp.fit_receiving AND sp.voltage_class = 'LV'
        AND ($3::text IS NULL OR p.retailer_code = $3)
      ORDER BY p.retailer_code, sp.supply_point_id, p.from_date`,
    [month, until, receiverCode ?? null],
  );
  const out = new Map<string, { rows: (string | number)[][]; points: Set<string> }>();
  for (const p of rows.map(periodRowOf)) {
    const days = clip(p, month, until);
    if (!days) continue;
    let entry = out.get(p.receiverCode);
    if (!entry) out.set(p.receiverCode, (entry = { rows: [], points: new Set() }));
    entry.points.add(p.supplyPointId);
    entry.rows.push(...genshiwakeRows(subjectOf(p), days, [p.supplyPointId, p.customerName, ym(month)]));
  }
  return new Map([...out].map(([k, v]) => [k, { rows: v.rows, points: v.points.size }]));
}

/** The largest half-hour of [from, until) in tenths of a kWh, with its first day and time code. */
export function maxDemandTenths(subject: ReturnType<typeof subjectOf>, from: IsoDate, until: IsoDate): { tenths: number; date: IsoDate; slot: number } {
  let best = { tenths: -1, date: from, slot: 1 };
  for (let d = from; d < until; d = addDays(d, 1)) {
    const values = halfHourlyTenths(subject, d);
    for (let i = 0; i < values.length; i++) if (values[i]! > best.tenths) best = { tenths: values[i]!, date: d, slot: i + 1 };
  }
  return best;
}

/** kW of a half-hour's energy in tenths of a kWh: kWh × 2, one decimal. */
export const kwText = (tenths: number) => ((tenths * 2) / 10).toFixed(1);

/** 契約電力算定結果内訳, per receiver. */
export async function keiyakukwContents(q: Queryable, schema: string, read: ReadOn, receiverCode?: string): Promise<Map<string, ReportContent>> {
  const out = new Map<string, (string | number)[][]>();
  if (read.HV.size === 0) return new Map();
  const last = addDays(read.readingDay, -1);
  for (const p of await periodsOf(q, schema, read, 'hv', receiverCode)) {
    // The receiver of record on the period's last day: a point switched away earlier has a special reading instead.
    if (p.fromDate > last || (p.untilDate !== null && p.untilDate <= last)) continue;
    const start = periodStart(read, p.voltageClass, p.readingGroup);
    if (!start) continue;
    const days = clip(p, start, read.readingDay)!;
    const subject = subjectOf(p);
    const months = readingMonths(read.schedules.HV, p.readingGroup, read.readingDay, 13);
    const monthly = months.slice(0, 12).map((m) => ({ month: m.month, ...maxDemandTenths(subject, m.from, m.until) }));
    const current = maxDemandTenths(subject, days.from, days.until);
    const largest = (list: typeof monthly) => list.reduce((a, b) => (b.tenths > a.tenths ? b : a));
    const previous11 = largest(monthly.slice(1));
    const contract = Math.max(current.tenths, previous11.tenths);
    const lastMonthContract = largest(monthly).tenths;
    push(out, p.receiverCode, [
      p.supplyPointId,
      p.customerName,
      ym(read.readingDay),
      ymd(read.readingDay),
      kwText(current.tenths),
      ymd(current.date),
      current.slot,
      kwText(previous11.tenths),
      previous11.month.replace('-', ''),
      kwText(contract),
      kwText(lastMonthContract),
      contract === lastMonthContract ? '無' : '有',
    ]);
  }
  return new Map([...out].map(([k, rows]) => [k, { rows, points: rows.length }]));
}

interface InterruptionRow {
  supplyPointId: string;
  voltageClass: string;
  readingGroup: number;
  from: Date;
  until: Date;
  cause: InterruptionCause;
  discountPercent: number;
}

/** 制限中止割引時間, per receiver (header-only for a receiver with points read on R and no interruption). */
export async function seigenchushiContents(q: Queryable, schema: string, read: ReadOn, receiverCode?: string): Promise<Map<string, ReportContent>> {
  const out = new Map<string, { rows: (string | number)[][]; points: Set<string> }>();
  if (noPointsRead(read)) return new Map();
  const periods = await periodsOf(q, schema, read, 'demand', receiverCode);
  const last = addDays(read.readingDay, -1);
  const byPoint = new Map<string, PeriodRow[]>();
  for (const p of periods) {
    push(byPoint, p.supplyPointId, p);
    // Every receiver with a point read on R gets the report, header-only when nothing happened.
    if (p.fromDate <= last && (p.untilDate === null || p.untilDate > last) && !out.has(p.receiverCode))
      out.set(p.receiverCode, { rows: [], points: new Set() });
  }
  const s = ident(schema);
  const { rows } = await q.query<InterruptionRow>(
    `SELECT i.supply_point_id AS "supplyPointId", sp.voltage_class AS "voltageClass", sp.reading_group AS "readingGroup",
            i.from_at AS "from", i.until_at AS "until", i.cause, i.discount_percent AS "discountPercent"
       FROM ${s}.interruption i JOIN ${s}.supply_point sp ON sp.supply_point_id = i.supply_point_id
      WHERE i.from_at >= $1 AND i.from_at < $2 AND NOT sp.fit_receiving
        AND ((sp.voltage_class = 'LV' AND sp.reading_group = ANY($3::int[])) OR (sp.voltage_class <> 'LV' AND sp.reading_group = ANY($4::int[])))
      ORDER BY i.supply_point_id, i.from_at, i.id`,
    [tokyoMidnight(earliestStart(read)), tokyoMidnight(read.readingDay), [...read.LV.keys()], [...read.HV.keys()]],
  );
  for (const i of rows) {
    const start = periodStart(read, i.voltageClass, Number(i.readingGroup));
    const day = tokyoDate(i.from);
    if (!start || day < start) continue;
    const period = byPoint.get(i.supplyPointId)?.find((p) => p.fromDate <= day && (p.untilDate === null || p.untilDate > day));
    if (!period) continue;
    let entry = out.get(period.receiverCode);
    if (!entry) out.set(period.receiverCode, (entry = { rows: [], points: new Set() }));
    entry.points.add(i.supplyPointId);
    const minutes = (i.until.getTime() - i.from.getTime()) / 60_000;
    entry.rows.push([
      i.supplyPointId,
      period.customerName,
      ym(read.readingDay),
      jstMinute(i.from).replaceAll('-', '/'),
      jstMinute(i.until).replaceAll('-', '/'),
      (minutes / 60).toFixed(1),
      Number(i.discountPercent).toFixed(1),
      interruptionCauseLabels[i.cause],
    ]);
  }
  return new Map([...out].map(([k, v]) => [k, { rows: v.rows, points: v.points.size }]));
}

/** A report's contents per receiver, by kind. */
export function reportContents(kind: PpsKind, q: Queryable, schema: string, read: ReadOn, receiverCode?: string): Promise<Map<string, ReportContent>> {
  switch (kind.code) {
    case 'STD_GENSHIWAKE':
      return genshiwakeContents(q, schema, read, receiverCode);
    case 'STD_KEIYAKUKW':
      return keiyakukwContents(q, schema, read, receiverCode);
    case 'STD_SEIGENCHUSHI':
      return seigenchushiContents(q, schema, read, receiverCode);
    default:
      throw new RangeError(`not a CSV report kind: ${kind.code}`);
  }
}

/** The report's bytes: header and rows, CRLF, Shift_JIS. */
export function csvBytes(kind: PpsKind, content: ReportContent): { bytes: Buffer; sha256: string } {
  const header = csvHeaders[kind.code];
  if (!header) throw new RangeError(`not a CSV report kind: ${kind.code}`);
  const lines = [header.map(csvField).join(','), ...content.rows.map((row) => row.map(csvField).join(','))];
  const bytes = iconv.encode(`${lines.join('\r\n')}\r\n`, 'Shift_JIS');
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
