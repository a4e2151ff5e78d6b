/**
 * Reading and writing relays. Thin: SQL in, rows out; the rules live in relay.ts (transitions),
 * relay.commands.ts (checks, idempotency) and policy.ts (who).
 */
import type { RelayNgReasonCode, RelayStatusCode } from '../../domain/codes.ts';
import type { IsoDate } from '../../domain/date.ts';
import type { Queryable } from '../../platform/db/db.ts';
import type { InterfaceFamily } from '../../interfaces/catalogue/types.ts';
import type { Relay, RelayAddress, RelayEventName } from './relay.ts';

interface RelayRow {
  relay_number: string;
  family: InterfaceFamily;
  supply_point_id: string;
  area: string;
  contract_number: string | null;
  address: RelayAddress | null;
  holder_name_kana: string | null;
  holder_name: string | null;
  termination_date: IsoDate | null;
  new_company_code: string;
  new_participant_code: string;
  old_company_code: string;
  old_participant_code: string;
  phone_number: string | null;
  remarks: string | null;
  status: RelayStatusCode;
  deciding_person_name: string | null;
  ng_reason: RelayNgReasonCode | null;
  ng_text: string | null;
  decided_at: Date | null;
  registered_at: Date;
  updated_at: Date;
  version: number;
}

/** A relay with the names of its two retailers, as lists and details show it. */
export interface RelayView extends Relay {
  readonly newRetailerName: string;
  readonly oldRetailerName: string;
}

const relayColumns = `r.relay_number, r.family, r.supply_point_id, r.area, r.contract_number, r.address, r.holder_name_kana,
  r.holder_name, r.termination_date, r.new_company_code, r.new_participant_code, r.old_company_code, r.old_participant_code,
  r.phone_number, r.remarks, r.status, r.deciding_person_name, r.ng_reason, r.ng_text, r.decided_at, r.registered_at,
  r.updated_at, r.version`;

const viewColumns = `${relayColumns},
  (SELECT p.name FROM hub.participant p WHERE p.company_code = r.new_company_code) AS new_retailer_name,
  (SELECT p.name FROM hub.participant p WHERE p.company_code = r.old_company_code) AS old_retailer_name`;

