/**
 * The W5 files of one area (確定使用量の通知, HALFHOURLY.md B3/B5/B6): who receives which record for a
 * reading day, special-reading day or exchange day, the sections, the fingerprint of their inputs,
 * and the bytes. Like the W4 files, everything is derived from the registry alone, so a file
 * regenerates to the same bytes (B9) and a retroactive change moves a fingerprint (B4):
 *
 * - 月間確定使用量 of reading day R (x210/x220): every point whose reading group reads on R, for each
 *   receiver X with a supply period that reaches R (from < R ≤ until): the days [max(from, previous
 *   R), R). A switch on R gives the old retailer the whole month at R and the new one nothing until
 *   the next R; a switch on another day S ends the old retailer's period in a special reading at S,
 *   and the new retailer's first monthly file covers [S, R). Nothing is counted twice or lost.
 * - 臨時検針他 of day S (x410/x420): every supply period ending on S when S is not the point's reading
 *   day: the days [max(from, last R before S), S), with the cause (a period of the same customer
 *   starting on S: switch; of another customer: move-in; none: move-out).
 * - 計量器取替 of day E (x310/x320): every exchange of `meter_event` on E, to the retailer supplying the
 *   point on E.
 *
 * The values are the usage model's (src/grid/registry/usage.ts), the same as IF_10310 and the W4
 * files: a period's kWh is the sum of its half-hours.
 */
import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AreaCode } from '../../domain/area.ts';
import { addDays, yearMonthDay, type IsoDate } from '../../domain/date.ts';
import { formatPpsFileName, w5ContentOf, type PpsKind } from '../../domain/pps-file.ts';
import { firstReadingDayOnOrAfter, nextReadingDayAfter, type ReadingGroup, type ReadingSchedule } from '../../domain/reading-day.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import { SingleEntryZip } from '../../platform/zip.ts';
import type { UsageProfileKind } from '../registry/facility.ts';
import { tenthsUntil } from '../registry/meter.repository.ts';
import { hash32 } from '../registry/random.ts';
import { readingScheduleOf } from '../registry/reading-calendar.repository.ts';
import { halfHourlyTenths, type UsageSubject } from '../registry/usage.ts';
import type { W4Settings } from './w4-files.ts';
import { countingSink, cutIntoSections, entryName, zipIntoMemory } from './w4-files.ts';
import { w5Xml, type W5ExchangeRecord, type W5Record, type W5UsageRecord } from './w5-xml.ts';

interface Receiver {
  readonly receiverCode: string;
}

export interface W5UsagePoint extends W5UsageRecord, Receiver {
  readonly profileKind: UsageProfileKind;
  readonly dailyWh: number;
  readonly seed: number;
}

export interface W5ExchangePoint extends W5ExchangeRecord, Receiver {
  /** The reading day of the 月間確定使用量 file covering the exchange: the exchange file is due before it. */
  readonly coveredBy: IsoDate;
}

export type W5Point = W5UsagePoint | W5ExchangePoint;

function voltageClasses(voltage: PpsKind['voltage']): string[] {
  return voltage === 'HV' ? ['HV', 'EHV'] : ['LV'];
}

/** 力率 of an HV point (ours): 85–100 %, stable per point. */
export function powerFactorOf(supplyPointId: string): number {
  return 85 + (hash32(`pf|${supplyPointId}`) % 16);
}

function previousMonth(date: IsoDate): { year: number; month: number } {
  const { year, month } = yearMonthDay(date);
  return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
}

function dayOfGroup(schedule: ReadingSchedule, group: ReadingGroup, year: number, month: number): IsoDate | undefined {
  try {
    return schedule.dayOf(group, year, month);
  } catch {
    return undefined;
  }
}

/** The groups of the schedule that read on `date`. */
function groupsReadingOn(schedule: ReadingSchedule, date: IsoDate): ReadingGroup[] {
  const { year, month } = yearMonthDay(date);
  const groups: ReadingGroup[] = [];
  for (let g = 1; g <= 99; g++) if (schedule.has(g) && dayOfGroup(schedule, g, year, month) === date) groups.push(g);
  return groups;
}

/** The group's last reading day strictly before `date`. */
export function lastReadingDayBefore(schedule: ReadingSchedule, group: ReadingGroup, date: IsoDate): IsoDate {
  const { year, month } = yearMonthDay(date);
  const thisMonth = schedule.dayOf(group, year, month);
  if (thisMonth < date) return thisMonth;
  const before = previousMonth(date);
  return schedule.dayOf(group, before.year, before.month);
}

