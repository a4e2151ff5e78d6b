/**
 * 権限停止 (slide 46): on loss, theft or suspected misuse the hub operator at once suspends a
 * client certificate, an admin ID or a user ID — or a whole participant — and investigates.
 * Certificates are never revoked, only suspended, and can be resumed.
 *
 * Suspending a user, a participant or a certificate ends their open web sessions in the same
 * transaction, so that requests in flight on them are refused from the next one on; the API needs
 * no such step, since `identifyCaller` checks the statuses on every request. Each change is kept
 * in `status_change` (who, when, why), besides the current "who, when, why" on the row itself.
 *
 * Only hub admins may (policy `suspension.manage`); no one may suspend their own user ID or their
 * own participant, which would lock the hub operator out of its own screens.
 */
import { Refusal } from '../../domain/refusal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import { authorize, type Actor } from '../policy.ts';
import { normalizeFingerprint } from './certificate.ts';
import { selectCertificate, updateCertificateStatus } from './certificate.repository.ts';
import { normalizeCompanyCode } from './participant.ts';
import { selectParticipantStatusForUpdate, updateParticipantStatus } from './participant.repository.ts';
import { endSessionsOf } from './session.repository.ts';
import { insertStatusChange, selectStatusChanges, type StatusChange, type SuspendableStatus, type SuspensionTarget } from './status-change.repository.ts';
import { inTransaction } from './transaction.ts';
import { forgetCallersInThisProcess, identityChannel } from './caller-cache.ts';
import { selectUserCredentials, updateUserStatus } from './user.repository.ts';
import { normalizeUserId } from './user.ts';

export interface StatusChangeResult {
  readonly target: SuspensionTarget;
  readonly status: SuspendableStatus;
  /** False when it already had that status (nothing was written). */
  readonly changed: boolean;
  /** Web sessions ended by this change. */
  readonly endedSessions: number;
}

export type { StatusChange, SuspendableStatus, SuspensionTarget };

const REASON_MAX_LENGTH = 500;

export async function suspend(
  db: Db | Queryable,
  clock: Clock,
  actor: Actor,
  request: { target: SuspensionTarget; reason: string },
): Promise<StatusChangeResult> {
  return setStatus(db, clock, actor, request.target, 'suspended', request.reason);
}

export async function resume(
  db: Db | Queryable,
  clock: Clock,
  actor: Actor,
  request: { target: SuspensionTarget; reason: string },
): Promise<StatusChangeResult> {
  return setStatus(db, clock, actor, request.target, 'active', request.reason);
}

export function setParticipantStatus(
  db: Db | Queryable,
  clock: Clock,
  actor: Actor,
  companyCode: string,
  change: { status: SuspendableStatus; reason: string },
): Promise<StatusChangeResult> {
  return setStatus(db, clock, actor, { kind: 'participant', id: companyCode }, change.status, change.reason);
}

export function setCertificateStatus(
  db: Db | Queryable,
  clock: Clock,
  actor: Actor,
  fingerprint256: string,
  change: { status: SuspendableStatus; reason: string },
): Promise<StatusChangeResult> {
  return setStatus(db, clock, actor, { kind: 'certificate', id: fingerprint256 }, change.status, change.reason);
}

export function setUserStatus(
  db: Db | Queryable,
  clock: Clock,
  actor: Actor,
  userId: string,
  change: { status: SuspendableStatus; reason: string },
): Promise<StatusChangeResult> {
  return setStatus(db, clock, actor, { kind: 'user', id: userId }, change.status, change.reason);
}

/**
 * A participant's administrator reports a lost or stolen certificate or ID of its own participant
 * (slide 46): it is suspended at once, exactly as a hub admin's suspension, and the hub admins
 * investigate and resume. Refuses AUTH_FORBIDDEN for another participant's certificate or user.
 */
export function reportLoss(
  db: Db | Queryable,
  clock: Clock,
  actor: Actor,
  request: { target: { kind: 'certificate' | 'user'; id: string }; reason: string },
): Promise<StatusChangeResult> {
  return setStatus(db, clock, actor, request.target, 'suspended', request.reason, 'holder');
}

/** Tells every hub process, at commit, to forget what it remembered of callers (caller-cache.ts). */
async function notifyIdentityChange(tx: Queryable, target: SuspensionTarget): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [identityChannel, `${target.kind}:${target.id}`]);
}

