/**
 * How long the hub waits for a grid before answering the retailer "grid unavailable". 10 s: every
 * look-up answers in milliseconds, so a grid that takes seconds is in trouble, and the retailer's
 * own HTTP client (and the hub's 30 s request timeout) should not be the one to give up first.
 */
import type { AreaCode } from '../../domain/area.ts';
import { GridUnavailableError } from '../../interfaces/grid-unavailable.ts';

export const defaultGridTimeoutMs = 10_000;

/**
 * `work`, or a `timeout` GridUnavailableError if it has not settled after `ms`. One promise and one
 * timer a call (a race of two promises and a `finally` made three more for every look-up).
 */
export function withTimeout<T>(area: AreaCode, ms: number, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new GridUnavailableError(area, 'timeout', `no answer within ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
