/**
 * Usage info (使用量情報照会): IF_10310 for low voltage, IF_K10310 for high voltage; not for LV FIT
 * receiving points. Needs a usage password issued for the supply point (usage-password.handler.ts),
 * still valid, and issued while the current customer held the point. Any retailer may use it within
 * its validity: the customer may show it to other retailers (SYSTEM.md §5).
 *
 * Answers, in the catalogue's fields (src/interfaces/catalogue/lookup.ts), the last 13 reading
 * months (`monthlyUsage`: each from one scheduled reading day to the day before the next, `from`–`to`
 * inclusive, named by the month of its closing reading day; for HV also the month's maximum demand,
 * twice the largest half-hour) and, for a smart meter and a requested `halfHourlyDate`, that day's
 * 48 half-hourly values (`halfHourly`: slot 1 = 00:00–00:30), in kWh; with the meter kind and the
 * last valid day of the password used.
 *
 * Data of a previous name-holder is withheld (SYSTEM.md §5): a month that ended before the current
 * customer's tenure began is listed without kWh (`withheld` "1"); the month in which the tenure
 * began counts from the first day of the tenure only (`partial` "1", `from` = that day); half-hourly
 * values of a day before the tenure are not given. `withheldBefore` and a GRID_USAGE_WITHHELD notice
 * say from which day data is shown. A conventional meter has no half-hourly values
 * (GRID_USAGE_NO_HALF_HOURLY notice), nor has a smart meter for days before it was installed
 * (GRID_USAGE_BEFORE_SMART_METER).
 */
import type { MeterKindCode } from '../../domain/codes.ts';
import { addDays, daysBetween, type IsoDate } from '../../domain/date.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { ReceptionMessage } from '../../interfaces/message.ts';
import { ok, today, type GridContext, type InterfaceHandler } from '../context.ts';
import type { Facility } from '../registry/facility.ts';
import { halfHourlyUsage, readingMonths, usageBetween, type UsagePeriod } from '../registry/usage.ts';
import { facilityWithScheduleOf, notice, optionalDate, requireUsageVariant, requiredText, supplyPointIdOf } from './request.ts';
import { usagePasswordMatches, validUntilFromExpiry } from './usage-password.ts';
import { usagePasswordsOf, type UsagePasswordApplication } from './usage-password.repository.ts';

/** 13 months (SYSTEM.md §3). */
export const usageMonths = 13;

/** The catalogue's flag codes (有無): "0" no, "1" yes. */
type Flag = '0' | '1';

export type UsageMonth = {
  readonly month: string;
  readonly from: IsoDate;
  /** The period's last day (inclusive). */
  readonly to: IsoDate;
  /** Null when withheld. */
  readonly kWh: number | null;
  /** HV only: the month's maximum demand in kW (twice the largest half-hour's kWh). */
  readonly maxDemandKw?: number | null;
  readonly withheld: Flag;
  readonly partial: Flag;
};

export type UsageInfo = {
  readonly supplyPointId: string;
  readonly meterKind: MeterKindCode | null;
  /** The last day on which the password used may be used. */
  readonly passwordValidUntil: IsoDate;
  /** Usage before this day is a previous name-holder's and is withheld; null when nothing is. */
  readonly withheldBefore: IsoDate | null;
  readonly monthlyUsage: readonly UsageMonth[];
  readonly halfHourlyDate: IsoDate | null;
  readonly halfHourly: readonly { readonly slot: number; readonly kWh: number }[];
  /** With halfHourlyTo: every day of the range with its values. */
  readonly halfHourlyDays: readonly { readonly date: IsoDate; readonly halfHourly: readonly { readonly slot: number; readonly kWh: number }[] }[];
};

/** The most days of half-hourly values one call answers (ours). */
export const halfHourlyRangeDays = 31;

