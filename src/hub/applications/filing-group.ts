/**
 * Group commit of registrations (issue 18): requests that arrive while the hub is busy are filed
 * together, so a burst of N switch-ins costs one statement and one grid message, not N of each.
 *
 *   1. collect    registrations (update flag 1) of the batch interfaces (batch-delivery.ts) join a
 *                 group; a group is filed as soon as the hub is free: at once when idle (it then
 *                 holds the one request that came), else when the group before it is committed,
 *                 with everything that came meanwhile (at most 500)
 *   2. commit     ONE statement for the group (insertNumberedRegistrations, atomic alone): the
 *                 numbers taken per area and the filings stored, already claimed by this hub for
 *                 their first attempt (as `claimNextFiling` would); a request ID used before
 *                 stores nothing (below)
 *   3. deliver    after the commit, at once, each area's filings in one grid message
 *                 (GRID_APPLICATION_BATCH, also for one filing; a grid that does not take batches:
 *                 each filing's own message) with the short timeout of a filing, answers kept in
 *                 one statement that does not wait for the disk (outbox.repository.ts
 *                 `asyncCommit`: a lost mark means one more delivery, answered by the grid from what
 *                 it stored); then each caller is answered: the grid's answer, or "not yet
 *                 delivered" (OUTBOX_NOT_DELIVERED)
 *
 * The guarantees are those of a filing alone (outbox.commands.ts): a caller is answered only after
 * its filing is committed; a request ID used before (or twice in one group) is answered as alone
 * (the first answer, or OUTBOX_REQUEST_ID_OTHER_CONTENT / _REUSED); a group whose statement stores
 * nothing or fails (a filing the database refuses, numbers exhausted, a request ID used before: a
 * resend, or one filed at the same moment by another hub) leaves no number taken and each of its
 * filings is filed alone, so one failing caller fails alone. A filing the grid did not take stays pending, with the back-off, for the outbox
 * scan; a hub that dies after the commit leaves its claim to run out (the timeout plus 30 s), then
 * the scan delivers it: the grid is idempotent by the delivery request ID, so nothing is decided
 * twice. (No delivery job is enqueued: it would find the filing claimed and do nothing.)
 */
import { tokyoDate } from '../../domain/date.ts';
import type { AreaCode } from '../../domain/area.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import type { Db } from '../../platform/db/db.ts';
import type { GridTransport } from '../../interfaces/message.ts';
import { designationOf } from '../../interfaces/verification/designated.ts';
import { log } from '../../platform/log.ts';
import { batchInterfaceIds, deliveryBatchSize, markBatch, sendBatchOrDefer } from './batch-delivery.ts';
import { answerOf, fileApplication, unnumberedFilingRow, type Filer, type Filing, type OutboxDeps } from './outbox.commands.ts';
import { insertNumberedRegistrations, markAttemptFailed, markDelivered, type OutboxRow } from './outbox.repository.ts';
import { applicationNumberPrefix, claimMarginMs, maxSerialPerDay, retryDelayMs, syncDeliveryTimeoutMs, updateFlagOf } from './outbox.ts';

interface Waiting {
  readonly deps: OutboxDeps;
  readonly filer: Filer;
  readonly filing: Filing;
  resolve(answer: InterfaceResponse): void;
  reject(error: unknown): void;
}

/** Filings at most in one group (one grid message per area takes up to 500). */
export const maxGroupSize = deliveryBatchSize;

/**
 * The filings that may join a group: registrations of the wheeling change interfaces, except at
 * the verification environment's designated supply points (its grid stub acts out their behaviour
 * on a filing's own message, not in a batch).
 */
export function groupable(filing: Filing): boolean {
  return updateFlagOf(filing.body) === '1' && batchInterfaceIds.includes(filing.def.id) && designationOf(filing.body.supplyPointId) === undefined;
}

/** What one group commit did, for tests and metrics. */
export interface GroupStats {
  groups: number;
  filings: number;
  /** Groups rolled back and filed one by one. */
  fellBack: number;
}

class FilingGroup {
  readonly stats: GroupStats = { groups: 0, filings: 0, fellBack: 0 };
  #queue: Waiting[] = [];
  #running = false;

  submit(deps: OutboxDeps, filer: Filer, filing: Filing): Promise<InterfaceResponse> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ deps, filer, filing, resolve, reject });
      if (!this.#running) {
        this.#running = true;
        // After the I/O of this turn of the event loop: requests that arrived together go together.
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const group = this.#queue.splice(0, maxGroupSize);
        // The next group is committed while this one is being delivered (not awaited here).
        await commitGroup(group, this.stats);
      }
    } finally {
      this.#running = false;
    }
  }
}

class UsedBefore extends Error {
  constructor(count: number) {
    super(`${count} request IDs of the group were used before`);
  }
}

/** Files one caller alone (outbox.commands.ts), answering it. */
function alone(w: Waiting): Promise<void> {
  return fileApplication(w.deps, w.filer, w.filing).then(w.resolve, w.reject);
}

/**
 * Step 2 for a group, then step 3 started, not awaited (the next group may commit meanwhile).
 * Never throws: every caller is answered or rejected.
 */
