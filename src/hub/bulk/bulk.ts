/**
 * Bulk filing (slide 8 ★): a CSV file, as a retailer's staff keeps it in Excel, of switch-in
 * applications (IF_10610, IF_K10610, IF_F10610) or of termination relays (IS_20110, IS_K20110,
 * IS_F20110: register, modify or cancel).
 *
 * - Encoding: UTF-8 with or without BOM, or Shift_JIS as Excel writes it (Windows code page 932).
 *   Bytes that are (mostly) valid UTF-8 are read as UTF-8; anything else as CP932 (the two almost
 *   never overlap for Japanese text). Each cell is decoded strictly: a cell whose bytes are not
 *   valid is refused in the row report, by row and column (IF_ENCODING_INVALID), never stored as
 *   U+FFFD. Parsing is csv-parse's (RFC 4180: quotes, commas and line breaks inside quoted fields).
 * - Header row: one column per request field, named by its Japanese name from the catalogue
 *   (`需要者名（カナ）`, full- or half-width brackets alike) or by its identifier (`customerNameKana`).
 *   The items of a group (an address) are columns of their own, named by the group's and the
 *   item's names (`住所（都道府県）`, `住所都道府県`) or identifiers (`address.prefecture`).
 *   Columns without a header are ignored (Excel's trailing commas). `更新区分` may be left out: 1.
 * - Every row is validated exactly as the API validates one request (same codes, same messages),
 *   then the hub's own checks (area of the caller, request IDs repeated in the file, request IDs
 *   used before for another interface).
 * - Whole or not at all: if any row is refused, no row is filed, and the report says which rows
 *   to correct (result NG, BULK_REJECTED). A retailer corrects the file and sends it again whole;
 *   a half-filed file would leave it to work out which rows went in. A file sent twice files
 *   nothing twice (each row's requestId is its idempotency key): its rows answer their first
 *   application numbers.
 * - Limits: 100,000 rows and 40 MiB, applications and relays alike (a retailer's campaign batch).
 *   Both are written by one INSERT per 5,000 rows in one transaction; applications then reach
 *   their grids in batches of 500 per message (applications/batch-delivery.ts).
 */
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { isAreaCode } from '../../domain/area.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import type { Field } from '../../interfaces/catalogue/types.ts';
import type { ReceptionMessage } from '../../interfaces/message.ts';
import { UndecodableText, replacement, replacingUtf8, strictUtf8 } from '../../interfaces/undecodable.ts';
import { numberFromText, validateRequest, type FieldValues } from '../../interfaces/validate.ts';
import { can, type Actor } from '../policy.ts';
import { fileApplications, type OutboxDeps } from '../applications/outbox.commands.ts';
import { areaByDigit } from '../../domain/area.ts';
import { fileRelays } from '../relay/relay.commands.ts';

/** How the rows of one kind of file are filed: all of them, or none (whatever `file` answers). */
interface BulkKind {
  readonly interfaces: readonly string[];
  readonly maxRows: number;
  readonly maxBytes: number;
  /**
   * Files the valid rows in one transaction; answers each, in order; writes nothing if any is
   * refused. With `checkOnly` (other rows of the file are already refused), writes nothing and
   * says what it would answer, where the kind can tell without filing.
   */
  file(
    deps: OutboxDeps,
    actor: Actor,
    def: InterfaceDefinition,
    rows: readonly { row: number; body: FieldValues }[],
    options: { checkOnly: boolean },
  ): Promise<RowOutcome[]>;
}

type RowOutcome = { ok: true; applicationNumber?: string; relayNumber?: string } | { ok: false; messages: readonly ReceptionMessage[] };

const mib = 1024 * 1024;