function toRelay(row: RelayRow): Relay {
  return {
    relayNumber: row.relay_number,
    family: row.family,
    supplyPointId: row.supply_point_id,
    area: row.area,
    contractNumber: row.contract_number,
    address: row.address,
    holderNameKana: row.holder_name_kana,
    holderName: row.holder_name,
    terminationDate: row.termination_date,
    newCompanyCode: row.new_company_code,
    newParticipantCode: row.new_participant_code,
    oldCompanyCode: row.old_company_code,
    oldParticipantCode: row.old_participant_code,
    phoneNumber: row.phone_number,
    remarks: row.remarks,
    status: row.status,
    decidingPersonName: row.deciding_person_name,
    ngReason: row.ng_reason,
    ngText: row.ng_text,
    decidedAt: row.decided_at,
    registeredAt: row.registered_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

function toView(row: RelayRow & { new_retailer_name: string | null; old_retailer_name: string | null }): RelayView {
  return { ...toRelay(row), newRetailerName: row.new_retailer_name ?? '', oldRetailerName: row.old_retailer_name ?? '' };
}

/** Reserves `count` serials of the day at once; returns the first. */
export async function reserveRelaySerials(q: Queryable, day: IsoDate, count: number): Promise<number> {
  const { rows } = await q.query<{ last: number }>(
    `INSERT INTO hub.relay_counter AS c (day, last_serial) VALUES ($1, $2)
     ON CONFLICT (day) DO UPDATE SET last_serial = c.last_serial + $2
     RETURNING last_serial AS last`,
    [day, count],
  );
  return rows[0]!.last - count + 1;
}

export interface NewRelayRow extends Omit<Relay, 'status' | 'decidingPersonName' | 'ngReason' | 'ngText' | 'decidedAt' | 'updatedAt' | 'version'> {
  readonly holderKanaKey: string;
  readonly registeredOn: IsoDate;
}

const insertColumns = [
  'relay_number',
  'family',
  'supply_point_id',
  'area',
  'contract_number',
  'address',
  'holder_name_kana',
  'holder_name',
  'holder_kana_key',
  'termination_date',
  'new_company_code',
  'new_participant_code',
  'old_company_code',
  'old_participant_code',
  'phone_number',
  'remarks',
  'registered_at',
  'registered_on',
] as const;
const insertTypes = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'jsonb',
  'text',
  'text',
  'text',
  'date',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'timestamptz',
  'date',
];

function insertValues(r: NewRelayRow): unknown[] {
  return [
    r.relayNumber,
    r.family,
    r.supplyPointId,
    r.area,
    r.contractNumber,
    r.address === null ? null : JSON.stringify(r.address),
    r.holderNameKana,
    r.holderName,
    r.holderKanaKey,
    r.terminationDate,
    r.newCompanyCode,
    r.newParticipantCode,
    r.oldCompanyCode,
    r.oldParticipantCode,
    r.phoneNumber,
    r.remarks,
    r.registeredAt,
    r.registeredOn,
  ];
}

/** Rows per INSERT … SELECT FROM unnest(…): one statement carries thousands of relays. */
const insertChunk = 5_000;

/**
 * Inserts new relays awaiting a decision, with their `registered` events. A point that already has
 * a relay awaiting a decision makes the statement fail (unique index relay_open_point_idx).
 */
export async function insertRelays(q: Queryable, relays: readonly NewRelayRow[], userId: string | null): Promise<void> {
  for (let start = 0; start < relays.length; start += insertChunk) {
    const chunk = relays.slice(start, start + insertChunk);
    const rows = chunk.map(insertValues);
    const columns = insertColumns.map((_, c) => rows.map((r) => r[c]));
    const unnest = insertTypes.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
    await q.query(
      `INSERT INTO hub.relay (${insertColumns.join(', ')}, status, updated_at)
       SELECT t.*, '01', t.registered_at FROM unnest(${unnest}) AS t(${insertColumns.join(', ')})`,
      columns,
    );
    await q.query(
      `INSERT INTO hub.relay_event (relay_number, event, status, company_code, user_id, at)
       SELECT n, 'registered', '01', c, $3, a FROM unnest($1::text[], $2::text[], $4::timestamptz[]) AS t(n, c, a)`,
      [chunk.map((r) => r.relayNumber), chunk.map((r) => r.newCompanyCode), userId, chunk.map((r) => r.registeredAt)],
    );
  }
}

/** The relays awaiting a decision for these points: point → relay number. */
export async function selectOpenRelays(q: Queryable, supplyPointIds: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await q.query<{ supply_point_id: string; relay_number: string }>(
    `SELECT supply_point_id, relay_number FROM hub.relay WHERE status = '01' AND supply_point_id = ANY($1::text[])`,
    [supplyPointIds],
  );
  return new Map(rows.map((r) => [r.supply_point_id, r.relay_number]));
}

export async function selectRelay(q: Queryable, relayNumber: string, options: { forUpdate?: boolean } = {}): Promise<RelayView | undefined> {
  const { rows } = await q.query<RelayRow & { new_retailer_name: string | null; old_retailer_name: string | null }>(
    options.forUpdate
      ? `SELECT ${viewColumns} FROM hub.relay r WHERE r.relay_number = $1 FOR UPDATE OF r`
      : `SELECT ${viewColumns} FROM hub.relay r WHERE r.relay_number = $1`,
    [relayNumber],
  );
  return rows[0] ? toView(rows[0]) : undefined;
}

const updatable: Readonly<Record<string, string>> = {
  contractNumber: 'contract_number',
  address: 'address',
  holderNameKana: 'holder_name_kana',
  holderName: 'holder_name',
  terminationDate: 'termination_date',
  phoneNumber: 'phone_number',
  remarks: 'remarks',
  status: 'status',
  decidingPersonName: 'deciding_person_name',
  ngReason: 'ng_reason',
  ngText: 'ng_text',
  decidedAt: 'decided_at',
  updatedAt: 'updated_at',
};

/** Applies a transition's changes and records its event. */
export async function updateRelay(
  q: Queryable,
  relayNumber: string,
  changes: Readonly<Record<string, unknown>>,
  event: { name: RelayEventName; status: RelayStatusCode; companyCode: string; userId: string | null; at: Date; holderKanaKey?: string },
): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [relayNumber];
  for (const [key, value] of Object.entries(changes)) {
    const column = updatable[key];
    if (!column) continue;
    values.push(key === 'address' && value !== null && value !== undefined ? JSON.stringify(value) : value);
    sets.push(`${column} = $${values.length}`);
  }
  if (event.holderKanaKey !== undefined) {
    values.push(event.holderKanaKey);
    sets.push(`holder_kana_key = $${values.length}`);
  }
  await q.query(`UPDATE hub.relay SET ${sets.join(', ')}, version = version + 1 WHERE relay_number = $1`, values);
  await q.query(`INSERT INTO hub.relay_event (relay_number, event, status, company_code, user_id, at) VALUES ($1, $2, $3, $4, $5, $6)`, [
    relayNumber,
    event.name,
    event.status,
    event.companyCode,
    event.userId,
    event.at,
  ]);
}

