/**
 * Reading and writing web sessions. Sessions are found by the SHA-256 of their token only.
 */
import type { Queryable } from '../../platform/db/db.ts';
import type { CertificateStatus } from './certificate.ts';
import type { ParticipantStatus } from './participant.ts';
import type { SessionEndReason } from './session.ts';
import { toUser, userColumns, type UserRow } from './user.repository.ts';
import type { User } from './user.ts';

export async function insertSession(
  q: Queryable,
  s: { tokenHash: string; userId: string; companyCode: string; fingerprint256: string; csrfToken: string; sourceAddress: string | null; at: Date },
): Promise<void> {
  await q.query(
    `INSERT INTO hub.session (token_hash, user_id, company_code, fingerprint256, csrf_token, source_address, created_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
    [s.tokenHash, s.userId, s.companyCode, s.fingerprint256, s.csrfToken, s.sourceAddress, s.at],
  );
}

export interface SessionRecord {
  readonly tokenHash: string;
  readonly fingerprint256: string;
  readonly csrfToken: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly endReason: SessionEndReason | null;
  readonly user: User;
  readonly participantStatus: ParticipantStatus;
  readonly certificateStatus: CertificateStatus;
}

/** The session with its user and the current statuses of its participant and certificate: one statement. */
export async function selectSession(q: Queryable, tokenHash: string): Promise<SessionRecord | null> {
  const { rows } = await q.query<
    UserRow & {
      token_hash: string;
      session_fingerprint: string;
      csrf_token: string;
      session_created_at: Date;
      last_seen_at: Date;
      end_reason: SessionEndReason | null;
      participant_status: ParticipantStatus;
      certificate_status: CertificateStatus;
    }
  >(
    `SELECT s.token_hash, s.fingerprint256 AS session_fingerprint, s.csrf_token, s.created_at AS session_created_at,
            s.last_seen_at, s.end_reason, ${userColumns},
            p.status AS participant_status, c.status AS certificate_status
       FROM hub.session s
       JOIN hub.user_account u ON u.user_id = s.user_id
       JOIN hub.participant p ON p.company_code = s.company_code
       JOIN hub.certificate c ON c.fingerprint256 = s.fingerprint256
      WHERE s.token_hash = $1`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    tokenHash: row.token_hash,
    fingerprint256: row.session_fingerprint,
    csrfToken: row.csrf_token,
    createdAt: row.session_created_at,
    lastSeenAt: row.last_seen_at,
    endReason: row.end_reason,
    user: toUser(row),
    participantStatus: row.participant_status,
    certificateStatus: row.certificate_status,
  };
}

export async function touchSession(q: Queryable, tokenHash: string, at: Date): Promise<void> {
  await q.query(`UPDATE hub.session SET last_seen_at = $2 WHERE token_hash = $1 AND ended_at IS NULL`, [tokenHash, at]);
}

export async function endSession(q: Queryable, tokenHash: string, at: Date, reason: SessionEndReason): Promise<boolean> {
  const { rowCount } = await q.query(`UPDATE hub.session SET ended_at = $2, end_reason = $3 WHERE token_hash = $1 AND ended_at IS NULL`, [
    tokenHash,
    at,
    reason,
  ]);
  return rowCount > 0;
}

/** Ends every open session of a user, a participant or a certificate; returns how many. */
export async function endSessionsOf(
  q: Queryable,
  of: { userId: string } | { companyCode: string } | { fingerprint256: string },
  at: Date,
  reason: SessionEndReason,
): Promise<number> {
  const [column, value] =
    'userId' in of ? ['user_id', of.userId] : 'companyCode' in of ? ['company_code', of.companyCode] : ['fingerprint256', of.fingerprint256];
  const { rowCount } = await q.query(`UPDATE hub.session SET ended_at = $2, end_reason = $3 WHERE ${column} = $1 AND ended_at IS NULL`, [value, at, reason]);
  return rowCount;
}

/** Deletes sessions created before `before` (all long over); returns how many. */
export async function deleteSessionsCreatedBefore(q: Queryable, before: Date): Promise<number> {
  const { rowCount } = await q.query(`DELETE FROM hub.session WHERE created_at < $1`, [before]);
  return rowCount;
}
