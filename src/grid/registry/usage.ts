/**
 * Usage (使用量) of a supply point, computed on demand and never stored: for any day, a daily total
 * and 48 half-hourly values (30分電力量), and for any period the sum of its daily totals.
 *
 * Deterministic and independent per day: the numbers of a day depend only on the supply point ID,
 * its usage profile and the date (a PRNG keyed by all three), so any day of any point can be
 * computed alone, on any machine, in any order, and gives the same answer every time.
 *
 * Consistent by construction: a day's total is computed first (profile size × season × kind of
 * day × day noise), then spread over the 48 slots along the intraday shape with slot noise, rounded
 * to 0.1 kWh so that the slots sum exactly to the total. A month is the sum of its daily totals,
 * which costs one PRNG draw per day, not 48: 13 months of a point take well under a millisecond.
 * All sums are kept in integer tenths of a kWh so no floating-point drift appears in a total.
 */
import { isNationalHoliday, isYearEndHoliday } from '../../domain/calendar.ts';
import { addDays, isoDate, yearMonthDay, type IsoDate } from '../../domain/date.ts';
import type { ReadingGroup, ReadingSchedule } from '../../domain/reading-day.ts';
import type { UsageProfile, UsageProfileKind } from './facility.ts';
import { hash32, mix32 } from './random.ts';
import { dayTypeFactor, intradayShape, noise, seasonalFactor, slotsPerDay, type DayType } from './usage-shape.ts';

/** A supply point as far as its usage goes; a `Facility` is one. */
export interface UsageSubject {
  readonly supplyPointId: string;
  readonly usageProfile: UsageProfile;
}

interface Day {
  readonly date: IsoDate;
  readonly dayNumber: number;
  readonly dayOfYear: number;
  readonly month: number;
  readonly dayType: DayType;
}

const dayMs = 86_400_000;

/** Days by their date text, so that a million points of one day parse it once. */
const dayByDate = new Map<string, Day>();

function dayOf(date: IsoDate): Day {
  let cached = dayByDate.get(date);
  if (!cached) {
    const { year, month, day } = yearMonthDay(date);
    cached = dayByNumber(Date.UTC(year, month - 1, day) / dayMs);
    if (dayByDate.size >= dayCacheLimit) dayByDate.clear();
    dayByDate.set(date, cached);
  }
  return cached;
}

/**
 * Days are asked for again and again (every point of a monthly batch, 13 months of an inquiry), so
 * each is described once. 5,000 entries cover more than 13 years of dates; past that the cache starts
 * afresh rather than grow without bound.
 */
const dayCache = new Map<number, Day>();
const dayCacheLimit = 5_000;

