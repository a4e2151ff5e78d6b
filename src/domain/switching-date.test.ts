import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIsoDate, type IsoDate } from './date.ts';
import { readingSchedule } from './reading-day.ts';
import { lastMatchingDayFor, matchingDeadline, moveInEarliestDate, switchingDateAtMatching } from './switching-date.ts';

const d = (s: string): IsoDate => parseIsoDate(s);
const lv = { voltage: 'LV', meterWork: false } as const;
const lvWork = { voltage: 'LV', meterWork: true } as const;
const hv = { voltage: 'HV', meterWork: false } as const;
const tokyo = readingSchedule('03', 'LV');
const chubu = readingSchedule('04', 'LV');
const hokkaido = readingSchedule('01', 'LV');

test('a named switching date the lead time still allows at matching is kept, on any day', () => {
  const decision = switchingDateAtMatching({ matchedOn: d('2026-04-06'), requestedDate: d('2026-04-12'), schedule: tokyo, readingGroup: 8, switchCase: lv });
  assert.deepEqual(decision, { ok: true, date: '2026-04-12', named: true });
});

test('a named date the lead time no longer allows at matching is refused, never moved', () => {
  // Matching on Friday 10 April: 1 business day (Mon 13) + 2 days = 15 April at the earliest.
  const decision = switchingDateAtMatching({ matchedOn: d('2026-04-10'), requestedDate: d('2026-04-14'), schedule: tokyo, readingGroup: 8, switchCase: lv });
  assert.deepEqual(decision, { ok: false, earliest: '2026-04-15' });
});

test('without a named date, the first reading day of the area after the lead time (ours); it differs by area', () => {
  // Matching Mon 6 April 2026, earliest Thu 9 April. Tokyo's 09 reads on 9 April; Chubu's 09 on 10 April.
  const at = (schedule: typeof tokyo) =>
    switchingDateAtMatching({ matchedOn: d('2026-04-06'), requestedDate: null, schedule, readingGroup: 9, switchCase: lv });
  assert.deepEqual(at(tokyo), { ok: true, date: '2026-04-09', named: false });
  assert.deepEqual(at(chubu), { ok: true, date: chubu.dayOf(9, 2026, 4), named: false });
  assert.equal(chubu.dayOf(9, 2026, 4), '2026-04-10'); // 07 is unused: 09 is Chubu's 8th number
  // Hokkaido reads on Saturdays: its number 10 falls on Monday 13 April.
  assert.deepEqual(at(hokkaido), { ok: true, date: hokkaido.dayOf(9, 2026, 4), named: false });
});

test('the last matching day for a named date: the latest day whose lead time still reaches it', () => {
  // LV, 15 April (Wed): matching on Sunday 12 April counts from Monday 13 → Monday + 2 = 15. Monday itself → Tue + 2 = 16.
  assert.equal(lastMatchingDayFor(d('2026-04-15'), lv), '2026-04-12');
  // Across the year end: for 7 January 2027, matching on 28 Dec counts Jan 4 (+2 = 6 Jan); the closed days 29 Dec–3 Jan count from 4 Jan.
  assert.equal(lastMatchingDayFor(d('2027-01-06'), lv), '2027-01-03');
  assert.equal(lastMatchingDayFor(d('2027-01-05'), lv), '2026-12-27');
  // HV: 8 business days.
  assert.equal(lastMatchingDayFor(d('2026-04-16'), hv), '2026-04-06');
  // Meter work: 8 business days + 2.
  assert.equal(lastMatchingDayFor(d('2026-04-18'), lvWork), '2026-04-06');
});

test('a far-future switch-in waits for its counterpart until the lead time runs out, not 8 business days', () => {
  const deadline = matchingDeadline({ kind: 'switchIn', acceptedOn: d('2026-04-01'), requestedDate: d('2026-06-10'), switchCase: lv });
  assert.equal(deadline, lastMatchingDayFor(d('2026-06-10'), lv));
  assert.ok(deadline > '2026-06-01');
});

test('a switch naming no date waits 8 business days after acceptance (ours), over holidays', () => {
  assert.equal(matchingDeadline({ kind: 'switchIn', acceptedOn: d('2026-04-28'), requestedDate: null, switchCase: lv }), '2026-05-14'); // 29 Apr, 3–6 May off
  assert.equal(matchingDeadline({ kind: 'switchIn', acceptedOn: d('2026-12-25'), requestedDate: null, switchCase: lv }), '2027-01-13'); // 28 Dec, then 4–8, 12, 13 Jan (11 Jan is a holiday)
});

test("a switch-out's date is informative: it waits at least the 8 business days, longer for a later date", () => {
  const soon = matchingDeadline({ kind: 'switchOut', acceptedOn: d('2026-04-06'), requestedDate: d('2026-04-09'), switchCase: lv });
  assert.equal(soon, '2026-04-16');
  const later = matchingDeadline({ kind: 'switchOut', acceptedOn: d('2026-04-06'), requestedDate: d('2026-07-01'), switchCase: lv });
  assert.equal(later, lastMatchingDayFor(d('2026-07-01'), lv));
});

test('a move-in at a point left on for the customer to switch on may reach 31 days back (HEPCO)', () => {
  const r = moveInEarliestDate({ today: d('2026-03-02'), discontinuationMethod: 'customerSwitch', meterWork: false });
  assert.equal(r.earliest, '2026-01-30'); // across a month end
});

test('a move-in at a remotely reconnected point may be today; one needing a visit the next business day', () => {
  assert.equal(moveInEarliestDate({ today: d('2026-04-10'), discontinuationMethod: 'remote', meterWork: false }).earliest, '2026-04-10');
  assert.equal(moveInEarliestDate({ today: d('2026-04-10'), discontinuationMethod: 'onSite', meterWork: false }).earliest, '2026-04-13'); // Fri → Mon
  assert.equal(moveInEarliestDate({ today: d('2026-12-28'), discontinuationMethod: 'onSite', meterWork: false }).earliest, '2027-01-04');
});

test('a move-in with meter work needs the meter-work lead time, even at a point left on', () => {
  const r = moveInEarliestDate({ today: d('2026-04-06'), discontinuationMethod: 'customerSwitch', meterWork: true });
  assert.equal(r.earliest, '2026-04-18');
});
