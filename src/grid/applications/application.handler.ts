/**
 * Wheeling change applications (…10: IF_10410 … IF_10910 with their K and F variants): register
 * (update flag 1), correct (2) and cancel (3), by the rules of rules.ts (README "Application rules").
 *
 * - Idempotent by (participantCode, envelope requestId): the answer to each delivery is stored
 *   (application_request) in the same transaction as its effect, and a redelivery gets it again.
 * - A registration whose supply point ID is well formed and of this area is always stored, refused
 *   (09, with the reason; NG) or accepted (03 waiting for matching for a switch, 10 in progress for
 *   the others; OK), so its number, given by the hub, can be asked about.
 * - The supply point's row is locked first (`FOR UPDATE`), so applications of one point are decided
 *   one at a time, and a switch is matched at once when its counterpart is already waiting.
 * - A correction re-examines the application with the new items; refused, the application stays
 *   as it was. Neither correction nor cancellation is possible from 05 (matching complete) on.
 */
import { stages } from '../../domain/codes.ts';
import { tokyoDate } from '../../domain/date.ts';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import type { InterfaceRequest, InterfaceResponse } from '../../interfaces/message.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import { ng, ok, type GridContext, type InterfaceHandler } from '../context.ts';
import { nextApplicationSerial } from '../lookup/usage-password.repository.ts';
import { findFacility } from '../registry/facility.repository.ts';
import { findApplication, insertApplication, moveApplication, openApplicationsOf, type Application } from './application.repository.ts';
import { matchPoint } from './jobs.ts';
import { applicationInterface, examineApplication, text, type ApplicationInterface } from './rules.ts';
import { supplyPointIdOf } from '../lookup/request.ts';
import { takeAttachments } from '../../interfaces/attachments.ts';
import { interfaceById } from '../../interfaces/catalogue/catalogue.ts';
import { storeAttachments } from './attachment.repository.ts';

export function applicationHandler(interfaceId: string): InterfaceHandler {
  const itf = applicationInterface(interfaceId);
  if (!itf) throw new Error(`not an application interface: ${interfaceId}`);
  return async (ctx, request) => {
    const checked = checkApplicationRequest(ctx, itf, request);
    const answer = async (): Promise<InterfaceResponse> => {
      const stored = await storedAnswer(ctx.db, ctx.schema, request);
      if (stored) return stored;
      return ctx.db.transaction((tx) => decideApplication(tx, ctx, itf, request, checked));
    };
    try {
      return await answer();
    } catch (error) {
      // The same delivery twice at once: the other one's answer (unique violation on its key).
      const stored = await storedAnswer(ctx.db, ctx.schema, request);
      if (stored) return stored;
      throw error;
    }
  };
}

export interface CheckedApplicationRequest {
  readonly supplyPointId: string;
  readonly flag: '1' | '2' | '3';
}

/** What is refused before anything is stored (NG, no application): a malformed or foreign point, a bad update flag. */
export function checkApplicationRequest(ctx: GridContext, _itf: ApplicationInterface, request: InterfaceRequest): CheckedApplicationRequest {
  const supplyPointId = supplyPointIdOf(ctx, request); // malformed or foreign: NG, nothing stored
  const flag = text(request.body, 'updateFlag') ?? '1';
  if (flag !== '1' && flag !== '2' && flag !== '3') throw new Refusal('APP_UPDATE_FLAG_INVALID', { field: 'updateFlag' });
  return { supplyPointId, flag };
}

/**
 * Decides one delivery in the caller's transaction: the point locked, the application registered,
 * corrected or cancelled (or refused), and the answer stored for redeliveries. Used alone (one
 * delivery, one transaction) and by the batch (batch.handler.ts: many deliveries, one transaction).
 */
