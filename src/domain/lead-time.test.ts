import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSwitchingDate, earliestDate, isDateAllowed, leadTime } from './lead-time.ts';
import { parseIsoDate, type IsoDate } from './date.ts';
import { readingSchedule } from './reading-day.ts';

/** Kansai's LV schedule is ours: number g reads on the g-th business day. */
const kansai = readingSchedule('06', 'LV');

const d = (s: string): IsoDate => parseIsoDate(s);

test('standard lead times are those of SYSTEM.md for each voltage, with and without meter work', () => {
  assert.deepEqual(leadTime('LV'), { businessDays: 1, calendarDays: 2 });
  assert.deepEqual(leadTime('LV', { meterWork: true }), { businessDays: 8, calendarDays: 2 });
  assert.deepEqual(leadTime('HV', { meterWork: false }), { businessDays: 8, calendarDays: 0 });
  assert.deepEqual(leadTime('HV', { meterWork: true }), { businessDays: 20, calendarDays: 0 });
});

test('low voltage: one business day after the matching day, then two calendar days', () => {
  assert.equal(earliestDate(d('2026-04-06'), 'LV'), '2026-04-09'); // Mon → Tue → Thu
  assert.equal(earliestDate(d('2026-04-10'), 'LV'), '2026-04-15'); // Fri → Mon → Wed
});

test('a matching completed on a weekend counts from the next business day', () => {
  assert.equal(earliestDate(d('2026-04-11'), 'LV'), '2026-04-15'); // Sat → Mon → Wed
  assert.equal(earliestDate(d('2026-12-28'), 'LV'), '2027-01-06'); // over the year end
});

test('the calendar days may end on a weekend or holiday', () => {
  assert.equal(earliestDate(d('2026-04-30'), 'LV'), '2026-05-03'); // Thu → Fri 1 May → Sun 3 May
});

test('low voltage with meter work: eight business days, then two calendar days', () => {
  assert.equal(earliestDate(d('2026-04-06'), 'LV', { meterWork: true }), '2026-04-18');
});

test('high voltage: eight business days, or twenty with meter work across Golden Week', () => {
  assert.equal(earliestDate(d('2026-04-06'), 'HV'), '2026-04-16');
  assert.equal(earliestDate(d('2026-04-06'), 'HV', { meterWork: true }), '2026-05-08');
});

test('the default switching date is the first reading day on or after the earliest date', () => {
  // Group 7 reads on 9 April 2026, which is exactly the earliest date.
  assert.equal(defaultSwitchingDate(d('2026-04-06'), kansai, 7, 'LV'), '2026-04-09');
  // Group 6 read on 8 April, one day too early: it waits for May.
  // May 2026 has 18 business days for 20 numbers: Saturdays 2 and 9 May are read too (1, 2, 7, 8, 9, 11 May).
  assert.equal(defaultSwitchingDate(d('2026-04-06'), kansai, 6, 'LV'), '2026-05-11');
  // Earliest 3 May: groups 1 and 2 read on 1 and 2 May, so June; group 3 reads on 7 May.
  assert.equal(defaultSwitchingDate(d('2026-04-30'), kansai, 1, 'LV'), '2026-06-01');
  assert.equal(defaultSwitchingDate(d('2026-04-30'), kansai, 2, 'LV'), '2026-06-02');
  assert.equal(defaultSwitchingDate(d('2026-04-30'), kansai, 3, 'LV'), '2026-05-07');
});

test('meter work pushes the default switching date to a later reading day', () => {
  assert.equal(defaultSwitchingDate(d('2026-04-06'), kansai, 7, 'LV', { meterWork: true }), '2026-05-12');
});

test('a requested date is allowed from the earliest date on, and not a day before', () => {
  assert.equal(isDateAllowed(d('2026-04-09'), d('2026-04-06'), 'LV'), true);
  assert.equal(isDateAllowed(d('2026-04-30'), d('2026-04-06'), 'LV'), true);
  assert.equal(isDateAllowed(d('2026-04-08'), d('2026-04-06'), 'LV'), false);
  assert.equal(isDateAllowed(d('2026-04-15'), d('2026-04-06'), 'HV'), false);
  assert.equal(isDateAllowed(d('2026-04-16'), d('2026-04-06'), 'HV'), true);
  assert.equal(isDateAllowed(d('2026-04-09'), d('2026-04-06'), 'LV', { meterWork: true }), false);
});
