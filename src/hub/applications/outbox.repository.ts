/**
 * The outbox of applications (table `hub.application_outbox`, migration 0003) and the counter of
 * application numbers. Every function takes the caller's `Queryable`; rules live in outbox.ts and
 * applications.commands.ts, these only read and write rows.
 */
import type { IsoDate } from '../../domain/date.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import type { Queryable } from '../../platform/db/db.ts';

export type OutboxStatus = 'pending' | 'delivered';
export type UpdateFlag = '1' | '2' | '3';

export interface OutboxRow {
  readonly id: number;
  readonly applicationNumber: string;
  readonly deliveryId: string;
  readonly companyCode: string;
  readonly participantCode: string;
  readonly requestId: string;
  readonly interfaceId: string;
  readonly updateFlag: UpdateFlag;
  readonly area: string;
  readonly supplyPointId: string;
  readonly body: Record<string, unknown>;
  readonly filedAt: Date;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly gridAnswer: InterfaceResponse | null;
  readonly deliveredAt: Date | null;
}

export type NewOutboxRow = Omit<OutboxRow, 'id' | 'status' | 'attempts' | 'lastError' | 'gridAnswer' | 'deliveredAt' | 'nextAttemptAt'>;

const columns = `
  id, application_number AS "applicationNumber", delivery_id AS "deliveryId", company_code AS "companyCode",
  participant_code AS "participantCode", request_id AS "requestId", interface_id AS "interfaceId",
  update_flag AS "updateFlag", area, supply_point_id AS "supplyPointId", body, filed_at AS "filedAt", status,
  attempts, next_attempt_at AS "nextAttemptAt", last_error AS "lastError", grid_answer AS "gridAnswer",
  delivered_at AS "deliveredAt"`;

/** The next serial of the day in an area, starting at 1. */
export async function nextApplicationSerial(q: Queryable, area: string, day: IsoDate): Promise<number> {
  const { rows } = await q.query<{ serial: number }>(
    `INSERT INTO hub.application_counter AS c (area, day, last_serial) VALUES ($1, $2, 1)
     ON CONFLICT (area, day) DO UPDATE SET last_serial = c.last_serial + 1
     RETURNING last_serial AS serial`,
    [area, day],
  );
  return rows[0]!.serial;
}

export async function selectByRequest(q: Queryable, companyCode: string, requestId: string): Promise<OutboxRow | undefined> {
  const { rows } = await q.query<OutboxRow>(`SELECT ${columns} FROM hub.application_outbox WHERE company_code = $1 AND request_id = $2`, [
    companyCode,
    requestId,
  ]);
  return rows[0];
}

export async function selectById(q: Queryable, id: number): Promise<OutboxRow | undefined> {
  const { rows } = await q.query<OutboxRow>(`SELECT ${columns} FROM hub.application_outbox WHERE id = $1`, [id]);
  return rows[0];
}

/** Every filing about an application (its registration first), optionally locking them. */
export async function selectFilings(q: Queryable, applicationNumber: string, options: { lock?: boolean } = {}): Promise<OutboxRow[]> {
  const { rows } = await q.query<OutboxRow>(
    `SELECT ${columns} FROM hub.application_outbox WHERE application_number = $1 ORDER BY id${options.lock ? ' FOR UPDATE' : ''}`,
    [applicationNumber],
  );
  return rows;
}

/** Inserts a filing, due at once; undefined when this company already used this request ID. */
export async function insertFiling(q: Queryable, row: NewOutboxRow): Promise<OutboxRow | undefined> {
  const { rows } = await q.query<OutboxRow>(
    `INSERT INTO hub.application_outbox (application_number, delivery_id, company_code, participant_code, request_id,
       interface_id, update_flag, area, supply_point_id, body, filed_at, status, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $11)
     ON CONFLICT (company_code, request_id) DO NOTHING
     RETURNING ${columns}`,
    [
      row.applicationNumber,
      row.deliveryId,
      row.companyCode,
      row.participantCode,
      row.requestId,
      row.interfaceId,
      row.updateFlag,
      row.area,
      row.supplyPointId,
      JSON.stringify(row.body),
      row.filedAt,
    ],
  );
  return rows[0];
}

/**
 * Claims the oldest pending filing of an application for one delivery attempt, unless another
 * deliverer holds it: single winner across processes (a concurrent claimer re-reads the row after
 * the first commits and finds it claimed). The claim runs out after `leaseMs` of real time, so a
 * deliverer that crashed mid-delivery does not hold the application for ever.
 */