export async function decideApplication(
  tx: Queryable,
  ctx: GridContext,
  itf: ApplicationInterface,
  request: InterfaceRequest,
  { supplyPointId, flag }: CheckedApplicationRequest,
): Promise<InterfaceResponse> {
  let response: InterfaceResponse;
  let number: string | null = null;
  try {
    // Documents attached (a move-in's): kept beside the application, not among its items.
    const { body, files } = takeAttachments(interfaceById(itf.interfaceId)!, request.body);
    const plain = { ...request, body };
    await tx.query(`SELECT 1 FROM ${ident(ctx.schema)}.supply_point WHERE supply_point_id = $1 FOR UPDATE`, [supplyPointId]);
    const application = flag === '1' ? await register(tx, ctx, itf, plain, supplyPointId) : await update(tx, ctx, itf, plain, supplyPointId, flag === '3');
    number = application.applicationNumber;
    const key = { applicationNumber: number, participantCode: request.participantCode, requestId: request.requestId };
    if (flag !== '3') await storeAttachments(tx, ctx.schema, key, files, ctx.clock.now());
    response = acceptedResponse(application, plain, flag === '3');
  } catch (error) {
    if (!isRefusal(error)) throw error;
    response = ng([error.toDetail()]);
  }
  await tx.query(
    `INSERT INTO ${ident(ctx.schema)}.application_request (participant_code, request_id, application_number, response, at) VALUES ($1, $2, $3, $4, $5)`,
    [request.participantCode, request.requestId, number, JSON.stringify(response), ctx.clock.now()],
  );
  return response;
}

export async function storedAnswer(q: Queryable, schema: string, request: InterfaceRequest): Promise<InterfaceResponse | undefined> {
  const { rows } = await q.query<{ response: InterfaceResponse }>(
    `SELECT response FROM ${ident(schema)}.application_request WHERE participant_code = $1 AND request_id = $2`,
    [request.participantCode, request.requestId],
  );
  return rows[0]?.response;
}

async function register(tx: Queryable, ctx: GridContext, itf: ApplicationInterface, request: InterfaceRequest, supplyPointId: string): Promise<Application> {
  const now = ctx.clock.now();
  const day = tokyoDate(now);
  const applicationNumber =
    text(request.body, 'applicationNumber')?.normalize('NFKC').toUpperCase() ??
    `AP${ctx.area}-${day.replaceAll('-', '')}${String(await nextApplicationSerial(tx, ctx.schema, 'AP', day)).padStart(6, '0')}`;
  const body = { ...request.body, applicationNumber };
  let application = await insertApplication(
    tx,
    ctx.schema,
    {
      applicationNumber,
      participantCode: request.participantCode,
      requestId: request.requestId,
      retailerRequestId: text(request.body, 'requestId') ?? null,
      interfaceId: itf.interfaceId,
      kind: itf.kind,
      applicationKind: safeKind(itf, body),
      supplyPointId,
      body,
    },
    now,
  );
  try {
    const facility = await findFacility(tx, ctx.schema, supplyPointId);
    if (!facility) throw new Refusal('SPID_NOT_FOUND', { field: 'supplyPointId' });
    const examined = examineApplication({
      itf,
      facility,
      participantCode: request.participantCode,
      body,
      today: day,
      area: ctx.area,
      open: await openApplicationsOf(tx, ctx.schema, supplyPointId),
      self: applicationNumber,
    });
    const moved = await moveApplication(tx, ctx.schema, application, { type: 'accepted' }, request.requestId, now, {
      requestedDate: examined.requestedDate,
      effectiveDate: examined.effectiveDate,
      meterWork: examined.meterWork,
    });
    application = moved.application;
    if (moved.effects.some((e) => e.type === 'tryMatching') && (await matchPoint(tx, ctx, supplyPointId, request.requestId))) {
      application = (await findApplication(tx, ctx.schema, applicationNumber))!;
    }
    return application;
  } catch (error) {
    if (!isRefusal(error)) throw error;
    // The stored reason is the refusal's own text (with its parameters).
    const refused = await moveApplication(tx, ctx.schema, application, { type: 'refused', reason: error.code }, request.requestId, now, {
      refusalText: error.text,
    });
    return refused.application;
  }
}

