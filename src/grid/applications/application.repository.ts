/**
 * Stored applications: reading them, and moving them from stage to stage through the stage machine
 * with every transition recorded (application_transition) and notification events written
 * (application_event). Every write moves the application's feed position forward.
 */
import { stages, type ApplicationKindCode } from '../../domain/codes.ts';
import { tokyoDate, type IsoDate } from '../../domain/date.ts';
import type { MessageCode } from '../../domain/messages.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import { feedStamp } from './feed-horizon.ts';
import { transition, type ApplicationEvent, type ApplicationKind, type ApplicationStage, type Effect } from './stage-machine.ts';

export interface Application {
  readonly applicationNumber: string;
  readonly participantCode: string;
  readonly requestId: string;
  readonly retailerRequestId: string | null;
  readonly interfaceId: string;
  readonly kind: ApplicationKind;
  readonly applicationKind: ApplicationKindCode;
  readonly supplyPointId: string;
  readonly stage: ApplicationStage;
  readonly stageAt: Date;
  readonly requestedDate: IsoDate | null;
  readonly effectiveDate: IsoDate | null;
  readonly meterWork: boolean;
  readonly body: Record<string, unknown>;
  readonly refusalCode: MessageCode | null;
  readonly refusalText: string | null;
  readonly matchedWith: string | null;
  readonly acceptedAt: Date;
  readonly updatedAt: Date;
}

const columns = `application_number AS "applicationNumber", participant_code AS "participantCode", request_id AS "requestId",
  retailer_request_id AS "retailerRequestId", interface_id AS "interfaceId", kind, application_kind AS "applicationKind",
  supply_point_id AS "supplyPointId", stage, stage_at AS "stageAt", requested_date AS "requestedDate",
  effective_date AS "effectiveDate", meter_work AS "meterWork", body, refusal_code AS "refusalCode",
  refusal_text AS "refusalText", matched_with AS "matchedWith", accepted_at AS "acceptedAt", updated_at AS "updatedAt"`;

export const applicationColumns = columns;