export interface RelayEventRow {
  readonly event: RelayEventName;
  readonly status: RelayStatusCode;
  readonly companyCode: string;
  readonly userId: string | null;
  readonly at: Date;
}

export async function selectRelayEvents(q: Queryable, relayNumber: string): Promise<RelayEventRow[]> {
  const { rows } = await q.query<{ event: RelayEventName; status: RelayStatusCode; company_code: string; user_id: string | null; at: Date }>(
    `SELECT event, status, company_code, user_id, at FROM hub.relay_event WHERE relay_number = $1 ORDER BY id`,
    [relayNumber],
  );
  return rows.map((r) => ({ event: r.event, status: r.status, companyCode: r.company_code, userId: r.user_id, at: r.at }));
}

// ---- idempotency ---------------------------------------------------------------------------------

export interface StoredRequest {
  readonly requestId: string;
  readonly interfaceId: string;
  readonly bodyDigest: string;
  readonly answer: unknown;
}

export async function selectRequests(q: Queryable, companyCode: string, requestIds: readonly string[]): Promise<Map<string, StoredRequest>> {
  const { rows } = await q.query<{ request_id: string; interface_id: string; body_digest: string; answer: unknown }>(
    `SELECT request_id, interface_id, body_digest, answer FROM hub.relay_request WHERE company_code = $1 AND request_id = ANY($2::text[])`,
    [companyCode, requestIds],
  );
  return new Map(rows.map((r) => [r.request_id, { requestId: r.request_id, interfaceId: r.interface_id, bodyDigest: r.body_digest, answer: r.answer }]));
}

export async function insertRequests(q: Queryable, companyCode: string, at: Date, requests: readonly StoredRequest[]): Promise<void> {
  for (let start = 0; start < requests.length; start += insertChunk) {
    const chunk = requests.slice(start, start + insertChunk);
    await q.query(
      `INSERT INTO hub.relay_request (company_code, request_id, interface_id, body_digest, answer, at)
       SELECT $1, r, i, d, a::jsonb, $2 FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS t(r, i, d, a)`,
      [
        companyCode,
        at,
        chunk.map((r) => r.requestId),
        chunk.map((r) => r.interfaceId),
        chunk.map((r) => r.bodyDigest),
        chunk.map((r) => JSON.stringify(r.answer)),
      ],
    );
  }
}

