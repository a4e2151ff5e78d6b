/**
 * The business-day calendar (営業日) of the switching rules: a business day is a weekday that is
 * neither a Japanese national holiday (国民の祝日, including 振替休日 and 国民の休日) nor one of the
 * year-end and New Year days 29 December – 3 January. Lead times and reading days count these.
 *
 * Holidays come from `@holiday-jp/holiday_jp` (data 1970–2050; outside it no date is a holiday). We
 * look dates up in its table by the "YYYY-MM-DD" key: its `isHoliday(Date)` formats a Date in the
 * machine's local time zone, so the same instant could name different days on different servers,
 * and its `isHoliday(string)` scans every key on each call (~0.1 ms), too slow for month tables.
 */
import holidayJp from '@holiday-jp/holiday_jp';
import { addDays, dayOfWeek, isoDate, type IsoDate } from './date.ts';

const holidays: ReadonlySet<string> = new Set(Object.keys(holidayJp.holidays));

export function isNationalHoliday(date: IsoDate): boolean {
  return holidays.has(date);
}

/** 29 December to 3 January, when grid operators and retailers are closed. */
export function isYearEndHoliday(date: IsoDate): boolean {
  const monthDay = date.slice(5);
  return monthDay >= '12-29' || monthDay <= '01-03';
}

export function isBusinessDay(date: IsoDate): boolean {
  const weekday = dayOfWeek(date);
  return weekday !== 0 && weekday !== 6 && !isYearEndHoliday(date) && !isNationalHoliday(date);
}

/** The first business day strictly after `date`. */
export function nextBusinessDay(date: IsoDate): IsoDate {
  let d = addDays(date, 1);
  while (!isBusinessDay(d)) d = addDays(d, 1);
  return d;
}

/** The last business day strictly before `date`. */
export function previousBusinessDay(date: IsoDate): IsoDate {
  let d = addDays(date, -1);
  while (!isBusinessDay(d)) d = addDays(d, -1);
  return d;
}

/**
 * Moves `n` business days from `date`; `date` itself never counts. n > 0: the n-th business day
 * after it ("1 business day after Saturday" is Monday); n < 0: the |n|-th business day before it.
 * n = 0 rolls forward: `date` if it is a business day, else the next one.
 */
export function addBusinessDays(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`business days must be an integer: ${n}`);
  if (n === 0) return isBusinessDay(date) ? date : nextBusinessDay(date);
  let d = date;
  for (let i = 0; i < Math.abs(n); i++) d = n > 0 ? nextBusinessDay(d) : previousBusinessDay(d);
  return d;
}

/**
 * The business days stepped onto going from `a` to `b`: `b` counts, `a` does not; negative when `b`
 * is earlier. So `addBusinessDays(a, businessDaysBetween(a, b)) === b` whenever `b` is a business day.
 */
export function businessDaysBetween(a: IsoDate, b: IsoDate): number {
  return a <= b ? countBusinessDays(addDays(a, 1), addDays(b, 1)) : -countBusinessDays(b, a);
}

/** Business days in [from, until). */
function countBusinessDays(from: IsoDate, until: IsoDate): number {
  let count = 0;
  for (let d = from; d < until; d = addDays(d, 1)) if (isBusinessDay(d)) count++;
  return count;
}

/** Months are asked for again and again (20 reading groups, every point), so each is built once. */
const monthCache = new Map<string, readonly IsoDate[]>();

/** Every business day of a month, in order. */
export function businessDaysInMonth(year: number, month: number): IsoDate[] {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`not a month: ${year}-${month}`);
  }
  const first = isoDate(year, month, 1);
  let days = monthCache.get(first);
  if (!days) {
    const list: IsoDate[] = [];
    const until = isoDate(year, month + 1, 1);
    for (let d = first; d < until; d = addDays(d, 1)) if (isBusinessDay(d)) list.push(d);
    days = list;
    monthCache.set(first, days);
  }
  return [...days];
}
