/**
 * Delivery in batches: one grid message (GRID_APPLICATION_BATCH) carries up to 500 filings of one
 * area, decided by the grid in one transaction (grid/applications/batch.handler.ts). Used for what
 * arrives many at once — a bulk CSV's applications — instead of one job and one message per
 * application. The guarantees are the single delivery's (outbox.commands.ts):
 *
 *   1. claim   one statement: of each application its oldest pending filing, due, not held by
 *              another deliverer (a claim that runs out after the timeout plus a margin)
 *   2. send    one message; the grid stores each filing's answer under its delivery request ID
 *   3. mark    one statement: each filing delivered with its answer
 *
 * A crash between 2 and 3 leaves the filings claimed until the claim runs out, then the next batch
 * delivers them again and the grid answers from what it stored: nothing is decided twice, and the
 * answer kept is the first one. A filing the grid could not decide (answered `null`) or a batch
 * the grid could not take stays pending, due again after the back-off of `retryDelayMs`. A grid
 * that does not know the batch message (a real operator's endpoint) gets the filings one by one.
 *
 * Several batches of an area are in flight at once (`deliveryLanes`, when more than a batch is
 * due): each lane claims only the filings of its share of the points (a hash of the point), so
 * while one batch is being decided by the grid the next is claimed, sent and marked beside it,
 * and two batches in flight never carry filings of the same point: the filings of one point still
 * reach the grid one batch after another, in the order they were filed. Each lane reads on from
 * its last batch, then once more from the start (a filing held back behind an earlier one of its
 * application, now delivered).
 */
import type { AreaCode } from '../../domain/area.ts';
import { hubCompanyCode } from '../../domain/participant-code.ts';
import { interfaces as interfaceCatalogue } from '../../interfaces/catalogue/catalogue.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { log } from '../../platform/log.ts';
import { batchDeliveryQueue, deliverApplication, type OutboxDeps } from './outbox.commands.ts';
import {
  claimDueBatch,
  countDue,
  markManyAttemptsFailed,
  markManyDelivered,
  releaseClaims,
  selectDueAreas,
  type ClaimLane,
  type OutboxRow,
} from './outbox.repository.ts';
import { claimMarginMs, retryDelayMs } from './outbox.ts';

/** The grid's batch message (grid/applications/batch.handler.ts). */
export const applicationBatchInterfaceId = 'GRID_APPLICATION_BATCH';
/** Filings per message at most (the grid takes up to 500). */
export const deliveryBatchSize = 500;
/**
 * What a batch carries: the wheeling change applications (…10410 … …10910 of every family). The
 * outbox's other filings (the usage password application IF_10210) go one by one.
 */
export const batchInterfaceIds: readonly string[] = interfaceCatalogue.map((d) => d.id).filter((id) => /^IF_[KF]?10[4-9]10$/.test(id));
/** How long the hub waits for a grid to decide a batch (a batch is decided in one transaction, some ms a filing). */
export const batchTimeoutMs = 60_000;
/** Batches of one area in flight at once at most (one per lane of points). */
export const deliveryLanes = 3;
export { batchDeliveryQueue };

export interface BatchOutcome {
  /** Filings claimed. */
  readonly claimed: number;
  /** Filings delivered (the grid answered OK or NG). */
  readonly delivered: number;
  /** Filings left pending (the grid could not take them now). */
  readonly pending: number;
}

const none: BatchOutcome = { claimed: 0, delivered: 0, pending: 0 };

interface ClaimOptions {
  readonly limit?: number;
  readonly timeoutMs?: number;
  /** Only filings after this one (a lane going on from its last batch). */
  readonly afterId?: number;
  /** Only the filings of this lane's points. */
  readonly lane?: ClaimLane;
}

