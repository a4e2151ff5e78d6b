/**
 * Users: one ID per person (slide 46: admin IDs and user IDs are issued per person), belonging to
 * one participant.
 *
 * - `hub_admin`: the hub operator's administrators (広域機関): participants, certificates, suspension,
 *   audit, every participant's users. Only users of the hub participant can have it.
 * - `participant_admin`: a participant's own administrator (企業内管理者), who manages that
 *   participant's users. Not for the hub participant, whose administrators are hub admins.
 * - `user`: everyone else.
 *
 * A deleted user keeps its row (status `deleted`, no password) so that the audit log's user IDs
 * still say who it was, and so that the ID is never issued to someone else.
 */
import { Refusal } from '../../domain/refusal.ts';
import type { ParticipantKind, Suspension } from './participant.ts';

export const userRoles = ['hub_admin', 'participant_admin', 'user'] as const;
export type UserRole = (typeof userRoles)[number];

export const userStatuses = ['active', 'suspended', 'deleted'] as const;
export type UserStatus = (typeof userStatuses)[number];

export interface User {
  readonly userId: string;
  readonly companyCode: string;
  readonly role: UserRole;
  readonly name: string;
  readonly email: string;
  readonly status: UserStatus;
  readonly suspension: Suspension | null;
  /** Set for a new user and after a reset: the web screens allow nothing but the password change. */
  readonly mustChangePassword: boolean;
  /** While in the future, sign-in is refused (lockout.ts). */
  readonly lockedUntil: Date | null;
  readonly lastSignInAt: Date | null;
  readonly passwordChangedAt: Date | null;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly updatedAt: Date;
  readonly deletedAt: Date | null;
}

/**
 * 4–32 characters: lower-case ASCII letters, digits and `. _ -`, starting with a letter or digit.
 * Input is NFKC-normalised and lower-cased, so 「１００１．ａｄｍｉｎ」 typed with an IME is `1001.admin`.
 */
const userIdShape = /^[a-z0-9][a-z0-9._-]{3,31}$/;

/** IDs that name the system itself in the audit log and in "suspended by" (policy.ts systemActor). */
export const reservedUserIds: readonly string[] = ['system'];

export function normalizeUserId(input: string, field = 'userId'): string {
  const id = String(input).normalize('NFKC').trim().toLowerCase();
  if (!userIdShape.test(id)) throw new Refusal('AUTH_USER_ID_FORMAT', { field });
  return id;
}

/** The normalised ID, or null when the input cannot be a user ID (sign-in treats it as unknown). */
export function userIdOrNull(input: string): string | null {
  const id = String(input).normalize('NFKC').trim().toLowerCase();
  return userIdShape.test(id) ? id : null;
}

export function isUserRole(value: string): value is UserRole {
  return (userRoles as readonly string[]).includes(value);
}

/** The roles a participant's users can have: hub admins only at the hub, participant admins elsewhere. */
export function rolesFor(kind: ParticipantKind): readonly UserRole[] {
  return kind === 'hub' ? ['hub_admin', 'user'] : ['participant_admin', 'user'];
}

export function checkRole(kind: ParticipantKind, role: string): UserRole {
  if (!isUserRole(role) || !rolesFor(kind).includes(role)) throw new Refusal('AUTH_USER_ROLE', { field: 'role', params: { role } });
  return role;
}

export function checkUserName(input: string): string {
  const name = String(input).normalize('NFKC').trim();
  if (name.length < 1 || name.length > 100) throw new Refusal('AUTH_USER_NAME_REQUIRED', { field: 'name' });
  return name;
}

/** Deliberately loose (one @, a dot in the domain): the address is for notices, not a credential. */
export function checkEmail(input: string): string {
  const email = String(input).normalize('NFKC').trim();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new Refusal('AUTH_EMAIL_FORMAT', { field: 'email' });
  return email;
}
