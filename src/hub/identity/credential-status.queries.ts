/**
 * The published state of suspensions (slide 46: 「まずは停止します」 at the hub and at the grids'
 * data provision sites), for those that admit the hub's participants' certificates without the
 * hub's database: a grid's data provision site follows it and refuses what the hub suspended.
 *
 * Two questions, both over mutual TLS by a grid's or the hub's own API certificate
 * (`GET /api/v1/credential-status`):
 *
 * - `?since=N`: the suspensions and resumptions after position N (0: from the beginning), oldest
 *   first, at most `limit`; the answer's `next` is the position to ask from next time. A follower
 *   polls this (every few seconds) and keeps the set of suspended fingerprints, user IDs and
 *   companies; position = `hub.status_change.change_id`, which only grows.
 * - `?fingerprint=F`: whether one certificate may be used now (its status and its participant's),
 *   for a site that asks at each connection instead of following.
 *
 * Processes on the hub's own database get the same changes at once by NOTIFY (caller-cache.ts).
 */
import type { Queryable } from '../../platform/db/db.ts';
import { normalizeFingerprint } from './certificate.ts';
import type { SuspendableStatus, SuspensionTargetKind } from './status-change.repository.ts';

export interface CredentialChange {
  readonly position: number;
  readonly at: Date;
  readonly kind: SuspensionTargetKind;
  /** Company code, certificate fingerprint (SHA-256, lowercase hex) or user ID. */
  readonly id: string;
  /** The company the certificate or user belongs to (the participant itself for a participant). */
  readonly companyCode: string | null;
  readonly status: SuspendableStatus;
}

export const maxChanges = 1000;

export async function credentialChangesSince(q: Queryable, since: number, limit = maxChanges): Promise<{ changes: CredentialChange[]; next: number }> {
  const from = Number.isSafeInteger(since) && since > 0 ? since : 0;
  const size = Math.min(Math.max(1, Math.trunc(limit) || maxChanges), maxChanges);
  const { rows } = await q.query<{
    change_id: string | number;
    at: Date;
    target_kind: SuspensionTargetKind;
    target_id: string;
    status: SuspendableStatus;
    company_code: string | null;
  }>(
    `SELECT s.change_id, s.at, s.target_kind, s.target_id, s.status,
            CASE s.target_kind WHEN 'participant' THEN s.target_id
                               WHEN 'certificate' THEN (SELECT c.company_code FROM hub.certificate c WHERE c.fingerprint256 = s.target_id)
                               ELSE (SELECT u.company_code FROM hub.user_account u WHERE u.user_id = s.target_id) END AS company_code
       FROM hub.status_change s WHERE s.change_id > $1 ORDER BY s.change_id LIMIT $2`,
    [from, size],
  );
  const changes = rows.map((r) => ({
    position: Number(r.change_id),
    at: r.at,
    kind: r.target_kind,
    id: r.target_id,
    companyCode: r.company_code,
    status: r.status,
  }));
  return { changes, next: changes.at(-1)?.position ?? from };
}

export interface CertificateState {
  readonly fingerprint256: string;
  /** `unknown`: not registered at the hub (refuse it). */
  readonly status: 'active' | 'suspended' | 'unknown';
  readonly participantStatus: 'active' | 'suspended' | null;
  readonly companyCode: string | null;
  readonly notAfter: Date | null;
}

export async function certificateState(q: Queryable, fingerprint: string): Promise<CertificateState | null> {
  const fingerprint256 = normalizeFingerprint(fingerprint);
  if (!fingerprint256) return null;
  const { rows } = await q.query<{ status: 'active' | 'suspended'; participant_status: 'active' | 'suspended'; company_code: string; not_after: Date }>(
    `SELECT c.status, p.status AS participant_status, c.company_code, c.not_after
       FROM hub.certificate c JOIN hub.participant p ON p.company_code = c.company_code WHERE c.fingerprint256 = $1`,
    [fingerprint256],
  );
  const r = rows[0];
  return r
    ? { fingerprint256, status: r.status, participantStatus: r.participant_status, companyCode: r.company_code, notAfter: r.not_after }
    : { fingerprint256, status: 'unknown', participantStatus: null, companyCode: null, notAfter: null };
}
