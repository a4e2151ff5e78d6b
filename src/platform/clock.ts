/**
 * Time is an input. Code that needs "now" is given a `Clock`, never calls `Date.now()` itself, so
 * lead times, business dates and scheduled batches are testable without waiting.
 *
 * - `systemClock`: the real time (production).
 * - `ManualClock`: a clock a test sets and advances by hand.
 * - `OffsetClock`: the sandbox clock: real time plus an offset that a hub administrator can only
 *   move forward, so the sandbox can jump to next week's effective dates.
 */
import { Refusal } from '../domain/refusal.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class ManualClock implements Clock {
  #ms: number;

  constructor(start: Date | string = '2026-04-01T00:00:00+09:00') {
    this.#ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  set(instant: Date | string): void {
    this.#ms = new Date(instant).getTime();
  }

  advance(ms: number): void {
    this.#ms += ms;
  }
}

export class OffsetClock implements Clock {
  #offsetMs: number;
  readonly #base: Clock;

  constructor(offsetMs = 0, base: Clock = systemClock) {
    this.#offsetMs = offsetMs;
    this.#base = base;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  now(): Date {
    return new Date(this.#base.now().getTime() + this.#offsetMs);
  }

  advance(ms: number): void {
    if (ms < 0) throw new Refusal('CLOCK_BACKWARDS');
    this.#offsetMs += ms;
  }
}

const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses "3d", "12h", "20m", "90s", "1w" or a combination such as "1d12h" into milliseconds. */
export function parseDuration(text: string): number {
  const input = text.normalize('NFKC').trim();
  if (!/^(\d+[smhdw])+$/.test(input)) throw new Refusal('CLOCK_DURATION_FORMAT', { field: 'duration' });
  let ms = 0;
  for (const [, n, unit] of input.matchAll(/(\d+)([smhdw])/g)) ms += Number(n) * units[unit!]!;
  return ms;
}
