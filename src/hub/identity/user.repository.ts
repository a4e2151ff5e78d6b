/**
 * Reading and writing users. The password hash and the failure count leave this file only inside
 * `UserCredentials`, for the sign-in and password commands; `User` never carries them.
 */
import type { Queryable } from '../../platform/db/db.ts';
import type { LockState } from './lockout.ts';
import type { User, UserRole, UserStatus } from './user.ts';

export interface UserRow {
  user_id: string;
  company_code: string;
  role: UserRole;
  name: string;
  email: string;
  status: UserStatus;
  suspended_at: Date | null;
  suspended_by: string | null;
  suspension_reason: string | null;
  must_change_password: boolean;
  locked_until: Date | null;
  last_sign_in_at: Date | null;
  password_changed_at: Date | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  deleted_at: Date | null;
}

/** The columns of `UserRow`, from a `user_account` aliased `u` (shared with the session query). */
export const userColumns = `
  u.user_id, u.company_code, u.role, u.name, u.email, u.status, u.suspended_at, u.suspended_by,
  u.suspension_reason, u.must_change_password, u.locked_until, u.last_sign_in_at, u.password_changed_at,
  u.created_at, u.created_by, u.updated_at, u.deleted_at`;

export interface UserCredentials {
  readonly user: User;
  readonly passwordHash: string | null;
  readonly lock: LockState;
}

export async function insertUser(
  q: Queryable,
  u: { userId: string; companyCode: string; role: UserRole; name: string; email: string; passwordHash: string; at: Date; by: string },
): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO hub.user_account (user_id, company_code, role, name, email, password_hash, must_change_password,
                                   created_at, created_by, updated_at, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8, $7, $8)
     ON CONFLICT (user_id) DO NOTHING`,
    [u.userId, u.companyCode, u.role, u.name, u.email, u.passwordHash, u.at, u.by],
  );
  return rowCount > 0;
}

export async function selectUser(q: Queryable, userId: string): Promise<User | null> {
  const { rows } = await q.query<UserRow>(`SELECT ${userColumns} FROM hub.user_account u WHERE u.user_id = $1`, [userId]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** With the hash and lock state; `forUpdate` locks the row for the rest of the caller's transaction. */
export async function selectUserCredentials(q: Queryable, userId: string, forUpdate = false): Promise<UserCredentials | null> {
  const { rows } = await q.query<UserRow & { password_hash: string | null; failed_attempts: number }>(
    `SELECT ${userColumns}, u.password_hash, u.failed_attempts
       FROM hub.user_account u WHERE u.user_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [userId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    user: toUser(row),
    passwordHash: row.password_hash,
    lock: { failedAttempts: row.failed_attempts, lockedUntil: row.locked_until },
  };
}

export async function selectUserIds(q: Queryable, userIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await q.query<{ user_id: string }>(`SELECT user_id FROM hub.user_account WHERE user_id = ANY($1::text[])`, [userIds]);
  return new Set(rows.map((r) => r.user_id));
}

export interface UserFilter {
  /** null: every participant's users. */
  readonly companyCode: string | null;
  readonly role?: UserRole;
  /** Without a status, deleted users are left out. */
  readonly status?: UserStatus;
  /** Part of the user ID or of the name. */
  readonly text?: string;
}

function filterSql(filter: UserFilter): { where: string; values: unknown[] } {
  return {
    where: `($1::text IS NULL OR u.company_code = $1)
        AND ($2::text IS NULL OR u.role = $2)
        AND (CASE WHEN $3::text IS NULL THEN u.status <> 'deleted' ELSE u.status = $3 END)
        AND ($4::text IS NULL OR strpos(u.user_id, lower($4)) > 0 OR strpos(u.name, $4) > 0)`,
    values: [filter.companyCode, filter.role ?? null, filter.status ?? null, filter.text?.normalize('NFKC').trim() || null],
  };
}

