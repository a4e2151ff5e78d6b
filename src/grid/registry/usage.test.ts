import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, parseIsoDate, type IsoDate } from '../../domain/date.ts';
import type { UsageProfile } from './facility.ts';
import {
  dailyUsage,
  halfHourlyTenthOfSlot,
  halfHourlyTenths,
  halfHourlyTenthsInto,
  halfHourlyUsage,
  monthlyUsage,
  readingMonths,
  usageBetween,
  type UsageSubject,
} from './usage.ts';
import { readingSchedule } from '../../domain/reading-day.ts';

const kansai = readingSchedule('06', 'LV');

const household: UsageSubject = {
  supplyPointId: '0313010000000000000110',
  usageProfile: { kind: 'household', dailyWh: 10_000, seed: 42 },
};

function subject(kind: UsageProfile['kind'], id = 1): UsageSubject {
  return { supplyPointId: `03130100000000000${String(id).padStart(3, '0')}10`, usageProfile: { kind, dailyWh: 10_000, seed: id } };
}

/** Mean daily kWh over many points, so that per-point noise averages out. */
function meanDaily(kind: UsageProfile['kind'], from: string, days: number): number {
  let sum = 0;
  for (let p = 0; p < 40; p++) {
    sum += usageBetween(subject(kind, p), { from: parseIsoDate(from), until: addDays(parseIsoDate(from), days) });
  }
  return sum / 40 / days;
}

test('the same point, profile and day always give the same values', () => {
  const date = parseIsoDate('2026-01-15');
  assert.deepEqual(halfHourlyUsage(household, date), halfHourlyUsage(household, date));
  assert.equal(dailyUsage(household, date), dailyUsage({ ...household }, date));
});

test('another point, seed or day gives other values', () => {
  const date = parseIsoDate('2026-01-15');
  const base = halfHourlyUsage(household, date);
  assert.notDeepEqual(halfHourlyUsage({ ...household, supplyPointId: '0313010000000000000210' }, date), base);
  assert.notDeepEqual(halfHourlyUsage({ ...household, usageProfile: { ...household.usageProfile, seed: 43 } }, date), base);
  assert.notDeepEqual(halfHourlyUsage(household, addDays(date, 1)), base);
});

test('a day has 48 non-negative half-hourly values in tenths of a kWh summing to the daily total', () => {
  for (let d = parseIsoDate('2026-03-01'); d < parseIsoDate('2026-03-15'); d = addDays(d, 1)) {
    const slots = halfHourlyUsage(household, d);
    assert.equal(slots.length, 48);
    for (const v of slots) {
      assert.ok(v >= 0);
      assert.equal(Math.round(v * 10), v * 10);
    }
    const sumTenths = slots.reduce((s, v) => s + Math.round(v * 10), 0);
    assert.equal(sumTenths, Math.round(dailyUsage(household, d) * 10));
  }
});

test('a household peaks in the evening and is lowest before dawn', () => {
  const evening = new Array(48).fill(0) as number[];
  let day: IsoDate = parseIsoDate('2026-10-05');
  for (let i = 0; i < 28; i++, day = addDays(day, 1)) {
    halfHourlyUsage(household, day).forEach((v, slot) => {
      evening[slot] = (evening[slot] as number) + v;
    });
  }
  const peakSlot = evening.indexOf(Math.max(...evening));
  assert.ok(peakSlot >= 36 && peakSlot <= 42, `peak at slot ${peakSlot + 1}`); // 18:00–21:30
  const at = (hour: number) => evening[hour * 2] as number;
  assert.ok(at(4) < at(7) && at(4) < at(19));
});

test('households use more in summer and winter than in spring', () => {
  const spring = meanDaily('household', '2026-05-10', 14);
  assert.ok(meanDaily('household', '2026-08-01', 14) > spring * 1.1);
  assert.ok(meanDaily('household', '2026-01-20', 14) > spring * 1.2);
});

test('offices use less at weekends and solar points generate nothing at night', () => {
  assert.ok(meanDaily('office', '2026-06-13', 2) < meanDaily('office', '2026-06-15', 5) * 0.6); // Sat–Sun vs Mon–Fri
  const solar = halfHourlyUsage(subject('solar'), parseIsoDate('2026-06-20'));
  assert.equal(solar[1], 0);
  assert.equal(solar[46], 0);
  assert.ok((solar[24] as number) > 0);
});

