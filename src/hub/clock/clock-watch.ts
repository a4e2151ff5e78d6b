/**
 * Keeps a process's sandbox clock in step with the database: every advance sends NOTIFY
 * `kirikae_clock` in its transaction (clock.commands.ts), and each running process rereads the
 * offset when it arrives; a periodic reread is the safety net for a lost subscription (PostgreSQL
 * connection dropped and being re-made). The clock only ever moves forward, so a late or repeated
 * reread is harmless.
 */
import type { Db, Subscription } from '../../platform/db/db.ts';
import { log } from '../../platform/log.ts';
import type { SystemClock } from '../sandbox-clock.ts';
import { clockChannel } from './clock.commands.ts';

export interface ClockWatchOptions {
  /** Milliseconds between rereads whatever NOTIFY says (default 5 s). */
  readonly refreshMs?: number;
  /** Milliseconds before re-subscribing after the subscription was lost (default 5 s). */
  readonly resubscribeMs?: number;
}

export interface ClockWatch {
  /** True while the NOTIFY subscription is established. */
  readonly listening: boolean;
  stop(): Promise<void>;
}

export async function watchClock(db: Db, clock: SystemClock, options: ClockWatchOptions = {}): Promise<ClockWatch> {
  if (clock.mode === 'production') return { listening: false, stop: async () => {} };
  let subscription: Subscription | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  const refresh = () => {
    if (stopped) return;
    clock.refresh(db).catch((error: Error) => log('warn', 'clock', `could not reread the sandbox clock: ${error.message}`));
  };
  const subscribe = async (): Promise<void> => {
    try {
      subscription = await db.listen(clockChannel, refresh, lost);
      if (stopped) await subscription.close();
      else refresh(); // an advance made while not subscribed
    } catch (error) {
      lost(error as Error);
    }
  };
  const lost = (error: Error) => {
    subscription = undefined;
    if (stopped) return;
    log('warn', 'clock', `clock subscription lost (${error.message}); rereading every ${(options.refreshMs ?? 5_000) / 1000} s until it is back`);
    retry = setTimeout(() => void subscribe(), options.resubscribeMs ?? 5_000);
    retry.unref();
  };
  const timer = setInterval(refresh, options.refreshMs ?? 5_000);
  timer.unref();
  await subscribe();
  return {
    get listening() {
      return subscription !== undefined;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(retry);
      await subscription?.close();
      subscription = undefined;
    },
  };
}
