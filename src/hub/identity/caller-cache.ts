/**
 * Who a certificate belongs to, remembered between requests, so that the hub does not ask the
 * database on every request of a keep-alive connection.
 *
 * Suspension must still take effect at once (slide 46), in every process sharing the database:
 * every change of a certificate's or a participant's status sends NOTIFY `kirikae_identity` in its
 * own transaction (suspension.commands.ts), and each process drops its whole cache when that
 * notification arrives — at the commit, before the suspending administrator sees "done". While the
 * subscription is not established (start-up, or a lost PostgreSQL connection being re-made), the
 * cache is bypassed and every request is checked in the database. Only admitted callers are kept;
 * refusals are always looked up again. Validity dates are checked against the clock on every hit.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db, Subscription } from '../../platform/db/db.ts';
import { log } from '../../platform/log.ts';
import { identifyCaller } from './certificate.commands.ts';
import type { Caller } from './certificate.ts';
import { selectCertificate } from './certificate.repository.ts';

export const identityChannel = 'kirikae_identity';

/** Far more certificates than a national hub registers; a bound against memory, not a tuning knob. */
const maxEntries = 200_000;
/** Seconds between attempts to re-subscribe after the PostgreSQL connection was lost. */
const resubscribeMs = 5_000;

/** Every cache of this process, so that a change made here is seen here without waiting for NOTIFY. */
const caches = new Set<CallerCache>();

/**
 * Drops what this process remembers of callers. Called after a status change commits; other
 * processes learn of it by the NOTIFY sent in the same transaction, a moment later.
 */
export function forgetCallersInThisProcess(): void {
  for (const cache of caches) cache.clear();
  identityChanged();
}

/** Who waits for the next identity change (the credential-status long poll). */
const waiters = new Set<() => void>();

function identityChanged(): void {
  for (const wake of [...waiters]) wake();
}

/**
 * Resolves at the next identity change seen by this process (made here, or NOTIFY from another) or
 * after `ms`, or when `signal` aborts, whichever comes first. A caller asks the database again either way: the timeout also
 * covers a process whose subscription is down.
 */
export function nextIdentityChange(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      waiters.delete(wake);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, Math.max(0, ms));
    waiters.add(wake);
    if (signal?.aborted) wake();
    else signal?.addEventListener('abort', wake, { once: true });
  });
}

interface Entry {
  readonly caller: Caller;
  readonly notBefore: number;
  readonly notAfter: number;
}

export class CallerCache {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  #subscription: Subscription | undefined;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Subscribes to identity changes; until this resolves, every request goes to the database. */
  async start(): Promise<void> {
    caches.add(this);
    try {
      this.#subscription = await this.#db.listen(
        identityChannel,
        () => {
          this.#entries.clear();
          identityChanged();
        },
        (error) => this.#lost(error),
      );
    } catch (error) {
      this.#lost(error as Error);
    }
  }

  clear(): void {
    this.#entries.clear();
  }

  get active(): boolean {
    return this.#subscription !== undefined;
  }

  async identify(fingerprint256: string): Promise<Caller> {
    const now = this.#clock.now().getTime();
    const hit = this.#subscription ? this.#entries.get(fingerprint256) : undefined;
    if (hit && now >= hit.notBefore && now <= hit.notAfter) return hit.caller;
    const caller = await identifyCaller(this.#db, this.#clock, fingerprint256);
    if (this.#subscription) {
      const certificate = await selectCertificate(this.#db, caller.certificate.fingerprint256);
      if (certificate && this.#subscription) {
        if (this.#entries.size >= maxEntries) this.#entries.clear();
        this.#entries.set(fingerprint256, { caller, notBefore: certificate.notBefore.getTime(), notAfter: certificate.notAfter.getTime() });
      }
    }
    return caller;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    caches.delete(this);
    clearTimeout(this.#retry);
    await this.#subscription?.close();
    this.#subscription = undefined;
    this.#entries.clear();
  }

  #lost(error: Error): void {
    this.#subscription = undefined;
    this.#entries.clear();
    if (this.#stopped) return;
    log('warn', 'identity', `identity change subscription lost (${error.message}); checking every request in the database until it is back`);
    this.#retry = setTimeout(() => void this.start(), resubscribeMs);
    this.#retry.unref();
  }
}
