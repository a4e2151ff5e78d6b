import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { csvField, csvReportHeaders } from './csv-report.ts';
import type { IsoDate } from './date.ts';
import { businessDaysTiming, csvReportKinds, formatCsvReportName, monthlyReportTiming, parseCsvReportName, parsePpsFileName, ppsKind } from './pps-file.ts';

test('CSV report names round-trip: STD_{report}_{area}_{yyyymmdd}_{rr}.csv', () => {
  for (const kind of csvReportKinds.filter((k) => k.granularity === 'readingDay')) {
    const name = formatCsvReportName({ kind, area: '03', date: '2026-12-08' as IsoDate, revision: 1 });
    assert.equal(name, `${kind.code}_03_20261208_01.csv`);
    assert.deepEqual(parseCsvReportName(name), { kind, area: '03', date: '2026-12-08', revision: 1 });
    assert.equal(parsePpsFileName(name), undefined, 'not a BP file name');
    assert.equal(ppsKind(kind.code), kind);
  }
  assert.equal(formatCsvReportName({ kind: csvReportKinds[0]!, area: '10', date: '2027-01-06' as IsoDate, revision: 99 }), 'STD_GENSHIWAKE_10_20270106_99.csv');
});

test('names that are not CSV reports do not parse; bad parts are refused when formatting', () => {
  for (const name of [
    'STD_GENSHIWAKE_03_20261208_00.zip',
    'STD_UNKNOWN_03_20261208_00.csv',
    'STD_GENSHIWAKE_11_20261208_00.csv',
    'STD_GENSHIWAKE_03_20260230_00.csv',
    'STD_GENSHIWAKE_03_2026120_00.csv',
    'STD_GENSHIWAKE_03_20261208_0.csv',
    'W51220202612010000000.zip',
  ])
    assert.equal(parseCsvReportName(name), undefined, name);
  assert.throws(() => formatCsvReportName({ kind: csvReportKinds[0]!, area: '03', date: '2026-12-08' as IsoDate, revision: 100 }), RangeError);
  assert.throws(() => formatCsvReportName({ kind: ppsKind('W41110')!, area: '03', date: '2026-12-08' as IsoDate, revision: 0 }), RangeError);
});

test('CSV timing: first business day after R at 03:00; due by the end of the 5th business day counting R, across the year end', () => {
  const rule = csvReportKinds[0]!.due;
  // Tue 2026-12-08: listed Wed 12-09 03:00; 12-08 (1) 09 (2) 10 (3) 11 (4) 14 (5) → due 12-15 00:00 JST.
  assert.deepEqual(businessDaysTiming(rule, '2026-12-08' as IsoDate), {
    availableAt: new Date('2026-12-09T03:00:00+09:00'),
    deadlineAt: new Date('2026-12-15T00:00:00+09:00'),
  });
  // Fri 2026-12-25: listed Mon 12-28; 12-25 (1) 28 (2), 12-29 – 1-3 closed, 1-4 (3) 1-5 (4) 1-6 (5) → due 1-7 00:00.
  assert.deepEqual(businessDaysTiming(rule, '2026-12-25' as IsoDate), {
    availableAt: new Date('2026-12-28T03:00:00+09:00'),
    deadlineAt: new Date('2027-01-07T00:00:00+09:00'),
  });
  // Sat 2026-12-26 (not a business day): counting starts Mon 12-28 (1) → 1-4 (2) … 1-7 (5) → due 1-8 00:00.
  assert.deepEqual(businessDaysTiming(rule, '2026-12-26' as IsoDate), {
    availableAt: new Date('2026-12-28T03:00:00+09:00'),
    deadlineAt: new Date('2027-01-08T00:00:00+09:00'),
  });
  // A national holiday: Mon 2026-11-23 (勤労感謝の日) counts from Tue 11-24.
  assert.deepEqual(businessDaysTiming(rule, '2026-11-23' as IsoDate).deadlineAt, new Date('2026-12-01T00:00:00+09:00'));
});

test('a rule listed on the day itself (the W5 monthly shape) applies too: R 02:00, due by the 4th business day counting R', () => {
  const rule = { rule: 'businessDays' as const, from: 'sameDay' as const, availableHour: 2, days: 4 };
  assert.deepEqual(businessDaysTiming(rule, '2026-12-26' as IsoDate), {
    availableAt: new Date('2026-12-26T02:00:00+09:00'),
    deadlineAt: new Date('2027-01-07T00:00:00+09:00'),
  });
});

