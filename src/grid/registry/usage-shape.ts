/**
 * The shapes computed usage follows, per usage profile kind: how energy varies over the year
 * (seasonal factor), by kind of day (weekday, Saturday, Sunday or holiday, Obon, year end), and over
 * the 48 half-hour slots of a day (intraday shape). Numbers are modelled on published Japanese load
 * curves (household evening peaks, air conditioning in summer afternoons, heating on winter mornings
 * and evenings, business hours for shops and offices, factory shifts with a lunch dip), not fitted
 * to any data set: they only need to look right on a chart and in a monthly table.
 */
import type { UsageProfileKind } from './facility.ts';

export const slotsPerDay = 48;

/** 0 weekday, 1 Saturday, 2 Sunday or national holiday, 3 Obon (13–16 Aug), 4 year end (29 Dec–3 Jan). */
export type DayType = 0 | 1 | 2 | 3 | 4;

/** Energy of each kind of day relative to a weekday. */
const dayTypeFactors: Readonly<Record<UsageProfileKind, readonly [number, number, number, number, number]>> = {
  household: [1, 1.08, 1.12, 1.12, 1.15],
  shop: [1, 1.1, 1.05, 1.05, 0.7],
  office: [1, 0.4, 0.28, 0.55, 0.3],
  factory: [1, 0.55, 0.3, 0.3, 0.25],
  solar: [1, 1, 1, 1, 1],
  streetlight: [1, 1, 1, 1, 1],
};

export function dayTypeFactor(kind: UsageProfileKind, dayType: DayType): number {
  return dayTypeFactors[kind][dayType];
}

/** A bump centred on a day of the year, wrapping round the year end. */
function seasonalBump(dayOfYear: number, centre: number, width: number): number {
  const d = Math.min(Math.abs(dayOfYear - centre), 365 - Math.abs(dayOfYear - centre));
  return Math.exp(-(d * d) / (2 * width * width));
}

/** Hours of daylight at about 35°N (Tokyo, Osaka, Nagoya): 9.8 h at the winter solstice, 14.5 h in June. */
export function daylightHours(dayOfYear: number): number {
  return 12.15 + 2.35 * Math.cos((2 * Math.PI * (dayOfYear - 172)) / 365);
}

/** Solar noon in Japan Standard Time at about 137°E, the middle of the main islands. */
const solarNoon = 11.8;

/** Winter (heating) peak centred on 25 January, summer (cooling) peak on 5 August. */
function rawSeasonal(kind: UsageProfileKind, doy: number): number {
  const winter = seasonalBump(doy, 25, 42);
  const summer = seasonalBump(doy, 217, 28);
  switch (kind) {
    case 'household':
      return 1 + 0.55 * winter + 0.35 * summer;
    case 'shop':
      return 1 + 0.15 * winter + 0.35 * summer;
    case 'office':
      return 1 + 0.2 * winter + 0.45 * summer;
    case 'factory':
      return 1 + 0.05 * winter + 0.12 * summer;
    case 'solar':
      // Japanese PV yields peak in May (long days, cool panels) and bottom out in December.
      return 1 + 0.35 * Math.cos((2 * Math.PI * (doy - 140)) / 365);
    case 'streetlight':
      return (24 - daylightHours(doy)) / 12;
  }
}

const seasonalCache = new Map<UsageProfileKind, Float64Array>();

/** The seasonal factor of a day of the year (0 = 1 January), relative to the kind's yearly mean. */
export function seasonalFactor(kind: UsageProfileKind, dayOfYear: number): number {
  let table = seasonalCache.get(kind);
  if (!table) {
    table = new Float64Array(366);
    for (let d = 0; d < 366; d++) table[d] = rawSeasonal(kind, d);
    seasonalCache.set(kind, table);
  }
  return table[dayOfYear] as number;
}

/** A bump centred on an hour of the day. */
function hourBump(hour: number, centre: number, width: number): number {
  const d = hour - centre;
  return Math.exp(-(d * d) / (2 * width * width));
}