export async function claimNextFiling(q: Queryable, applicationNumber: string, leaseMs: number): Promise<OutboxRow | undefined> {
  const { rows } = await q.query<OutboxRow>(
    `UPDATE hub.application_outbox o
        SET claimed_until = clock_timestamp() + make_interval(secs => $2::double precision / 1000), attempts = o.attempts + 1
      WHERE o.id = (SELECT id FROM hub.application_outbox WHERE application_number = $1 AND status = 'pending' ORDER BY id LIMIT 1)
        AND o.status = 'pending'
        AND (o.claimed_until IS NULL OR o.claimed_until < clock_timestamp())
      RETURNING ${columns}`,
    [applicationNumber, leaseMs],
  );
  return rows[0];
}

/**
 * Keeping a grid's answer does not wait for the write-ahead log to reach the disk: the statement
 * sets `synchronous_commit` off for its own transaction (`asyncCommit`). A mark lost in a database
 * crash leaves the filing pending and claimed; once the claim runs out it is delivered again and
 * the grid answers from what it stored under the delivery ID, so a lost mark costs one message,
 * never a decision. (Never so for what must survive: the filing itself, the grid's decision.) In a
 * caller's transaction the setting holds for the whole transaction: use it only in transactions
 * that keep delivery outcomes alone (`markBatch`).
 */
const asyncCommit = `(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit`;

/** Keeps a grid's answer: the filing delivered (committed without waiting for the disk: `asyncCommit`). */
export async function markDelivered(q: Queryable, id: number, answer: InterfaceResponse, at: Date): Promise<void> {
  await q.query(
    `UPDATE hub.application_outbox SET status = 'delivered', grid_answer = $2, delivered_at = $3, claimed_until = NULL, last_error = NULL
       FROM ${asyncCommit}
      WHERE id = $1 AND status = 'pending'`,
    [id, JSON.stringify(answer), at],
    { name: 'outbox_mark_delivered' },
  );
}

export async function markAttemptFailed(q: Queryable, id: number, error: string, nextAttemptAt: Date): Promise<void> {
  await q.query(`UPDATE hub.application_outbox SET claimed_until = NULL, last_error = $2, next_attempt_at = $3 WHERE id = $1 AND status = 'pending'`, [
    id,
    error.slice(0, 500),
    nextAttemptAt,
  ]);
}

