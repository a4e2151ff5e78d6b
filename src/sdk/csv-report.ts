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
import { parse } from 'csv-parse/sync';
import { csvReportHeaders, type CsvReportName } from '../domain/csv-report.ts';

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

const text = (field: string) => field;
const date = (field: string) => {
  if (!/^\d{8}$/.test(field)) throw new CsvReportError(`not a date (YYYYMMDD): ${field}`);
  return `${field.slice(0, 4)}-${field.slice(4, 6)}-${field.slice(6)}`;
};
const month = (field: string) => {
  if (!/^\d{6}$/.test(field)) throw new CsvReportError(`not a month (YYYYMM): ${field}`);
  return `${field.slice(0, 4)}-${field.slice(4)}`;
};
const num = (field: string) => {
  if (!/^-?\d+(\.\d+)?$/.test(field)) throw new CsvReportError(`not a number: ${field}`);
  return Number(field);
};
const time = (field: string) => {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})$/.exec(field);
  if (!m) throw new CsvReportError(`not a time (YYYY/MM/DD HH:MM): ${field}`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00+09:00`;
};
const changed = (field: string) => {
  if (field !== '有' && field !== '無') throw new CsvReportError(`変更有無 is 有 or 無: ${field}`);
  return field === '有';
};
const cause = (field: string) => {
  if (field !== '計画' && field !== '事故') throw new CsvReportError(`区分 is 計画 or 事故: ${field}`);
  return field;
};

/** Each report's row: its fields, in the header's column order (csvReportHeaders), with how each is read. */
type Columns<Row> = readonly { readonly [K in keyof Row]: readonly [K, (field: string) => Row[K]] }[keyof Row][];

const reportColumns: { readonly [R in CsvReport as R['report']]: Columns<R['rows'][number]> } = {
  GENSHIWAKE: [
    ['receivingPointId', text],
    ['generatorName', text],
    ['targetMonth', month],
    ['readingDay', date],
    ['date', date],
    ['slot', num],
    ['receivedKWh', num],
    ['allocatedKWh', num],
  ],
  GENSHIWAKE_G: [
    ['receivingPointId', text],
    ['generatorName', text],
    ['targetMonth', month],
    ['date', date],
    ['slot', num],
    ['receivedKWh', num],
    ['allocatedKWh', num],
  ],
  KEIYAKUKW: [
    ['supplyPointId', text],
    ['customerName', text],
    ['targetMonth', month],
    ['readingDay', date],
    ['maxDemandKw', num],
    ['maxDemandDate', date],
    ['maxDemandSlot', num],
    ['previous11MaxKw', num],
    ['previous11Month', month],
    ['contractKw', num],
    ['lastMonthContractKw', num],
    ['changed', changed],
  ],
  SEIGENCHUSHI: [
    ['supplyPointId', text],
    ['customerName', text],
    ['targetMonth', month],
    ['from', time],
    ['until', time],
    ['hours', num],
    ['discountPercent', num],
    ['cause', cause],
  ],
};

/** Reads one of the three reports (bytes as downloaded: Shift_JIS, CRLF; fields as RFC 4180, by csv-parse). */
export function parseCsvReport(bytes: Uint8Array): CsvReport {
  const content = iconv.decode(Buffer.from(bytes), 'Shift_JIS');
  if (!content.endsWith('\r\n')) throw new CsvReportError('a report ends with CRLF');
  let records: string[][];
  try {
    records = parse(content, { record_delimiter: '\r\n', relax_column_count: true }) as string[][];
  } catch (error) {
    throw new CsvReportError(`not CSV: ${(error as Error).message}`);
  }
  // With CRLF the only record delimiter, a bare line feed is left inside a field: no report's field holds one.
  if (records.some((fields) => fields.some((f) => f.includes('\n') || f.includes('\r')))) throw new CsvReportError('lines end with CRLF');
  const [header = [], ...rows] = records;
  const report = (Object.keys(csvReportHeaders) as CsvReportName[]).find((name) => csvReportHeaders[name].join(',') === header.join(','));
  if (!report) throw new CsvReportError(`not a standard report header: ${header.join(',').slice(0, 80)}`);
  const columns = reportColumns[report] as Columns<Record<string, unknown>>;
  return {
    report,
    rows: rows.map((fields, i) => {
      if (fields.length !== header.length) throw new CsvReportError(`line ${i + 2}: ${fields.length} fields, the header has ${header.length}`);
      return Object.fromEntries(columns.map(([key, read], c) => [key, read(fields[c]!)]));
    }),
  } as CsvReport;
}
