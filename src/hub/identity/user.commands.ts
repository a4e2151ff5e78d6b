/**
 * Managing users: hub admins manage everyone's, participant admins their own participant's
 * (policy.ts `user.*`). Suspension and resumption are in suspension.commands.ts (`setUserStatus`).
 *
 * Passwords are hashed before the transaction opens: scrypt takes a noticeable fraction of a second
 * and should hold no row lock (and, on PGlite, not the one database session) while it works.
 */
import { Refusal } from '../../domain/refusal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import { authorize, isHubAdmin, type Actor } from '../policy.ts';
import { afterFailure, isLocked, tokyoMinute } from './lockout.ts';
import { pageBounds, type Page, type PageRequest } from './page.ts';
import { normalizeCompanyCode } from './participant.ts';
import { selectParticipant } from './participant.repository.ts';
import { checkPasswordPolicy, generateInitialPassword, hashPassword, verifyPassword } from './password.ts';
import { endSessionsOf } from './session.repository.ts';
import { inTransaction } from './transaction.ts';
import {
  insertUser,
  markUserDeleted,
  selectUser,
  selectUserCredentials,
  selectUsers,
  updateLockState,
  updatePassword,
  updateUserProfile,
} from './user.repository.ts';
import {
  checkEmail,
  checkRole,
  checkUserName,
  isUserRole,
  normalizeUserId,
  reservedUserIds,
  userIdOrNull,
  type User,
  type UserRole,
  type UserStatus,
} from './user.ts';

export interface NewUser {
  readonly userId: string;
  /** The participant's company code. */
  readonly companyCode: string;
  readonly role: UserRole;
  readonly name: string;
  readonly email: string;
}

export interface CreatedUser {
  readonly user: User;
  /** Random, shown once to the administrator; the user must change it at first sign-in. */
  readonly initialPassword: string;
}

function actorId(actor: Actor): string {
  return actor.user?.userId ?? actor.participant.companyCode;
}

/** Issues a user ID with a random initial password. IDs are never reused, not even deleted ones. */
export async function createUser(db: Db | Queryable, clock: Clock, actor: Actor, input: NewUser): Promise<CreatedUser> {
  const userId = normalizeUserId(input.userId);
  const companyCode = normalizeCompanyCode(input.companyCode);
  const role = String(input.role);
  if (!isUserRole(role)) throw new Refusal('AUTH_USER_ROLE', { field: 'role', params: { role } });
  authorize(actor, 'user.create', { companyCode, role });
  const name = checkUserName(input.name);
  const email = checkEmail(input.email);
  if (reservedUserIds.includes(userId)) throw new Refusal('AUTH_USER_ID_TAKEN', { field: 'userId', params: { userId } });
  const initialPassword = generateInitialPassword(userId);
  const passwordHash = await hashPassword(initialPassword);
  const user = await inTransaction(db, async (tx) => {
    const participant = await selectParticipant(tx, companyCode);
    if (!participant) throw new Refusal('AUTH_PARTICIPANT_NOT_FOUND', { field: 'companyCode', params: { companyCode } });
    checkRole(participant.kind, role);
    const at = clock.now();
    const created = await insertUser(tx, { userId, companyCode, role, name, email, passwordHash, at, by: actorId(actor) });
    if (!created) throw new Refusal('AUTH_USER_ID_TAKEN', { field: 'userId', params: { userId } });
    return (await selectUser(tx, userId))!;
  });
  return { user, initialPassword };
}

/** The user, if the actor may see it (its participant admin or a hub admin); deleted users included. */
export async function getUser(q: Queryable, actor: Actor, userId: string): Promise<User | null> {
  const id = userIdOrNull(userId);
  const user = id ? await selectUser(q, id) : null;
  if (!user) return null;
  authorize(actor, 'user.list', { companyCode: user.companyCode });
  return user;
}

/** A user the actor may act on with `action`, or a refusal; deleted users are not found. */
async function loadTarget(q: Queryable, actor: Actor, userId: string, action: 'user.modify' | 'user.delete', forUpdate = false): Promise<User> {
  const id = normalizeUserId(userId);
  const found = await selectUserCredentials(q, id, forUpdate);
  if (!found || found.user.status === 'deleted') throw new Refusal('AUTH_USER_NOT_FOUND', { field: 'userId', params: { userId: id } });
  authorize(actor, action, { companyCode: found.user.companyCode, role: found.user.role });
  return found.user;
}

export interface UserChanges {
  readonly name?: string;
  readonly email?: string;
  readonly role?: UserRole;
}

