/**
 * Scheduled meter reading days (定例検針日 / 検針日程). Grid operators read meters on a monthly round:
 * every supply point carries its reading-schedule number (検針日程 / 計算区), and each area numbers
 * and allocates its schedule its own way, publishing a calendar per year.
 *
 * A `ReadingSchedule` is one area's schedule for one voltage: which numbers are in use and the day
 * each reads in each month. It is built from the area's rule (`areaReadingRules`, below: what the
 * public record says of each area, and our choice where it says nothing), overridden day by day by
 * a published calendar the operator loads (`ReadingCalendarEntry`, per area, voltage and year,
 * `kirikae grid reading-days load`). Everything here is pure: the grid loads the calendar rows and
 * passes them in.
 *
 * The rule's allocation (the shape is public [S5]; the details are ours where marked): the area's
 * working days of the month — business days (src/domain/calendar.ts), plus Saturdays in areas that
 * read on Saturdays, minus the area's own closed days — from the area's first reading business day
 * on, are given to the numbers in order. When a month has fewer working days than numbers,
 * Saturdays (not holidays) are added in date order ("weekdays in principle; weekends when days run
 * short", public [S5]); when still short, the last numbers read on the month's last working day
 * (ours). High voltage in Kansai reads on fixed calendar days (public [S6]), whatever the weekday.
 */
import type { AreaCode } from './area.ts';
import { isBusinessDay, isNationalHoliday, isYearEndHoliday } from './calendar.ts';
import { addDays, dayOfWeek, isoDate, yearMonthDay, type IsoDate } from './date.ts';

/** A reading-schedule number (検針日程), 1–99; which are in use depends on the area. */
export type ReadingGroup = number;

export type ReadingVoltage = 'LV' | 'HV';

export interface AreaReadingRule {
  /** The schedule numbers in use, in reading order. */
  readonly numbers: readonly ReadingGroup[];
  /** Number `numbers[0]` reads on this business day of the month (1: the first). */
  readonly firstBusinessDay: number;
  /** The area reads on Saturdays as on weekdays (Hokkaido). */
  readonly saturdays: boolean;
  /** Days the area does not read, besides holidays: "MM-DD". */
  readonly closedDays: readonly string[];
  /** Fixed calendar days instead of working days: numbers[i] reads on day fixedDays[i]. */
  readonly fixedDays?: readonly number[];
  /** Where the rule comes from (README, "Reading days"). */
  readonly source: string;
}

