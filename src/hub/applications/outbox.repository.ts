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

export async function markDelivered(q: Queryable, id: number, answer: InterfaceResponse, at: Date): Promise<void> {
  await q.query(
    `UPDATE hub.application_outbox SET status = 'delivered', grid_answer = $2, delivered_at = $3, claimed_until = NULL, last_error = NULL
      WHERE id = $1 AND status = 'pending'`,
    [id, JSON.stringify(answer), at],
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
