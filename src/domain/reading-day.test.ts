import { test } from 'node:test';
import assert from 'node:assert/strict';
import { areaCodes } from './area.ts';
import { isBusinessDay } from './calendar.ts';
import { dayOfWeek, parseIsoDate, type IsoDate } from './date.ts';
import { areaReadingRules, firstReadingDayOnOrAfter, nextReadingDayAfter, readingSchedule, syntheticReadingGroupOf } from './reading-day.ts';

const d = (s: string): IsoDate => parseIsoDate(s);
const tokyo = readingSchedule('03', 'LV');
const hokkaido = readingSchedule('01', 'LV');
const chubu = readingSchedule('04', 'LV');
const kansai = readingSchedule('06', 'LV');
const kansaiHv = readingSchedule('06', 'HV');

test('Tokyo numbers its schedule 01–26 without 05, 06, 07, 13, 14, 20 and 21', () => {
  assert.deepEqual(tokyo.rule.numbers, [1, 2, 3, 4, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19, 22, 23, 24, 25, 26]);
  assert.equal(tokyo.has(8), true);
  assert.equal(tokyo.has(5), false);
  assert.throws(() => tokyo.dayOf(5, 2026, 4), RangeError);
  assert.throws(() => tokyo.dayOf(27, 2026, 4), RangeError);
});

test('Tokyo reads number 01 on the second business day of the month, and the next numbers on the following business days', () => {
  assert.equal(tokyo.dayOf(1, 2026, 4), '2026-04-02'); // 1 April is the first business day
  assert.equal(tokyo.dayOf(4, 2026, 4), '2026-04-07'); // over the weekend of 4–5 April
  assert.equal(tokyo.dayOf(8, 2026, 4), '2026-04-08'); // the number after 04 is 08: the unused numbers take no day
  assert.equal(tokyo.dayOf(26, 2026, 4), '2026-04-28');
});

test('Tokyo in January starts after the New Year days: the second business day is 5 January 2027', () => {
  assert.equal(tokyo.dayOf(1, 2027, 1), '2027-01-05'); // 1–3 Jan closed, 4 Jan first business day
});

test('when a month has fewer working days than numbers, Saturdays are read (Tokyo, Golden Week 2026)', () => {
  // From the 2nd business day (7 May) there are 17 business days for 19 numbers: Saturdays 9 and 16 May are added.
  assert.equal(tokyo.dayOf(1, 2026, 5), '2026-05-07');
  assert.equal(tokyo.dayOf(3, 2026, 5), '2026-05-09');
  assert.equal(dayOfWeek(tokyo.dayOf(3, 2026, 5)), 6);
  assert.equal(tokyo.dayOf(26, 2026, 5), '2026-05-29');
});

test('Hokkaido reads on Saturdays as on weekdays, numbers 01–23', () => {
  assert.deepEqual(
    hokkaido.rule.numbers,
    Array.from({ length: 23 }, (_, i) => i + 1),
  );
  assert.equal(hokkaido.dayOf(2, 2026, 5), '2026-05-02'); // Saturday 2 May
  assert.equal(hokkaido.dayOf(3, 2026, 5), '2026-05-07'); // 3–6 May are holidays
  assert.equal(hokkaido.dayOf(5, 2026, 5), '2026-05-09');
});

test('Chubu does not read on 15 August, numbers 07 and 14 unused', () => {
  assert.equal(chubu.has(7), false);
  assert.equal(chubu.has(14), false);
  // 15 August 2025 was a Friday: Chubu skips it, Kansai (ours) reads on it.
  const chubuDays = chubu.rule.numbers.map((n) => chubu.dayOf(n, 2025, 8));
  assert.equal(chubuDays.includes(d('2025-08-15')), false);
  assert.equal(kansai.rule.numbers.map((n) => kansai.dayOf(n, 2025, 8)).includes(d('2025-08-15')), true);
});

test('areas whose schedule is not public read number g on the g-th business day (ours)', () => {
  assert.equal(kansai.dayOf(1, 2026, 4), '2026-04-01');
  assert.equal(kansai.dayOf(4, 2026, 4), '2026-04-06');
  assert.equal(areaReadingRules['06'].source, 'ours');
});

test('Kansai high voltage reads on fixed calendar days 1–5, 8–12, 15–19 and 22–24, whatever the weekday', () => {
  assert.equal(kansaiHv.dayOf(1, 2026, 5), '2026-05-01');
  assert.equal(kansaiHv.dayOf(3, 2026, 5), '2026-05-03'); // a Sunday and a holiday
  assert.equal(kansaiHv.dayOf(6, 2026, 5), '2026-05-08');
  assert.equal(kansaiHv.dayOf(18, 2026, 5), '2026-05-24');
  assert.equal(kansaiHv.has(19), false);
});

test('every number of every area reads once a month in its own month, in number order', () => {
  for (const area of areaCodes) {
    const schedule = readingSchedule(area, 'LV');
    for (let month = 1; month <= 12; month++) {
      const days = schedule.rule.numbers.map((n) => schedule.dayOf(n, 2026, month));
      assert.deepEqual([...days].sort(), days, `${area} ${month}`);
      for (const day of days) {
        assert.equal(day.slice(0, 7), `2026-${String(month).padStart(2, '0')}`, `${area} ${day}`);
        assert.ok(isBusinessDay(day) || dayOfWeek(day) === 6, `${area} reads on ${day}`);
      }
    }
  }
});

test('a loaded calendar day overrides the rule for that number and month only', () => {
  const loaded = readingSchedule('03', 'LV', [{ voltage: 'LV', readingGroup: 8, readingDay: d('2026-04-10') }]);
  assert.equal(loaded.dayOf(8, 2026, 4), '2026-04-10');
  assert.equal(loaded.dayOf(8, 2026, 5), tokyo.dayOf(8, 2026, 5));
  assert.equal(loaded.dayOf(9, 2026, 4), tokyo.dayOf(9, 2026, 4));
  // An HV row does not change the LV schedule.
  const hvRow = readingSchedule('03', 'LV', [{ voltage: 'HV', readingGroup: 8, readingDay: d('2026-04-10') }]);
  assert.equal(hvRow.dayOf(8, 2026, 4), tokyo.dayOf(8, 2026, 4));
});

test('the first reading day on or after a date may be that very date; once passed, next month (across the year end)', () => {
  assert.equal(firstReadingDayOnOrAfter(tokyo, 8, d('2026-04-08')), '2026-04-08');
  assert.equal(firstReadingDayOnOrAfter(tokyo, 8, d('2026-04-02')), '2026-04-08');
  assert.equal(firstReadingDayOnOrAfter(tokyo, 1, d('2026-12-03')), '2027-01-05');
  assert.equal(nextReadingDayAfter(tokyo, 8, d('2026-04-08')), tokyo.dayOf(8, 2026, 5));
  assert.equal(nextReadingDayAfter(tokyo, 8, d('2026-04-07')), '2026-04-08');
});

test("synthetic schedule numbers are stable and spread over the area's numbers in use", () => {
  const id = '0300111122223333444455';
  assert.equal(syntheticReadingGroupOf(id, '03'), syntheticReadingGroupOf(id, '03'));
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const g = syntheticReadingGroupOf(`03${String(i).padStart(20, '0')}`, '03');
    assert.equal(tokyo.has(g), true, String(g));
    seen.add(g);
  }
  assert.equal(seen.size, tokyo.rule.numbers.length);
  assert.equal(kansaiHv.has(syntheticReadingGroupOf(id, '06', 'HV')), true);
});
