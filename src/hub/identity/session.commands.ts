/**
 * Signing in to the web screens, and resolving the session of every later request.
 *
 * Web sign-in takes three things together (slides 38–46): a terminal certificate (usage
 * `terminal`, one per client terminal) of the same participant as the user, the user ID, and the
 * password. Every attempt, successful or not, is written to the audit log as action `login`; the
 * HTTPS layer records no second entry for it.
 *
 * What a refusal reveals is chosen with care:
 * - an unknown user ID and a wrong password get the same code and text (AUTH_LOGIN_FAILED), take the
 *   same time (a decoy hash is verified), and the audit entry names no user for an unknown ID (it
 *   may be a mistyped password);
 * - "another participant's terminal" and "suspended" are said only to someone who knows the
 *   password; "locked" is said to anyone, after 5 failures, since the lock must hold before the
 *   password is checked.
 */
import { Refusal } from '../../domain/refusal.ts';
import type { MessageCode } from '../../domain/messages.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { actorOf, type Actor } from '../policy.ts';
import type { Caller } from './certificate.ts';
import { afterFailure, isLocked, tokyoMinute } from './lockout.ts';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password.ts';
import { deleteSessionsCreatedBefore, endSession, insertSession, selectSession, touchSession } from './session.repository.ts';
import { isTokenShaped, newToken, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, sessionVerdict, tokenHash, type Session } from './session.ts';
import { recordSignIn, selectUserCredentials, updateLockState, updatePasswordHash } from './user.repository.ts';
import { userIdOrNull, type User } from './user.ts';

/** The screen name recorded in the audit log for sign-in attempts. */
export const signInAction = 'login';

export interface SignInRequest {
  /** From `identifyCaller` for this connection's certificate. */
  readonly caller: Caller;
  readonly userId: string;
  readonly password: string;
  readonly sourceAddress: string | null;
  readonly requestId?: string | null;
}

export interface SignedIn {
  /** Goes to the browser (HttpOnly, Secure cookie); the hub keeps only its hash. */
  readonly sessionToken: string;
  /** To embed in forms and compare on every POST. */
  readonly csrfToken: string;
  readonly user: User;
  /** When true, the web screens allow only the password change. */
  readonly mustChangePassword: boolean;
}

type Outcome = { readonly refusal: MessageCode; readonly params?: Record<string, string> } | { readonly signedIn: SignedIn };

export async function signIn(db: Db, clock: Clock, request: SignInRequest): Promise<SignedIn> {
  const { caller } = request;
  const now = clock.now();
  const audit = (tx: Queryable, result: string, userId: string | null) =>
    recordAudit(tx, {
      at: now,
      companyCode: caller.participant.companyCode,
      userId,
      fingerprint256: caller.certificate.fingerprint256,
      sourceAddress: request.sourceAddress,
      channel: 'web',
      action: signInAction,
      result,
      requestId: request.requestId ?? null,
    });
  const refuse = async (code: MessageCode, userId: string | null, params?: Record<string, string>): Promise<never> => {
    await audit(db, code, userId);
    throw new Refusal(code, { ...(params ? { params } : {}) });
  };

  if (caller.participant.status !== 'active') return refuse('AUTH_TERMINAL_REFUSED', null);
  if (caller.certificate.usage !== 'terminal') return refuse('AUTH_API_CERT_FOR_WEB', null);

  const userId = userIdOrNull(request.userId);
  const found = userId ? await selectUserCredentials(db, userId) : null;
  if (!found || found.passwordHash === null || found.user.status === 'deleted') {
    await verifyPassword(String(request.password), await decoyHash());
    return refuse('AUTH_LOGIN_FAILED', null);
  }
  if (isLocked(found.lock, now)) return refuse('AUTH_LOCKED', found.user.userId, { until: tokyoMinute(found.lock.lockedUntil!) });

  // scrypt runs before the transaction, so no row or PGlite session is held while it works.
  const correct = await verifyPassword(String(request.password), found.passwordHash);
  const rehash = correct && needsRehash(found.passwordHash) ? await hashPassword(String(request.password)) : null;

  const outcome = await db.transaction(async (tx): Promise<Outcome> => {
    const fresh = await selectUserCredentials(tx, found.user.userId, true);
    const user = fresh?.user;
    let result: Outcome;
    if (!fresh || !user || user.status === 'deleted') {
      result = { refusal: 'AUTH_LOGIN_FAILED' };
    } else if (isLocked(fresh.lock, now)) {
      result = { refusal: 'AUTH_LOCKED', params: { until: tokyoMinute(fresh.lock.lockedUntil!) } };
    } else if (!correct || fresh.passwordHash !== found.passwordHash) {
      const lock = afterFailure(fresh.lock, now);
      await updateLockState(tx, user.userId, lock);
      result = lock.lockedUntil ? { refusal: 'AUTH_LOCKED', params: { until: tokyoMinute(lock.lockedUntil) } } : { refusal: 'AUTH_LOGIN_FAILED' };
    } else if (user.companyCode !== caller.participant.companyCode) {
      result = { refusal: 'AUTH_CERT_OTHER_PARTICIPANT' };
    } else if (user.status !== 'active') {
      result = { refusal: 'AUTH_USER_SUSPENDED' };
    } else {
      await recordSignIn(tx, user.userId, now);
      if (rehash) await updatePasswordHash(tx, user.userId, rehash);
      const sessionToken = newToken();
      const csrfToken = newToken();
      await insertSession(tx, {
        tokenHash: tokenHash(sessionToken),
        userId: user.userId,
        companyCode: user.companyCode,
        fingerprint256: caller.certificate.fingerprint256,
        csrfToken,
        sourceAddress: request.sourceAddress,
        at: now,
      });
      const signedInUser = { ...user, lockedUntil: null, lastSignInAt: now };
      result = { signedIn: { sessionToken, csrfToken, user: signedInUser, mustChangePassword: user.mustChangePassword } };
    }
    await audit(tx, 'signedIn' in result ? 'OK' : result.refusal, user?.userId ?? null);
    return result;
  });
  if ('signedIn' in outcome) return outcome.signedIn;
  throw new Refusal(outcome.refusal, outcome.params ? { params: outcome.params } : {});
}