/** Applications with a pending filing due by `now` and not held by a deliverer, oldest first. */
export async function selectDueApplications(q: Queryable, now: Date, limit: number): Promise<string[]> {
  const { rows } = await q.query<{ applicationNumber: string }>(
    `SELECT application_number AS "applicationNumber" FROM hub.application_outbox
      WHERE status = 'pending' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < clock_timestamp())
      GROUP BY application_number ORDER BY min(id) LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.applicationNumber);
}

/**
 * Claims up to `limit` filings of one area (of `interfaceIds`) for one batch delivery: of each
 * application only its oldest pending filing (filings reach the grid in order), due by `now` and not held by another
 * deliverer. Rows another claimer is locking are skipped, so concurrent claimers take disjoint
 * batches; the claim runs out after `leaseMs` of real time, as `claimNextFiling`'s.
 */
export async function claimDueBatch(
  q: Queryable,
  area: string,
  now: Date,
  limit: number,
  leaseMs: number,
  interfaceIds: readonly string[],
): Promise<OutboxRow[]> {
  const { rows } = await q.query<OutboxRow>(
    `WITH picked AS (
        SELECT o.id AS picked_id FROM hub.application_outbox o
         WHERE o.status = 'pending' AND o.area = $1 AND o.next_attempt_at <= $2 AND o.interface_id = ANY($5::text[])
           AND (o.claimed_until IS NULL OR o.claimed_until < clock_timestamp())
           AND NOT EXISTS (SELECT 1 FROM hub.application_outbox e
                            WHERE e.application_number = o.application_number AND e.status = 'pending' AND e.id < o.id)
         ORDER BY o.id LIMIT $3
         FOR UPDATE OF o SKIP LOCKED
      )
      UPDATE hub.application_outbox o
         SET claimed_until = clock_timestamp() + make_interval(secs => $4::double precision / 1000), attempts = o.attempts + 1
        FROM picked WHERE o.id = picked.picked_id
      RETURNING ${columns}`,
    [area, now, limit, leaseMs, interfaceIds],
  );
  return rows.sort((a, b) => a.id - b.id);
}

/** Marks many filings delivered with their grid answers, in one statement (committed without waiting for the disk: `asyncCommit`). */
export async function markManyDelivered(q: Queryable, delivered: readonly { id: number; answer: InterfaceResponse }[], at: Date): Promise<void> {
  if (delivered.length === 0) return;
  await q.query(
    `UPDATE hub.application_outbox o SET status = 'delivered', grid_answer = u.answer, delivered_at = $1, claimed_until = NULL, last_error = NULL
       FROM unnest($2::bigint[], $3::jsonb[]) AS u(id, answer), ${asyncCommit}
      WHERE o.id = u.id AND o.status = 'pending'`,
    [at, delivered.map((d) => d.id), delivered.map((d) => JSON.stringify(d.answer))],
    { name: 'outbox_mark_many_delivered' },
  );
}

/** Records a failed attempt of many filings, each due again at its own time, in one statement. */
export async function markManyAttemptsFailed(q: Queryable, failed: readonly { id: number; nextAttemptAt: Date }[], error: string): Promise<void> {
  if (failed.length === 0) return;
  await q.query(
    `UPDATE hub.application_outbox o SET claimed_until = NULL, last_error = $1, next_attempt_at = u.next
       FROM unnest($2::bigint[], $3::timestamptz[]) AS u(id, next)
      WHERE o.id = u.id AND o.status = 'pending'`,
    [error.slice(0, 500), failed.map((f) => f.id), failed.map((f) => f.nextAttemptAt)],
  );
}

/** Gives claims back without counting the attempt (the grid does not take batches: deliver one by one). */
export async function releaseClaims(q: Queryable, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await q.query(`UPDATE hub.application_outbox SET claimed_until = NULL, attempts = attempts - 1 WHERE id = ANY($1::bigint[]) AND status = 'pending'`, [ids]);
}

/** The areas with a filing due by `now`. */
export async function selectDueAreas(q: Queryable, now: Date): Promise<string[]> {
  const { rows } = await q.query<{ area: string }>(
    `SELECT DISTINCT area FROM hub.application_outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY area`,
    [now],
  );
  return rows.map((r) => r.area);
}

/** The filings of these request IDs of a company (one statement for a whole file). */
export async function selectByRequests(q: Queryable, companyCode: string, requestIds: readonly string[]): Promise<OutboxRow[]> {
  if (requestIds.length === 0) return [];
  const { rows } = await q.query<OutboxRow>(`SELECT ${columns} FROM hub.application_outbox WHERE company_code = $1 AND request_id = ANY($2::text[])`, [
    companyCode,
    requestIds,
  ]);
  return rows;
}

/** Takes `count` serials of the day in an area at once; returns the first. */
export async function nextApplicationSerials(q: Queryable, area: string, day: IsoDate, count: number): Promise<number> {
  const { rows } = await q.query<{ last: number }>(
    `INSERT INTO hub.application_counter AS c (area, day, last_serial) VALUES ($1, $2, $3)
     ON CONFLICT (area, day) DO UPDATE SET last_serial = c.last_serial + $3
     RETURNING last_serial AS last`,
    [area, day, count],
    { name: 'outbox_next_serials' },
  );
  return rows[0]!.last - count + 1;
}

/**
 * Inserts many filings, due at once, in one statement per 5,000; returns those inserted (a request
 * ID this company already used is skipped, as `insertFiling` does).
 */
export async function insertFilings(q: Queryable, filings: readonly NewOutboxRow[]): Promise<OutboxRow[]> {
  const inserted: OutboxRow[] = [];
  for (let start = 0; start < filings.length; start += 5_000) {
    const chunk = filings.slice(start, start + 5_000);
    const { rows } = await q.query<OutboxRow>(
      `INSERT INTO hub.application_outbox (application_number, delivery_id, company_code, participant_code, request_id,
         interface_id, update_flag, area, supply_point_id, body, filed_at, status, next_attempt_at)
       SELECT a, d, c, p, r, i, f, ar, sp, b, t, 'pending', t
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::timestamptz[])
           AS u(a, d, c, p, r, i, f, ar, sp, b, t)
       ON CONFLICT (company_code, request_id) DO NOTHING
       RETURNING ${columns}`,
      [
        chunk.map((r) => r.applicationNumber),
        chunk.map((r) => r.deliveryId),
        chunk.map((r) => r.companyCode),
        chunk.map((r) => r.participantCode),
        chunk.map((r) => r.requestId),
        chunk.map((r) => r.interfaceId),
        chunk.map((r) => r.updateFlag),
        chunk.map((r) => r.area),
        chunk.map((r) => r.supplyPointId),
        chunk.map((r) => JSON.stringify(r.body)),
        chunk.map((r) => r.filedAt),
      ],
    );
    inserted.push(...rows);
  }
  return inserted;
}

/** The filings of these (company, request ID) pairs, of several companies at once. */
export async function selectByCompanyRequests(q: Queryable, keys: readonly { companyCode: string; requestId: string }[]): Promise<OutboxRow[]> {
  if (keys.length === 0) return [];
  const { rows } = await q.query<OutboxRow>(
    `SELECT ${columns} FROM hub.application_outbox
      WHERE (company_code, request_id) IN (SELECT c, r FROM unnest($1::text[], $2::text[]) AS k(c, r))`,
    [keys.map((k) => k.companyCode), keys.map((k) => k.requestId)],
    { name: 'outbox_select_company_requests' },
  );
  return rows;
}

/** A registration of a group commit before it is numbered: `body` without the application number. */
export type UnnumberedRegistration = Omit<NewOutboxRow, 'applicationNumber' | 'deliveryId' | 'updateFlag'>;

/**
 * Numbers and stores the registrations of a group commit in ONE statement (atomic alone, no
 * transaction round trips): the serials of each area taken from the day's counter (areas in order,
 * so two hubs never lock the counters in a cycle), the numbers made as `formatApplicationNumber`
 * makes them (in arrival order within an area), the filings inserted already claimed by their filer
 * for the first attempt (attempts 1, held for `leaseMs` of real time, as `claimNextFiling` would).
 *
 * All or nothing, so the serials never have a gap: if any request ID of the group was used before
 * by its company, nothing is numbered nor stored and the answer is empty; a request ID stored by
 * another hub at the same moment, or a serial beyond `maxSerial` (its number NULL, which the column
 * refuses), fails the statement. Either way the caller files each registration alone.
 */
export async function insertNumberedRegistrations(
  q: Queryable,
  filings: readonly UnnumberedRegistration[],
  numbering: { day: IsoDate; prefix: string; maxSerial: number },
  filedAt: Date,
  leaseMs: number,
): Promise<OutboxRow[]> {
  if (filings.length === 0) return [];
  const { rows } = await q.query<OutboxRow>(
    `WITH wanted AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
         WITH ORDINALITY AS u(c, p, r, i, ar, sp, b, n)
     ),
     used AS (
       SELECT 1 FROM hub.application_outbox o JOIN wanted w ON o.company_code = w.c AND o.request_id = w.r
     ),
     counted AS (
       INSERT INTO hub.application_counter AS k (area, day, last_serial)
       SELECT ar, $8::date, count(*)::int FROM wanted WHERE NOT EXISTS (SELECT 1 FROM used) GROUP BY ar ORDER BY ar
       ON CONFLICT (area, day) DO UPDATE SET last_serial = k.last_serial + excluded.last_serial
       RETURNING area, last_serial
     ),
     numbered AS (
       SELECT w.*, k.last_serial - count(*) OVER (PARTITION BY w.ar) + row_number() OVER (PARTITION BY w.ar ORDER BY w.n) AS serial
         FROM wanted w JOIN counted k ON k.area = w.ar
     ),
     named AS (
       SELECT numbered.*, CASE WHEN serial <= $11 THEN $9 || ar || '-' || $10 || lpad(serial::text, 6, '0') END AS number FROM numbered
     )
     INSERT INTO hub.application_outbox (application_number, delivery_id, company_code, participant_code, request_id,
       interface_id, update_flag, area, supply_point_id, body, filed_at, status, next_attempt_at, attempts, claimed_until)
     SELECT number, number, c, p, r, i, '1', ar, sp, b || jsonb_build_object('applicationNumber', number), $12, 'pending', $12, 1,
            clock_timestamp() + make_interval(secs => $13::double precision / 1000)
       FROM named ORDER BY n
     RETURNING ${columns}`,
    [
      filings.map((r) => r.companyCode),
      filings.map((r) => r.participantCode),
      filings.map((r) => r.requestId),
      filings.map((r) => r.interfaceId),
      filings.map((r) => r.area),
      filings.map((r) => r.supplyPointId),
      filings.map((r) => JSON.stringify(r.body)),
      numbering.day,
      numbering.prefix,
      numbering.day.replaceAll('-', ''),
      numbering.maxSerial,
      filedAt,
      leaseMs,
    ],
    { name: 'outbox_insert_numbered' },
  );
  return rows.sort((a, b) => a.id - b.id);
}