const maxDate = (a: IsoDate, b: IsoDate) => (a > b ? a : b);

interface PeriodRow {
  receiverCode: string;
  supplyPointId: string;
  customerId: number;
  voltageClass: 'LV' | 'HV' | 'EHV';
  profileKind: UsageProfileKind;
  dailyWh: number;
  seed: number;
  readingGroup: number;
  address: string;
  from: IsoDate;
  smart: boolean;
  nextCustomerId: number | null;
}

const periodColumns = `p.retailer_code AS "receiverCode", sp.supply_point_id AS "supplyPointId", p.customer_id AS "customerId",
  sp.voltage_class AS "voltageClass", sp.usage_profile AS "profileKind", sp.usage_daily_wh AS "dailyWh", sp.usage_seed AS seed,
  sp.reading_group AS "readingGroup", sp.prefecture || sp.city || sp.street || COALESCE(' ' || sp.building, '') AS address,
  to_char(p.from_date, 'YYYY-MM-DD') AS "from"`;

/** Whether a smart meter was in service at the point on day `$n` (the period's last day). */
const smartOn = (s: string, param: string) =>
  `EXISTS (SELECT 1 FROM ${s}.meter m WHERE m.supply_point_id = sp.supply_point_id AND m.kind = 'smart'
            AND m.installed_on <= ${param} AND (m.removed_on IS NULL OR m.removed_on > ${param})) AS smart`;

function normalize(r: PeriodRow): PeriodRow {
  return {
    ...r,
    customerId: Number(r.customerId),
    dailyWh: Number(r.dailyWh),
    seed: Number(r.seed),
    readingGroup: Number(r.readingGroup),
    nextCustomerId: r.nextCustomerId === null || r.nextCustomerId === undefined ? null : Number(r.nextCustomerId),
  };
}

/** The last exchange of each point within its period (KR_METER_EXCHANGE_DATE). */
async function exchangesIn(
  q: Queryable,
  s: string,
  periods: readonly { supplyPointId: string; from: IsoDate; until: IsoDate }[],
): Promise<Map<string, IsoDate>> {
  const out = new Map<string, IsoDate>();
  if (periods.length === 0) return out;
  let from = periods[0]!.from;
  let until = periods[0]!.until;
  for (const p of periods) {
    if (p.from < from) from = p.from;
    if (p.until > until) until = p.until;
  }
  const { rows } = await q.query<{ supplyPointId: string; on: IsoDate }>(
    `SELECT supply_point_id AS "supplyPointId", to_char(on_date, 'YYYY-MM-DD') AS "on" FROM ${s}.meter_event
      WHERE supply_point_id = ANY($1::text[]) AND on_date >= $2 AND on_date < $3 ORDER BY on_date`,
    [[...new Set(periods.map((p) => p.supplyPointId))], from, until],
  );
  const byPoint = new Map<string, IsoDate[]>();
  for (const r of rows) {
    let list = byPoint.get(r.supplyPointId);
    if (!list) byPoint.set(r.supplyPointId, (list = []));
    list.push(r.on);
  }
  for (const p of periods) {
    const within = (byPoint.get(p.supplyPointId) ?? []).filter((d) => d >= p.from && d < p.until);
    if (within.length > 0) out.set(`${p.supplyPointId}|${p.from}`, within[within.length - 1]!);
  }
  return out;
}

function usagePoint(r: PeriodRow, from: IsoDate, until: IsoDate, nextReadingDay: IsoDate, cause: W5UsageRecord['cause']): W5UsagePoint {
  return {
    receiverCode: r.receiverCode,
    supplyPointId: r.supplyPointId,
    customerId: r.customerId,
    voltageClass: r.voltageClass,
    address: r.address,
    powerFactor: r.voltageClass === 'LV' ? null : powerFactorOf(r.supplyPointId),
    meterKind: r.smart ? '1' : '2',
    from,
    until,
    nextReadingDay,
    exchangeDate: null,
    cause,
    profileKind: r.profileKind,
    dailyWh: r.dailyWh,
    seed: r.seed,
  };
}

/**
 * The records of every receiver (or of `receiverCode`) for a W5 kind and its day, ordered by
 * receiver and supply point ID.
 */
