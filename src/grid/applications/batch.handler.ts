/**
 * GRID_APPLICATION_BATCH: the hub delivers many application filings in one message (bulk CSV, the
 * outbox's batch delivery: hub/applications/batch-delivery.ts). Internal, not in the public
 * catalogue, and refused for anyone but the hub.
 *
 * Each filing is decided exactly as if delivered alone (application.handler.ts: the same checks,
 * the same stored answer per delivery request ID, so a batch redelivered after a lost answer
 * changes nothing and answers the same), but all in ONE transaction: one commit for the batch.
 * Each filing runs in a savepoint: a refusal is an NG answer stored like any other; a filing that
 * fails for another reason (a database error) is rolled back alone and answered `null` (not
 * decided: the hub keeps it pending and delivers it again), and the others go in.
 * Points are locked in the order of their IDs (filings of one point keep their order), so two
 * batches never wait on each other in a cycle.
 */
import { Refusal, isRefusal } from '../../domain/refusal.ts';
import { hubCompanyCode } from '../../domain/participant-code.ts';
import type { InterfaceRequest, InterfaceResponse } from '../../interfaces/message.ts';
import { ident, inSavepoint } from '../../platform/db/db.ts';
import { log } from '../../platform/log.ts';
import { ng, ok, type InterfaceHandler } from '../context.ts';
import { checkApplicationRequest, decideApplication, type CheckedApplicationRequest } from './application.handler.ts';
import { applicationInterface, type ApplicationInterface } from './rules.ts';

export const applicationBatchInterfaceId = 'GRID_APPLICATION_BATCH';
/** Filings per batch at most (the grid server takes bodies up to 1 MiB). */
export const maxBatchFilings = 500;

function isRequest(value: unknown): value is InterfaceRequest {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.interfaceId === 'string' &&
    typeof r.participantCode === 'string' &&
    typeof r.requestId === 'string' &&
    typeof r.body === 'object' &&
    r.body !== null &&
    !Array.isArray(r.body)
  );
}

export const applicationBatchHandler: InterfaceHandler = async (ctx, request) => {
  if (request.participantCode.slice(0, 4) !== hubCompanyCode) throw new Refusal('GRID_BATCH_HUB_ONLY');
  const filings = request.body.filings;
  if (!Array.isArray(filings) || filings.length === 0 || filings.length > maxBatchFilings || !filings.every(isRequest)) {
    throw new Refusal('GRID_BATCH_INVALID', { params: { max: maxBatchFilings } });
  }
  const answers: (InterfaceResponse | null)[] = filings.map(() => null);
  // Answered before (a redelivered batch) or refused before anything is stored: no transaction needed.
  const { rows: stored } = await ctx.db.query<{ participantCode: string; requestId: string; response: InterfaceResponse }>(
    `SELECT r.participant_code AS "participantCode", r.request_id AS "requestId", r.response
       FROM ${ident(ctx.schema)}.application_request r
       JOIN unnest($1::text[], $2::text[]) AS k(p, q) ON r.participant_code = k.p AND r.request_id = k.q`,
    [filings.map((f) => f.participantCode), filings.map((f) => f.requestId)],
  );
  const storedByKey = new Map(stored.map((r) => [`${r.participantCode}\u0000${r.requestId}`, r.response]));
  const todo: { index: number; itf: ApplicationInterface; filing: InterfaceRequest; checked: CheckedApplicationRequest }[] = [];
  for (const [index, filing] of filings.entries()) {
    const again = storedByKey.get(`${filing.participantCode}\u0000${filing.requestId}`);
    if (again) {
      answers[index] = again;
      continue;
    }
    const itf = applicationInterface(filing.interfaceId);
    if (!itf) {
      answers[index] = ng([new Refusal('GRID_INTERFACE_UNKNOWN', { params: { interfaceId: filing.interfaceId } }).toDetail()]);
      continue;
    }
    try {
      const checked = checkApplicationRequest(ctx, itf, filing);
      todo.push({ index, itf, filing, checked });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      answers[index] = ng([error.toDetail()]);
    }
  }
  // Lock order: by point, stable (Array.prototype.sort is), so one point's filings keep their order.
  todo.sort((a, b) => (a.checked.supplyPointId < b.checked.supplyPointId ? -1 : a.checked.supplyPointId > b.checked.supplyPointId ? 1 : 0));
  if (todo.length > 0) {
    await ctx.db.transaction(async (tx) => {
      for (const item of todo) {
        try {
          answers[item.index] = await inSavepoint(tx, () => decideApplication(tx, ctx, item.itf, item.filing, item.checked));
        } catch (error) {
          answers[item.index] = null;
          log('warn', 'grid', `area ${ctx.area}: ${item.filing.requestId} of a batch not decided (delivered again later): ${(error as Error).message}`);
        }
      }
    });
  }
  return ok({ answers });
};
