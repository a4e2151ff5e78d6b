/**
 * Scheduled meter reading days (定例検針日). Grid operators read meters on a monthly round: every
 * supply point belongs to a reading group (検針区) 1–20, and the registry stores each point's group.
 *
 * Rule (ours; the operators' real calendars are published per area but follow this shape): group g
 * reads on the g-th business day of each month; when a month has fewer than g business days (January,
 * May), on the last business day of that month. So every group reads exactly once a month, on a
 * business day, and group order is day order.
 */
import { businessDaysInMonth } from './calendar.ts';
import { addDays, yearMonthDay, type IsoDate } from './date.ts';

export type ReadingGroup = number;

export const readingGroups: readonly ReadingGroup[] = Array.from({ length: 20 }, (_, i) => i + 1);

export function isReadingGroup(value: number): value is ReadingGroup {
  return Number.isInteger(value) && value >= 1 && value <= readingGroups.length;
}

/** The reading day of a group in a month. */
export function readingDayOf(group: ReadingGroup, year: number, month: number): IsoDate {
  if (!isReadingGroup(group)) throw new RangeError(`not a reading group: ${group}`);
  const days = businessDaysInMonth(year, month);
  return days[Math.min(group, days.length) - 1] as IsoDate;
}

/** The group's reading day in the month of `date` if it is not before `date`, else next month's. */
export function firstReadingDayOnOrAfter(group: ReadingGroup, date: IsoDate): IsoDate {
  const { year, month } = yearMonthDay(date);
  const thisMonth = readingDayOf(group, year, month);
  if (thisMonth >= date) return thisMonth;
  return month === 12 ? readingDayOf(group, year + 1, 1) : readingDayOf(group, year, month + 1);
}

/** The group's first reading day strictly after `date`. */
export function nextReadingDayAfter(group: ReadingGroup, date: IsoDate): IsoDate {
  return firstReadingDayOnOrAfter(group, addDays(date, 1));
}

/**
 * Synthetic data only: a reading group derived from the ID, spread evenly over 1–20 and stable from
 * run to run. Real points get their group from the grid operator's registry, never from the number.
 */
export function syntheticReadingGroupOf(supplyPointId: string): ReadingGroup {
  let hash = 0;
  for (const ch of supplyPointId) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) >>> 0;
  return (hash % readingGroups.length) + 1;
}
