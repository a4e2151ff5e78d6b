import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRefusal } from '../../domain/refusal.ts';
import { parseReadingCalendar } from './reading-calendar.repository.ts';

const refusalOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (isRefusal(error)) return { code: error.code, field: error.field, text: error.text };
    throw error;
  }
  assert.fail('not refused');
};

test('reads a published calendar: a header line, full-width digits and blank lines allowed', () => {
  assert.deepEqual(parseReadingCalendar('日程,検針日\r\n０８,2027-01-13\n\n09,2027-01-14\n', 2027), [
    { readingGroup: 8, readingDay: '2027-01-13' },
    { readingGroup: 9, readingDay: '2027-01-14' },
  ]);
});

test('refuses the whole file at the first bad line, naming it', () => {
  assert.deepEqual(refusalOf(() => parseReadingCalendar('08,2027-01-13\nx,2027-01-14', 2027)).code, 'GRID_CALENDAR_LINE_INVALID');
  assert.match(refusalOf(() => parseReadingCalendar('08,2027-01-13\n09,2027-02-30', 2027)).text, /2行目/);
  assert.equal(refusalOf(() => parseReadingCalendar('08,2026-12-13', 2027)).code, 'GRID_CALENDAR_LINE_INVALID', 'another year');
  assert.equal(refusalOf(() => parseReadingCalendar('100,2027-01-13', 2027)).code, 'GRID_CALENDAR_LINE_INVALID');
  assert.equal(refusalOf(() => parseReadingCalendar('08,2027-01-13\n08,2027-01-20', 2027)).code, 'GRID_CALENDAR_DUPLICATE');
  assert.equal(refusalOf(() => parseReadingCalendar('日程,検針日\n', 2027)).code, 'GRID_CALENDAR_EMPTY');
});