/** Step 1: claims one batch of an area. */
export function claimBatch(deps: OutboxDeps, area: string, options: ClaimOptions = {}): Promise<OutboxRow[]> {
  const timeoutMs = options.timeoutMs ?? batchTimeoutMs;
  return claimDueBatch(deps.db, area, deps.clock.now(), options.limit ?? deliveryBatchSize, timeoutMs + claimMarginMs, batchInterfaceIds, {
    ...(options.afterId === undefined ? {} : { afterId: options.afterId }),
    ...(options.lane ? { lane: options.lane } : {}),
  });
}

/**
 * Step 2: sends claimed filings in one message; the grid's answer per filing (`null`: not decided),
 * or `undefined` when the grid does not take batches. Throws when the grid could not be reached.
 */
export async function sendBatch(
  deps: OutboxDeps,
  area: string,
  rows: readonly OutboxRow[],
  options: { timeoutMs?: number } = {},
): Promise<(InterfaceResponse | null)[] | undefined> {
  const answer = await deps.transport.send(
    area as AreaCode,
    {
      interfaceId: applicationBatchInterfaceId,
      participantCode: hubCompanyCode,
      requestId: `batch-${rows[0]!.deliveryId}-${rows.length}`,
      body: {
        filings: rows.map((r) => ({ interfaceId: r.interfaceId, participantCode: r.participantCode, requestId: r.deliveryId, body: r.body })),
      },
    },
    { timeoutMs: options.timeoutMs ?? batchTimeoutMs },
  );
  if (answer.result !== 'OK') {
    log('warn', 'outbox', `area ${area}: the grid took no batch (${answer.messages.map((m) => m.code).join(', ')}); delivering one by one`);
    return undefined;
  }
  const answers = (answer.data as { answers?: unknown } | undefined)?.answers;
  if (!Array.isArray(answers) || answers.length !== rows.length)
    throw new Error(`area ${area}: the grid's batch answer has ${Array.isArray(answers) ? answers.length : 'no'} answers for ${rows.length} filings`);
  return answers as (InterfaceResponse | null)[];
}

/**
 * Step 2 for a sender that goes on when the grid cannot be reached: `sendBatch`, and if it throws,
 * every filing of the batch is kept pending, due again after its back-off (one statement), and
 * `'unreachable'` is returned. `what` names the batch in the log line.
 */
export async function sendBatchOrDefer(
  deps: OutboxDeps,
  area: string,
  rows: readonly OutboxRow[],
  options: { timeoutMs?: number },
  what: string,
): Promise<(InterfaceResponse | null)[] | undefined | 'unreachable'> {
  try {
    return await sendBatch(deps, area, rows, options);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    const now = deps.clock.now().getTime();
    await markManyAttemptsFailed(
      deps.db,
      rows.map((r) => ({ id: r.id, nextAttemptAt: new Date(now + retryDelayMs(r.attempts)) })),
      message,
    );
    log('warn', 'outbox', `area ${area}: ${what} of ${rows.length} filings not delivered: ${message}`);
    return 'unreachable';
  }
}

/** Step 3: keeps each answer; a filing without one stays pending, due again after its back-off. */
export async function markBatch(deps: OutboxDeps, rows: readonly OutboxRow[], answers: readonly (InterfaceResponse | null)[]): Promise<BatchOutcome> {
  const now = deps.clock.now();
  const delivered: { id: number; answer: InterfaceResponse }[] = [];
  const failed: { id: number; nextAttemptAt: Date }[] = [];
  for (const [i, row] of rows.entries()) {
    const answer = answers[i];
    if (answer) delivered.push({ id: row.id, answer });
    else failed.push({ id: row.id, nextAttemptAt: new Date(now.getTime() + retryDelayMs(row.attempts)) });
  }
  if (failed.length === 0) {
    // One statement: atomic alone, no transaction round trips.
    await markManyDelivered(deps.db, delivered, now);
  } else {
    await deps.db.transaction(async (tx) => {
      await markManyDelivered(tx, delivered, now);
      await markManyAttemptsFailed(tx, failed, 'the grid did not decide this filing of a batch');
    });
  }
  return { claimed: rows.length, delivered: delivered.length, pending: failed.length };
}