export async function findApplication(
  q: Queryable,
  schema: string,
  applicationNumber: string,
  options: { forUpdate?: boolean } = {},
): Promise<Application | undefined> {
  const { rows } = await q.query<Application>(
    `SELECT ${columns} FROM ${ident(schema)}.application WHERE application_number = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [applicationNumber],
  );
  return rows[0];
}

/** By the retailer's requestId field, else by the delivery's requestId. */
export async function findApplicationByRequest(q: Queryable, schema: string, participantCode: string, requestId: string): Promise<Application | undefined> {
  const { rows } = await q.query<Application>(
    `SELECT ${columns} FROM ${ident(schema)}.application
     WHERE participant_code = $1 AND (retailer_request_id = $2 OR request_id = $2)
     ORDER BY (retailer_request_id = $2) DESC, accepted_at DESC LIMIT 1`,
    [participantCode, requestId],
  );
  return rows[0];
}

/** The applications of a point that still hold it (01, 03, 05, 10). */
export async function openApplicationsOf(q: Queryable, schema: string, supplyPointId: string): Promise<Application[]> {
  const { rows } = await q.query<Application>(
    `SELECT ${columns} FROM ${ident(schema)}.application WHERE supply_point_id = $1 AND stage IN ('01', '03', '05', '10')`,
    [supplyPointId],
  );
  return rows;
}

export interface NewApplication {
  readonly applicationNumber: string;
  readonly participantCode: string;
  readonly requestId: string;
  readonly retailerRequestId: string | null;
  readonly interfaceId: string;
  readonly kind: ApplicationKind;
  readonly applicationKind: ApplicationKindCode;
  readonly supplyPointId: string;
  readonly body: Record<string, unknown>;
}

/** Stores an application at 01 (accepted), with the first history entry. */
export async function insertApplication(q: Queryable, schema: string, a: NewApplication, at: Date): Promise<Application> {
  const s = ident(schema);
  const { rows } = await q.query<Application>(
    `INSERT INTO ${s}.application (application_number, participant_code, request_id, retailer_request_id, interface_id, kind,
       application_kind, supply_point_id, stage, stage_at, body, accepted_at, updated_at, update_xid, update_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '01', $9, $10, $9, $9, ${feedStamp}, nextval('${schema}.application_update_seq'))
     RETURNING ${columns}`,
    [
      a.applicationNumber,
      a.participantCode,
      a.requestId,
      a.retailerRequestId,
      a.interfaceId,
      a.kind,
      a.applicationKind,
      a.supplyPointId,
      at,
      JSON.stringify(a.body),
    ],
  );
  await q.query(
    `INSERT INTO ${s}.application_transition (application_number, from_stage, to_stage, event, cause, at) VALUES ($1, NULL, '01', 'received', $2, $3)`,
    [a.applicationNumber, a.requestId, at],
  );
  return rows[0]!;
}

export interface TransitionChanges {
  readonly body?: Record<string, unknown>;
  readonly requestedDate?: IsoDate | null;
  readonly effectiveDate?: IsoDate | null;
  readonly meterWork?: boolean;
  readonly matchedWith?: string;
  readonly refusalParams?: Record<string, string | number>;
  /** The stored text of a refusal raised elsewhere (with its own parameters), instead of the reason's text. */
  readonly refusalText?: string;
}

/**
 * Moves an application by `event`, storing the new stage with `changes`, the history entry (with
 * `cause`) and the notification event; returns it and the effects left for the caller
 * (`tryMatching`, `applyToSupplyPoint`). An event the stage machine refuses throws its Refusal.
 */
export async function moveApplication(
  q: Queryable,
  schema: string,
  application: Application,
  event: ApplicationEvent,
  cause: string,
  at: Date,
  changes: TransitionChanges = {},
): Promise<{ application: Application; effects: readonly Effect[] }> {
  const result = transition({ kind: application.kind, stage: application.stage }, event);
  if ('refused' in result) throw new Refusal(result.refused, { params: { applicationNumber: application.applicationNumber } });
  const s = ident(schema);
  const next = result.next.stage;
  const refusal = result.reason ? new Refusal(result.reason, { params: changes.refusalParams ?? {} }) : undefined;
  const { rows } = await q.query<Application>(
    `UPDATE ${s}.application SET stage = $2,
       stage_at = CASE WHEN stage = $2 THEN stage_at ELSE $3 END,
       refusal_code = $4, refusal_text = $5,
       body = COALESCE($6::jsonb, body),
       requested_date = CASE WHEN $7 THEN $8::date ELSE requested_date END,
       effective_date = CASE WHEN $9 THEN $10::date ELSE effective_date END,
       meter_work = COALESCE($11, meter_work),
       matched_with = COALESCE($12, matched_with),
       updated_at = $3, update_xid = ${feedStamp}, update_seq = nextval('${schema}.application_update_seq')
     WHERE application_number = $1 RETURNING ${columns}`,
    [
      application.applicationNumber,
      next,
      at,
      refusal?.code ?? null,
      refusal ? (changes.refusalText ?? refusal.text) : null,
      changes.body ? JSON.stringify(changes.body) : null,
      changes.requestedDate !== undefined,
      changes.requestedDate ?? null,
      changes.effectiveDate !== undefined,
      changes.effectiveDate ?? null,
      changes.meterWork ?? null,
      changes.matchedWith ?? null,
    ],
  );
  await q.query(`INSERT INTO ${s}.application_transition (application_number, from_stage, to_stage, event, cause, at) VALUES ($1, $2, $3, $4, $5, $6)`, [
    application.applicationNumber,
    application.stage,
    next,
    event.type,
    cause,
    at,
  ]);
  for (const effect of result.effects) {
    if (effect.type !== 'notify') continue;
    await q.query(
      `INSERT INTO ${s}.application_event (application_number, participant_code, event, stage, at, xid) VALUES ($1, $2, $3, $4, $5, ${feedStamp})`,
      [application.applicationNumber, application.participantCode, effect.event, next, at],
    );
  }
  return { application: rows[0]!, effects: result.effects.filter((e) => e.type !== 'notify') };
}

export interface HistoryEntry {
  readonly stage: string;
  readonly stageName: string;
  readonly stageDate: IsoDate;
  readonly stageAt: string;
}

export async function historyOf(q: Queryable, schema: string, applicationNumber: string): Promise<HistoryEntry[]> {
  const { rows } = await q.query<{ stage: ApplicationStage; at: Date }>(
    `SELECT to_stage AS stage, at FROM ${ident(schema)}.application_transition WHERE application_number = $1 ORDER BY transition_id`,
    [applicationNumber],
  );
  return rows.map((r) => ({ stage: r.stage, stageName: stages[r.stage], stageDate: tokyoDate(r.at), stageAt: r.at.toISOString() }));
}

export interface ApplicationEventRow {
  readonly eventId: number;
  readonly applicationNumber: string;
  readonly participantCode: string;
  readonly event: string;
  readonly stage: string;
}

export async function eventsOf(q: Queryable, schema: string, applicationNumber: string): Promise<ApplicationEventRow[]> {
  const { rows } = await q.query<ApplicationEventRow>(
    `SELECT event_id AS "eventId", application_number AS "applicationNumber", participant_code AS "participantCode", event, stage
     FROM ${ident(schema)}.application_event WHERE application_number = $1 ORDER BY event_id`,
    [applicationNumber],
  );
  return rows;
}
