import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, dayOfWeek, parseIsoDate, tokyoDate } from './date.ts';

test('the business date is the date in Japan, nine hours ahead of UTC', () => {
  assert.equal(tokyoDate(new Date('2026-03-31T14:59:59Z')), '2026-03-31');
  assert.equal(tokyoDate(new Date('2026-03-31T15:00:00Z')), '2026-04-01');
});

test('parses dates typed with full-width digits or slashes', () => {
  assert.equal(parseIsoDate('２０２６／０４／０１'), '2026-04-01');
});

test('refuses impossible and malformed dates with distinct codes', () => {
  assert.throws(() => parseIsoDate('2026-02-30'), { code: 'DATE_INVALID' });
  assert.throws(() => parseIsoDate('2026-4-1'), { code: 'DATE_FORMAT' });
});

test('adds days across month and year ends and knows the weekday', () => {
  assert.equal(addDays(parseIsoDate('2026-12-31'), 1), '2027-01-01');
  assert.equal(dayOfWeek(parseIsoDate('2026-11-28')), 6);
});
