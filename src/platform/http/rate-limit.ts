/**
 * Requests per key (a participant) per window, counted in this process. A fixed window is enough
 * for abuse protection (a runaway client loop, a sign-in attack) and costs one Map look-up a
 * request; the measured cost of a general-purpose rate-limit plugin was most of the hub's per-request
 * overhead (bench/hub-read.bench.ts). With several hub processes behind a load balancer each counts
 * its own share, so the limit applies per process: size it accordingly.
 *
 * Rate limits run on the real time, not the sandbox clock: they protect the machine, not business.
 */
export interface RateDecision {
  readonly allowed: boolean;
  /** Seconds until the window ends, for a Retry-After header. */
  readonly retryAfterSeconds: number;
}

export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart: number;
  #counts = new Map<string, number>();

  constructor(limit: number, windowMs = 60_000, now: () => number = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
    this.#windowStart = now();
  }

  take(key: string): RateDecision {
    const now = this.#now();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now - ((now - this.#windowStart) % this.#windowMs);
      this.#counts = new Map(); // every key starts the new window at zero; old keys go with the map
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return { allowed: count <= this.#limit, retryAfterSeconds: Math.ceil((this.#windowStart + this.#windowMs - now) / 1000) };
  }
}
