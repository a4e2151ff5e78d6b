/**
 * The scheduled work of applications (issue 5), composed from the grids' and the hub's own
 * functions: this module sits at the composition level (like app.ts) and is the one place, besides
 * app.ts, that knows both sides; it imports neither, the functions are handed to it.
 *
 * - matching of switch-in/switch-out pairs: every 20 minutes (`*\/20 * * * *`, Asia/Tokyo);
 * - execution of applications whose effective date has come: every 10 minutes, and once more at
 *   00:05 so that a day's switches are done within minutes of the day starting;
 * - right after the sandbox clock moves: both at once, and the hub's delivery retries; then, in
 *   the hub's process, the notifications of what the due work did (events fetched, mail sent).
 *
 * Queues are per area (`grid.matching.03`): whichever process runs an area's grid (the hub, or a
 * `kirikae grid serve` sharing the database) works its queues. Each tick is one pg-boss job, which
 * one worker of one process takes (pg-boss claims the cron tick in the database), and the grid
 * functions claim their rows with FOR UPDATE SKIP LOCKED: two processes never match or execute an
 * application twice. Each call is bounded (`limit` rows); a run that came back full is repeated, up
 * to `maxRuns` times, and the rest waits for the next tick.
 */
import { clockAdvancedQueue } from '../hub/clock/clock.commands.ts';
import type { Jobs } from '../platform/jobs.ts';
import { log } from '../platform/log.ts';

export const matchingCron = '*/20 * * * *';
export const executionCron = '*/10 * * * *';
export const executionDailyCron = '5 0 * * *';

export const queues = {
  matching: (area: string) => `grid.matching.${area}`,
  execution: (area: string) => `grid.execute-due.${area}`,
  /** A queue of its own for the 00:05 run: pg-boss keeps one schedule per queue. */
  executionDaily: (area: string) => `grid.execute-due-daily.${area}`,
  /** Matching and execution at once, after the sandbox clock moved. */
  dueNow: (area: string) => `grid.due-now.${area}`,
};

/** The grid functions of src/grid/applications/jobs.ts, and the grids this process runs. */
export interface DueWork<G extends { readonly area: string }> {
  /** The grids running in this process (a remote grid's own process works its queues). */
  readonly grids: Iterable<G>;
  /**
   * Every area of the system: after a clock advance, each area's due work is enqueued. Absent (a
   * `kirikae grid serve` process): this process leaves the clock advance job to the hub.
   */
  readonly areas?: readonly string[];
  /**
   * One bounded matching call: pairs matched, switches refused unmatched (date passed at matching,
   * or past the matching deadline), and whether it used its whole limit (more may wait).
   */
  readonly runMatching: (grid: G, options: { limit: number }) => Promise<{ matched: number; expired: number; full: boolean }>;
  readonly executeDue: (grid: G, options: { limit: number }) => Promise<{ executed: number }>;
  /** The hub's delivery retries (outbox), run first after a clock advance (they have their own schedule too). */
  readonly retryDueDeliveries?: () => Promise<unknown>;
  /**
   * The hub's notification work (hub/notifications): after an area's due work in this process, and
   * after a clock advance (mail whose retry has come). Absent in a `kirikae grid serve` process: the
   * hub's own minute job picks the events up.
   */
  readonly notify?: (areas?: readonly string[]) => Promise<unknown>;
  /** The hub's relay fetch check (hub/relay: hourly), run after a clock advance too. */
  readonly checkRelayFetches?: () => Promise<unknown>;
  /** The hub's certificate work (hub/certificates: batch, expiry notices, suspicion scan), run after a clock advance too. */
  readonly certificateWork?: () => Promise<unknown>;
  /**
   * What an area's grid does right after its due work when the clock moved: the half-hourly files
   * now due (grid/provision), made after the executions so their point sets include them.
   */
  readonly afterDue?: (area: string) => Promise<unknown>;
  /** Rows a call handles at most (default 1,000; matching 10,000). */
  readonly limit?: number;
  /** Calls per grid and tick at most (default 50: 50,000 rows). */
  readonly maxRuns?: number;
}

