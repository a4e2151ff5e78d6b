/**
 * GRID_APPLICATION_BATCH: the hub delivers many application filings in one message (bulk CSV, the
 * outbox's batch delivery: hub/applications/batch-delivery.ts). Internal, not in the public
 * catalogue, and refused for anyone but the hub.
 *
 * Each filing is decided exactly as if delivered alone (application.handler.ts: the same checks,
 * the same stored answer per delivery request ID, so a batch redelivered after a lost answer
 * changes nothing and answers the same), but all in ONE transaction: one commit for the batch.
 * The points of the batch are locked first, all in one statement, in the order of their IDs, so
 * two batches never wait on each other in a cycle; then one statement reads, under those locks,
 * their open applications and the answers stored for the batch's deliveries (`fileBatch`).
 * Registrations of points no other filing of the batch names are filed set-based (batch-filing.ts:
 * a few statements for all of them); a refusal is an NG answer stored like any other. If a
 * statement of theirs fails (a database error), the transaction is rolled back and the batch is
 * filed again, every filing one by one. One by one, each filing runs in a savepoint of its own
 * (filings of one point in their order): a filing that fails for another reason than a refusal is
 * rolled back alone and answered `null` (not decided: the hub keeps it pending and delivers it
 * again), and the others go in. A statement per round trip: for a batch of registrations, BEGIN,
 * the lock, the read, the write and COMMIT.
 */
import { Refusal, isRefusal } from '../../domain/refusal.ts';
import { hubCompanyCode } from '../../domain/participant-code.ts';
import type { InterfaceRequest, InterfaceResponse } from '../../interfaces/message.ts';
import { inSavepoint } from '../../platform/db/db.ts';
import { findFacilities } from '../registry/facility.repository.ts';
import { log } from '../../platform/log.ts';
import { ng, ok, type GridContext, type InterfaceHandler } from '../context.ts';
import { checkApplicationRequest, decideApplication } from './application.handler.ts';
import { deliveryKey, fileSetBased, readBatchState, setBasedFilings, type BatchItem } from './batch-filing.ts';
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
  // Refused before anything is stored (an unknown interface, a malformed or foreign point): no
  // database needed (a stored answer still comes first: `fileBatch` looks them up for the whole batch).
  const todo: BatchItem[] = [];
  const refused = new Map<number, InterfaceResponse>();
  for (const [index, filing] of filings.entries()) {
    const itf = applicationInterface(filing.interfaceId);
    if (!itf) {
      refused.set(index, ng([new Refusal('GRID_INTERFACE_UNKNOWN', { params: { interfaceId: filing.interfaceId } }).toDetail()]));
      continue;
    }
    try {
      todo.push({ index, itf, filing, checked: checkApplicationRequest(ctx, itf, filing) });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      refused.set(index, ng([error.toDetail()]));
    }
  }
  // Lock order: by point, stable (Array.prototype.sort is), so one point's filings keep their order.
  todo.sort((a, b) => (a.checked.supplyPointId < b.checked.supplyPointId ? -1 : a.checked.supplyPointId > b.checked.supplyPointId ? 1 : 0));
  let decided = new Map<number, InterfaceResponse | null>();
  if (todo.length > 0) {
    try {
      decided = await fileBatch(ctx, filings, todo, { setBased: true });
    } catch (error) {
      // A filing the database refuses fails the set-based statement, and with it the transaction:
      // the whole batch again, every filing alone.
      log('warn', 'grid', `area ${ctx.area}: a batch's registrations filed one by one after: ${(error as Error).message}`);
      decided = await fileBatch(ctx, filings, todo, { setBased: false });
    }
  }
  for (const [index, answer] of refused) answers[index] = answer;
  for (const [index, answer] of decided) answers[index] = answer;
  return ok({ answers });
};

/**
 * One transaction for the batch: its points locked (in ID order), then their open applications and
 * the answers stored for its deliveries read in one statement; a delivery answered before gets that
 * answer (filings refused before storing are not stored: looked up all the same, for a batch sent
 * again). Then the set-based registrations in a few statements (`setBased`; any failure fails the
 * transaction, for the caller to go one by one), and the other filings alone, each in a savepoint
 * of its own (a failure other than a refusal: rolled back alone and answered `null`).
 */
async function fileBatch(
  ctx: GridContext,
  filings: readonly InterfaceRequest[],
  todo: readonly BatchItem[],
  { setBased }: { setBased: boolean },
): Promise<Map<number, InterfaceResponse | null>> {
  return ctx.db.transaction(async (tx) => {
    const answers = new Map<number, InterfaceResponse | null>();
    const points = [...new Set(todo.map((t) => t.checked.supplyPointId))];
    const facilities = await findFacilities(tx, ctx.schema, points, { lock: true });
    const state = await readBatchState(tx, ctx, facilities, points, filings);
    for (const [index, filing] of filings.entries()) {
      const again = state.stored.get(deliveryKey(filing));
      if (again) answers.set(index, again);
    }
    const fresh = todo.filter((t) => !answers.has(t.index));
    const { set, alone } = setBased ? setBasedFilings(fresh) : { set: [], alone: fresh };
    for (const [index, answer] of await fileSetBased(tx, ctx, set, state)) answers.set(index, answer);
    for (const item of alone) {
      try {
        answers.set(item.index, await inSavepoint(tx, () => decideApplication(tx, ctx, item.itf, item.filing, item.checked)));
      } catch (error) {
        answers.set(item.index, null);
        log('warn', 'grid', `area ${ctx.area}: ${item.filing.requestId} of a batch not decided (delivered again later): ${(error as Error).message}`);
      }
    }
    return answers;
  });
}