/** Claims, sends and marks one batch of an area; `lastId`: the last filing claimed. */
export async function deliverBatch(deps: OutboxDeps, area: string, options: ClaimOptions = {}): Promise<BatchOutcome & { lastId?: number }> {
  const rows = await claimBatch(deps, area, options);
  if (rows.length === 0) return none;
  return { ...(await deliverClaimed(deps, area, rows, options)), lastId: rows.at(-1)!.id };
}

/** Steps 2 and 3 for claimed filings. */
async function deliverClaimed(deps: OutboxDeps, area: string, rows: readonly OutboxRow[], options: { timeoutMs?: number }): Promise<BatchOutcome> {
  const answers = await sendBatchOrDefer(deps, area, rows, options, 'a batch');
  if (answers === 'unreachable') return { claimed: rows.length, delivered: 0, pending: rows.length };
  if (answers) return markBatch(deps, rows, answers);
  // The grid does not take batches: one by one, in order.
  await releaseClaims(
    deps.db,
    rows.map((r) => r.id),
  );
  let delivered = 0;
  for (const row of rows) if ((await deliverApplication(deps, row.applicationNumber, options)) === 'delivered') delivered++;
  return { claimed: rows.length, delivered, pending: rows.length - delivered };
}

/**
 * Delivers every filing due now, in batches, area by area, until an area has nothing left to
 * claim or the grid could not take a whole batch (it is retried after its back-off); at most
 * `maxBatches` batches. An area with more than a batch due is delivered in up to `lanes`
 * (default `deliveryLanes`) batches at once, each lane its share of the points.
 */
export async function deliverDueBatches(
  deps: OutboxDeps,
  options: { areas?: readonly string[]; limit?: number; timeoutMs?: number; maxBatches?: number; lanes?: number } = {},
): Promise<{ delivered: number; pending: number; batches: number }> {
  const totals = { delivered: 0, pending: 0, batches: 0 };
  const areas = options.areas ?? (await selectDueAreas(deps.db, deps.clock.now()));
  const maxBatches = options.maxBatches ?? 1_000;
  const limit = options.limit ?? deliveryBatchSize;
  const maxLanes = Math.max(1, options.lanes ?? deliveryLanes);
  for (const area of areas) {
    const due = maxLanes === 1 ? 1 : await countDue(deps.db, area, deps.clock.now(), maxLanes * limit, batchInterfaceIds);
    const count = Math.min(maxLanes, Math.max(1, Math.ceil(due / limit)));
    const lane = async (index: number) => {
      let afterId = 0;
      while (totals.batches < maxBatches) {
        totals.batches++;
        const outcome = await deliverBatch(deps, area, { ...options, limit, afterId, lane: { index, count } });
        if (outcome.claimed === 0) {
          totals.batches--;
          // Nothing after the last batch: once more from the start, for filings held back behind one now delivered.
          if (afterId === 0) break;
          afterId = 0;
          continue;
        }
        totals.delivered += outcome.delivered;
        totals.pending += outcome.pending;
        if (outcome.delivered === 0) break;
        afterId = outcome.lastId!;
      }
    };
    await Promise.all(Array.from({ length: count }, (_, index) => lane(index)));
  }
  return totals;
}

/** The batch delivery job: enqueued in a bulk file's transaction, it delivers what is due. */
export async function startBatchDeliveryJobs(jobs: Jobs, deps: OutboxDeps): Promise<void> {
  await jobs.work<{ areas?: string[] }>(batchDeliveryQueue, async (batch) => {
    const areas = [...new Set(batch.flatMap((job) => job.data.areas ?? []))];
    await deliverDueBatches(deps, areas.length > 0 ? { areas } : {});
  });
}
