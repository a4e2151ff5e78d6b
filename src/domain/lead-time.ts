/**
 * Standard lead times (標準処理期間) between matching and the switching date, and the switching date
 * they give (SYSTEM.md §5, public figures of one area, used here for all ten):
 *
 *   LV                 1 business day + 2 calendar days   (meter work: 8 business days + 2 calendar days)
 *   HV under 500 kW    8 business days                    (meter work: 20 business days)
 *
 * How "after matching" is measured (ours): from the business date on which matching completed, i.e.
 * the date in Japan (`tokyoDate`) of the matching instant. That day never counts, whatever the hour;
 * business days are added first (from a weekend or holiday, the first counted day is the next
 * business day), then calendar days. The result is the earliest allowed switching date: a requested
 * date on or after it is allowed, and may fall on any day. Without a request the switching date is
 * the point's first scheduled reading day on or after it.
 */
import { addBusinessDays } from './calendar.ts';
import type { VoltageClassCode } from './codes.ts';
import { addDays, type IsoDate } from './date.ts';
import { firstReadingDayOnOrAfter, type ReadingGroup, type ReadingSchedule } from './reading-day.ts';

/** The voltage classes the hub switches: extra-high voltage (and HV of 500 kW or more) is not. */
export type VoltageClass = Extract<VoltageClassCode, 'LV' | 'HV'>;

export interface LeadTimeOptions {
  /** Meter work is needed (計器取替等): a conventional meter must be replaced by a smart one. */
  readonly meterWork?: boolean;
}

export interface LeadTime {
  readonly businessDays: number;
  readonly calendarDays: number;
}

const leadTimes: Readonly<Record<VoltageClass, { readonly plain: LeadTime; readonly meterWork: LeadTime }>> = {
  LV: { plain: { businessDays: 1, calendarDays: 2 }, meterWork: { businessDays: 8, calendarDays: 2 } },
  HV: { plain: { businessDays: 8, calendarDays: 0 }, meterWork: { businessDays: 20, calendarDays: 0 } },
};

export function leadTime(voltage: VoltageClass, options: LeadTimeOptions = {}): LeadTime {
  const entry = leadTimes[voltage];
  return options.meterWork ? entry.meterWork : entry.plain;
}

/** The earliest switching date for a matching completed on business date `from`. */
export function earliestDate(from: IsoDate, voltage: VoltageClass, options: LeadTimeOptions = {}): IsoDate {
  const { businessDays, calendarDays } = leadTime(voltage, options);
  return addDays(addBusinessDays(from, businessDays), calendarDays);
}

/**
 * The switching date when the retailer names none (ours: slide 31 asks the retailer to name it): the
 * point's first scheduled reading day on or after the earliest date.
 */
export function defaultSwitchingDate(
  from: IsoDate,
  schedule: ReadingSchedule,
  group: ReadingGroup,
  voltage: VoltageClass,
  options: LeadTimeOptions = {},
): IsoDate {
  return firstReadingDayOnOrAfter(schedule, group, earliestDate(from, voltage, options));
}

/** The longest lead time in calendar days at most (every business day is at least one day). */
export const longestLeadTimeDays = Math.max(...Object.values(leadTimes).flatMap((e) => [e.plain, e.meterWork].map((l) => l.businessDays + l.calendarDays)));

/** Whether a requested switching date respects the lead time. */
export function isDateAllowed(requested: IsoDate, from: IsoDate, voltage: VoltageClass, options: LeadTimeOptions = {}): boolean {
  return requested >= earliestDate(from, voltage, options);
}
