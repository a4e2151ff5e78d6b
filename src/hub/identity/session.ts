/**
 * Web sessions. After sign-in the browser holds a random 32-byte token (in a cookie); the hub keeps
 * only its SHA-256, so a copy of the table lets no one in. A session belongs to the terminal
 * certificate it was created with and is refused from any other.
 *
 * - Idle timeout 30 minutes: a terminal left signed in at a desk is closed before long, yet filling
 *   in one long application form does not time out (every request counts as activity).
 * - Absolute lifetime 12 hours: a working day and overtime; a session never carries over to the
 *   next day, so a person signs in (and is checked for suspension) at least daily.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { MessageCode } from '../../domain/messages.ts';
import type { CertificateStatus } from './certificate.ts';
import type { ParticipantStatus } from './participant.ts';
import type { UserStatus } from './user.ts';

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;
const TOKEN_BYTES = 32;

export const sessionEndReasons = [
  'signed_out',
  'idle',
  'expired',
  'certificate_mismatch',
  'user_suspended',
  'participant_suspended',
  'certificate_suspended',
  'user_deleted',
  'password_reset',
] as const;
export type SessionEndReason = (typeof sessionEndReasons)[number];

export interface Session {
  readonly userId: string;
  readonly companyCode: string;
  /** The terminal certificate the session was created with. */
  readonly fingerprint256: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  /** When it ends if nothing more happens. */
  readonly idleExpiresAt: Date;
  /** When it ends in any case. */
  readonly expiresAt: Date;
  /** While true the web screens allow only the password change (AUTH_PASSWORD_CHANGE_REQUIRED). */
  readonly mustChangePassword: boolean;
}

/** A new random token, URL-safe (43 characters). */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Shape of a token we could have issued; anything else is refused without a query. */
export function isTokenShaped(token: unknown): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** What a session looks like when it is presented, as far as the verdict is concerned. */
export interface PresentedSession {
  readonly fingerprint256: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly endReason: SessionEndReason | null;
  readonly userStatus: UserStatus;
  readonly participantStatus: ParticipantStatus;
  readonly certificateStatus: CertificateStatus;
}

export interface SessionVerdict {
  /** Why to end the session now; null when it has already ended. */
  readonly end: SessionEndReason | null;
  readonly refusal: MessageCode;
}

/**
 * Whether a presented session may be used, by the certificate that presents it, at `now`. Null when
 * it may; otherwise the refusal, and the reason to end the session if it is still open. The order
 * matters: a session that has expired tells the user so, even if it also came from elsewhere.
 */
export function sessionVerdict(s: PresentedSession, presentedBy: string, now: Date): SessionVerdict | null {
  if (s.endReason !== null) return { end: null, refusal: refusalAfter(s.endReason) };
  const t = now.getTime();
  if (t >= s.createdAt.getTime() + SESSION_ABSOLUTE_MS) return { end: 'expired', refusal: 'AUTH_SESSION_EXPIRED' };
  if (t >= s.lastSeenAt.getTime() + SESSION_IDLE_MS) return { end: 'idle', refusal: 'AUTH_SESSION_EXPIRED' };
  if (presentedBy !== s.fingerprint256) return { end: 'certificate_mismatch', refusal: 'AUTH_SESSION_CERT_MISMATCH' };
  if (s.userStatus === 'deleted') return { end: 'user_deleted', refusal: 'AUTH_SESSION_INVALID' };
  if (s.userStatus !== 'active') return { end: 'user_suspended', refusal: 'AUTH_USER_SUSPENDED' };
  if (s.participantStatus !== 'active') return { end: 'participant_suspended', refusal: 'AUTH_TERMINAL_REFUSED' };
  if (s.certificateStatus !== 'active') return { end: 'certificate_suspended', refusal: 'AUTH_TERMINAL_REFUSED' };
  return null;
}

/** What a user is told who presents a session that has ended. */
export function refusalAfter(reason: SessionEndReason): MessageCode {
  switch (reason) {
    case 'idle':
    case 'expired':
      return 'AUTH_SESSION_EXPIRED';
    case 'certificate_mismatch':
      return 'AUTH_SESSION_CERT_MISMATCH';
    case 'user_suspended':
      return 'AUTH_USER_SUSPENDED';
    case 'participant_suspended':
    case 'certificate_suspended':
      return 'AUTH_TERMINAL_REFUSED';
    case 'signed_out':
    case 'user_deleted':
    case 'password_reset':
      return 'AUTH_SESSION_INVALID';
  }
}
