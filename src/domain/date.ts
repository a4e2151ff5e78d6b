/**
 * Calendar dates as "YYYY-MM-DD" strings (`IsoDate`). Business dates are dates in Japan (Asia/Tokyo,
 * UTC+9 all year, no daylight saving), whatever the time zone of the machine.
 */
import { Refusal } from './refusal.ts';

export type IsoDate = string & { readonly __isoDate: unique symbol };

const dayMs = 86_400_000;
const jstOffsetMs = 9 * 3_600_000;

/** Parses "YYYY-MM-DD" (full-width digits accepted), refusing malformed and impossible dates. */
export function parseIsoDate(input: string, field = 'date'): IsoDate {
  const text = input.normalize('NFKC').trim().replace(/\//g, '-');
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new Refusal('DATE_FORMAT', { field });
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    throw new Refusal('DATE_INVALID', { field });
  }
  return text as IsoDate;
}

/** The date in Japan at an instant. */
export function tokyoDate(instant: Date): IsoDate {
  return new Date(instant.getTime() + jstOffsetMs).toISOString().slice(0, 10) as IsoDate;
}

/** The instant a date begins in Japan (00:00 JST). */
export function tokyoMidnight(date: IsoDate): Date {
  return new Date(toUtcMs(date) - jstOffsetMs);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromUtcMs(toUtcMs(date) + days * dayMs);
}

/** Days from `a` to `b` (positive when b is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round((toUtcMs(b) - toUtcMs(a)) / dayMs);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return new Date(toUtcMs(date)).getUTCDay();
}

export function isoDate(year: number, month: number, day: number): IsoDate {
  return fromUtcMs(Date.UTC(year, month - 1, day));
}

export function yearMonthDay(date: IsoDate): { year: number; month: number; day: number } {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

function toUtcMs(date: IsoDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

function fromUtcMs(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10) as IsoDate;
}
