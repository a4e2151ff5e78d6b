/**
 * The request rate limit: a token bucket per key (a participant), shared by every process.
 *
 * Glossary:
 * - **bucket**: holds at most `burst` tokens and refills at `perMinute` tokens a minute; each
 *   request spends one. It lives in a store every process shares (the hub's database table).
 * - **lease**: the tokens a process takes from the bucket at once, with one store round trip (one
 *   SQL statement), and then spends from memory: a tenth of the burst, at most one second of the
 *   rate, at least one (20 with the defaults).
 *
 * The common path is a Map look-up and a decrement, no round trip: a process asks the store for the
 * next lease in the background when half of the current one is spent, so a steady client never
 * waits for it; a request waits only when its process holds no token at all (the first request of
 * a participant, or a burst that outruns the lease). A refused key is not asked for again until
 * the bucket should hold a full lease, so a client hammering past its limit costs each process at
 * most max(1, rate / lease) store round trips a second — not one per request.
 *
 * Tolerance: every token spent was taken from the shared bucket, so across all processes a key
 * never gets more than the bucket gives (burst + rate × t in any t seconds), except for the tokens
 * a process took earlier and had not spent yet while the bucket refilled: at most one and a half
 * leases per process. So in any window, a key gets at most burst + rate × t + 1.5 × lease ×
 * (processes). The same held tokens can make a key be refused up to that many requests early on one
 * process while another still holds some. Clocks of different machines only matter through their
 * skew: the bucket's time never moves back, so a clock ahead by s gives at most rate × s tokens more,
 * once, and never more than a burst.
 *
 * Rate limits run on the real time, not the sandbox clock: they protect the machine, not business.
 */
import { readSetting } from '../settings.ts';
import { systemClock, type Clock } from '../clock.ts';
import { log } from '../log.ts';

export interface RateLimit {
  /** Tokens added to a bucket per minute: the sustained rate. */
  readonly perMinute: number;
  /** The bucket's size: the most requests a key may make at once. */
  readonly burst: number;
}

/**
 * 6,000 a minute per participant across all processes: 100 a second is far above what one
 * retailer's integration needs (the busiest area saw ~16,500 look-ups a day across all retailers in
 * 2016's first days), and low enough that one participant's runaway loop cannot starve the others.
 * A burst of 200 (two seconds at the full rate) lets a client send a batch over a pool of
 * connections; a runaway loop is refused within a fraction of a second.
 */
export const defaultRateLimit: RateLimit = { perMinute: 6_000, burst: 200 };

/** What one take from the shared bucket answered. */
export interface TokenGrant {
  /** Tokens taken, 0 to `want`. */
  readonly granted: number;
  /** Tokens left in the bucket after the take (may be fractional). */
  readonly remaining: number;
}

/** The shared buckets (the hub's `rate_bucket` table). */
export interface TokenStore {
  /** Refills `key`'s bucket up to `nowMs`, then takes up to `want` whole tokens from it. */
  take(key: string, want: number, nowMs: number, limit: RateLimit): Promise<TokenGrant>;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Whole seconds until this process will admit the key again, for a Retry-After header (0 when allowed). */
  readonly retryAfterSeconds: number;
}

/** A tenth of the burst, at most one second of the rate, at least one. */
export function leaseSize(limit: RateLimit): number {
  return Math.max(1, Math.min(Math.floor(limit.burst / 10), Math.floor(limit.perMinute / 60)));
}

/** What this process holds of one key's bucket. */
interface Held {
  tokens: number;
  /** The lease being taken, if any: concurrent requests wait on the same one. */
  taking: Promise<void> | undefined;
  /** Until then the bucket is known to hold less than a lease: refuse without asking (0: not known). */
  emptyUntil: number;
}

export class RateLimiter {
  readonly #store: TokenStore;
  readonly #limit: RateLimit;
  readonly #lease: number;
  readonly #clock: Clock;
  /** Keys are participants (identified before the limit applies), so this is bounded by the register. */
  readonly #held = new Map<string, Held>();

  constructor(store: TokenStore, limit: RateLimit = defaultRateLimit, clock: Clock = systemClock) {
    checkRateLimit(limit);
    this.#store = store;
    this.#limit = limit;
    this.#lease = leaseSize(limit);
    this.#clock = clock;
  }

  async take(key: string): Promise<RateDecision> {
    let held = this.#held.get(key);
    if (!held) this.#held.set(key, (held = { tokens: 0, taking: undefined, emptyUntil: 0 }));
    for (;;) {
      if (held.tokens > 0) {
        held.tokens--;
        if (held.tokens <= Math.floor(this.#lease / 2) && !held.taking && (held.emptyUntil === 0 || this.#now() >= held.emptyUntil)) {
          // The next lease, in the background: the requests meanwhile spend what is left.
          this.#takeLease(key, held).catch((error: Error) => log('warn', 'http', `rate limit: taking a lease for ${key} failed: ${error.message}`));
        }
        return { allowed: true, retryAfterSeconds: 0 };
      }
      const now = this.#now();
      if (!held.taking && now < held.emptyUntil) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((held.emptyUntil - now) / 1000)) };
      }
      // Nothing held: wait for a lease (this request's, or the one already on its way). A lease
      // spent by other waiters before this one ran is followed by another, until one is refused.
      await (held.taking ?? this.#takeLease(key, held));
    }
  }

  /** Resolves when no lease is being taken: before the store closes (a server's shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#held.values()].map((held) => held.taking));
  }

  #takeLease(key: string, held: Held): Promise<void> {
    const now = this.#now();
    const taking = this.#store.take(key, this.#lease, now, this.#limit).then(
      ({ granted, remaining }) => {
        held.tokens += granted;
        held.taking = undefined;
        // Short of a lease, the bucket is spent: ask again when it should hold a full one again
        // (at most a second at the rate, by the lease's size, or one token's time if slower).
        held.emptyUntil = granted < this.#lease ? now + Math.ceil(((this.#lease - remaining) * 60_000) / this.#limit.perMinute) : 0;
      },
      (error: unknown) => {
        held.taking = undefined;
        throw error;
      },
    );
    held.taking = taking;
    return taking;
  }

  #now(): number {
    return this.#clock.now().getTime();
  }
}

/**
 * The verification environment's defaults: a tenth of production's. Slide 20 forbids high load
 * there (a smaller machine, several retailers testing at once); 10 a second is far more than any
 * scenario needs, and a bulk run is refused early instead of slowing the others down.
 */
export const verificationRateLimit: RateLimit = { perMinute: 600, burst: 20 };

/** `KIRIKAE_RATE_LIMIT_PER_MINUTE` and `KIRIKAE_RATE_LIMIT_BURST`, each defaulting on its own (settings.ts). */
export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env, defaults: RateLimit = defaultRateLimit): RateLimit {
  return { perMinute: readSetting(env, 'rateLimitPerMinute') ?? defaults.perMinute, burst: readSetting(env, 'rateLimitBurst') ?? defaults.burst };
}

function checkRateLimit(limit: RateLimit): void {
  // The bucket's integer arithmetic (1/60000 of a token) stays far inside bigint with these bounds.
  for (const [name, value] of Object.entries(limit)) {
    if (!Number.isSafeInteger(value) || value <= 0 || value > 1_000_000_000)
      throw new Error(`rate limit ${name} must be a whole number from 1 to 1,000,000,000, not ${value}`);
  }
}
