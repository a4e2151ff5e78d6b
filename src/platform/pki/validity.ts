/**
 * Validity windows. `notBefore` is set an hour before `now` because the clocks of terminals and
 * retailers' servers drift: a certificate issued this minute must already be good on a machine
 * whose clock is a few minutes behind. `now` is an input so tests can issue certificates that have
 * already expired; in the running hub it must be real time (TLS checks against real time, so the
 * sandbox's offset clock is the wrong one to pass).
 */
import { Refusal } from '../../domain/refusal.ts';

export const CLOCK_SKEW_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export function validityFrom(now: Date, validityDays: number): Validity {
  if (!Number.isInteger(validityDays) || validityDays < 1) throw new Refusal('PKI_VALIDITY_INVALID');
  return {
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + validityDays * DAY_MS),
  };
}
