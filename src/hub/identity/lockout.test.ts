import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterFailure, isLocked, LOCKOUT_MS, MAX_FAILED_ATTEMPTS, tokyoMinute, unlocked } from './lockout.ts';

const now = new Date('2026-04-01T00:00:00Z');

test('the fifth consecutive failure locks for 30 minutes and restarts the count', () => {
  let state = unlocked;
  for (let i = 1; i < MAX_FAILED_ATTEMPTS; i++) {
    state = afterFailure(state, now);
    assert.deepEqual(state, { failedAttempts: i, lockedUntil: null });
  }
  state = afterFailure(state, now);
  assert.deepEqual(state, { failedAttempts: 0, lockedUntil: new Date(now.getTime() + LOCKOUT_MS) });
  assert.equal(LOCKOUT_MS, 30 * 60_000);
});

test('a lock holds until its end and not a moment after', () => {
  const state = { failedAttempts: 0, lockedUntil: new Date(now.getTime() + LOCKOUT_MS) };
  assert.equal(isLocked(state, now), true);
  assert.equal(isLocked(state, new Date(now.getTime() + LOCKOUT_MS - 1)), true);
  assert.equal(isLocked(state, new Date(now.getTime() + LOCKOUT_MS)), false);
  assert.equal(isLocked(unlocked, now), false);
});

test('lock ends are shown in Japan time to the minute', () => {
  assert.equal(tokyoMinute(new Date('2026-04-01T00:30:00Z')), '2026-04-01 09:30');
});