export interface DueWorkTotals {
  matched: number;
  expired: number;
  executed: number;
}

export const defaultLimit = 1_000;
/** Pairs a matching call handles at most: matching is set-based (a statement per batch), so larger batches. */
export const defaultMatchingLimit = 10_000;
export const defaultMaxRuns = 50;

/**
 * Matches one grid's pending pairs, a bounded batch at a time, again while a call comes back full.
 * Not by its counts: a call can use its limit on switch-ins it neither matches nor refuses (their
 * counterparts locked by another process), so fewer counted than the limit does not mean none wait.
 */
export async function matchAll<G extends { readonly area: string }>(work: DueWork<G>, grid: G): Promise<DueWorkTotals> {
  const totals: DueWorkTotals = { matched: 0, expired: 0, executed: 0 };
  const limit = work.limit ?? defaultMatchingLimit;
  for (let run = 0; run < (work.maxRuns ?? defaultMaxRuns); run++) {
    const result = await work.runMatching(grid, { limit });
    totals.matched += result.matched;
    totals.expired += result.expired;
    if (!result.full) break;
  }
  return totals;
}

/** Executes one grid's due applications, a bounded batch at a time. */
export async function executeAll<G extends { readonly area: string }>(work: DueWork<G>, grid: G): Promise<DueWorkTotals> {
  const totals: DueWorkTotals = { matched: 0, expired: 0, executed: 0 };
  const limit = work.limit ?? defaultLimit;
  for (let run = 0; run < (work.maxRuns ?? defaultMaxRuns); run++) {
    const result = await work.executeDue(grid, { limit });
    totals.executed += result.executed;
    if (result.executed < limit) break;
  }
  return totals;
}

/** Matching first (a pair matched now may be due at once), then execution. */
export async function allDue<G extends { readonly area: string }>(work: DueWork<G>, grid: G): Promise<DueWorkTotals> {
  const matching = await matchAll(work, grid);
  const execution = await executeAll(work, grid);
  return { matched: matching.matched, expired: matching.expired, executed: execution.executed };
}

function report(what: string, area: string, totals: DueWorkTotals): void {
  const parts = [
    totals.matched ? `${totals.matched} pairs matched` : '',
    totals.expired ? `${totals.expired} unmatched switch-ins refused` : '',
    totals.executed ? `${totals.executed} applications executed` : '',
  ].filter(Boolean);
  if (parts.length > 0) log('info', 'jobs', `area ${area} ${what}: ${parts.join(', ')}`);
}

/**
 * Registers this process's workers and the schedules of its grids' areas. Declaring a schedule
 * again (every process does at its start) replaces the one row pg-boss keeps for the queue: one
 * schedule, however many processes.
 */
export async function scheduleDueWork<G extends { readonly area: string }>(jobs: Jobs, work: DueWork<G>): Promise<void> {
  for (const grid of work.grids) {
    const area = grid.area;
    await jobs.work(queues.matching(area), async () => report('matching', area, await matchAll(work, grid)));
    const execute = async () => report('execution', area, await executeAll(work, grid));
    await jobs.work(queues.execution(area), execute);
    await jobs.work(queues.executionDaily(area), execute);
    await jobs.work(queues.dueNow(area), async () => {
      report('due work after the clock moved', area, await allDue(work, grid));
      await work.afterDue?.(area);
      await work.notify?.([area]);
    });
    await jobs.every(queues.matching(area), matchingCron);
    await jobs.every(queues.execution(area), executionCron);
    await jobs.every(queues.executionDaily(area), executionDailyCron);
  }
  // One advance → one job: first the deliveries whose retry has come (so that the grids have them),
  // then each area's due work as a job of its own, in whichever process runs that area's grid.
  const areas = work.areas;
  if (!areas) return;
  await jobs.work(clockAdvancedQueue, async () => {
    await work.retryDueDeliveries?.();
    await work.checkRelayFetches?.();
    await work.certificateWork?.();
    await work.notify?.([]);
    for (const area of areas) {
      await jobs.queue(queues.dueNow(area));
      await jobs.send(queues.dueNow(area), {});
    }
  });
}