export async function selectUsers(q: Queryable, filter: UserFilter, limit: number, offset: number): Promise<{ items: User[]; total: number }> {
  const { where, values } = filterSql(filter);
  const { rows } = await q.query<UserRow>(
    `SELECT ${userColumns} FROM hub.user_account u WHERE ${where}
      ORDER BY u.company_code, u.user_id LIMIT $5 OFFSET $6`,
    [...values, limit, offset],
  );
  const count = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.user_account u WHERE ${where}`, values);
  return { items: rows.map(toUser), total: count.rows[0]?.n ?? 0 };
}

export async function updateUserProfile(q: Queryable, userId: string, p: { name: string; email: string; role: UserRole; at: Date; by: string }): Promise<void> {
  await q.query(`UPDATE hub.user_account SET name = $2, email = $3, role = $4, updated_at = $5, updated_by = $6 WHERE user_id = $1`, [
    userId,
    p.name,
    p.email,
    p.role,
    p.at,
    p.by,
  ]);
}

/** A new password hash; `mustChange` for a reset, false for the user's own change. Unlocks. */
export async function updatePassword(q: Queryable, userId: string, p: { passwordHash: string; mustChange: boolean; at: Date; by: string }): Promise<void> {
  await q.query(
    `UPDATE hub.user_account
        SET password_hash = $2, must_change_password = $3, password_changed_at = $4,
            failed_attempts = 0, locked_until = NULL, updated_at = $4, updated_by = $5
      WHERE user_id = $1`,
    [userId, p.passwordHash, p.mustChange, p.at, p.by],
  );
}

/** Re-hashing with stronger parameters at sign-in changes neither the password nor its date. */
export async function updatePasswordHash(q: Queryable, userId: string, passwordHash: string): Promise<void> {
  await q.query(`UPDATE hub.user_account SET password_hash = $2 WHERE user_id = $1`, [userId, passwordHash]);
}

export async function updateLockState(q: Queryable, userId: string, lock: LockState): Promise<void> {
  await q.query(`UPDATE hub.user_account SET failed_attempts = $2, locked_until = $3 WHERE user_id = $1`, [userId, lock.failedAttempts, lock.lockedUntil]);
}

export async function recordSignIn(q: Queryable, userId: string, at: Date): Promise<void> {
  await q.query(`UPDATE hub.user_account SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = $2 WHERE user_id = $1`, [userId, at]);
}

export async function updateUserStatus(
  q: Queryable,
  userId: string,
  status: 'active' | 'suspended',
  suspension: { at: Date; by: string; reason: string } | null,
  at: Date,
  by: string,
): Promise<void> {
  await q.query(
    `UPDATE hub.user_account
        SET status = $2, suspended_at = $3, suspended_by = $4, suspension_reason = $5, updated_at = $6, updated_by = $7
      WHERE user_id = $1`,
    [userId, status, suspension?.at ?? null, suspension?.by ?? null, suspension?.reason ?? null, at, by],
  );
}

/** Deletion keeps the row and its name (who the ID was), drops the password. */
export async function markUserDeleted(q: Queryable, userId: string, at: Date, by: string): Promise<void> {
  await q.query(
    `UPDATE hub.user_account
        SET status = 'deleted', deleted_at = $2, deleted_by = $3, password_hash = NULL,
            suspended_at = NULL, suspended_by = NULL, suspension_reason = NULL,
            failed_attempts = 0, locked_until = NULL, updated_at = $2, updated_by = $3
      WHERE user_id = $1`,
    [userId, at, by],
  );
}

export function toUser(row: UserRow): User {
  return {
    userId: row.user_id,
    companyCode: row.company_code,
    role: row.role,
    name: row.name,
    email: row.email,
    status: row.status,
    suspension: row.suspended_at && row.suspended_by !== null ? { at: row.suspended_at, by: row.suspended_by, reason: row.suspension_reason ?? '' } : null,
    mustChangePassword: row.must_change_password,
    lockedUntil: row.locked_until,
    lastSignInAt: row.last_sign_in_at,
    passwordChangedAt: row.password_changed_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}