/** About 1 between `open` and `close`, ramping over roughly half an hour each side. */
function plateau(hour: number, open: number, close: number): number {
  return 1 / (1 + Math.exp(-(hour - open) * 6)) / (1 + Math.exp((hour - close) * 6));
}

/** Relative demand at `hour` (0–24) on a working day (`work`) or a day off, at a day of the year. */
function rawShape(kind: UsageProfileKind, work: boolean, doy: number, hour: number): number {
  const summer = seasonalBump(doy, 217, 35);
  const winter = seasonalBump(doy, 25, 50);
  const sunrise = solarNoon - daylightHours(doy) / 2;
  const sunset = solarNoon + daylightHours(doy) / 2;
  switch (kind) {
    case 'household': {
      const morning = work ? hourBump(hour, 7, 1) * 0.9 : hourBump(hour, 8.5, 1.5) * 0.8;
      const midday = (work ? 0.2 : 0.6) * hourBump(hour, 12.5, 2.5);
      const evening = 1.3 * hourBump(hour, 19.5, 2);
      const cooling = summer * (0.6 * hourBump(hour, 15, 3.5) + 0.35 * hourBump(hour, 23, 2.5));
      const heating = winter * (0.6 * hourBump(hour, 7, 1.5) + 0.5 * hourBump(hour, 20.5, 2.5));
      return 0.3 + morning + midday + evening + cooling + heating;
    }
    case 'shop':
      return 0.25 + plateau(hour, 9.5, 20.5) * (1 + 0.35 * summer * hourBump(hour, 15, 3)) + (work ? 0 : 0.1 * plateau(hour, 11, 18));
    case 'office':
      return work
        ? 0.2 + plateau(hour, 8.5, 18.5) * (1 + 0.3 * summer * hourBump(hour, 14, 3) + 0.2 * winter * hourBump(hour, 9, 1)) + 0.25 * hourBump(hour, 20, 1.2)
        : 0.2 + 0.05 * plateau(hour, 9, 17);
    case 'factory':
      return work ? 0.35 + plateau(hour, 8, 17.5) - 0.25 * hourBump(hour, 12.25, 0.4) : 0.35;
    case 'solar':
      return hour <= sunrise || hour >= sunset ? 0 : Math.sin((Math.PI * (hour - sunrise)) / (sunset - sunrise)) ** 1.2;
    case 'streetlight':
      return hour < sunrise - 0.25 || hour > sunset + 0.25 ? 1 : 0;
  }
}

const shapeCache = new Map<string, Float64Array>();

/**
 * The day's shape: 48 weights summing to 1. The season enters through the middle day of the month,
 * so a shape is built once per kind, kind of day and month (6 × 2 × 12 arrays).
 */
export function intradayShape(kind: UsageProfileKind, work: boolean, month: number): Float64Array {
  const key = `${kind}/${work ? 'w' : 'o'}/${month}`;
  let shape = shapeCache.get(key);
  if (!shape) {
    const doy = Math.round((month - 1) * 30.44 + 15);
    shape = new Float64Array(slotsPerDay);
    let sum = 0;
    for (let slot = 0; slot < slotsPerDay; slot++) {
      const value = Math.max(0, rawShape(kind, work, doy, (slot + 0.5) / 2));
      shape[slot] = value;
      sum += value;
    }
    for (let slot = 0; slot < slotsPerDay; slot++) shape[slot] = (shape[slot] as number) / sum;
    shapeCache.set(key, shape);
  }
  return shape;
}

/** Day-to-day variation (standard deviation, relative) and slot-to-slot variation within a day. */
export const noise: Readonly<Record<UsageProfileKind, { readonly day: number; readonly slot: number }>> = {
  household: { day: 0.15, slot: 0.35 },
  shop: { day: 0.08, slot: 0.12 },
  office: { day: 0.06, slot: 0.08 },
  factory: { day: 0.08, slot: 0.1 },
  // For solar the day variation is the weather; see usage.ts.
  solar: { day: 0, slot: 0.15 },
  streetlight: { day: 0.02, slot: 0.01 },
};