export function safeKind(itf: ApplicationInterface, body: Record<string, unknown>) {
  const fallback = { moveIn: '04', moveOut: '01', switchIn: '05', switchOut: '03', infoChange: '07', ampereChange: '06' } as const;
  const fit = { moveIn: '15', moveOut: '12', switchIn: '16', switchOut: '14', infoChange: '17', ampereChange: '06' } as const;
  const given = text(body, 'applicationKind');
  if (itf.kind === 'moveOut' && given !== undefined && (itf.family === 'FIT' ? ['12', '13'] : ['01', '02']).includes(given)) return given as '01';
  return (itf.family === 'FIT' ? fit : fallback)[itf.kind];
}

async function update(
  tx: Queryable,
  ctx: GridContext,
  itf: ApplicationInterface,
  request: InterfaceRequest,
  supplyPointId: string,
  cancel: boolean,
): Promise<Application> {
  const number = text(request.body, 'applicationNumber')?.normalize('NFKC').toUpperCase();
  if (number === undefined) throw new Refusal('GRID_FIELD_REQUIRED', { field: 'applicationNumber', params: { field: '申込番号' } });
  const application = await findApplication(tx, ctx.schema, number, { forUpdate: true });
  if (!application || application.participantCode !== request.participantCode) {
    throw new Refusal('GRID_APPLICATION_NOT_FOUND', { field: 'applicationNumber', params: { applicationNumber: number } });
  }
  if (application.interfaceId !== itf.interfaceId) {
    throw new Refusal('APP_KIND_MISMATCH', { field: 'applicationNumber', params: { applicationNumber: number, interfaceId: application.interfaceId } });
  }
  if (application.supplyPointId !== supplyPointId) throw new Refusal('APP_POINT_MISMATCH', { field: 'supplyPointId', params: { applicationNumber: number } });
  const now = ctx.clock.now();
  if (cancel) return (await moveApplication(tx, ctx.schema, application, { type: 'cancelled' }, request.requestId, now)).application;
  if (!['01', '03', '10'].includes(application.stage))
    throw new Refusal('APP_NOT_CORRECTABLE', { field: 'applicationNumber', params: { applicationNumber: number } });
  const body = { ...request.body, applicationNumber: number };
  const facility = await findFacility(tx, ctx.schema, supplyPointId);
  if (!facility) throw new Refusal('SPID_NOT_FOUND', { field: 'supplyPointId' });
  const examined = examineApplication({
    itf,
    facility,
    participantCode: request.participantCode,
    body,
    today: tokyoDate(now),
    area: ctx.area,
    open: await openApplicationsOf(tx, ctx.schema, supplyPointId),
    self: number,
  });
  const moved = await moveApplication(tx, ctx.schema, application, { type: 'corrected' }, request.requestId, now, {
    body,
    requestedDate: examined.requestedDate,
    effectiveDate: examined.effectiveDate,
    meterWork: examined.meterWork,
  });
  if (moved.effects.some((e) => e.type === 'tryMatching') && (await matchPoint(tx, ctx, supplyPointId, request.requestId))) {
    return (await findApplication(tx, ctx.schema, number))!;
  }
  return moved.application;
}

export function acceptedResponse(application: Application, request: InterfaceRequest, cancelled: boolean): InterfaceResponse {
  const data = {
    applicationNumber: application.applicationNumber,
    requestId: application.retailerRequestId ?? request.requestId,
    stage: application.stage,
    stageName: stages[application.stage],
    receivedAt: application.acceptedAt.toISOString(),
  };
  if (application.stage === '09' && !cancelled) {
    return ng([{ code: application.refusalCode!, text: application.refusalText ?? new Refusal(application.refusalCode!).text }], data);
  }
  return ok(data);
}