// ---- old retailers -------------------------------------------------------------------------------

export interface ParticipantCodeInfo {
  readonly participantCode: string;
  readonly companyCode: string;
  readonly area: string;
  readonly kind: string;
  readonly status: string;
}

export async function selectParticipantCodes(q: Queryable, participantCodes: readonly string[]): Promise<Map<string, ParticipantCodeInfo>> {
  const { rows } = await q.query<{ participant_code: string; company_code: string; area_code: string; kind: string; status: string }>(
    `SELECT a.participant_code, a.company_code, a.area_code, p.kind, p.status
       FROM hub.participant_area a JOIN hub.participant p ON p.company_code = a.company_code
      WHERE a.participant_code = ANY($1::text[])`,
    [participantCodes],
  );
  return new Map(
    rows.map((r) => [
      r.participant_code,
      { participantCode: r.participant_code, companyCode: r.company_code, area: r.area_code, kind: r.kind, status: r.status },
    ]),
  );
}

// ---- lists ---------------------------------------------------------------------------------------

export interface RelayFilter {
  readonly relayNumber?: string;
  readonly supplyPointId?: string;
  /** The retailer on the other side: its participant code (5 characters) or company code (4). */
  readonly otherRetailerCode?: string;
  /** Part of the other retailer's name. */
  readonly otherRetailerName?: string;
  /** The beginning of the customer's name: of its normalised kana (typed in kana), or of its kanji. */
  readonly holderKanaKey?: string;
  readonly holderName?: string;
  readonly status?: RelayStatusCode;
  readonly registeredFrom?: IsoDate;
  readonly registeredUntil?: IsoDate;
}

/**
 * One page of the relays of `companyCode` on one side (`new`: those it registered; `old`: those
 * addressed to it), newest update first, and the count of all that match.
 */