export async function modifyUser(db: Db | Queryable, clock: Clock, actor: Actor, userId: string, changes: UserChanges): Promise<User> {
  return inTransaction(db, async (tx) => {
    const user = await loadTarget(tx, actor, userId, 'user.modify', true);
    const role = changes.role === undefined ? user.role : String(changes.role);
    if (role !== user.role) {
      if (!isUserRole(role)) throw new Refusal('AUTH_USER_ROLE', { field: 'role', params: { role } });
      authorize(actor, 'user.modify', { companyCode: user.companyCode, role });
      const participant = (await selectParticipant(tx, user.companyCode))!;
      checkRole(participant.kind, role);
    }
    await updateUserProfile(tx, user.userId, {
      name: changes.name === undefined ? user.name : checkUserName(changes.name),
      email: changes.email === undefined ? user.email : checkEmail(changes.email),
      role: role as UserRole,
      at: clock.now(),
      by: actorId(actor),
    });
    return (await selectUser(tx, user.userId))!;
  });
}

/** Deletes a user: the row and ID stay (status `deleted`), the password goes, its sessions end. */
export async function deleteUser(db: Db | Queryable, clock: Clock, actor: Actor, userId: string): Promise<User> {
  return inTransaction(db, async (tx) => {
    const user = await loadTarget(tx, actor, userId, 'user.delete', true);
    if (user.userId === actor.user?.userId) throw new Refusal('AUTH_NOT_SELF', { field: 'userId' });
    const at = clock.now();
    await markUserDeleted(tx, user.userId, at, actorId(actor));
    await endSessionsOf(tx, { userId: user.userId }, at, 'user_deleted');
    return (await selectUser(tx, user.userId))!;
  });
}

export interface UserListFilter {
  /** A participant admin sees its own participant's users whatever is given; a hub admin, any or all. */
  readonly companyCode?: string;
  readonly role?: UserRole;
  /** Without it, deleted users are left out. */
  readonly status?: UserStatus;
  /** Part of the user ID or the name. */
  readonly text?: string;
}

export async function listUsers(q: Queryable, actor: Actor, filter: UserListFilter = {}, page: PageRequest = {}): Promise<Page<User>> {
  const companyCode =
    filter.companyCode !== undefined && filter.companyCode !== ''
      ? normalizeCompanyCode(filter.companyCode)
      : isHubAdmin(actor)
        ? null
        : actor.participant.companyCode;
  authorize(actor, 'user.list', { companyCode });
  const bounds = pageBounds(page);
  const { items, total } = await selectUsers(
    q,
    {
      companyCode,
      ...(filter.role ? { role: filter.role } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.text ? { text: filter.text } : {}),
    },
    bounds.limit,
    bounds.offset,
  );
  return { items, total, page: bounds.page, size: bounds.size };
}

/**
 * A new random password, to be changed at next sign-in. Unlocks the user and ends its sessions
 * (whoever knew the old password is signed out).
 */
export async function resetPassword(db: Db | Queryable, clock: Clock, actor: Actor, userId: string): Promise<{ user: User; initialPassword: string }> {
  const id = normalizeUserId(userId);
  const initialPassword = generateInitialPassword(id);
  const passwordHash = await hashPassword(initialPassword);
  const user = await inTransaction(db, async (tx) => {
    const target = await loadTarget(tx, actor, id, 'user.modify', true);
    const at = clock.now();
    await updatePassword(tx, target.userId, { passwordHash, mustChange: true, at, by: actorId(actor) });
    await endSessionsOf(tx, { userId: target.userId }, at, 'password_reset');
    return (await selectUser(tx, target.userId))!;
  });
  return { user, initialPassword };
}

/**
 * The user's own password change (the only screen allowed while `mustChangePassword`). A wrong
 * current password counts towards the lock-out like a failed sign-in: a session left open must not
 * become a way to guess the password.
 */
export async function changePassword(db: Db, clock: Clock, userId: string, current: string, next: string): Promise<User> {
  const id = normalizeUserId(userId);
  const found = await selectUserCredentials(db, id);
  if (!found || found.user.status === 'deleted' || found.passwordHash === null) {
    throw new Refusal('AUTH_USER_NOT_FOUND', { field: 'userId', params: { userId: id } });
  }
  if (found.user.status !== 'active') throw new Refusal('AUTH_USER_SUSPENDED');
  const now = clock.now();
  if (isLocked(found.lock, now)) throw new Refusal('AUTH_LOCKED', { params: { until: tokyoMinute(found.lock.lockedUntil!) } });
  if (!(await verifyPassword(String(current), found.passwordHash))) {
    const locked = await db.transaction(async (tx) => {
      const fresh = await selectUserCredentials(tx, id, true);
      const lock = afterFailure(fresh!.lock, now);
      await updateLockState(tx, id, lock);
      return lock.lockedUntil;
    });
    if (locked) throw new Refusal('AUTH_LOCKED', { params: { until: tokyoMinute(locked) } });
    throw new Refusal('AUTH_PASSWORD_CURRENT_WRONG', { field: 'currentPassword' });
  }
  checkPasswordPolicy(String(next), { userId: id, current: String(current) }, 'newPassword');
  const passwordHash = await hashPassword(String(next));
  return db.transaction(async (tx) => {
    await updatePassword(tx, id, { passwordHash, mustChange: false, at: now, by: id });
    return (await selectUser(tx, id))!;
  });
}
