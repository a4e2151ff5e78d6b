import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstReadingDayOnOrAfter, isReadingGroup, nextReadingDayAfter, readingDayOf, readingGroups, syntheticReadingGroupOf } from './reading-day.ts';
import { isBusinessDay } from './calendar.ts';
import { parseIsoDate, type IsoDate } from './date.ts';

const d = (s: string): IsoDate => parseIsoDate(s);

test('there are twenty reading groups, numbered from 1', () => {
  assert.deepEqual(readingGroups, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  assert.equal(isReadingGroup(1), true);
  assert.equal(isReadingGroup(20), true);
  assert.equal(isReadingGroup(0), false);
  assert.equal(isReadingGroup(21), false);
  assert.equal(isReadingGroup(1.5), false);
});

test('group g reads on the g-th business day of the month', () => {
  assert.equal(readingDayOf(1, 2026, 4), '2026-04-01');
  assert.equal(readingDayOf(4, 2026, 4), '2026-04-06'); // after the weekend
  assert.equal(readingDayOf(1, 2026, 5), '2026-05-01');
  assert.equal(readingDayOf(2, 2026, 5), '2026-05-07'); // after Golden Week
  assert.equal(readingDayOf(1, 2027, 1), '2027-01-04');
});

test("a group beyond the month's business days reads on the last business day", () => {
  // January 2027 has 19 business days (4 Jan – 29 Jan, without 成人の日 on 11 Jan).
  assert.equal(readingDayOf(19, 2027, 1), '2027-01-29');
  assert.equal(readingDayOf(20, 2027, 1), '2027-01-29');
  assert.equal(readingDayOf(20, 2026, 4), '2026-04-28'); // April 2026 has 21: no fallback
});

test('every group reads once a month on a business day, in group order', () => {
  for (let month = 1; month <= 12; month++) {
    const days = readingGroups.map((g) => readingDayOf(g, 2026, month));
    for (const day of days) assert.equal(isBusinessDay(day), true, day);
    assert.deepEqual([...days].sort(), days);
    assert.equal(days[0]?.slice(0, 7), `2026-${String(month).padStart(2, '0')}`);
  }
});

test('refuses a reading group outside 1–20', () => {
  assert.throws(() => readingDayOf(0, 2026, 4), RangeError);
  assert.throws(() => readingDayOf(21, 2026, 4), RangeError);
});

test('the first reading day on or after a date may be that very date', () => {
  assert.equal(firstReadingDayOnOrAfter(4, d('2026-04-06')), '2026-04-06');
  assert.equal(firstReadingDayOnOrAfter(4, d('2026-04-02')), '2026-04-06');
});

test("once this month's reading day has passed, the next is next month's", () => {
  assert.equal(firstReadingDayOnOrAfter(4, d('2026-04-07')), '2026-05-11'); // 1, 7, 8, 11 May
  assert.equal(firstReadingDayOnOrAfter(1, d('2026-12-02')), '2027-01-04'); // across the year end
});

test('the next reading day after a date is strictly later', () => {
  assert.equal(nextReadingDayAfter(4, d('2026-04-06')), '2026-05-11');
  assert.equal(nextReadingDayAfter(4, d('2026-04-05')), '2026-04-06');
});

test('synthetic reading groups are stable, within 1–20 and spread over every group', () => {
  const id = '0300111122223333444455';
  assert.equal(syntheticReadingGroupOf(id), syntheticReadingGroupOf(id));
  const counts = new Map<number, number>();
  for (let i = 0; i < 2000; i++) {
    const g = syntheticReadingGroupOf(`03${String(i).padStart(20, '0')}`);
    assert.equal(isReadingGroup(g), true);
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  assert.equal(counts.size, 20);
  for (const n of counts.values()) assert.ok(n > 50 && n < 150, `uneven: ${n}`);
});