const bulkKinds: readonly BulkKind[] = [
  {
    interfaces: ['IF_10610', 'IF_K10610', 'IF_F10610'],
    maxRows: 100_000,
    maxBytes: 40 * mib,
    async file(deps, actor, def, rows, { checkOnly }) {
      // The grid's checks need the grid: a file with refused rows is not sent, so its other rows stay unchecked.
      if (checkOnly) return rows.map(() => ({ ok: true }));
      const outcomes = await fileApplications(
        deps,
        { companyCode: actor.participant.companyCode },
        rows.map(({ body }) => ({ def, body })),
      );
      return outcomes.map((o) =>
        o.ok ? (o.row ? { ok: true, applicationNumber: o.row.applicationNumber } : { ok: true }) : { ok: false, messages: o.answer.messages },
      );
    },
  },
  {
    interfaces: ['IS_20110', 'IS_K20110', 'IS_F20110'],
    maxRows: 100_000,
    maxBytes: 40 * mib,
    async file(deps, actor, def, rows, { checkOnly }) {
      const filings = rows.map(({ row, body }) => ({ interfaceId: def.id, family: def.family, body, row }));
      const answers = await fileRelays(deps, actor, filings, { wholeOrNothing: true, checkOnly });
      return answers.map((a) =>
        a.result === 'OK' ? { ok: true, relayNumber: String((a.data as FieldValues | undefined)?.relayNumber ?? '') } : { ok: false, messages: a.messages },
      );
    },
  },
];

/** The interfaces that may be filed in bulk. */
export const bulkInterfaces: readonly string[] = bulkKinds.flatMap((k) => k.interfaces);

/** The largest file any kind accepts (the route's body limit). */
export const bulkMaxBytes = Math.max(...bulkKinds.map((k) => k.maxBytes));

function bulkKindOf(interfaceId: string): BulkKind | undefined {
  return bulkKinds.find((k) => k.interfaces.includes(interfaceId));
}

export interface BulkRowReport {
  /** The row as Excel numbers it: the header is row 1. */
  readonly row: number;
  readonly requestId?: string;
  readonly supplyPointId?: string;
  /** OK: the row is valid (filed, when the file is accepted); NG: refused, see messages. */
  readonly result: 'OK' | 'NG';
  readonly applicationNumber?: string;
  readonly relayNumber?: string;
  readonly messages: readonly ReceptionMessage[];
}

export interface BulkReport {
  readonly result: 'OK' | 'NG';
  readonly messages: readonly ReceptionMessage[];
  readonly data: {
    readonly interfaceId: string;
    readonly rows: readonly BulkRowReport[];
    /** Rows filed by this file (0 when it was refused). */
    readonly accepted: number;
    readonly refused: number;
  };
}

function fileRefused(interfaceId: string, refusal: Refusal): BulkReport {
  return { result: 'NG', messages: [refusal.toDetail()], data: { interfaceId, rows: [], accepted: 0, refused: 0 } };
}

/** A cell of the file: its text, or UndecodableText when its bytes are not valid in the file's encoding. */
export type CsvCell = string | UndecodableText;

const utf8Bom = [0xef, 0xbb, 0xbf] as const;

/**
 * The file's encoding: UTF-8 when it starts with a BOM, or when its bytes read as UTF-8 more than
 * not (a UTF-8 file with a few bad bytes stays UTF-8, so that the bad cells are named); else
 * Shift_JIS (CP932), whose Japanese text almost never forms valid UTF-8 sequences.
 */
function encodingOf(bytes: Buffer): 'UTF-8' | 'Shift_JIS' {
  if (bytes[0] === utf8Bom[0] && bytes[1] === utf8Bom[1] && bytes[2] === utf8Bom[2]) return 'UTF-8';
  const text = replacingUtf8.decode(bytes);
  let valid = 0;
  let invalid = 0;
  for (const char of text) {
    if (char === replacement) invalid++;
    else if (char.charCodeAt(0) > 0x7f) valid++;
  }
  return invalid === 0 || valid > invalid ? 'UTF-8' : 'Shift_JIS';
}

/**
 * The file's cells, each decoded strictly by the file's encoding. The CSV structure is read on
 * the bytes (as latin1, one char a byte): quotes, commas and line breaks are ASCII, and neither
 * UTF-8 nor Shift_JIS uses ASCII bytes inside a multi-byte character. A cell whose bytes are
 * not valid is UndecodableText, for the row report to name (never U+FFFD in a stored name).
 */