export async function w5Points(q: Queryable, schema: string, area: AreaCode, kind: PpsKind, date: IsoDate, receiverCode?: string): Promise<W5Point[]> {
  const s = ident(schema);
  const schedule = await readingScheduleOf(q, schema, area, kind.voltage, date);
  const content = w5ContentOf(kind);
  const receiver = receiverCode ?? null;
  const lastDay = addDays(date, -1);
  let points: W5Point[];
  if (content === 'monthly') {
    const groups = groupsReadingOn(schedule, date);
    if (groups.length === 0) return [];
    const { rows } = await q.query<PeriodRow>(
      `SELECT ${periodColumns}, ${smartOn(s, '$4::date')}, NULL AS "nextCustomerId"
         FROM ${s}.supply_period p JOIN ${s}.supply_point sp ON sp.supply_point_id = p.supply_point_id
        WHERE sp.reading_group = ANY($1::int[]) AND sp.voltage_class = ANY($2::text[]) AND NOT sp.fit_receiving
          AND p.from_date < $3 AND (p.until_date IS NULL OR p.until_date >= $3) AND ($5::text IS NULL OR p.retailer_code = $5)`,
      [groups, voltageClasses(kind.voltage), date, lastDay, receiver],
    );
    const before = previousMonth(date);
    points = rows.map(normalize).map((r) => {
      const previous = schedule.dayOf(r.readingGroup, before.year, before.month);
      return usagePoint(r, maxDate(r.from, previous), date, firstReadingDayOnOrAfter(schedule, r.readingGroup, addDays(date, 1)), null);
    });
  } else if (content === 'special') {
    const reading = new Set(groupsReadingOn(schedule, date));
    const { rows } = await q.query<PeriodRow>(
      `SELECT ${periodColumns}, ${smartOn(s, '$3::date')},
              (SELECT n.customer_id FROM ${s}.supply_period n WHERE n.supply_point_id = p.supply_point_id AND n.from_date = p.until_date) AS "nextCustomerId"
         FROM ${s}.supply_period p JOIN ${s}.supply_point sp ON sp.supply_point_id = p.supply_point_id
        WHERE p.until_date = $1 AND sp.voltage_class = ANY($2::text[]) AND NOT sp.fit_receiving AND ($4::text IS NULL OR p.retailer_code = $4)`,
      [date, voltageClasses(kind.voltage), lastDay, receiver],
    );
    points = rows
      .map(normalize)
      .filter((r) => !reading.has(r.readingGroup))
      .map((r) => {
        const cause = r.nextCustomerId === null ? '3' : r.nextCustomerId === r.customerId ? '1' : '2';
        const from = maxDate(r.from, lastReadingDayBefore(schedule, r.readingGroup, date));
        return usagePoint(r, from, date, firstReadingDayOnOrAfter(schedule, r.readingGroup, addDays(date, 1)), cause);
      });
  } else {
    const { rows } = await q.query<{
      receiverCode: string;
      supplyPointId: string;
      customerId: number;
      profileKind: UsageProfileKind;
      dailyWh: number;
      seed: number;
      readingGroup: number;
      slot: number;
      oldMeter: string;
      oldInstalledOn: IsoDate;
      oldReading: number;
      newMeter: string;
      newReading: number;
      multiplier: number;
    }>(
      `SELECT p.retailer_code AS "receiverCode", sp.supply_point_id AS "supplyPointId", p.customer_id AS "customerId",
              sp.usage_profile AS "profileKind", sp.usage_daily_wh AS "dailyWh", sp.usage_seed AS seed, sp.reading_group AS "readingGroup",
              e.slot, e.old_meter AS "oldMeter", to_char(om.installed_on, 'YYYY-MM-DD') AS "oldInstalledOn", e.old_reading AS "oldReading",
              e.new_meter AS "newMeter", e.new_reading AS "newReading", e.multiplier
         FROM ${s}.meter_event e
         JOIN ${s}.meter om ON om.meter_number = e.old_meter
         JOIN ${s}.supply_point sp ON sp.supply_point_id = e.supply_point_id
         JOIN ${s}.supply_period p ON p.supply_point_id = e.supply_point_id AND p.from_date <= e.on_date AND (p.until_date IS NULL OR p.until_date > e.on_date)
        WHERE e.on_date = $1 AND sp.voltage_class = ANY($2::text[]) AND NOT sp.fit_receiving AND ($3::text IS NULL OR p.retailer_code = $3)`,
      [date, voltageClasses(kind.voltage), receiver],
    );
    points = rows.map((r): W5ExchangePoint => {
      const group = Number(r.readingGroup);
      const subject: UsageSubject = {
        supplyPointId: r.supplyPointId,
        usageProfile: { kind: r.profileKind, dailyWh: Number(r.dailyWh), seed: Number(r.seed) },
      };
      // The last reading day on or before the exchange (the exchange may fall on a reading day).
      const lastReading = lastReadingDayBefore(schedule, group, addDays(date, 1));
      const slot = Number(r.slot);
      return {
        receiverCode: r.receiverCode,
        supplyPointId: r.supplyPointId,
        customerId: Number(r.customerId),
        on: date,
        slot,
        oldMeter: r.oldMeter,
        oldReading: Number(r.oldReading),
        newMeter: r.newMeter,
        newReading: Number(r.newReading),
        multiplier: Number(r.multiplier),
        oldTenthsInPeriod: tenthsUntil(subject, maxDate(lastReading, r.oldInstalledOn), date, slot),
        coveredBy: coveringReadingDay(schedule, group, date),
      };
    });
  }
  if (content !== 'exchange') {
    const usage = points as W5UsagePoint[];
    const exchanges = await exchangesIn(q, s, usage);
    points = usage.map((p) => {
      const on = exchanges.get(`${p.supplyPointId}|${p.from}`);
      return on ? { ...p, exchangeDate: on } : p;
    });
  }
  return points.sort((a, b) =>
    a.receiverCode < b.receiverCode
      ? -1
      : a.receiverCode > b.receiverCode
        ? 1
        : a.supplyPointId < b.supplyPointId
          ? -1
          : a.supplyPointId > b.supplyPointId
            ? 1
            : 0,
  );
}

