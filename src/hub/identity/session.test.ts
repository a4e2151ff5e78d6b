import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTokenShaped, newToken, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, sessionVerdict, tokenHash, type PresentedSession } from './session.ts';

const created = new Date('2026-04-01T00:00:00Z');
const fingerprint = 'a'.repeat(64);

function presented(overrides: Partial<PresentedSession> = {}): PresentedSession {
  return {
    fingerprint256: fingerprint,
    createdAt: created,
    lastSeenAt: created,
    endReason: null,
    userStatus: 'active',
    participantStatus: 'active',
    certificateStatus: 'active',
    ...overrides,
  };
}

const at = (ms: number) => new Date(created.getTime() + ms);

test('an open session presented by its own certificate within its times is accepted', () => {
  assert.equal(sessionVerdict(presented(), fingerprint, at(SESSION_IDLE_MS - 1)), null);
});

test('a session idle for 30 minutes is ended as idle', () => {
  assert.deepEqual(sessionVerdict(presented(), fingerprint, at(SESSION_IDLE_MS)), { end: 'idle', refusal: 'AUTH_SESSION_EXPIRED' });
});

test('a session in use all along still ends 12 hours after sign-in', () => {
  const busy = presented({ lastSeenAt: at(SESSION_ABSOLUTE_MS - 60_000) });
  assert.equal(sessionVerdict(busy, fingerprint, at(SESSION_ABSOLUTE_MS - 1)), null);
  assert.deepEqual(sessionVerdict(busy, fingerprint, at(SESSION_ABSOLUTE_MS)), { end: 'expired', refusal: 'AUTH_SESSION_EXPIRED' });
});

test('a session presented with another certificate is ended', () => {
  assert.deepEqual(sessionVerdict(presented(), 'b'.repeat(64), at(1)), { end: 'certificate_mismatch', refusal: 'AUTH_SESSION_CERT_MISMATCH' });
});

test('a session whose user, participant or certificate was suspended since is ended', () => {
  assert.deepEqual(sessionVerdict(presented({ userStatus: 'suspended' }), fingerprint, at(1)), { end: 'user_suspended', refusal: 'AUTH_USER_SUSPENDED' });
  assert.deepEqual(sessionVerdict(presented({ participantStatus: 'suspended' }), fingerprint, at(1)), {
    end: 'participant_suspended',
    refusal: 'AUTH_TERMINAL_REFUSED',
  });
  assert.deepEqual(sessionVerdict(presented({ certificateStatus: 'suspended' }), fingerprint, at(1)), {
    end: 'certificate_suspended',
    refusal: 'AUTH_TERMINAL_REFUSED',
  });
});

test('an ended session is refused with what ended it', () => {
  assert.deepEqual(sessionVerdict(presented({ endReason: 'signed_out' }), fingerprint, at(1)), { end: null, refusal: 'AUTH_SESSION_INVALID' });
  assert.deepEqual(sessionVerdict(presented({ endReason: 'user_suspended' }), fingerprint, at(1)), { end: null, refusal: 'AUTH_USER_SUSPENDED' });
  assert.deepEqual(sessionVerdict(presented({ endReason: 'idle' }), fingerprint, at(1)), { end: null, refusal: 'AUTH_SESSION_EXPIRED' });
});

test('tokens are 32 random bytes, URL-safe, and stored only as their SHA-256', () => {
  const token = newToken();
  assert.equal(isTokenShaped(token), true);
  assert.equal(Buffer.from(token, 'base64url').length, 32);
  assert.match(tokenHash(token), /^[0-9a-f]{64}$/);
  assert.notEqual(newToken(), token);
  assert.equal(isTokenShaped('short'), false);
  assert.equal(isTokenShaped(undefined), false);
});
