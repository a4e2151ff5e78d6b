/**
 * The stub's own tables in each area's schema (migrations 0007 and 0012): applications filed on
 * designated IDs, their events (as the reference grid's application_event, for the hub's
 * notifications) and the deliveries of each filing (how often it came, and the answer it got).
 * Every change of an application takes a new feed position (update_xid, update_seq).
 */
import type { InterfaceResponse } from '../../interfaces/message.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import { feedStamp } from '../applications/feed-horizon.ts';
import type { ScriptStep, StubStage } from './script.ts';

export interface StubHistoryEntry {
  readonly stage: StubStage;
  readonly stageName: string;
  readonly stageDate: string;
  readonly stageAt: string;
}

export interface StubApplication {
  readonly applicationNumber: string;
  readonly interfaceId: string;
  readonly participantCode: string;
  readonly requestId: string;
  readonly retailerRequestId: string | null;
  readonly supplyPointId: string;
  readonly applicationKind: string;
  readonly stage: StubStage;
  readonly script: readonly ScriptStep[];
  readonly refusalCode: string | null;
  readonly refusalText: string | null;
  readonly scheduledDate: string | null;
  readonly usagePassword: string | null;
  readonly passwordShown: boolean;
  readonly history: readonly StubHistoryEntry[];
  readonly acceptedAt: Date;
  readonly stageAt: Date;
}

const columns = `application_number AS "applicationNumber", interface_id AS "interfaceId", participant_code AS "participantCode",
  request_id AS "requestId", retailer_request_id AS "retailerRequestId", supply_point_id AS "supplyPointId",
  application_kind AS "applicationKind", stage, script, refusal_code AS "refusalCode", refusal_text AS "refusalText",
  scheduled_date::text AS "scheduledDate", usage_password AS "usagePassword", password_shown AS "passwordShown", history,
  accepted_at AS "acceptedAt", stage_at AS "stageAt"`;

export async function findStubApplication(q: Queryable, schema: string, applicationNumber: string, forUpdate = false): Promise<StubApplication | undefined> {
  const { rows } = await q.query<StubApplication>(
    `SELECT ${columns} FROM ${ident(schema)}.stub_application WHERE application_number = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [applicationNumber],
  );
  return rows[0];
}

export async function findStubApplicationByRequest(
  q: Queryable,
  schema: string,
  participantCode: string,
  requestId: string,
): Promise<StubApplication | undefined> {
  const { rows } = await q.query<StubApplication>(
    `SELECT ${columns} FROM ${ident(schema)}.stub_application
     WHERE participant_code = $1 AND (retailer_request_id = $2 OR request_id = $2) ORDER BY accepted_at LIMIT 1`,
    [participantCode, requestId],
  );
  return rows[0];
}

export async function countStubApplications(q: Queryable, schema: string, supplyPointId?: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${ident(schema)}.stub_application${supplyPointId ? ' WHERE supply_point_id = $1' : ''}`,
    supplyPointId ? [supplyPointId] : [],
  );
  return rows[0]!.n;
}

export async function insertStubApplication(q: Queryable, schema: string, a: StubApplication): Promise<void> {
  await q.query(
    `INSERT INTO ${ident(schema)}.stub_application (application_number, interface_id, participant_code, request_id, retailer_request_id,
       supply_point_id, application_kind, stage, script, refusal_code, refusal_text, scheduled_date, usage_password, password_shown,
       history, accepted_at, stage_at, update_xid)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, ${feedStamp})`,
    [
      a.applicationNumber,
      a.interfaceId,
      a.participantCode,
      a.requestId,
      a.retailerRequestId,
      a.supplyPointId,
      a.applicationKind,
      a.stage,
      JSON.stringify(a.script),
      a.refusalCode,
      a.refusalText,
      a.scheduledDate,
      a.usagePassword,
      a.passwordShown,
      JSON.stringify(a.history),
      a.acceptedAt,
      a.stageAt,
    ],
  );
}

export async function updateStubApplication(q: Queryable, schema: string, a: StubApplication): Promise<void> {
  await q.query(
    `UPDATE ${ident(schema)}.stub_application SET stage = $2, script = $3, refusal_code = $4, refusal_text = $5, usage_password = $6,
       password_shown = $7, history = $8, stage_at = $9,
       update_xid = ${feedStamp}, update_seq = nextval('${ident(schema)}.application_update_seq')
     WHERE application_number = $1`,
    [
      a.applicationNumber,
      a.stage,
      JSON.stringify(a.script),
      a.refusalCode,
      a.refusalText,
      a.usagePassword,
      a.passwordShown,
      JSON.stringify(a.history),
      a.stageAt,
    ],
  );
}

/** Counts one more delivery of a filing (in its own statement: a failing delivery still counts); returns the count and any stored answer. */
export async function countDelivery(
  q: Queryable,
  schema: string,
  participantCode: string,
  requestId: string,
): Promise<{ attempts: number; response: InterfaceResponse | null }> {
  const { rows } = await q.query<{ attempts: number; response: InterfaceResponse | null }>(
    `INSERT INTO ${ident(schema)}.stub_delivery (participant_code, request_id, attempts) VALUES ($1, $2, 1)
     ON CONFLICT (participant_code, request_id) DO UPDATE SET attempts = stub_delivery.attempts + 1
     RETURNING attempts, response`,
    [participantCode, requestId],
  );
  return rows[0]!;
}

export async function storeAnswer(q: Queryable, schema: string, participantCode: string, requestId: string, response: InterfaceResponse): Promise<void> {
  await q.query(`UPDATE ${ident(schema)}.stub_delivery SET response = $3 WHERE participant_code = $1 AND request_id = $2`, [
    participantCode,
    requestId,
    JSON.stringify(response),
  ]);
}

export async function deliveryAttempts(q: Queryable, schema: string, participantCode: string, requestId: string): Promise<number> {
  const { rows } = await q.query<{ attempts: number }>(`SELECT attempts FROM ${ident(schema)}.stub_delivery WHERE participant_code = $1 AND request_id = $2`, [
    participantCode,
    requestId,
  ]);
  return rows[0]?.attempts ?? 0;
}

export type StubEvent = 'matchingComplete' | 'completed' | 'refused' | 'cancelled';

/** Records an event of a stub application (read by GRID_EVENTS with the reference grid's). */
export async function insertStubEvent(
  q: Queryable,
  schema: string,
  a: Pick<StubApplication, 'applicationNumber' | 'participantCode'>,
  kind: string,
  event: StubEvent,
  stage: string,
  at: Date,
): Promise<void> {
  await q.query(
    `INSERT INTO ${ident(schema)}.stub_application_event (application_number, participant_code, kind, event, stage, at, xid)
     VALUES ($1, $2, $3, $4, $5, $6, ${feedStamp})`,
    [a.applicationNumber, a.participantCode, kind, event, stage, at],
  );
}