/** The 月間確定使用量 file covering an exchange on `on` at a point of `group`: its reading day. */
export function coveringReadingDay(schedule: ReadingSchedule, group: ReadingGroup, on: IsoDate): IsoDate {
  return nextReadingDayAfter(schedule, group, on);
}

/** A usage record's 48 values of a day: the usage model's. */
export function w5DayValues(record: W5UsageRecord, date: IsoDate): Int32Array {
  const p = record as W5UsagePoint;
  return halfHourlyTenths({ supplyPointId: p.supplyPointId, usageProfile: { kind: p.profileKind, dailyWh: p.dailyWh, seed: p.seed } }, date);
}

/** One section of a receiver's W5 file set. */
export interface W5Section {
  readonly kind: PpsKind;
  readonly area: AreaCode;
  readonly receiverCode: string;
  readonly date: IsoDate;
  readonly section: number;
  readonly sections: number;
  readonly points: readonly W5Point[];
}

export function w5SectionsOf(kind: PpsKind, area: AreaCode, receiverCode: string, date: IsoDate, points: readonly W5Point[]): W5Section[] {
  return cutIntoSections(points, kind.sectionPoints).map((cut) => ({ kind, area, receiverCode, date, ...cut }));
}

/** The SHA-256 of a section's inputs (hex): every field of every record, and the usage parameters. */
export function w5SectionFingerprint(section: W5Section, settings: W4Settings): string {
  const hash = createHash('sha256');
  hash.update(`${section.kind.code}|${section.date}|${section.section}/${section.sections}|${settings.encoding}\n`);
  for (const p of section.points) hash.update(`${JSON.stringify(p)}\n`);
  return hash.digest('hex');
}

/** Streams XML chunks through a one-entry ZIP into `sink`; returns size and SHA-256 of the ZIP. */
export async function writeZip(name: string, xml: Iterable<Buffer>, modifiedAt: Date, sink: Writable): Promise<{ size: number; sha256: string }> {
  const counted = countingSink(sink);
  await pipeline(Readable.from(xml, { objectMode: false }), new SingleEntryZip({ name: entryName(name), modifiedAt }), counted.stream);
  return counted.result();
}

/** The bytes of a W5 section's file, streamed into `sink`. */
export async function writeW5Zip(
  section: W5Section,
  revision: number,
  availableAt: Date,
  settings: W4Settings,
  sink: Writable,
): Promise<{ name: string; size: number; sha256: string }> {
  const name = formatPpsFileName({ kind: section.kind, date: section.date, slot: null, revision, section: section.section });
  const xml = w5Xml({
    kind: section.kind,
    area: section.area,
    receiverCode: section.receiverCode,
    date: section.date,
    section: section.section,
    sections: section.sections,
    createdAt: availableAt,
    encoding: settings.encoding,
    records: section.points as readonly W5Record[],
    dayValues: w5DayValues,
  });
  return { name, ...(await writeZip(name, xml, availableAt, sink)) };
}

export async function w5ZipBytes(
  section: W5Section,
  revision: number,
  availableAt: Date,
  settings: W4Settings,
): Promise<{ name: string; bytes: Buffer; sha256: string }> {
  return zipIntoMemory((sink) => writeW5Zip(section, revision, availableAt, settings, sink));
}
