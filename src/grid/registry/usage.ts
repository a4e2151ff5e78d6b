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
import { hash32, mix32, mulberry32, roughNormal, type Random } from './random.ts';
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

/** The PRNG of one point on one day. The first draws decide the day noise, the next ones the slots. */
function randomOf(idHash: number, profile: UsageProfile, day: Day): Random {
  return mulberry32(mix32(idHash ^ mix32(Math.imul(day.dayNumber, 0x9e3779b1) + profile.seed)));
}

function dayNoise(kind: UsageProfileKind, random: Random): number {
  // Solar: the weather. sqrt leans towards clear days; 0.1 + 1.35 × E[sqrt(u)] = 1.0 on average.
  if (kind === 'solar') return 0.1 + 1.35 * Math.sqrt(random());
  return Math.max(0.2, 1 + noise[kind].day * roughNormal(random));
}

/** The day's total in tenths of a kWh. */
function dailyTenths(profile: UsageProfile, day: Day, random: Random): number {
  const { kind } = profile;
  const factor = (seasonalFactor(kind, day.dayOfYear) * dayTypeFactor(kind, day.dayType)) / yearMean(kind);
  // dailyWh / 100: Wh to tenths of a kWh.
  return Math.round((profile.dailyWh / 100) * factor * dayNoise(kind, random));
}

