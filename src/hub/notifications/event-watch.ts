/**
 * Notices within seconds of the event: each grid sends NOTIFY `kirikae_grid_events` (payload: the
 * area) when a transaction that recorded application events commits (grid migration 0010), and the
 * hub, listening, fetches that area's events at once and sends the mail that is due (the digest
 * rules of mail.ts unchanged), instead of waiting for the minute job. The minute job stays as the
 * safety net: for a grid on another database, a lost subscription, or a grid that could not answer.
 *
 * Work is per area and never runs twice at once in this process: NOTIFYs that arrive while an
 * area is being fetched make one more run after it. When the grid says newer events are held back
 * by a writer of its events still running (grid-events.ts `heldBack`), the area is fetched again after
 * `heldBackRetryMs`, for at most `heldBackForMs`. Several hub processes may all listen: the cursor
 * is claimed in the database (grid-events.ts), so nothing is notified twice.
 */
import { EventEmitter } from 'node:events';
import type { AreaCode } from '../../domain/area.ts';
import type { Db, Subscription } from '../../platform/db/db.ts';
import { log } from '../../platform/log.ts';
import { fetchGridEvents } from './grid-events.ts';
import { runMailWork } from './mail.ts';
import type { NotificationDeps } from './notification.jobs.ts';

/** The channel the grids' trigger notifies (grid migration 0010_application_event_notify.sql). */
export const gridEventsChannel = 'kirikae_grid_events';

export interface GridEventWatchOptions {
  /** Milliseconds before asking again while the grid holds events back (default 200). */
  readonly heldBackRetryMs?: number;
  /** How long to keep asking while events are held back (default 30 s; then the minute job). */
  readonly heldBackForMs?: number;
  /** Milliseconds before re-subscribing after the subscription was lost (default 5 s). */
  readonly resubscribeMs?: number;
}

/** What one run of an area did (emitted as `run` on `runs`). */
export interface GridEventRun {
  readonly area: AreaCode;
  readonly events: number;
  readonly notified: number;
  readonly mailsSent: number;
}

export interface GridEventWatch {
  /** True while the NOTIFY subscription is established. */
  readonly listening: boolean;
  /** Emits `run` (GridEventRun) after each run of an area, `error` (Error) when a run failed. */
  readonly runs: EventEmitter;
  stop(): Promise<void>;
}

export async function watchGridEvents(db: Db, deps: NotificationDeps, options: GridEventWatchOptions = {}): Promise<GridEventWatch> {
  const runs = new EventEmitter();
  runs.on('error', () => {}); // a failed run is logged; listeners may look too
  const running = new Map<AreaCode, { again: boolean; done?: Promise<void> }>();
  const heldSince = new Map<AreaCode, number>();
  const timers = new Set<NodeJS.Timeout>();
  let subscription: Subscription | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  const known = new Set<string>(deps.areas);

  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  const runArea = (area: AreaCode): void => {
    const state = running.get(area);
    if (state) {
      state.again = true;
      return;
    }
    const self: { again: boolean; done?: Promise<void> } = { again: true };
    running.set(area, self);
    self.done = work(area, self);
  };

  const work = async (area: AreaCode, self: { again: boolean }): Promise<void> => {
    try {
      while (self.again && !stopped) {
        self.again = false;
        try {
          const fetched = await fetchGridEvents(deps.events, area);
          const mail = await runMailWork(deps.mail);
          runs.emit('run', { area, events: fetched.events, notified: fetched.notified, mailsSent: mail.sent } satisfies GridEventRun);
          if (!fetched.heldBack) {
            heldSince.delete(area);
          } else {
            const since = heldSince.get(area) ?? Date.now();
            heldSince.set(area, since);
            if (Date.now() - since < (options.heldBackForMs ?? 30_000)) later(() => runArea(area), options.heldBackRetryMs ?? 200);
          }
        } catch (error) {
          log('warn', 'notifications', `area ${area}: events not fetched on NOTIFY (the minute job tries again): ${(error as Error).message}`);
          runs.emit('error', error);
        }
      }
    } finally {
      running.delete(area);
    }
  };

  const onNotify = (payload: string) => {
    if (stopped || !known.has(payload)) return;
    runArea(payload as AreaCode);
  };
  const subscribe = async (): Promise<void> => {
    try {
      subscription = await db.listen(gridEventsChannel, onNotify, lost);
      if (stopped) {
        await subscription.close();
        return;
      }
      // Events recorded while not subscribed.
      for (const area of deps.areas) runArea(area);
    } catch (error) {
      lost(error as Error);
    }
  };
  const lost = (error: Error) => {
    subscription = undefined;
    if (stopped) return;
    log('warn', 'notifications', `grid event subscription lost (${error.message}); the minute job notifies until it is back`);
    retry = setTimeout(() => void subscribe(), options.resubscribeMs ?? 5_000);
    retry.unref();
  };
  await subscribe();
  return {
    get listening() {
      return subscription !== undefined;
    },
    runs,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      for (const timer of timers) clearTimeout(timer);
      await subscription?.close();
      subscription = undefined;
      // Let a run in progress finish before the database closes.
      await Promise.allSettled([...running.values()].map((r) => r.done));
    },
  };
}