test('CSV fields: quoted only when holding a comma, a quote or a line break; an RFC 4180 reader splits them back exactly', () => {
  assert.equal(csvField('山田　花子'), '山田　花子');
  assert.equal(csvField('日向,太陽光"発電"所'), '"日向,太陽光""発電""所"');
  assert.equal(csvField('日向"発電"所'), '"日向""発電""所"', 'a quote alone is quoted too');
  assert.equal(csvField('一行目\r\n二行目'), '"一行目\r\n二行目"');
  assert.equal(csvField(3.5), '3.5');
  const fields = ['0313010000000000000410', '日向,太陽光"発電"所', '', '3.5', '日向"発電"所'];
  assert.deepEqual(parse(`${fields.map(csvField).join(',')}\r\n`), [fields]);
  assert.equal(csvReportHeaders.KEIYAKUKW.length, 12);
});

test('GENSHIWAKE LV 群単位 names a calendar month: STD_GENSHIWAKE_G_{area}_{yyyymm}_{rr}.csv, the month as its first day', () => {
  const kind = ppsKind('STD_GENSHIWAKE_G')!;
  assert.equal(kind.granularity, 'month');
  const name = formatCsvReportName({ kind, area: '03', date: '2026-11-01' as IsoDate, revision: 2 });
  assert.equal(name, 'STD_GENSHIWAKE_G_03_202611_02.csv');
  assert.deepEqual(parseCsvReportName(name), { kind, area: '03', date: '2026-11-01', revision: 2 });
  assert.equal(parsePpsFileName(name), undefined);
  // The per-reading-day report is not mistaken for it, nor the other way round.
  assert.equal(parseCsvReportName('STD_GENSHIWAKE_03_20261108_00.csv')?.kind.code, 'STD_GENSHIWAKE');
  for (const bad of [
    'STD_GENSHIWAKE_G_03_20261101_00.csv',
    'STD_GENSHIWAKE_03_202611_00.csv',
    'STD_GENSHIWAKE_G_03_202613_00.csv',
    'STD_KEIYAKUKW_G_03_202611_00.csv',
  ])
    assert.equal(parseCsvReportName(bad), undefined, bad);
  assert.throws(() => formatCsvReportName({ kind, area: '03', date: '2026-11-08' as IsoDate, revision: 0 }), RangeError);
});

test('GENSHIWAKE LV 群単位 timing: listed the first business day after month N, due by the end of the 4th business day of N+2, across holidays and the year end', () => {
  const kind = ppsKind('STD_GENSHIWAKE_G')!;
  const timing = (month: string) => monthlyReportTiming(kind, month as IsoDate);
  // October 2026: listed Mon 11-02 03:00; December 1 (1) 2 (2) 3 (3) 4 (4) → due 12-05 00:00 JST.
  assert.deepEqual(timing('2026-10-01'), { availableAt: new Date('2026-11-02T03:00:00+09:00'), deadlineAt: new Date('2026-12-05T00:00:00+09:00') });
  // November 2026: listed Tue 12-01; January 2027: 1–3 closed, 4 (1) 5 (2) 6 (3) 7 (4) → due 1-8 00:00.
  assert.deepEqual(timing('2026-11-01'), { availableAt: new Date('2026-12-01T03:00:00+09:00'), deadlineAt: new Date('2027-01-08T00:00:00+09:00') });
  // December 2026: listed after the year-end days, Mon 1-4; February 2027: 1 (1) 2 (2) 3 (3) 4 (4) → 2-5 00:00.
  assert.deepEqual(timing('2026-12-01'), { availableAt: new Date('2027-01-04T03:00:00+09:00'), deadlineAt: new Date('2027-02-05T00:00:00+09:00') });
  // March 2027: May 1–5 (weekend, Golden Week holidays) skipped: 6 (1) 7 (2) 10 (3) 11 (4) → due 5-12 00:00.
  assert.deepEqual(timing('2027-03-01'), { availableAt: new Date('2027-04-01T03:00:00+09:00'), deadlineAt: new Date('2027-05-12T00:00:00+09:00') });
  // April 2027: listed after Golden Week, Thu 5-6 03:00.
  assert.equal(timing('2027-04-01').availableAt.getTime(), new Date('2027-05-06T03:00:00+09:00').getTime());
  assert.throws(() => timing('2026-11-08'), RangeError);
  assert.throws(() => monthlyReportTiming(ppsKind('STD_GENSHIWAKE')!, '2026-11-01' as IsoDate), RangeError);
});