const range = (from: number, to: number, except: readonly number[] = []): ReadingGroup[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((n) => !except.includes(n));

/** Areas whose schedule is not public: 20 numbers from the first business day (ours). */
const ours: AreaReadingRule = { numbers: range(1, 20), firstBusinessDay: 1, saturdays: false, closedDays: [], source: 'ours' };

/** The LV rule of each area. */
export const areaReadingRules: Readonly<Record<AreaCode, AreaReadingRule>> = {
  '01': { numbers: range(1, 23), firstBusinessDay: 1, saturdays: true, closedDays: [], source: 'public [S5]: 01–23, Saturdays read; allocation ours' },
  '02': { numbers: range(1, 19), firstBusinessDay: 1, saturdays: false, closedDays: [], source: 'public [S5]: 01–19; allocation ours' },
  '03': {
    numbers: range(1, 26, [5, 6, 7, 13, 14, 20, 21]),
    firstBusinessDay: 2,
    saturdays: false,
    closedDays: [],
    source: 'public [S5]: 01–26 from the 2nd business day, 05 06 07 13 14 20 21 unused',
  },
  '04': {
    numbers: range(1, 19, [7, 14]),
    firstBusinessDay: 1,
    saturdays: false,
    closedDays: ['08-15'],
    source: 'public [S5]: 01–19, 07 14 unused, 15 Aug closed',
  },
  '05': { numbers: range(2, 25), firstBusinessDay: 1, saturdays: false, closedDays: [], source: 'public [S5]: 計算区 02–25; allocation ours' },
  '06': ours,
  '07': ours,
  '08': ours,
  '09': ours,
  '10': ours,
};

/** Kansai's HV 計量日: calendar days 1–5, 8–12, 15–19, 22–24 (public [S6]); numbered 1–18 (ours). */
const kansaiHvDays = [1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19, 22, 23, 24];
const kansaiHv: AreaReadingRule = {
  numbers: range(1, 18),
  firstBusinessDay: 1,
  saturdays: false,
  closedDays: [],
  fixedDays: kansaiHvDays,
  source: 'public [S6]: calendar days 1–5, 8–12, 15–19, 22–24',
};

/** The rule for an area and voltage: HV follows the LV rule except where its own is published. */
export function readingRuleOf(area: AreaCode, voltage: ReadingVoltage): AreaReadingRule {
  if (voltage === 'HV' && area === '06') return kansaiHv;
  return areaReadingRules[area];
}

/** One day of a published calendar: number `readingGroup` reads on `readingDay`. */
export interface ReadingCalendarEntry {
  readonly voltage: ReadingVoltage;
  readonly readingGroup: ReadingGroup;
  readonly readingDay: IsoDate;
}

export interface ReadingSchedule {
  readonly area: AreaCode;
  readonly voltage: ReadingVoltage;
  readonly rule: AreaReadingRule;
  /** Whether `group` is a number of this schedule. */
  has(group: ReadingGroup): boolean;
  /** The day `group` reads in a month: the loaded calendar's, else the rule's. */
  dayOf(group: ReadingGroup, year: number, month: number): IsoDate;
}

const monthKey = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

/** The schedule of an area and voltage, with the calendar entries loaded for it (any years). */
export function readingSchedule(area: AreaCode, voltage: ReadingVoltage, calendar: readonly ReadingCalendarEntry[] = []): ReadingSchedule {
  const rule = readingRuleOf(area, voltage);
  const loaded = new Map<string, IsoDate>();
  for (const e of calendar) if (e.voltage === voltage) loaded.set(`${e.readingDay.slice(0, 7)}/${e.readingGroup}`, e.readingDay);
  return {
    area,
    voltage,
    rule,
    has: (group) => rule.numbers.includes(group) || [...loaded.keys()].some((k) => k.endsWith(`/${group}`)),
    dayOf(group, year, month) {
      const key = monthKey(year, month);
      const published = loaded.get(`${key}/${group}`);
      if (published) return published;
      const index = rule.numbers.indexOf(group);
      if (index < 0) throw new RangeError(`not a reading schedule number of area ${area} (${voltage}): ${group}`);
      const days = allocatedDays(rule, key, year, month);
      return days[Math.min(index, days.length - 1)] as IsoDate;
    },
  };
}

/**
 * The rule's days of each month, computed once per rule and month in this process: the allocation
 * depends only on the rule and the calendar of holidays (code, not data), and a look-up asks for
 * the same few months again and again. A few hundred bytes a month.
 */
const allocations = new WeakMap<AreaReadingRule, Map<string, readonly IsoDate[]>>();

function allocatedDays(rule: AreaReadingRule, key: string, year: number, month: number): readonly IsoDate[] {
  let months = allocations.get(rule);
  if (!months) allocations.set(rule, (months = new Map()));
  let days = months.get(key);
  if (!days) months.set(key, (days = Object.freeze(allocate(rule, year, month))));
  return days;
}

function isReadableSaturday(date: IsoDate): boolean {
  return dayOfWeek(date) === 6 && !isNationalHoliday(date) && !isYearEndHoliday(date);
}

/** The days numbers[0], numbers[1], … read on in a month, by the rule. */
export function allocate(rule: AreaReadingRule, year: number, month: number): IsoDate[] {
  const first = isoDate(year, month, 1);
  const until = isoDate(year, month + 1, 1);
  if (rule.fixedDays) {
    const daysInMonth = yearMonthDay(addDays(until, -1)).day;
    return rule.fixedDays.map((d) => isoDate(year, month, Math.min(d, daysInMonth)));
  }
  const closed = (d: IsoDate) => rule.closedDays.includes(d.slice(5));
  const working: IsoDate[] = [];
  for (let d = first; d < until; d = addDays(d, 1)) {
    if (closed(d)) continue;
    if (isBusinessDay(d) || (rule.saturdays && isReadableSaturday(d))) working.push(d);
  }
  // The first reading day counts business days only (Tokyo starts on the 2nd business day).
  const businessDays = working.filter(isBusinessDay);
  const start = businessDays[rule.firstBusinessDay - 1] ?? working[working.length - 1]!;
  let days = working.filter((d) => d >= start);
  if (days.length < rule.numbers.length) {
    const saturdays: IsoDate[] = [];
    for (let d = start; d < until; d = addDays(d, 1)) if (!closed(d) && isReadableSaturday(d) && !days.includes(d)) saturdays.push(d);
    days = [...days, ...saturdays.slice(0, rule.numbers.length - days.length)].sort();
  }
  return days;
}

/** The group's reading day in the month of `date` if it is not before `date`, else next month's. */
export function firstReadingDayOnOrAfter(schedule: ReadingSchedule, group: ReadingGroup, date: IsoDate): IsoDate {
  const { year, month } = yearMonthDay(date);
  const thisMonth = schedule.dayOf(group, year, month);
  if (thisMonth >= date) return thisMonth;
  return month === 12 ? schedule.dayOf(group, year + 1, 1) : schedule.dayOf(group, year, month + 1);
}

/** The group's first reading day strictly after `date`. */
export function nextReadingDayAfter(schedule: ReadingSchedule, group: ReadingGroup, date: IsoDate): IsoDate {
  return firstReadingDayOnOrAfter(schedule, group, addDays(date, 1));
}

/**
 * Synthetic data only: a schedule number derived from the ID, spread evenly over the area's numbers
 * and stable from run to run. Real points get theirs from the grid operator's registry.
 */
export function syntheticReadingGroupOf(supplyPointId: string, area: AreaCode, voltage: ReadingVoltage = 'LV'): ReadingGroup {
  let hash = 0;
  for (const ch of supplyPointId) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) >>> 0;
  const numbers = readingRuleOf(area, voltage).numbers;
  return numbers[hash % numbers.length]!;
}