export function readCsvCells(input: Uint8Array | string): CsvCell[][] {
  const records = (text: string) => {
    try {
      return parse(text, { bom: false, skip_empty_lines: true, relax_column_count: true, trim: false }) as string[][];
    } catch (error) {
      const e = error as Error & { lines?: number };
      throw new Refusal('BULK_CSV_MALFORMED', { params: { line: e.lines ?? '?', reason: e.message.split(':')[0] ?? e.message } });
    }
  };
  const blank = (cells: readonly CsvCell[]) => cells.every((c) => typeof c === 'string' && c.trim() === '');
  if (typeof input === 'string') return records(input.replace(/^\ufeff/, '')).filter((r) => !blank(r));
  let bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const encoding = encodingOf(bytes);
  if (encoding === 'UTF-8' && bytes[0] === utf8Bom[0] && bytes[1] === utf8Bom[1] && bytes[2] === utf8Bom[2]) bytes = bytes.subarray(3);
  const decode = (cell: string): CsvCell => {
    const raw = Buffer.from(cell, 'latin1');
    if (encoding === 'UTF-8') {
      try {
        return strictUtf8.decode(raw);
      } catch {
        return new UndecodableText('UTF-8');
      }
    }
    // CP932 maps nothing to U+FFFD: one in the text is bytes it could not read.
    const text = iconv.decode(raw, 'cp932');
    return text.includes(replacement) ? new UndecodableText('Shift_JIS') : text;
  };
  return records(bytes.toString('latin1'))
    .map((record) => record.map(decode))
    .filter((r) => !blank(r));
}

const headerKey = (text: string) => text.normalize('NFKC').replace(/\s+/g, '').toLowerCase();

/** A column of the file: a top-level field, or an item of a (non-repeated) group. */
interface Column {
  /** `supplyPointId`, or `address.prefecture`. */
  readonly key: string;
  readonly field: Field;
  readonly group?: string;
}

/** Header text → column, by Japanese name or identifier. */
function columnsOf(def: InterfaceDefinition): Map<string, Column> {
  const columns = new Map<string, Column>();
  for (const field of def.request) {
    if (field.type !== 'group') {
      columns.set(headerKey(field.name), { key: field.id, field });
      columns.set(headerKey(field.id), { key: field.id, field });
      continue;
    }
    if (field.repeated) continue;
    for (const item of field.fields) {
      if (item.type === 'group') continue;
      const column = { key: `${field.id}.${item.id}`, field: item, group: field.id };
      for (const name of [`${field.name}（${item.name}）`, `${field.name}${item.name}`, `${field.id}.${item.id}`]) columns.set(headerKey(name), column);
    }
  }
  return columns;
}

/** A cell's value as validation takes it: text, a number of a number column, or undecodable bytes. */
type CsvValue = string | number | UndecodableText;

interface ParsedRow {
  readonly row: number;
  readonly values: Record<string, CsvValue | Record<string, CsvValue>>;
}

/**
 * The rows of the file as field values (empty cells left out), or a refusal of the whole file.
 * Numerals in number columns become numbers (a CSV carries only text; validation takes numbers).
 */
export function parseBulkCsv(def: InterfaceDefinition, input: Uint8Array | string, maxRows = bulkKindOf(def.id)?.maxRows ?? 100_000): ParsedRow[] {
  const [header, ...rows] = readCsvCells(input);
  if (!header || rows.length === 0) throw new Refusal('BULK_EMPTY');
  if (rows.length > maxRows) throw new Refusal('BULK_TOO_MANY_ROWS', { params: { max: maxRows.toLocaleString('en'), count: rows.length } });
  const known = columnsOf(def);
  const columns: (Column | undefined)[] = [];
  const seen = new Set<string>();
  for (const cell of header) {
    if (typeof cell !== 'string') throw new Refusal('BULK_ENCODING');
    const name = cell.trim();
    if (name === '') {
      columns.push(undefined);
      continue;
    }
    const column = known.get(headerKey(name));
    if (!column) throw new Refusal('BULK_UNKNOWN_COLUMN', { params: { column: name } });
    if (seen.has(column.key)) throw new Refusal('BULK_DUPLICATE_COLUMN', { params: { column: name } });
    seen.add(column.key);
    columns.push(column);
  }
  return rows.map((cells, i) => {
    const values: Record<string, CsvValue | Record<string, CsvValue>> = {};
    cells.forEach((cell, c) => {
      const column = columns[c];
      if (!column || (typeof cell === 'string' && cell.trim() === '')) return;
      const value = typeof cell === 'string' ? numberFromText(column.field, cell) : cell;
      if (column.group === undefined) values[column.field.id] = value;
      else {
        const group = (values[column.group] ??= {}) as Record<string, CsvValue>;
        group[column.field.id] = value;
      }
    });
    if (!seen.has('updateFlag')) values.updateFlag = '1';
    return { row: i + 2, values };
  });
}

export interface BulkDeps extends OutboxDeps {
  /** Rows a file may have at most besides its kind's limit: the verification environment's (`verificationBulkMaxRows`). */
  readonly bulkMaxRows?: number | undefined;
}

