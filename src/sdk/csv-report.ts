/**
 * `parseCsvReport`: the SDK's reader of the grids' standard CSV reports (the three, and GENSHIWAKE's LV 群単位 variant) (統一化帳票,
 * HALFHOURLY.md B10; layouts kirikae's own, src/domain/csv-report.ts). It decodes Shift_JIS, checks
 * the header row and CRLF line ends, and returns typed rows:
 *
 *   const bytes = await site.download('STD_KEIYAKUKW_03_20261202_00.csv');
 *   const report = parseCsvReport(bytes);
 *   if (report.report === 'KEIYAKUKW') for (const row of report.rows) console.log(row.supplyPointId, row.contractKw);
 *
 * Dates come out as `yyyy-mm-dd`, months as `yyyy-mm`, times as ISO 8601 with +09:00.
 */
import iconv from 'iconv-lite';
import { csvReportHeaders, splitCsvLine, type CsvReportName } from '../domain/csv-report.ts';

export interface GenshiwakeRow {
  readonly receivingPointId: string;
  readonly generatorName: string;
  readonly targetMonth: string;
  readonly readingDay: string;
  readonly date: string;
  /** 時刻コード 1–48. */
  readonly slot: number;
  readonly receivedKWh: number;
  readonly allocatedKWh: number;
}

/** A row of the LV 群単位 variant (STD_GENSHIWAKE_G): a calendar month, no reading day. */
export type GenshiwakeGroupRow = Omit<GenshiwakeRow, 'readingDay'>;

export interface KeiyakukwRow {
  readonly supplyPointId: string;
  readonly customerName: string;
  readonly targetMonth: string;
  readonly readingDay: string;
  readonly maxDemandKw: number;
  readonly maxDemandDate: string;
  readonly maxDemandSlot: number;
  readonly previous11MaxKw: number;
  readonly previous11Month: string;
  readonly contractKw: number;
  readonly lastMonthContractKw: number;
  readonly changed: boolean;
}

export interface SeigenchushiRow {
  readonly supplyPointId: string;
  readonly customerName: string;
  readonly targetMonth: string;
  readonly from: string;
  readonly until: string;
  readonly hours: number;
  readonly discountPercent: number;
  readonly cause: '計画' | '事故';
}

export type CsvReport =
  | { readonly report: 'GENSHIWAKE'; readonly rows: GenshiwakeRow[] }
  | { readonly report: 'GENSHIWAKE_G'; readonly rows: GenshiwakeGroupRow[] }
  | { readonly report: 'KEIYAKUKW'; readonly rows: KeiyakukwRow[] }
  | { readonly report: 'SEIGENCHUSHI'; readonly rows: SeigenchushiRow[] };

export class CsvReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvReportError';
  }
}

const date = (text: string) => {
  if (!/^\d{8}$/.test(text)) throw new CsvReportError(`not a date (YYYYMMDD): ${text}`);
  return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}`;
};
const month = (text: string) => {
  if (!/^\d{6}$/.test(text)) throw new CsvReportError(`not a month (YYYYMM): ${text}`);
  return `${text.slice(0, 4)}-${text.slice(4)}`;
};
const num = (text: string) => {
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new CsvReportError(`not a number: ${text}`);
  return Number(text);
};
const time = (text: string) => {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new CsvReportError(`not a time (YYYY/MM/DD HH:MM): ${text}`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00+09:00`;
};

/** Reads one of the three reports (bytes as downloaded: Shift_JIS, CRLF). */
export function parseCsvReport(bytes: Uint8Array): CsvReport {
  const text = iconv.decode(Buffer.from(bytes), 'Shift_JIS');
  if (!text.endsWith('\r\n')) throw new CsvReportError('a report ends with CRLF');
  const lines = text.slice(0, -2).split('\r\n');
  if (lines.some((l) => l.includes('\n'))) throw new CsvReportError('lines end with CRLF');
  const header = splitCsvLine(lines[0] ?? '');
  const report = (Object.keys(csvReportHeaders) as CsvReportName[]).find((name) => csvReportHeaders[name].join(',') === header.join(','));
  if (!report) throw new CsvReportError(`not a standard report header: ${header.join(',').slice(0, 80)}`);
  const rows = lines.slice(1).map((line, i) => {
    const f = splitCsvLine(line);
    if (f.length !== header.length) throw new CsvReportError(`line ${i + 2}: ${f.length} fields, the header has ${header.length}`);
    return f;
  });
  switch (report) {
    case 'GENSHIWAKE':
      return {
        report,
        rows: rows.map((f) => ({
          receivingPointId: f[0]!,
          generatorName: f[1]!,
          targetMonth: month(f[2]!),
          readingDay: date(f[3]!),
          date: date(f[4]!),
          slot: num(f[5]!),
          receivedKWh: num(f[6]!),
          allocatedKWh: num(f[7]!),
        })),
      };
    case 'GENSHIWAKE_G':
      return {
        report,
        rows: rows.map((f) => ({
          receivingPointId: f[0]!,
          generatorName: f[1]!,
          targetMonth: month(f[2]!),
          date: date(f[3]!),
          slot: num(f[4]!),
          receivedKWh: num(f[5]!),
          allocatedKWh: num(f[6]!),
        })),
      };
    case 'KEIYAKUKW':
      return {
        report,
        rows: rows.map((f) => ({
          supplyPointId: f[0]!,
          customerName: f[1]!,
          targetMonth: month(f[2]!),
          readingDay: date(f[3]!),
          maxDemandKw: num(f[4]!),
          maxDemandDate: date(f[5]!),
          maxDemandSlot: num(f[6]!),
          previous11MaxKw: num(f[7]!),
          previous11Month: month(f[8]!),
          contractKw: num(f[9]!),
          lastMonthContractKw: num(f[10]!),
          changed: f[11] === '有',
        })),
      };
    case 'SEIGENCHUSHI':
      return {
        report,
        rows: rows.map((f) => {
          if (f[7] !== '計画' && f[7] !== '事故') throw new CsvReportError(`区分 is 計画 or 事故: ${f[7]}`);
          return {
            supplyPointId: f[0]!,
            customerName: f[1]!,
            targetMonth: month(f[2]!),
            from: time(f[3]!),
            until: time(f[4]!),
            hours: num(f[5]!),
            discountPercent: num(f[6]!),
            cause: f[7],
          };
        }),
      };
  }
}