test('a year of a point averages its profile daily energy to within a few percent', () => {
  const year = usageBetween(household, { from: parseIsoDate('2025-01-01'), until: parseIsoDate('2026-01-01') });
  assert.ok(Math.abs(year / 365 - 10) < 0.5, `mean ${year / 365} kWh/day`);
});

test('a month is the sum of its daily totals', () => {
  const [month] = monthlyUsage(household, [{ from: parseIsoDate('2026-02-01'), until: parseIsoDate('2026-03-01') }]);
  let tenths = 0;
  for (let d = parseIsoDate('2026-02-01'); d < parseIsoDate('2026-03-01'); d = addDays(d, 1)) {
    tenths += Math.round(dailyUsage(household, d) * 10);
  }
  assert.equal(month?.kWh, tenths / 10);
});

test('thirteen reading months run from reading day to reading day and end by today', () => {
  // Tokyo's number 26 reads on 28 Dec 2026 and 29 Jan 2027: the month in between is one period.
  const tokyoMonths = readingMonths(readingSchedule('03', 'LV'), 26, parseIsoDate('2027-02-10'), 2);
  assert.deepEqual(tokyoMonths.at(-1), { month: '2027-01', from: '2026-12-28', until: '2027-01-29' });
  const months = readingMonths(kansai, 5, parseIsoDate('2026-11-28'));
  assert.equal(months.length, 13);
  assert.equal(months.at(-1)?.month, '2026-11');
  assert.ok((months.at(-1)?.until as string) <= '2026-11-28');
  for (let i = 1; i < months.length; i++) assert.equal(months[i]?.from, months[i - 1]?.until);
  const early = readingMonths(kansai, 20, parseIsoDate('2026-11-02'), 1);
  assert.equal(early[0]?.month, '2026-10');
});

// Speed is measured in `npm run bench`, not here: a timed test fails on a busy machine.
test('points with the same profile still have months of their own (per-point seed)', () => {
  const months = readingMonths(kansai, 1, parseIsoDate('2026-11-28'));
  const totals = new Set<number>();
  for (let i = 0; i < 20; i++) {
    const usage = monthlyUsage({ ...household, supplyPointId: `03130100000000${String(i).padStart(6, '0')}10` }, months);
    totals.add(usage.reduce((sum, m) => sum + m.kWh, 0));
  }
  assert.ok(totals.size > 15, `only ${totals.size} different totals for 20 points`);
});

test('the values never change: 3,000 point-days hash to the figure pinned before the fast path (files regenerate to their stored SHA-256)', () => {
  const kinds = ['household', 'shop', 'office', 'factory', 'solar'] as const;
  const hash = createHash('sha256');
  const into = new Int32Array(48);
  for (let i = 0; i < 1000; i++) {
    for (const date of ['2026-01-01', '2026-08-14', '2026-11-28'] as IsoDate[]) {
      const supplyPointId = `03${String(i * 7919).padStart(18, '0')}10`;
      const usageProfile = { kind: kinds[i % 5]!, dailyWh: 1000 + (i % 97) * 1500, seed: i * 31 };
      const values = halfHourlyTenths({ supplyPointId, usageProfile }, date);
      assert.deepEqual(halfHourlyTenthsInto(supplyPointId, usageProfile, date, into), values, 'the allocation-free path gives the same values');
      const slot = (i * 7) % 48;
      assert.equal(halfHourlyTenthOfSlot(supplyPointId, usageProfile, date, slot), values[slot], 'one slot alone gives the same value');
      hash.update(Buffer.from(values.buffer));
    }
  }
  assert.equal(hash.digest('hex'), 'b41aebd90b1197d4a21f49acf952a375954d697cf6eb879dc605bb92000addf1');
});

test('one slot alone equals the 48 values’ slot, for every slot of many points and days (the same-day files’ path)', () => {
  const kinds = ['household', 'shop', 'office', 'factory', 'solar'] as const;
  for (let i = 0; i < 400; i++) {
    for (const date of ['2026-03-01', '2026-12-31'] as IsoDate[]) {
      const supplyPointId = `06${String(i * 104_729).padStart(18, '0')}20`;
      const usageProfile = { kind: kinds[i % 5]!, dailyWh: 200 + (i % 13) * 4_000, seed: i };
      const values = halfHourlyTenths({ supplyPointId, usageProfile }, date);
      for (let slot = 0; slot < 48; slot++) assert.equal(halfHourlyTenthOfSlot(supplyPointId, usageProfile, date, slot), values[slot]);
    }
  }
});
