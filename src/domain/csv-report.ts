/**
 * The layouts of the three standard CSV reports of the grids' data provision sites (統一化帳票,
 * slide 34; HALFHOURLY.md B10): the header row of each, in column order. The layouts are kirikae's
 * own (the real ones are sent by OCCTO on request); the report names are public. The grid writes
 * these (src/grid/provision/csv-reports.ts) and the SDK's `parseCsvReport` reads them.
 *
 * Common format: Shift_JIS, CRLF, this header row first, a field quoted only when it holds a comma, a
 * quote or a line break (RFC 4180).
 */
export const csvReportHeaders = {
  GENSHIWAKE: ['受電地点特定番号', '発電者名称', '対象年月', '検針日', '年月日', '時刻コード', '受電電力量(kWh)', '仕訳後受電電力量(kWh)'],
  /** The LV 群単位 variant: per calendar month, no reading day (ours). */
  GENSHIWAKE_G: ['受電地点特定番号', '発電者名称', '対象年月', '年月日', '時刻コード', '受電電力量(kWh)', '仕訳後受電電力量(kWh)'],
  KEIYAKUKW: [
    '供給地点特定番号',
    '需要家名称',
    '対象年月',
    '検針日',
    '当月最大需要電力(kW)',
    '発生年月日',
    '発生時刻コード',
    '前11か月最大需要電力(kW)',
    '同発生年月',
    '算定契約電力(kW)',
    '前月契約電力(kW)',
    '変更有無',
  ],
  SEIGENCHUSHI: ['供給地点特定番号', '需要家名称', '対象年月', '開始日時', '終了日時', '対象時間数', '割引率(%)', '区分'],
} as const satisfies Record<string, readonly string[]>;

export type CsvReportName = keyof typeof csvReportHeaders;

/** A field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break, a quote inside doubled. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