/** Slide 20 forbids high load in the verification environment (大量データの一括処理): a bulk file there has at most this many rows. */
export const verificationBulkMaxRows = 100;

/**
 * Validates and files a bulk CSV for the caller: the row report, and every row filed in one
 * transaction or none.
 */
export async function fileBulkCsv(deps: BulkDeps, actor: Actor, def: InterfaceDefinition, bytes: Uint8Array): Promise<BulkReport> {
  const kind = bulkKindOf(def.id);
  if (!kind) return fileRefused(def.id, new Refusal('BULK_NOT_OFFERED', { params: { interfaceId: def.id } }));
  if (bytes.byteLength > kind.maxBytes) return fileRefused(def.id, new Refusal('BULK_TOO_LARGE', { params: { limit: `${kind.maxBytes / mib} MiB` } }));
  let parsed: ParsedRow[];
  try {
    parsed = parseBulkCsv(def, bytes, kind.maxRows);
  } catch (error) {
    if (error instanceof Refusal) return fileRefused(def.id, error);
    throw error;
  }
  if (deps.bulkMaxRows !== undefined && parsed.length > deps.bulkMaxRows) {
    return fileRefused(def.id, new Refusal('VERIFY_BULK_TOO_MANY_ROWS', { params: { max: deps.bulkMaxRows, count: parsed.length } }));
  }
  const reports: BulkRowReport[] = [];
  const valid: { index: number; row: number; body: FieldValues }[] = [];
  const firstRowOf = new Map<string, number>();
  for (const { row, values } of parsed) {
    const checked = validateRequest(def, values);
    const base = { row, ...(typeof values.requestId === 'string' ? { requestId: values.requestId.trim() } : {}) };
    if (!checked.ok) {
      reports.push({ ...base, result: 'NG', messages: checked.messages });
      continue;
    }
    const body = checked.value;
    const requestId = String(body.requestId);
    const supplyPointId = typeof body.supplyPointId === 'string' ? body.supplyPointId : undefined;
    const area = supplyPointId?.slice(0, 2) ?? '';
    const messages: ReceptionMessage[] = [];
    if (def.kind === 'application' && (!isAreaCode(area) || !can(actor, 'application.file', { area }))) {
      messages.push(
        actor.participant.kind === 'retailer'
          ? new Refusal('IF_AREA_NOT_REGISTERED', { field: 'supplyPointId', params: { area: areaByDigit(area.slice(1))?.name ?? area } }).toDetail()
          : new Refusal('AUTH_FORBIDDEN').toDetail(),
      );
    }
    const earlier = firstRowOf.get(requestId);
    if (earlier !== undefined) messages.push(new Refusal('BULK_DUPLICATE_REQUEST_ID', { field: 'requestId', params: { requestId, row: earlier } }).toDetail());
    else firstRowOf.set(requestId, row);
    reports.push({ row, requestId, ...(supplyPointId ? { supplyPointId } : {}), result: messages.length > 0 ? 'NG' : 'OK', messages });
    if (messages.length === 0) valid.push({ index: reports.length - 1, row, body });
  }
  let refused = reports.filter((r) => r.result === 'NG').length;
  if (valid.length > 0) {
    const outcomes = await kind.file(deps, actor, def, valid, { checkOnly: refused > 0 });
    outcomes.forEach((outcome, i) => {
      const at = valid[i]!.index;
      const report = reports[at]!;
      if (!outcome.ok) reports[at] = { ...report, result: 'NG', messages: outcome.messages };
      else {
        const { ok: _ok, ...numbers } = outcome;
        reports[at] = { ...report, ...numbers };
      }
    });
    refused = reports.filter((r) => r.result === 'NG').length;
  }
  if (refused > 0) {
    const rows = reports.map((r) => {
      const { applicationNumber: _application, relayNumber: _relay, ...rest } = r;
      return rest;
    });
    return {
      result: 'NG',
      messages: [new Refusal('BULK_REJECTED', { params: { count: refused } }).toDetail()],
      data: { interfaceId: def.id, rows, accepted: 0, refused },
    };
  }
  return {
    result: 'OK',
    messages: [new Refusal('BULK_ACCEPTED', { params: { count: reports.length } }).toDetail()],
    data: { interfaceId: def.id, rows: reports, accepted: reports.length, refused: 0 },
  };
}