export interface ResolvedSession {
  readonly user: User;
  readonly csrfToken: string;
  readonly session: Session;
  /** For policy checks: the caller's participant and this user. */
  readonly actor: Actor;
}

/**
 * The session a request presents, refused when it has ended, timed out (idle or absolute), comes
 * with another certificate than it was created with, or its user, participant or certificate has
 * been suspended since; such a session is ended at once. Otherwise its last-seen time moves on.
 */
export async function resolveSession(db: Db, clock: Clock, token: string, caller: Caller): Promise<ResolvedSession> {
  if (!isTokenShaped(token)) throw new Refusal('AUTH_SESSION_INVALID');
  const now = clock.now();
  const hash = tokenHash(token);
  const found = await selectSession(db, hash);
  if (!found) throw new Refusal('AUTH_SESSION_INVALID');
  const verdict = sessionVerdict(
    {
      fingerprint256: found.fingerprint256,
      createdAt: found.createdAt,
      lastSeenAt: found.lastSeenAt,
      endReason: found.endReason,
      userStatus: found.user.status,
      participantStatus: found.participantStatus,
      certificateStatus: found.certificateStatus,
    },
    caller.certificate.fingerprint256,
    now,
  );
  if (verdict) {
    if (verdict.end) await endSession(db, hash, now, verdict.end);
    throw new Refusal(verdict.refusal);
  }
  await touchSession(db, hash, now);
  return {
    user: found.user,
    csrfToken: found.csrfToken,
    session: {
      userId: found.user.userId,
      companyCode: found.user.companyCode,
      fingerprint256: found.fingerprint256,
      createdAt: found.createdAt,
      lastSeenAt: now,
      idleExpiresAt: new Date(Math.min(now.getTime() + SESSION_IDLE_MS, found.createdAt.getTime() + SESSION_ABSOLUTE_MS)),
      expiresAt: new Date(found.createdAt.getTime() + SESSION_ABSOLUTE_MS),
      mustChangePassword: found.user.mustChangePassword,
    },
    actor: actorOf(caller, found.user),
  };
}

/** Ends the session of this token, if it is open. Unknown tokens are ignored. */
export async function signOut(db: Db | Queryable, clock: Clock, token: string): Promise<void> {
  if (!isTokenShaped(token)) return;
  await endSession(db, tokenHash(token), clock.now(), 'signed_out');
}

/**
 * Deletes sessions that ended long ago: anything created more than a day before now is over (the
 * absolute lifetime is 12 hours), and a day's margin keeps yesterday's visible for investigation.
 * Meant for a daily scheduled job.
 */
export async function purgeSessions(q: Queryable, clock: Clock): Promise<number> {
  return deleteSessionsCreatedBefore(q, new Date(clock.now().getTime() - SESSION_ABSOLUTE_MS - 86_400_000));
}