async function setStatus(
  db: Db | Queryable,
  clock: Clock,
  actor: Actor,
  target: SuspensionTarget,
  status: SuspendableStatus,
  reasonInput: string,
  as: 'operator' | 'holder' = 'operator',
): Promise<StatusChangeResult> {
  // The holder's administrator may only suspend, and only its own participant's (checked on the row).
  const ownedBy = (companyCode: string) => {
    if (as === 'holder') authorize(actor, 'suspension.report', { companyCode });
  };
  if (as === 'operator') authorize(actor, 'suspension.manage');
  else if (status !== 'suspended' || target.kind === 'participant') throw new Refusal('AUTH_FORBIDDEN');
  else authorize(actor, 'suspension.report', { companyCode: actor.participant.companyCode });
  if (status !== 'active' && status !== 'suspended') throw new Refusal('AUTH_FORBIDDEN');
  const reason = String(reasonInput ?? '')
    .normalize('NFKC')
    .trim();
  if (reason.length < 1 || reason.length > REASON_MAX_LENGTH) throw new Refusal('AUTH_REASON_REQUIRED', { field: 'reason' });
  const by = actor.user?.userId ?? actor.participant.companyCode;
  const at = clock.now();
  const suspension = status === 'suspended' ? { at, by, reason } : null;

  const result = await inTransaction(db, async (tx) => {
    switch (target.kind) {
      case 'participant': {
        const companyCode = normalizeCompanyCode(target.id);
        if (companyCode === actor.participant.companyCode) throw new Refusal('AUTH_NOT_SELF', { field: 'target' });
        const current = await selectParticipantStatusForUpdate(tx, companyCode);
        if (!current) throw new Refusal('AUTH_PARTICIPANT_NOT_FOUND', { field: 'target', params: { companyCode } });
        const id = { kind: target.kind, id: companyCode };
        if (current === status) return { target: id, status, changed: false, endedSessions: 0 };
        await updateParticipantStatus(tx, companyCode, status, suspension);
        await insertStatusChange(tx, { at, target: id, status, changedBy: by, reason });
        await notifyIdentityChange(tx, id);
        const ended = suspension ? await endSessionsOf(tx, { companyCode }, at, 'participant_suspended') : 0;
        return { target: id, status, changed: true, endedSessions: ended };
      }
      case 'certificate': {
        const fingerprint256 = normalizeFingerprint(target.id);
        const certificate = fingerprint256 ? await selectCertificate(tx, fingerprint256, true) : null;
        if (!certificate || !fingerprint256) throw new Refusal('AUTH_CERT_NOT_FOUND', { field: 'target' });
        ownedBy(certificate.companyCode);
        const id = { kind: target.kind, id: fingerprint256 };
        if (certificate.status === status) return { target: id, status, changed: false, endedSessions: 0 };
        await updateCertificateStatus(tx, fingerprint256, status, suspension);
        await insertStatusChange(tx, { at, target: id, status, changedBy: by, reason });
        await notifyIdentityChange(tx, id);
        const ended = suspension ? await endSessionsOf(tx, { fingerprint256 }, at, 'certificate_suspended') : 0;
        return { target: id, status, changed: true, endedSessions: ended };
      }
      case 'user': {
        const userId = normalizeUserId(target.id, 'target');
        if (userId === actor.user?.userId) throw new Refusal('AUTH_NOT_SELF', { field: 'target' });
        const found = await selectUserCredentials(tx, userId, true);
        if (!found || found.user.status === 'deleted') throw new Refusal('AUTH_USER_NOT_FOUND', { field: 'target', params: { userId } });
        ownedBy(found.user.companyCode);
        const id = { kind: target.kind, id: userId };
        if (found.user.status === status) return { target: id, status, changed: false, endedSessions: 0 };
        await updateUserStatus(tx, userId, status, suspension, at, by);
        await insertStatusChange(tx, { at, target: id, status, changedBy: by, reason });
        const ended = suspension ? await endSessionsOf(tx, { userId }, at, 'user_suspended') : 0;
        return { target: id, status, changed: true, endedSessions: ended };
      }
      default:
        throw new Refusal('AUTH_FORBIDDEN');
    }
  });
  if (result.changed) forgetCallersInThisProcess();
  return result;
}

/** The suspensions and resumptions of one target, oldest first. The caller authorizes `suspension.manage`. */
export async function listStatusChanges(q: Queryable, target: SuspensionTarget): Promise<StatusChange[]> {
  return selectStatusChanges(q, { kind: target.kind, id: normalizeTargetId(target) ?? target.id });
}

/** The target's ID as stored, or null when it cannot be one. */
function normalizeTargetId(target: SuspensionTarget): string | null {
  try {
    switch (target.kind) {
      case 'participant':
        return normalizeCompanyCode(target.id, 'target');
      case 'certificate':
        return normalizeFingerprint(target.id);
      case 'user':
        return normalizeUserId(target.id, 'target');
    }
  } catch {
    return null;
  }
}
