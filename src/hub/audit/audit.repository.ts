/**
 * Writing and searching the audit log (`hub.audit_log`), and the positions of the hub processes'
 * audit journals (`hub.audit_journal`).
 *
 * Search is newest first, by `(at, audit_id)`, and pages by cursor rather than by offset: an offset
 * into millions of rows reads them all, a cursor continues from where the last page ended. Each
 * filter has an index `(column, at, audit_id)` (the supply point IDs a GIN index), so a page is an
 * index range scan however large the log grows; only the filters given appear in the statement.
 */
import { Refusal } from '../../domain/refusal.ts';
import type { Queryable } from '../../platform/db/db.ts';
import type { AuditEntry, AuditFilter, AuditPage, AuditPageRequest, AuditRecord, AuditChannel } from './audit.ts';

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1_000;

/**
 * Rows per INSERT: the audit writer's batch of 50 ms (hub/http/audit-writer.ts) is a few hundred at
 * most; a larger one (entries kept while the database refused them) goes in statements of this many,
 * which bounds the arrays sent at once.
 */
const batchRows = 1_000;

/**
 * One statement text for every batch, with each column as one array: PostgreSQL parses and plans it
 * once per connection (a named statement), where a VALUES list of 10 parameters a row was a new text
 * for every batch size, parsed and planned each time (bench "facility via hub": 40 µs of PostgreSQL
 * CPU a row in batches of 20, against 20–25 µs this way). `WITH ORDINALITY … ORDER BY` keeps the
 * batch's order in the identity column, as the VALUES list did.
 */
const insertAudit = `INSERT INTO hub.audit_log (at, company_code, user_id, fingerprint256, source_address, channel, action, supply_point_ids, result, request_id)
  SELECT at, company_code, user_id, fingerprint256, source_address, channel, action, supply_point_ids::text[], result, request_id
    FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
      WITH ORDINALITY AS e(at, company_code, user_id, fingerprint256, source_address, channel, action, supply_point_ids, result, request_id, n)
    ORDER BY n`;

/**
 * A list of strings as a PostgreSQL array literal (`{"a","b"}`): an array of arrays of different
 * lengths cannot travel as one parameter, so each row's supply point IDs go as the text of its own
 * array, every element quoted and its quotes and backslashes escaped.
 */
function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

function columnsOf(batch: readonly AuditEntry[]): unknown[] {
  return [
    batch.map((e) => e.at),
    batch.map((e) => e.companyCode),
    batch.map((e) => e.userId),
    batch.map((e) => e.fingerprint256),
    batch.map((e) => e.sourceAddress),
    batch.map((e) => e.channel),
    batch.map((e) => e.action),
    batch.map((e) => arrayLiteral(e.supplyPointIds ?? [])),
    batch.map((e) => e.result),
    batch.map((e) => e.requestId ?? null),
  ];
}

/** Appends one entry, or a batch in as few statements as it takes. */
export async function recordAudit(q: Queryable, entry: AuditEntry | readonly AuditEntry[]): Promise<void> {
  const entries = Array.isArray(entry) ? (entry as readonly AuditEntry[]) : [entry as AuditEntry];
  for (let start = 0; start < entries.length; start += batchRows) {
    await q.query(insertAudit, columnsOf(entries.slice(start, start + batchRows)), { name: 'hub_audit_insert' });
  }
}

/** How far a hub process's audit journal (hub/audit/audit-journal.ts) is in `hub.audit_log`. */
export interface AuditJournalPosition {
  readonly journalId: string;
  /** The journal's byte position after the last record of the batch. */
  readonly position: number;
}

/**
 * The same insert, and the journal's position after the batch recorded by the same statement (a
 * data-modifying CTE: both or neither), so that a journal read back after a crash starts exactly after
 * the records already in the table. Never moves a position back.
 */
const insertAuditUpTo = `WITH written AS (${insertAudit})
  INSERT INTO hub.audit_journal (journal_id, position) VALUES ($11, $12)
    ON CONFLICT (journal_id) DO UPDATE SET position = greatest(audit_journal.position, excluded.position), recorded_at = now()`;

/** Appends a batch (at most 1,000 entries: one statement) and records its journal position with it. */
export async function recordAuditUpTo(q: Queryable, entries: readonly AuditEntry[], upTo: AuditJournalPosition): Promise<void> {
  if (entries.length > batchRows)
    throw new Error(`an audit batch with a journal position is one statement: at most ${batchRows} entries, not ${entries.length}`);
  await q.query(insertAuditUpTo, [...columnsOf(entries), upTo.journalId, upTo.position], { name: 'hub_audit_insert_up_to' });
}

