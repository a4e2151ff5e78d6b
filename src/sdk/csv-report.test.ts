import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { csvField, csvReportHeaders } from '../domain/csv-report.ts';
import { CsvReportError, parseCsvReport } from './csv-report.ts';

/** A report's bytes as a grid writes them: Shift_JIS, CRLF, fields by csvField. */
function report(rows: readonly (readonly (string | number)[])[], header: readonly string[] = csvReportHeaders.KEIYAKUKW, eol = '\r\n'): Uint8Array {
  return iconv.encode([header, ...rows].map((row) => row.map(csvField).join(',')).join(eol) + eol, 'Shift_JIS');
}

const keiyakukw = ['0300111100000000000001', '山田,"花子"', '202611', '20261108', '412', '20261103', '27', '398', '202604', '412', '398', '有'];

test('a 契約電力 report is read into typed rows, a quoted name with a comma and quotes intact', () => {
  const parsed = parseCsvReport(report([keiyakukw, [...keiyakukw.slice(0, 11), '無']]));
  assert.equal(parsed.report, 'KEIYAKUKW');
  if (parsed.report !== 'KEIYAKUKW') return;
  assert.deepEqual(parsed.rows[0], {
    supplyPointId: '0300111100000000000001',
    customerName: '山田,"花子"',
    targetMonth: '2026-11',
    readingDay: '2026-11-08',
    maxDemandKw: 412,
    maxDemandDate: '2026-11-03',
    maxDemandSlot: 27,
    previous11MaxKw: 398,
    previous11Month: '2026-04',
    contractKw: 412,
    lastMonthContractKw: 398,
    changed: true,
  });
  assert.equal(parsed.rows[1]?.changed, false);
});

test('a 制限中止 report reads its times as ISO 8601 in Japan time', () => {
  const row = ['0300111100000000000001', '山田 花子', '202611', '2026/11/10 09:00', '2026/11/10 12:30', '3.5', '10', '計画'];
  const parsed = parseCsvReport(report([row], csvReportHeaders.SEIGENCHUSHI));
  assert.equal(parsed.report, 'SEIGENCHUSHI');
  assert.deepEqual(parsed.rows[0], {
    supplyPointId: '0300111100000000000001',
    customerName: '山田 花子',
    targetMonth: '2026-11',
    from: '2026-11-10T09:00:00+09:00',
    until: '2026-11-10T12:30:00+09:00',
    hours: 3.5,
    discountPercent: 10,
    cause: '計画',
  });
});

test('a report that is not one of the standard layouts, or not well formed, is refused with the reason', () => {
  const refused = (bytes: Uint8Array, reason: RegExp) =>
    assert.throws(
      () => parseCsvReport(bytes),
      (e: unknown) => e instanceof CsvReportError && reason.test(e.message),
    );
  refused(report([keiyakukw], csvReportHeaders.KEIYAKUKW, '\n'), /CRLF/);
  refused(iconv.encode(`${csvReportHeaders.KEIYAKUKW.join(',')}\r\n${keiyakukw.join(',')}\n${keiyakukw.join(',')}\r\n`, 'Shift_JIS'), /CRLF/);
  refused(report([keiyakukw], ['供給地点特定番号', '需要家名称']), /not a standard report header/);
  refused(report([keiyakukw.slice(0, 11)]), /line 2: 11 fields, the header has 12/);
  refused(report([[keiyakukw[0]!, keiyakukw[1]!, '2026-11', ...keiyakukw.slice(3)]]), /not a month \(YYYYMM\): 2026-11/);
  refused(report([[...keiyakukw.slice(0, 4), '四百', ...keiyakukw.slice(5)]]), /not a number: 四百/);
  refused(report([[...keiyakukw.slice(0, 11), 'はい']]), /変更有無 is 有 or 無: はい/);
  refused(iconv.encode(`${csvReportHeaders.KEIYAKUKW.join(',')}\r\n"0300,${keiyakukw.slice(1).join(',')}\r\n`, 'Shift_JIS'), /not CSV/);
});