/** A day's total in kWh. */
export function dailyUsage(subject: UsageSubject, date: IsoDate): number {
  const day = dayOf(date);
  return dailyTenths(subject.usageProfile, day, randomOf(hash32(subject.supplyPointId), subject.usageProfile, day)) / 10;
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

/** Scratch space of `halfHourlyTenthsInto` (synchronous, so one set serves every call: no garbage per point). */
const scratchWeights = new Float64Array(slotsPerDay);
const scratchRests = new Float64Array(slotsPerDay);
const scratchOrder = new Int32Array(slotsPerDay);

/**
 * The PRNG of `halfHourlyTenthsInto`: mulberry32 (random.ts) with its state in the module instead of
 * a closure, so that a million points a second cost no allocation; the same draws in the same order.
 */
let drawState = 0;
function draw(): number {
  drawState = (drawState + 0x6d2b79f5) | 0;
  return uniform(drawState);
}

/** The intraday shape of the last (kind, day) asked for: a file's points share a day and a few kinds. */
const lastShapes = new Map<UsageProfileKind, { day: Day; shape: Float64Array }>();

function shapeOf(kind: UsageProfileKind, day: Day): Float64Array {
  const last = lastShapes.get(kind);
  if (last?.day === day) return last.shape;
  const shape = intradayShape(kind, day.dayType === 0, day.month);
  lastShapes.set(kind, { day, shape });
  return shape;
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
 *
 * The same arithmetic as `spread` and `dailyTenths`, operation for operation (so the same floats),
 * written for speed: the PRNG state is a local (mulberry32 inline, the same draws in the same order)
 * rather than a module variable read and written 145 times a point, the day's factor is computed
 * once per (kind, day), and the rests are recomputed from the weights instead of stored.
 */
export function halfHourlyTenthOfSlot(supplyPointId: string, profile: UsageProfile, date: IsoDate, slotIndex: number): number {
  const day = dayOf(date);
  const kind = profile.kind;
  let state = mix32(hash32(supplyPointId) ^ mix32(Math.imul(day.dayNumber, 0x9e3779b1) + profile.seed)) | 0;
  // dailyTenths: the day noise first (dayNoise), then the total.
  let dayNoise: number;
  if (kind === 'solar') {
    state = (state + 0x6d2b79f5) | 0;
    dayNoise = 0.1 + 1.35 * Math.sqrt(uniform(state));
  } else {
    state = (state + 0x6d2b79f5) | 0;
    const u1 = uniform(state);
    state = (state + 0x6d2b79f5) | 0;
    const u2 = uniform(state);
    state = (state + 0x6d2b79f5) | 0;
    const u3 = uniform(state);
    dayNoise = Math.max(0.2, 1 + noise[kind].day * ((u1 + u2 + u3 - 1.5) * 2));
  }
  const total = Math.round((profile.dailyWh / 100) * dayFactorOf(kind, day) * dayNoise);
  const shape = shapeOf(kind, day);
  const slotNoise = noise[kind].slot;
  const weights = scratchWeights;
  let weightSum = 0;
  for (let slot = 0; slot < slotsPerDay; slot++) {
    state = (state + 0x6d2b79f5) | 0;
    const u1 = uniform(state);
    state = (state + 0x6d2b79f5) | 0;
    const u2 = uniform(state);
    state = (state + 0x6d2b79f5) | 0;
    const u3 = uniform(state);
    const w = (shape[slot] as number) * Math.max(0.05, 1 + slotNoise * ((u1 + u2 + u3 - 1.5) * 2));
    weights[slot] = w;
    weightSum += w;
  }
  if (!(weightSum > 0)) return halfHourlyTenthsInto(supplyPointId, profile, date, scratchFloors)[slotIndex] as number;
  const exactOwn = (total * (weights[slotIndex] as number)) / weightSum;
  const floorOwn = Math.floor(exactOwn);
  const rest = exactOwn - floorOwn;
  // Its place in the largest-remainder order (rests larger, then equal rests of earlier slots), and
  // the tenths still to give (total − the sum of the floors).
  let rank = 0;
  let assigned = 0;
  for (let j = 0; j < slotsPerDay; j++) {
    const exact = (total * (weights[j] as number)) / weightSum;
    const whole = Math.floor(exact);
    assigned += whole;
    const other = exact - whole;
    if (other > rest || (other === rest && j < slotIndex)) rank++;
  }
  const extra = total - assigned;
  // The extra tenths go round the order (i mod 48 for i < extra): how many land on this rank.
  const given = extra > rank ? Math.floor((extra - 1 - rank) / slotsPerDay) + 1 : 0;
  return floorOwn + given;
}

/** mulberry32's output for a state already advanced (random.ts): a float in [0, 1). */
function uniform(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

/** The factor of `dailyTenths` (season × kind of day ÷ the year's mean) of the last (kind, day). */
const lastDayFactors = new Map<UsageProfileKind, { day: Day; factor: number }>();

function dayFactorOf(kind: UsageProfileKind, day: Day): number {
  const last = lastDayFactors.get(kind);
  if (last?.day === day) return last.factor;
  const factor = (seasonalFactor(kind, day.dayOfYear) * dayTypeFactor(kind, day.dayType)) / yearMean(kind);
  lastDayFactors.set(kind, { day, factor });
  return factor;
}

const scratchFloors = new Int32Array(slotsPerDay);

/**
 * The day's total spread over the 48 slots along the shape with slot noise: the whole tenths into
 * `floors`, the rests into `scratchRests`; returns the tenths still to give (total − assigned).
 */
function spread(supplyPointId: string, profile: UsageProfile, date: IsoDate, floors: Int32Array): number {
  const day = dayOf(date);
  drawState = mix32(hash32(supplyPointId) ^ mix32(Math.imul(day.dayNumber, 0x9e3779b1) + profile.seed)) | 0;
  const total = dailyTenths(profile, day, draw);
  const shape = shapeOf(profile.kind, day);
  const slotNoise = noise[profile.kind].slot;
  const weights = scratchWeights;
  let weightSum = 0;
  for (let slot = 0; slot < slotsPerDay; slot++) {
    // roughNormal (random.ts), inline: (u1 + u2 + u3 − 1.5) × 2.
    const w = (shape[slot] as number) * Math.max(0.05, 1 + slotNoise * ((draw() + draw() + draw() - 1.5) * 2));
    weights[slot] = w;
    weightSum += w;
  }
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
  const until = dayOf(period.until).dayNumber;
  let tenths = 0;
  for (let n = dayOf(period.from).dayNumber; n < until; n++) {
    const day = dayByNumber(n);
    tenths += dailyTenths(subject.usageProfile, day, randomOf(idHash, subject.usageProfile, day));
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
