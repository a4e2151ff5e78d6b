/**
 * GRID_APPLICATION_BATCH: the hub delivers many application filings in one message (bulk CSV, the
 * outbox's batch delivery: hub/applications/batch-delivery.ts). Internal, not in the public
 * catalogue, and refused for anyone but the hub.
 *
 * Each filing is decided exactly as if delivered alone (application.handler.ts: the same checks,
 * the same stored answer per delivery request ID, so a batch redelivered after a lost answer
 * changes nothing and answers the same), but all in ONE transaction: one commit for the batch.
 * The points of the batch are locked first, all in one statement, in the order of their IDs, so
 * two batches never wait on each other in a cycle.
 * Registrations of points no other filing of the batch names are filed set-based (batch-filing.ts:
 * a few statements for all of them, in one savepoint); a refusal is an NG answer stored like any
 * other. If that savepoint fails (a database error), it is rolled back and every filing of the
 * batch goes one by one. One by one, each filing runs in a savepoint of its own (filings of one
 * point in their order): a filing that fails for another reason than a refusal is rolled back alone
 * and answered `null` (not decided: the hub keeps it pending and delivers it again), and the
 * others go in.
 */
import { Refusal, isRefusal } from '../../domain/refusal.ts';
import { hubCompanyCode } from '../../domain/participant-code.ts';
import type { InterfaceRequest, InterfaceResponse } from '../../interfaces/message.ts';
import { ident, inSavepoint } from '../../platform/db/db.ts';
import { findFacilities } from '../registry/facility.repository.ts';
import { log } from '../../platform/log.ts';
import { ng, ok, type InterfaceHandler } from '../context.ts';
import { checkApplicationRequest, decideApplication } from './application.handler.ts';
import { fileSetBased, setBasedFilings, type BatchItem } from './batch-filing.ts';
import { applicationInterface } from './rules.ts';

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
    { name: `batch_stored_${ctx.schema}` },
  );
  const storedByKey = new Map(stored.map((r) => [`${r.participantCode}\u0000${r.requestId}`, r.response]));
  const todo: BatchItem[] = [];
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
      // Every point of the batch locked at once, in ID order, and read for the set-based filings.
      const facilities = await findFacilities(tx, ctx.schema, [...new Set(todo.map((t) => t.checked.supplyPointId))], { lock: true });
      const { set, alone } = setBasedFilings(todo);
      let oneByOne = alone;
      if (set.length > 0) {
        try {
          const decided = await inSavepoint(tx, () => fileSetBased(tx, ctx, set, facilities));
          for (const [index, answer] of decided) answers[index] = answer;
        } catch (error) {
          // A filing the database refuses fails the statement: every one of them again, each alone.
          log('warn', 'grid', `area ${ctx.area}: a batch's registrations filed one by one after: ${(error as Error).message}`);
          oneByOne = todo;
        }
      }
      for (const item of oneByOne) {
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