export function usageHandler(voltage: 'LV' | 'HV'): InterfaceHandler {
  const counterpart = voltage === 'LV' ? 'IF_K10310' : 'IF_10310';
  return async (ctx, request) => {
    supplyPointIdOf(ctx, request);
    const password = requiredText(request, 'usagePassword');
    const date = optionalDate(request, 'halfHourlyDate');
    const to = optionalDate(request, 'halfHourlyTo');
    const day = today(ctx);
    // The point and its number's published reading days in one round trip.
    const { facility, schedule } = await facilityWithScheduleOf(ctx, request, day);
    requireUsageVariant(facility, voltage, counterpart);
    const used = await checkPassword(ctx, facility, password);

    const periods = readingMonths(schedule, facility.readingGroup, day, usageMonths);
    const first = periods[0]!.from;
    const tenure = facility.tenureSince;
    const withheldBefore = tenure !== null && tenure > first ? tenure : null;
    const monthlyUsage = periods.map((p): UsageMonth => {
      const to = addDays(p.until, -1);
      if (withheldBefore !== null && p.until <= withheldBefore) {
        return { month: p.month, from: p.from, to, kWh: null, ...(voltage === 'HV' ? { maxDemandKw: null } : {}), withheld: '1', partial: '0' };
      }
      const from = withheldBefore !== null && withheldBefore > p.from ? withheldBefore : p.from;
      const period = { from, until: p.until };
      const demand = voltage === 'HV' ? { maxDemandKw: maxDemandKw(facility, period) } : {};
      return { month: p.month, from, to, kWh: usageBetween(facility, period), ...demand, withheld: '0', partial: from === p.from ? '0' : '1' };
    });

    const notices: ReceptionMessage[] = [];
    if (withheldBefore !== null) notices.push(notice('GRID_USAGE_WITHHELD', { before: withheldBefore }));
    const smart = facility.meters.find((m) => m.kind === 'smart');
    if (!smart) notices.push(notice('GRID_USAGE_NO_HALF_HOURLY'));
    let halfHourly: UsageInfo['halfHourly'] = [];
    const halfHourlyDays: { date: IsoDate; halfHourly: UsageInfo['halfHourly'] }[] = [];
    if (to !== undefined && date === undefined) throw new Refusal('GRID_FIELD_REQUIRED', { field: 'halfHourlyDate', params: { field: '30分値取得日' } });
    if (date !== undefined) {
      const last = addDays(day, -1);
      if (date < first || date > last) throw new Refusal('GRID_USAGE_DATE_OUT_OF_RANGE', { field: 'halfHourlyDate', params: { from: first, to: last } });
      if (to !== undefined) {
        if (to < date || to > last) throw new Refusal('GRID_USAGE_DATE_OUT_OF_RANGE', { field: 'halfHourlyTo', params: { from: date, to: last } });
        if (daysBetween(date, to) >= halfHourlyRangeDays)
          throw new Refusal('GRID_USAGE_RANGE_TOO_LONG', { field: 'halfHourlyTo', params: { days: halfHourlyRangeDays } });
      }
      const valuesOf = (d: IsoDate): UsageInfo['halfHourly'] =>
        smart && d >= smart.installedOn && (withheldBefore === null || d >= withheldBefore)
          ? halfHourlyUsage(facility, d).map((kWh, i) => ({ slot: i + 1, kWh }))
          : [];
      if (smart && date < smart.installedOn) notices.push(notice('GRID_USAGE_BEFORE_SMART_METER', { date, installedOn: smart.installedOn }));
      halfHourly = valuesOf(date);
      if (to !== undefined) for (let d = date; d <= to; d = addDays(d, 1)) halfHourlyDays.push({ date: d, halfHourly: valuesOf(d) });
    }

    const info: UsageInfo = {
      supplyPointId: facility.supplyPointId,
      meterKind: smart ? 'smart' : (facility.meters[0]?.kind ?? null),
      passwordValidUntil: validUntilFromExpiry(used.passwordExpiresAt!),
      withheldBefore,
      monthlyUsage,
      halfHourlyDate: date ?? null,
      halfHourly,
      halfHourlyDays,
    };
    return ok(info, notices);
  };
}

/** Twice the largest half-hour's kWh over [from, until), in kW to 0.1. */
function maxDemandKw(facility: Facility, period: UsagePeriod): number {
  let max = 0;
  for (let d = period.from; d < period.until; d = addDays(d, 1)) {
    for (const kWh of halfHourlyUsage(facility, d)) if (kWh > max) max = kWh;
  }
  return Math.round(max * 20) / 10;
}

/**
 * The application whose password this is, if it unlocks the point now: refused as wrong when no
 * password issued for the point matches, as expired when only expired ones do, and as superseded
 * when it was issued for a customer who no longer holds the point.
 */
async function checkPassword(ctx: GridContext, facility: Facility, password: string): Promise<UsagePasswordApplication> {
  const issued = await usagePasswordsOf(ctx.db, ctx.schema, facility.supplyPointId);
  const matching = issued.filter((a) => usagePasswordMatches(password, { salt: a.passwordSalt!, hash: a.passwordHash! }));
  if (matching.length === 0) throw new Refusal('GRID_USAGE_PASSWORD_WRONG', { field: 'usagePassword' });
  const now = ctx.clock.now();
  const live = matching.filter((a) => a.passwordExpiresAt! > now);
  if (live.length === 0) {
    throw new Refusal('GRID_USAGE_PASSWORD_EXPIRED', {
      field: 'usagePassword',
      params: { validUntil: validUntilFromExpiry(matching[0]!.passwordExpiresAt!) },
    });
  }
  const current = live.find((a) => a.customerId === facility.customer?.customerId);
  if (!current) throw new Refusal('GRID_USAGE_PASSWORD_CUSTOMER_CHANGED', { field: 'usagePassword' });
  return current;
}