function dayByNumber(dayNumber: number): Day {
  let cached = dayCache.get(dayNumber);
  if (!cached) {
    const ms = dayNumber * dayMs;
    const date = new Date(ms).toISOString().slice(0, 10) as IsoDate;
    const { year, month, day } = yearMonthDay(date);
    const dayOfYear = (ms - Date.UTC(year, 0, 1)) / dayMs;
    const weekday = (((dayNumber + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    const md = month * 100 + day;
    const dayType: DayType = isYearEndHoliday(date) ? 4 : md >= 813 && md <= 816 ? 3 : weekday === 0 || isNationalHoliday(date) ? 2 : weekday === 6 ? 1 : 0;
    if (dayCache.size >= dayCacheLimit) dayCache.clear();
    cached = { date, dayNumber, dayOfYear, month, dayType };
    dayCache.set(dayNumber, cached);
  }
  return cached;
}

/**
 * Factors that make `dailyWh` the average over a year: the mean of season × kind of day over a
 * reference year with its real holidays (2025; other years differ by a fraction of a percent).
 */
const yearMeans = new Map<UsageProfileKind, number>();

function yearMean(kind: UsageProfileKind): number {
  let mean = yearMeans.get(kind);
  if (mean === undefined) {
    let sum = 0;
    for (let d = isoDate(2025, 1, 1); d < isoDate(2026, 1, 1); d = addDays(d, 1)) {
      const day = dayOf(d);
      sum += seasonalFactor(kind, day.dayOfYear) * dayTypeFactor(kind, day.dayType);
    }
    mean = sum / 365;
    yearMeans.set(kind, mean);
  }
  return mean;
}

/**
 * The draws of one point on one day: mulberry32 (random.ts) from this state, inline. Its state only
 * ever moves by a constant, so the k-th draw after `state` is `bitsAt(state + k × step)`: no
 * generator object, no module variable, and the draws of a slot do not wait for one another.
 * The first draws decide the day noise (one for solar, three otherwise), the next 144 the slots.
 */
function stateOf(idHash: number, profile: UsageProfile, day: Day): number {
  return mix32(idHash ^ mix32(Math.imul(day.dayNumber, 0x9e3779b1) + profile.seed)) | 0;
}

const step = 0x6d2b79f5;

/** mulberry32's output for a state already advanced, as the 32-bit integer (random() is it ÷ 2³²). */
function bitsAt(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (t ^ (t >>> 14)) >>> 0;
}

/**
 * `roughNormal` of the three draws after `state`, (u1 + u2 + u3 − 1.5) × 2, computed on the integers:
 * the same double. Each u is an integer times 2⁻³², so the sum of three (below 2³⁴ units), minus 1.5
 * (1.5 × 2³² units) and doubled, is exact in either form: no rounding ever happens in between.
 */
function normalAfter(state: number): number {
  return (bitsAt((state + step) | 0) + bitsAt((state + 2 * step) | 0) + bitsAt((state + 3 * step) | 0) - 6_442_450_944) * 2 ** -31;
}

/** What the points of one kind share on one day: the factor of the day's total, the shape and the noise levels. */
interface KindDay {
  readonly day: Day;
  readonly solar: boolean;
  /** Season × kind of day ÷ the year's mean. */
  readonly factor: number;
  readonly shape: Float64Array;
  readonly dayNoise: number;
  readonly slotNoise: number;
}

/** The last day asked for, per kind: a file's points share a day and a few kinds. */
const lastKindDays = new Map<UsageProfileKind, KindDay>();

function kindDayOf(kind: UsageProfileKind, day: Day): KindDay {
  const last = lastKindDays.get(kind);
  if (last?.day === day) return last;
  const kindDay: KindDay = {
    day,
    solar: kind === 'solar',
    factor: (seasonalFactor(kind, day.dayOfYear) * dayTypeFactor(kind, day.dayType)) / yearMean(kind),
    shape: intradayShape(kind, day.dayType === 0, day.month),
    dayNoise: noise[kind].day,
    slotNoise: noise[kind].slot,
  };
  lastKindDays.set(kind, kindDay);
  return kindDay;
}

/**
 * The day's total in tenths of a kWh (profile size × season × kind of day × day noise), from the
 * first draws after `state`. Solar's day noise is the weather: sqrt leans towards clear days;
 * 0.1 + 1.35 × E[sqrt(u)] = 1.0 on average.
 */
function totalTenths(state: number, profile: UsageProfile, kindDay: KindDay): number {
  const dayNoise = kindDay.solar
    ? 0.1 + 1.35 * Math.sqrt(bitsAt((state + step) | 0) / 4_294_967_296)
    : Math.max(0.2, 1 + kindDay.dayNoise * normalAfter(state));
  // dailyWh / 100: Wh to tenths of a kWh.
  return Math.round((profile.dailyWh / 100) * kindDay.factor * dayNoise);
}

/** The state after the day noise's draws: where the slots' draws start. */
function slotsState(state: number, kindDay: KindDay): number {
  return (state + (kindDay.solar ? 1 : 3) * step) | 0;
}

/** A day's total in kWh. */
export function dailyUsage(subject: UsageSubject, date: IsoDate): number {
  const kindDay = kindDayOf(subject.usageProfile.kind, dayOf(date));
  return totalTenths(stateOf(hash32(subject.supplyPointId), subject.usageProfile, kindDay.day), subject.usageProfile, kindDay) / 10;
}

/**
 * The 48 half-hourly values of a day in kWh, slot 1 (00:00–00:30) first; they sum to `dailyUsage`.
 * Largest-remainder rounding to 0.1 kWh keeps the sum exact.
 */
export function halfHourlyUsage(subject: UsageSubject, date: IsoDate): number[] {
  return Array.from(halfHourlyTenths(subject, date), (t) => t / 10);
}

/**
 * The same 48 values in integer tenths of a kWh: what IF_10310 answers and what the half-hourly
 * files of the data provision site carry (src/grid/provision/) are this one function's numbers.
 */
export function halfHourlyTenths(subject: UsageSubject, date: IsoDate): Int32Array {
  return halfHourlyTenthsInto(subject.supplyPointId, subject.usageProfile, date, new Int32Array(slotsPerDay));
}

/** Scratch space (the model is synchronous, so one set serves every call: no garbage per point). */
const scratchWeights = new Float64Array(slotsPerDay);
const scratchRests = new Float64Array(slotsPerDay);
const scratchOrder = new Int32Array(slotsPerDay);

/**
 * The slots' weights (the shape × slot noise, three draws a slot) from `state` on, into
 * `scratchWeights`. (Their sum is taken by the caller: a double returned from a call that is not
 * inlined is a heap object, one per point.)
 */
function slotWeights(state: number, kindDay: KindDay): void {
  const { shape, slotNoise } = kindDay;
  const weights = scratchWeights;
  for (let slot = 0; slot < slotsPerDay; slot++) {
    weights[slot] = (shape[slot] as number) * Math.max(0.05, 1 + slotNoise * normalAfter(state));
    state = (state + 3 * step) | 0;
  }
}

/**
 * `halfHourlyTenths` written into `out` (48 values), for callers that compute many points (the
 * data provision site's files): the same numbers, without allocating per point.
 */
export function halfHourlyTenthsInto(supplyPointId: string, profile: UsageProfile, date: IsoDate, out: Int32Array): Int32Array {
  const extra = spread(supplyPointId, profile, date, out);
  const order = scratchOrder;
  const rests = scratchRests;
  // Largest remainder: the slots by rest, largest first, ties by slot (insertion sort of 48: no
  // comparator calls), each of the first (total − assigned) given one tenth more.
  for (let i = 0; i < slotsPerDay; i++) {
    const rest = rests[i] as number;
    let j = i - 1;
    while (j >= 0 && (rests[order[j] as number] as number) < rest) {
      order[j + 1] = order[j] as number;
      j--;
    }
    order[j + 1] = i;
  }
  for (let i = 0; i < extra; i++) {
    const slot = order[i % slotsPerDay] as number;
    out[slot] = (out[slot] as number) + 1;
  }
  return out;
}

/**
 * One value of `halfHourlyTenths` (slot index 0–47), for a same-day file of a million points: the
 * same number without ordering the 48 rests — the slot's rank among them decides its extra tenth.
 * Every slot's weight is still drawn: the slot's share is its weight over their sum.
 */
export function halfHourlyTenthOfSlot(supplyPointId: string, profile: UsageProfile, date: IsoDate, slotIndex: number): number {
  const kindDay = kindDayOf(profile.kind, dayOf(date));
  const state = stateOf(hash32(supplyPointId), profile, kindDay.day);
  const total = totalTenths(state, profile, kindDay);
  slotWeights(slotsState(state, kindDay), kindDay);
  const weights = scratchWeights;
  let weightSum = 0;
  for (let slot = 0; slot < slotsPerDay; slot++) weightSum += weights[slot] as number;
  if (!(weightSum > 0)) return halfHourlyTenthsInto(supplyPointId, profile, date, scratchFloors)[slotIndex] as number;
  const exactOwn = (total * (weights[slotIndex] as number)) / weightSum;
  const floorOwn = Math.floor(exactOwn);
  const rest = exactOwn - floorOwn;
  // Its place in the largest-remainder order: the slots with a larger rest, and those before it with
  // an equal one (two loops, so that each comparison is a plain one: counted without a branch, where
  // a branch on random rests would be mispredicted half the time); and the tenths still to give
  // (total − the sum of the floors).
  let rank = 0;
  let assigned = 0;
  let j = 0;
  for (; j < slotIndex; j++) {
    const exact = (total * (weights[j] as number)) / weightSum;
    const whole = Math.floor(exact);
    assigned += whole;
    rank += +(exact - whole >= rest);
  }
  for (; j < slotsPerDay; j++) {
    const exact = (total * (weights[j] as number)) / weightSum;
    const whole = Math.floor(exact);
    assigned += whole;
    rank += +(exact - whole > rest);
  }
  const extra = total - assigned;
  // The extra tenths go round the order (i mod 48 for i < extra): how many land on this rank.
  const given = extra > rank ? Math.floor((extra - 1 - rank) / slotsPerDay) + 1 : 0;
  return floorOwn + given;
}

const scratchFloors = new Int32Array(slotsPerDay);

/**
 * The day's total spread over the 48 slots along the shape with slot noise: the whole tenths into
 * `floors`, the rests into `scratchRests`; returns the tenths still to give (total − assigned).
 */
function spread(supplyPointId: string, profile: UsageProfile, date: IsoDate, floors: Int32Array): number {
  const kindDay = kindDayOf(profile.kind, dayOf(date));
  const state = stateOf(hash32(supplyPointId), profile, kindDay.day);
  const total = totalTenths(state, profile, kindDay);
  slotWeights(slotsState(state, kindDay), kindDay);
  const weights = scratchWeights;
  let weightSum = 0;
  for (let slot = 0; slot < slotsPerDay; slot++) weightSum += weights[slot] as number;
  const rests = scratchRests;
  let assigned = 0;
  for (let slot = 0; slot < slotsPerDay; slot++) {
    const exact = weightSum > 0 ? (total * (weights[slot] as number)) / weightSum : 0;
    const whole = Math.floor(exact);
    floors[slot] = whole;
    assigned += whole;
    rests[slot] = exact - whole;
  }
  return total - assigned;
}

export interface UsagePeriod {
  /** First day of the period. */
  readonly from: IsoDate;
  /** The day after the last one (the period is [from, until)). */
  readonly until: IsoDate;
}

/** Energy over [from, until) in kWh: the sum of the daily totals. */
export function usageBetween(subject: UsageSubject, period: UsagePeriod): number {
  const idHash = hash32(subject.supplyPointId);
  const profile = subject.usageProfile;
  const until = dayOf(period.until).dayNumber;
  let tenths = 0;
  for (let n = dayOf(period.from).dayNumber; n < until; n++) {
    const kindDay = kindDayOf(profile.kind, dayByNumber(n));
    tenths += totalTenths(stateOf(idHash, profile, kindDay.day), profile, kindDay);
  }
  return tenths / 10;
}

/** One month of a meter-reading round: the reading month ("YYYY-MM") and the days it covers. */
export interface ReadingMonth extends UsagePeriod {
  readonly month: string;
}

/**
 * The last `count` reading months of a reading group that ended on or before `today`, oldest
 * first. A reading month runs from one scheduled reading day (定例検針日) up to, not including, the
 * next, and is named by the month of its closing reading day.
 */
export function readingMonths(schedule: ReadingSchedule, group: ReadingGroup, today: IsoDate, count = 13): ReadingMonth[] {
  let { year, month } = yearMonthDay(today);
  if (schedule.dayOf(group, year, month) > today) ({ year, month } = previousMonth(year, month));
  const months: ReadingMonth[] = [];
  for (let i = 0; i < count; i++) {
    const before = previousMonth(year, month);
    months.unshift({
      month: `${year}-${String(month).padStart(2, '0')}`,
      from: schedule.dayOf(group, before.year, before.month),
      until: schedule.dayOf(group, year, month),
    });
    ({ year, month } = before);
  }
  return months;
}

function previousMonth(year: number, month: number): { year: number; month: number } {
  return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
}

/** Energy of each period in kWh, in the order given. */
export function monthlyUsage<P extends UsagePeriod>(subject: UsageSubject, periods: readonly P[]): (P & { kWh: number })[] {
  return periods.map((period) => ({ ...period, kWh: usageBetween(subject, period) }));
}