export async function selectRelayPage(
  q: Queryable,
  side: 'new' | 'old',
  companyCode: string,
  family: InterfaceFamily,
  filter: RelayFilter,
  limit: number,
  offset: number,
): Promise<{ items: RelayView[]; total: number }> {
  const own = side === 'new' ? 'new_company_code' : 'old_company_code';
  const other = side === 'new' ? 'old' : 'new';
  const values: unknown[] = [companyCode, family];
  const where = [`r.${own} = $1`, `r.family = $2`];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(`$${values.length}`));
  };
  if (filter.relayNumber) add((p) => `r.relay_number = ${p}`, filter.relayNumber);
  if (filter.supplyPointId) add((p) => `r.supply_point_id = ${p}`, filter.supplyPointId);
  // The other retailer by its participant codes (the index relay_*_other_idx and relay_count have
  // them): a company code or part of a name stands for the codes of its areas.
  const otherCodes = await otherCodesOf(q, filter);
  if (otherCodes) add((p) => `r.${other}_participant_code = ANY(${p}::text[])`, otherCodes);
  // A name typed in kana is compared with the normalised kana; one with any other character (kanji) with the kanji.
  if (filter.holderKanaKey !== undefined) add((p) => `r.holder_kana_key LIKE ${p}`, likePrefix(filter.holderKanaKey));
  if (filter.holderName !== undefined) add((p) => `r.holder_name LIKE ${p}`, likePrefix(filter.holderName));
  if (filter.status) add((p) => `r.status = ${p}`, filter.status);
  if (filter.registeredFrom) add((p) => `r.registered_on >= ${p}::date`, filter.registeredFrom);
  if (filter.registeredUntil) add((p) => `r.registered_on <= ${p}::date`, filter.registeredUntil);
  const whereSql = where.join(' AND ');
  // Filtered by nothing but the status and the other retailer, the total is kept in relay_count
  // (0004_relay.sql); otherwise it is counted, from an index alone.
  const count = Object.keys(filter).every((key) => countedFilters.has(key))
    ? await q.query<{ n: number }>(
        `SELECT coalesce(sum(n), 0)::int AS n FROM hub.relay_count
          WHERE company_code = $1 AND side = $2 AND family = $3 AND ($4::text IS NULL OR status = $4) AND ($5::text[] IS NULL OR other_code = ANY($5::text[]))`,
        [companyCode, side, family, filter.status ?? null, otherCodes ?? null],
      )
    : await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.relay r WHERE ${whereSql}`, values);
  const total = count.rows[0]?.n ?? 0;
  if (total === 0 || offset >= total) return { items: [], total };
  // Few matches: read them all by the filter's index and sort them. Many: walk the list in update
  // order and keep the matches, which come soon. (Walking the order with a filter whose matches lie
  // far back in time, such as an old registration date, would read most of the list first.)
  const from = total <= sortAllBelow ? `(SELECT * FROM hub.relay r WHERE ${whereSql} OFFSET 0) r` : `hub.relay r WHERE ${whereSql}`;
  const { rows } = await q.query<RelayRow & { new_retailer_name: string | null; old_retailer_name: string | null }>(
    `SELECT ${viewColumns} FROM ${from} ORDER BY r.updated_at DESC, r.relay_number DESC LIMIT ${Number(limit)} OFFSET ${Number(offset)}`,
    values,
  );
  return { items: rows.map(toView), total };
}

/** The filters whose totals relay_count keeps. */
const countedFilters = new Set(['status', 'otherRetailerCode', 'otherRetailerName']);

/** The participant codes a filter's other retailer stands for; undefined: no such filter. */
async function otherCodesOf(q: Queryable, filter: RelayFilter): Promise<string[] | undefined> {
  if (!filter.otherRetailerCode && !filter.otherRetailerName) return undefined;
  const { rows } = await q.query<{ code: string }>(
    `SELECT a.participant_code AS code FROM hub.participant_area a JOIN hub.participant p ON p.company_code = a.company_code
      WHERE ($1::text IS NULL OR a.participant_code = $1 OR a.company_code = $1) AND ($2::text IS NULL OR strpos(p.name, $2) > 0)`,
    [filter.otherRetailerCode ?? null, filter.otherRetailerName ?? null],
  );
  return rows.map((r) => r.code);
}

/** Matches up to which a list page reads every match by the filter's index and sorts them. */
const sortAllBelow = 20_000;

/** A LIKE pattern matching values that begin with `prefix` (its own % and _ taken literally). */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** How many relays await this retailer's decision (the portal's icon, slide 23). */
export async function countAwaitingDecision(q: Queryable, companyCode: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.relay WHERE old_company_code = $1 AND status = '01'`, [companyCode]);
  return rows[0]?.n ?? 0;
}

/** The same, per family: the portal links to the received list of the family the relays wait in. */
export async function countAwaitingDecisionByFamily(q: Queryable, companyCode: string): Promise<Record<InterfaceFamily, number>> {
  const { rows } = await q.query<{ family: InterfaceFamily; n: number }>(
    `SELECT family, count(*)::int AS n FROM hub.relay WHERE old_company_code = $1 AND status = '01' GROUP BY family`,
    [companyCode],
  );
  const counts: Record<InterfaceFamily, number> = { LV: 0, HV: 0, FIT: 0 };
  for (const row of rows) counts[row.family] = row.n;
  return counts;
}

// ---- fetch monitoring ----------------------------------------------------------------------------

export async function recordFetch(q: Queryable, companyCode: string, at: Date): Promise<void> {
  await q.query(
    `INSERT INTO hub.relay_fetch (company_code, fetched_at) VALUES ($1, $2)
     ON CONFLICT (company_code) DO UPDATE SET fetched_at = GREATEST(hub.relay_fetch.fetched_at, EXCLUDED.fetched_at)`,
    [companyCode, at],
  );
}