async function commitGroup(group: readonly Waiting[], stats: GroupStats): Promise<void> {
  const deps = group[0]!.deps;
  stats.groups++;
  stats.filings += group.length;
  // The first of a request ID in the group joins; a repeat is answered alone once the first is committed.
  const seen = new Set<string>();
  const first: Waiting[] = [];
  const repeats: Waiting[] = [];
  for (const w of group) {
    const key = `${w.filer.companyCode}\u0000${String(w.filing.body.requestId)}`;
    (seen.has(key) ? repeats : first).push(w);
    seen.add(key);
  }
  const leaseMs = syncDeliveryTimeoutMs + claimMarginMs;
  let stored: { waiting: Waiting; row: OutboxRow }[];
  try {
    const filedAt = deps.clock.now();
    const inserted = await insertNumberedRegistrations(
      deps.db,
      first.map((w) => unnumberedFilingRow(w.filer, w.filing, String(w.filing.body.supplyPointId).slice(0, 2) as AreaCode, filedAt)),
      { day: tokyoDate(filedAt), prefix: applicationNumberPrefix, maxSerial: maxSerialPerDay },
      filedAt,
      leaseMs,
    );
    // A request ID used before (a resend): nothing was stored nor numbered; each filed alone, which
    // answers a resend with its first answer.
    if (inserted.length !== first.length) throw new UsedBefore(first.length - inserted.length);
    const byRequest = new Map(inserted.map((row) => [`${row.companyCode}\u0000${row.requestId}`, row]));
    stored = first.map((waiting) => ({ waiting, row: byRequest.get(`${waiting.filer.companyCode}\u0000${String(waiting.filing.body.requestId)}`)! }));
  } catch (error) {
    stats.fellBack++;
    if (!(error instanceof UsedBefore)) log('warn', 'outbox', `a group of ${group.length} filings filed one by one after: ${(error as Error).message}`);
    // Repeats after the first of their request ID is answered, so they get the same answer.
    void Promise.all(first.map(alone)).then(() => {
      for (const w of repeats) void alone(w);
    });
    return;
  }
  void deliverGroup(deps, stored)
    .catch((error: unknown) => {
      // Not expected (each step answers its callers); the filings stay pending for the outbox scan.
      log('error', 'outbox', `a group's delivery failed: ${(error as Error).message}`);
      for (const { waiting, row } of stored) waiting.resolve(answerOf(row));
    })
    // A repeat of a request of the group: once the first is answered, so it gets the same answer.
    .finally(() => {
      for (const w of repeats) void alone(w);
    });
}

/** Step 3: each area's filings of the group in one grid message, each caller answered. */
async function deliverGroup(deps: OutboxDeps, stored: readonly { waiting: Waiting; row: OutboxRow }[]): Promise<void> {
  await Promise.all(
    [...Map.groupBy(stored, (s) => s.row.area)].map(async ([area, items]) => {
      // A grid known not to take batches (a real operator's endpoint): each filing's own message.
      // Otherwise the batch message, also for one filing: the grid files a batch in fewer statements.
      if (withoutBatches.get(deps.transport)?.has(area)) {
        await Promise.all(items.map(({ waiting, row }) => deliverOne(deps, waiting, row)));
        return;
      }
      const rows = items.map((i) => i.row);
      const answers = await sendBatchOrDefer(deps, area, rows, { timeoutMs: syncDeliveryTimeoutMs }, 'a group');
      if (answers === 'unreachable') {
        for (const { waiting, row } of items) waiting.resolve(answerOf(row));
        return;
      }
      if (!answers) {
        // The grid does not take batches: remembered for this area, and each filing's own message (still claimed).
        let areas = withoutBatches.get(deps.transport);
        if (!areas) withoutBatches.set(deps.transport, (areas = new Set()));
        areas.add(area);
        await Promise.all(items.map(({ waiting, row }) => deliverOne(deps, waiting, row)));
        return;
      }
      await markBatch(deps, rows, answers);
      for (const [i, { waiting, row }] of items.entries()) {
        const answer = answers[i];
        waiting.resolve(answer ? answer : answerOf(row));
      }
    }),
  );
}

/** One filing, already claimed: its own message, as `deliverApplication` sends it. */
async function deliverOne(deps: OutboxDeps, waiting: Waiting, row: OutboxRow): Promise<void> {
  let answer: InterfaceResponse;
  try {
    answer = await deps.transport.send(
      row.area as AreaCode,
      { interfaceId: row.interfaceId, participantCode: row.participantCode, requestId: row.deliveryId, body: row.body },
      { timeoutMs: syncDeliveryTimeoutMs },
    );
  } catch (error) {
    const next = new Date(deps.clock.now().getTime() + retryDelayMs(row.attempts));
    await markAttemptFailed(deps.db, row.id, (error as Error).message ?? String(error), next);
    log('warn', 'outbox', `${row.deliveryId} (${row.interfaceId}) not delivered, attempt ${row.attempts}: ${(error as Error).message}`);
    waiting.resolve(answerOf(row));
    return;
  }
  await markDelivered(deps.db, row.id, answer, deps.clock.now());
  waiting.resolve(answer);
}

/** The areas whose grid answered that it does not take batches, per transport (this process). */
const withoutBatches = new WeakMap<GridTransport, Set<string>>();

const groups = new WeakMap<Db, WeakMap<GridTransport, FilingGroup>>();

function groupOf(deps: OutboxDeps): FilingGroup {
  let byTransport = groups.get(deps.db);
  if (!byTransport) groups.set(deps.db, (byTransport = new WeakMap()));
  let group = byTransport.get(deps.transport);
  if (!group) byTransport.set(deps.transport, (group = new FilingGroup()));
  return group;
}

/**
 * Files one application: a registration of a wheeling change interface with the group of requests
 * arriving with it (group commit, above), anything else alone (`fileApplication`).
 */
export function fileApplicationInGroup(deps: OutboxDeps, filer: Filer, filing: Filing): Promise<InterfaceResponse> {
  if (!groupable(filing)) return fileApplication(deps, filer, filing);
  return groupOf(deps).submit(deps, filer, filing);
}

/** How many groups and filings the group commit of this hub (its database and transport) filed. */
export function groupStatsOf(deps: OutboxDeps): Readonly<GroupStats> {
  return groupOf(deps).stats;
}
