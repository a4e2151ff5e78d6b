/**
 * Lock-out after repeated wrong passwords: the brake on guessing a password online.
 *
 * - 5 consecutive failures: few enough that guessing stays hopeless (5 tries per 30 minutes is
 *   240 a day, against a policy password), many enough that a person fumbling a new password or
 *   Caps Lock is not locked out at the first slip.
 * - 30 minutes: long enough to make guessing pointless, short enough that a locked-out person can
 *   get on with the day without calling the hub operator; a participant admin can also reset the
 *   password at once, which unlocks.
 *
 * A success resets the count. The failure that reaches the limit starts the lock and restarts the
 * count, so after the lock ends the next 5 failures lock again.
 */
export const MAX_FAILED_ATTEMPTS = 5;
export const LOCKOUT_MS = 30 * 60_000;

export interface LockState {
  readonly failedAttempts: number;
  readonly lockedUntil: Date | null;
}

export function isLocked(state: LockState, now: Date): boolean {
  return state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
}

export function afterFailure(state: LockState, now: Date): LockState {
  const failedAttempts = state.failedAttempts + 1;
  return failedAttempts >= MAX_FAILED_ATTEMPTS
    ? { failedAttempts: 0, lockedUntil: new Date(now.getTime() + LOCKOUT_MS) }
    : { failedAttempts, lockedUntil: null };
}

export const unlocked: LockState = { failedAttempts: 0, lockedUntil: null };

/** "2026-04-01 09:30" in Japan time, for AUTH_LOCKED. */
export function tokyoMinute(instant: Date): string {
  return new Date(instant.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}
