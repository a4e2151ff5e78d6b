import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addBusinessDays,
  businessDaysBetween,
  businessDaysInMonth,
  isBusinessDay,
  isNationalHoliday,
  isYearEndHoliday,
  nextBusinessDay,
  previousBusinessDay,
} from './calendar.ts';
import { addDays, parseIsoDate, type IsoDate } from './date.ts';

const d = (s: string): IsoDate => parseIsoDate(s);

test('weekdays are business days and weekends are not', () => {
  assert.equal(isBusinessDay(d('2026-04-01')), true); // Wednesday
  assert.equal(isBusinessDay(d('2026-04-04')), false); // Saturday
  assert.equal(isBusinessDay(d('2026-04-05')), false); // Sunday
});

test('Golden Week 2026 is closed from 29 April and 3–6 May, including the substitute holiday', () => {
  assert.equal(isBusinessDay(d('2026-04-29')), false); // 昭和の日 (Wed)
  assert.equal(isBusinessDay(d('2026-04-30')), true);
  assert.equal(isBusinessDay(d('2026-05-01')), true);
  assert.equal(isNationalHoliday(d('2026-05-06')), true); // 振替休日 for 3 May (Sunday)
  assert.equal(isBusinessDay(d('2026-05-06')), false);
  assert.equal(nextBusinessDay(d('2026-05-01')), '2026-05-07');
});

test('national holidays on weekdays close business, such as the 2026 Silver Week', () => {
  for (const day of ['2026-09-21', '2026-09-22', '2026-09-23']) assert.equal(isBusinessDay(d(day)), false, day);
  assert.equal(isNationalHoliday(d('2026-09-22')), true); // 国民の休日, between two holidays
  assert.equal(isBusinessDay(d('2026-09-24')), true);
});

test('29 December to 3 January is closed even on weekdays that are not national holidays', () => {
  assert.equal(isYearEndHoliday(d('2026-12-29')), true);
  assert.equal(isBusinessDay(d('2026-12-28')), true); // Monday
  assert.equal(isBusinessDay(d('2026-12-29')), false); // Tuesday
  assert.equal(isBusinessDay(d('2026-12-31')), false);
  assert.equal(isNationalHoliday(d('2026-12-30')), false);
  assert.equal(isYearEndHoliday(d('2027-01-04')), false);
});

test('4 January 2027 is the first business day of 2027', () => {
  assert.equal(nextBusinessDay(d('2026-12-28')), '2027-01-04');
  assert.equal(businessDaysInMonth(2027, 1)[0], '2027-01-04');
});

test('holidays are read for the calendar date whatever the machine time zone', () => {
  // The package's Date-based lookup uses local time, which would shift these by a day in Los Angeles.
  const saved = process.env.TZ;
  try {
    for (const tz of ['America/Los_Angeles', 'Asia/Tokyo', 'Pacific/Kiritimati']) {
      process.env.TZ = tz;
      assert.equal(isNationalHoliday(d('2026-01-12')), true, tz); // 成人の日
      assert.equal(isNationalHoliday(d('2026-01-13')), false, tz);
      assert.equal(isNationalHoliday(d('2026-01-11')), false, tz);
    }
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('next and previous business day are strictly after and before', () => {
  assert.equal(nextBusinessDay(d('2026-04-06')), '2026-04-07');
  assert.equal(nextBusinessDay(d('2026-04-03')), '2026-04-06'); // Friday → Monday
  assert.equal(previousBusinessDay(d('2026-05-07')), '2026-05-01');
  assert.equal(previousBusinessDay(d('2027-01-04')), '2026-12-28');
});

test('adding business days skips weekends, holidays and the year end', () => {
  assert.equal(addBusinessDays(d('2026-04-06'), 1), '2026-04-07');
  assert.equal(addBusinessDays(d('2026-04-04'), 1), '2026-04-06'); // from Saturday
  assert.equal(addBusinessDays(d('2026-04-28'), 3), '2026-05-07');
  assert.equal(addBusinessDays(d('2026-12-25'), 2), '2027-01-04');
  assert.equal(addBusinessDays(d('2026-04-01'), 20), '2026-04-30');
});

test('negative business days count backwards', () => {
  assert.equal(addBusinessDays(d('2026-05-07'), -1), '2026-05-01');
  assert.equal(addBusinessDays(d('2027-01-04'), -2), '2026-12-25');
  assert.equal(addBusinessDays(d('2026-04-05'), -1), '2026-04-03'); // from Sunday
});

test('zero business days keeps a business day and rolls any other day forward', () => {
  assert.equal(addBusinessDays(d('2026-04-07'), 0), '2026-04-07');
  assert.equal(addBusinessDays(d('2026-05-03'), 0), '2026-05-07');
  assert.throws(() => addBusinessDays(d('2026-04-07'), 1.5), RangeError);
});

test('counts business days between dates, counting the end but not the start', () => {
  assert.equal(businessDaysBetween(d('2026-04-06'), d('2026-04-06')), 0);
  assert.equal(businessDaysBetween(d('2026-04-06'), d('2026-04-10')), 4);
  assert.equal(businessDaysBetween(d('2026-04-30'), d('2026-05-07')), 2);
  assert.equal(businessDaysBetween(d('2026-04-10'), d('2026-04-06')), -4);
  assert.equal(businessDaysBetween(d('2026-12-28'), d('2027-01-04')), 1);
});

test('counting and adding business days agree for every pair of dates over a season', () => {
  const start = d('2026-04-20');
  for (let i = 0; i < 30; i++) {
    for (let j = 0; j < 30; j++) {
      const a = addDays(start, i);
      const b = addDays(start, j);
      if (isBusinessDay(b)) assert.equal(addBusinessDays(a, businessDaysBetween(a, b)), b, `${a} → ${b}`);
    }
  }
});

test('lists the business days of a month', () => {
  const may = businessDaysInMonth(2026, 5);
  assert.equal(may.length, 18);
  assert.deepEqual(may.slice(0, 3), ['2026-05-01', '2026-05-07', '2026-05-08']);
  assert.equal(may.at(-1), '2026-05-29');
  assert.equal(businessDaysInMonth(2026, 12).at(-1), '2026-12-28');
  assert.equal(businessDaysInMonth(2028, 2).at(-1), '2028-02-29'); // leap day, a Tuesday
});

test('a month list handed out can be changed without changing the calendar', () => {
  businessDaysInMonth(2026, 6).pop();
  assert.equal(businessDaysInMonth(2026, 6).at(-1), '2026-06-30');
});

test('refuses a month that does not exist', () => {
  assert.throws(() => businessDaysInMonth(2026, 13), RangeError);
  assert.throws(() => businessDaysInMonth(2026, 0), RangeError);
});
