/**
 * The published reading calendar (定例検針日一覧表) of one area (table `reading_calendar`, migration
 * 0012), and the reading schedule it makes with the area's rule (src/domain/reading-day.ts).
 *
 * An operator loads a year's calendar as published (`kirikae grid reading-days load`): it replaces
 * that area's, voltage's and year's days in one transaction, whole or not at all. Days not loaded
 * follow the area's rule.
 */
import type { AreaCode } from '../../domain/area.ts';
import { addDays, parseIsoDate, type IsoDate } from '../../domain/date.ts';
import { readingSchedule, type ReadingCalendarEntry, type ReadingGroup, type ReadingSchedule, type ReadingVoltage } from '../../domain/reading-day.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';

/**
 * The days of the calendar a schedule around `around` is built from: 15 months before it to 15
 * months after (13 usage months back, switching dates ahead).
 */
export function readingCalendarWindow(around: IsoDate): { from: IsoDate; to: IsoDate } {
  return { from: addDays(around, -460), to: addDays(around, 460) };
}

/** The schedule of an area and voltage around `around`: the calendar rows of its window over the area's rule. */
export async function readingScheduleOf(q: Queryable, schema: string, area: AreaCode, voltage: ReadingVoltage, around: IsoDate): Promise<ReadingSchedule> {
  const { from, to } = readingCalendarWindow(around);
  const { rows } = await q.query<{ readingGroup: number; readingDay: string }>(
    `SELECT reading_group AS "readingGroup", to_char(reading_day, 'YYYY-MM-DD') AS "readingDay"
       FROM ${ident(schema)}.reading_calendar WHERE voltage = $1 AND reading_day BETWEEN $2 AND $3`,
    [voltage, from, to],
  );
  return readingSchedule(
    area,
    voltage,
    rows.map((r) => ({ voltage, readingGroup: r.readingGroup, readingDay: r.readingDay as IsoDate })),
  );
}

/**
 * The schedule as one number of it sees it: the area's rule with the published days of `group`
 * (`findFacilityWithReadingDays` reads them with the point). It answers that number as
 * `readingScheduleOf` would; the other numbers follow the rule alone.
 */
export function readingScheduleOfGroup(area: AreaCode, voltage: ReadingVoltage, group: ReadingGroup, publishedDays: readonly IsoDate[]): ReadingSchedule {
  return readingSchedule(
    area,
    voltage,
    publishedDays.map((readingDay) => ({ voltage, readingGroup: group, readingDay })),
  );
}

/** The voltage whose schedule a point follows: HV and above read as HV. */
export function scheduleVoltageOf(voltageClass: string): ReadingVoltage {
  return voltageClass === 'LV' ? 'LV' : 'HV';
}

export interface CalendarRow {
  /** 1-based line of the input, for the refusal. */
  readonly line: number;
  readonly readingGroup: string;
  readonly readingDay: string;
}

/**
 * Parses a published calendar: lines `日程,検針日` (`03,2027-01-05`; a header line and blank lines
 * are skipped). Refuses the whole file at the first bad line, naming it.
 */
export function parseReadingCalendar(text: string, year: number): ReadingCalendarRowParsed[] {
  const rows: ReadingCalendarRowParsed[] = [];
  const seen = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const cells = raw.split(',').map((c) => c.normalize('NFKC').trim());
    if (cells.every((c) => c === '')) return;
    if (i === 0 && !/^\d+$/.test(cells[0] ?? '')) return; // header
    const [groupText = '', dayText = ''] = cells;
    const group = Number(groupText);
    if (!/^\d{1,2}$/.test(groupText) || group < 1 || group > 99) {
      throw new Refusal('GRID_CALENDAR_LINE_INVALID', { field: 'readingGroup', params: { line, value: groupText } });
    }
    let day: IsoDate;
    try {
      day = parseIsoDate(dayText, 'readingDay');
    } catch {
      throw new Refusal('GRID_CALENDAR_LINE_INVALID', { field: 'readingDay', params: { line, value: dayText } });
    }
    if (!day.startsWith(`${year}-`)) throw new Refusal('GRID_CALENDAR_LINE_INVALID', { field: 'readingDay', params: { line, value: dayText } });
    const key = `${group}/${day.slice(0, 7)}`;
    if (seen.has(key)) throw new Refusal('GRID_CALENDAR_DUPLICATE', { field: 'readingGroup', params: { line, group, month: day.slice(0, 7) } });
    seen.add(key);
    rows.push({ readingGroup: group, readingDay: day });
  });
  if (rows.length === 0) throw new Refusal('GRID_CALENDAR_EMPTY');
  return rows;
}

export interface ReadingCalendarRowParsed {
  readonly readingGroup: number;
  readonly readingDay: IsoDate;
}

/** Replaces the area's calendar of `voltage` and `year` with `rows`, in the caller's transaction. */
export async function replaceReadingCalendar(
  q: Queryable,
  schema: string,
  voltage: ReadingVoltage,
  year: number,
  rows: readonly ReadingCalendarRowParsed[],
): Promise<{ deleted: number; loaded: number }> {
  const s = ident(schema);
  const deleted = await q.query(`DELETE FROM ${s}.reading_calendar WHERE voltage = $1 AND reading_day >= $2 AND reading_day < $3`, [
    voltage,
    `${year}-01-01`,
    `${year + 1}-01-01`,
  ]);
  await q.query(
    `INSERT INTO ${s}.reading_calendar (voltage, reading_group, reading_day)
     SELECT $1, g, d FROM unnest($2::smallint[], $3::date[]) AS t(g, d)`,
    [voltage, rows.map((r) => r.readingGroup), rows.map((r) => r.readingDay)],
  );
  return { deleted: deleted.rowCount ?? 0, loaded: rows.length };
}

export type { ReadingCalendarEntry };