/** The position recorded for a journal: 0 when none of its records is in the table yet. */
export async function auditJournalPosition(q: Queryable, journalId: string): Promise<number> {
  const { rows } = await q.query<{ position: number }>('SELECT position FROM hub.audit_journal WHERE journal_id = $1', [journalId]);
  return rows[0]?.position ?? 0;
}

/** Forgets a journal that has been removed, every record of it being in the table. */
export async function forgetAuditJournal(q: Queryable, journalId: string): Promise<void> {
  await q.query('DELETE FROM hub.audit_journal WHERE journal_id = $1', [journalId]);
}

/** The statement `searchAudit` runs, exposed so that tests can EXPLAIN it. */
export function auditSearchSql(filter: AuditFilter, page: AuditPageRequest = {}): { text: string; values: unknown[]; limit: number } {
  const values: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown, cast: string) => `$${values.push(value)}::${cast}`;
  if (filter.participant !== undefined) where.push(`company_code = ${param(filter.participant, 'text')}`);
  if (filter.userId !== undefined) where.push(`user_id = ${param(filter.userId, 'text')}`);
  if (filter.fingerprint !== undefined) where.push(`fingerprint256 = ${param(filter.fingerprint.replace(/:/g, '').toLowerCase(), 'text')}`);
  if (filter.supplyPointId !== undefined) where.push(`supply_point_ids @> ARRAY[${param(filter.supplyPointId, 'text')}]`);
  if (filter.action !== undefined) where.push(`action = ${param(filter.action, 'text')}`);
  if (filter.result !== undefined) where.push(`result = ${param(filter.result, 'text')}`);
  if (filter.from !== undefined) where.push(`at >= ${param(filter.from, 'timestamptz')}`);
  if (filter.to !== undefined) where.push(`at < ${param(filter.to, 'timestamptz')}`);
  if (page.before) {
    const cursor = decodeCursor(page.before);
    where.push(`(at, audit_id) < (${param(cursor.at, 'timestamptz')}, ${param(cursor.auditId, 'int8')})`);
  }
  const limit = Math.min(MAX_AUDIT_LIMIT, Math.max(1, Math.floor(page.limit ?? DEFAULT_AUDIT_LIMIT) || DEFAULT_AUDIT_LIMIT));
  const select = `SELECT audit_id, at, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_key,
                  company_code, user_id, fingerprint256, source_address, channel, action, supply_point_ids,
                  result, request_id
             FROM hub.audit_log
            ${where.length ? `WHERE ${where.join('\n              AND ')}` : ''}`;
  const order = `ORDER BY at DESC, audit_id DESC LIMIT ${param(limit + 1, 'int')}`;
  // PostgreSQL cannot estimate how rare one supply point ID is among the arrays, and would walk
  // the whole log by time looking for it; in a CTE of its own the GIN index finds its few entries.
  const text = filter.supplyPointId === undefined ? `${select}\n ${order}` : `WITH hits AS MATERIALIZED (${select})\n SELECT * FROM hits ${order}`;
  return { text, values, limit };
}

interface AuditRow {
  audit_id: number;
  at: Date;
  at_key: string;
  company_code: string | null;
  user_id: string | null;
  fingerprint256: string | null;
  source_address: string | null;
  channel: AuditChannel;
  action: string;
  supply_point_ids: string[];
  result: string;
  request_id: string | null;
}

/** Entries matching every given filter, newest first, a page at a time. */
export async function searchAudit(q: Queryable, filter: AuditFilter = {}, page: AuditPageRequest = {}): Promise<AuditPage> {
  const { text, values, limit } = auditSearchSql(filter, page);
  const { rows } = await q.query<AuditRow>(text, values);
  const entries = rows.slice(0, limit);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return {
    entries: entries.map(toRecord),
    next: last ? encodeCursor(last.at_key, last.audit_id) : null,
  };
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    auditId: row.audit_id,
    at: row.at,
    companyCode: row.company_code,
    userId: row.user_id,
    fingerprint256: row.fingerprint256,
    sourceAddress: row.source_address,
    channel: row.channel,
    action: row.action,
    supplyPointIds: row.supply_point_ids,
    result: row.result,
    requestId: row.request_id,
  };
}

/** Opaque to callers: the microsecond timestamp and ID of the last entry shown. */
function encodeCursor(atKey: string, auditId: number): string {
  return Buffer.from(`${atKey}|${auditId}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: string; auditId: number } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|(\d{1,18})$/.exec(text);
  if (!match) throw new Refusal('AUTH_AUDIT_CURSOR_INVALID', { field: 'before' });
  return { at: match[1]!, auditId: Number(match[2]) };
}
