/**
 * Demo identities, so that a fresh hub can be used at once: the hub operator OCCTO (`H000`) with a
 * hub admin, the ten grid operators (`G001` … `G010`), and the given retailers, each with a
 * participant admin and an ordinary user.
 *
 * User IDs are deterministic (`h000.admin`, `1003.admin`, `1003.user`); passwords are random and
 * returned once, so that the app can write them to var/DEMO.md; they must be changed at first
 * sign-in. Seeding again creates only what is missing and returns only that: a second run returns
 * nothing. Certificates are not made here: the app issues them with the PKI library and registers
 * them with `registerCertificate`.
 */
import { areaCodes, areaOf, type AreaCode } from '../../domain/area.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/db.ts';
import { systemActor } from '../policy.ts';
import { demoNotificationAddress, setNotificationAddress } from '../notifications/address.ts';
import { checkNewParticipant, gridCompanyCode, HUB_COMPANY_CODE, HUB_NAME, type NewParticipant, type Participant } from './participant.ts';
import { insertParticipant, selectParticipant } from './participant.repository.ts';
import { generateInitialPassword, hashPassword } from './password.ts';
import { insertUser, selectUserIds } from './user.repository.ts';
import type { UserRole } from './user.ts';

export interface DemoRetailerIdentity {
  readonly companyCode: string;
  readonly name: string;
  readonly areas: readonly AreaCode[];
  /**
   * Whether it also gets an ordinary user besides its administrator. Each user costs a password
   * hash (a large fraction of a second by design) and a terminal certificate at first start.
   */
  readonly withUser?: boolean;
}

export interface DemoUser {
  readonly userId: string;
  /** The company code of the user's participant (`1003`). */
  readonly participantCode: string;
  readonly role: UserRole;
  readonly initialPassword: string;
}

export interface DemoIdentities {
  /** Participants created by this run. */
  readonly participants: Participant[];
  /** Users created by this run, with their initial passwords. */
  readonly users: DemoUser[];
}

/**
 * Demo initial passwords are written in plain text to DEMO.md, are random (96 bits) and must be
 * changed at the first sign-in (the new one is hashed with the full parameters), so a slow hash
 * protects nothing here; a cheap one (about 1/100 of the work) keeps the sandbox's first start fast.
 */
const demoPasswordHashParams = { ln: 12, r: 8, p: 1 } as const;

interface PlannedUser {
  readonly userId: string;
  readonly companyCode: string;
  readonly role: UserRole;
  readonly name: string;
}

export function demoParticipants(retailers: readonly DemoRetailerIdentity[]): NewParticipant[] {
  return [
    { companyCode: HUB_COMPANY_CODE, kind: 'hub', name: HUB_NAME, areas: [] },
    ...areaCodes.map((area) => ({ companyCode: gridCompanyCode(area), kind: 'grid' as const, name: areaOf(area).gridOperatorName, areas: [area] })),
    ...retailers.map((r) => ({ companyCode: r.companyCode, kind: 'retailer' as const, name: r.name, areas: r.areas })),
  ];
}

function demoUsers(retailers: readonly DemoRetailerIdentity[]): PlannedUser[] {
  return [
    { userId: `${HUB_COMPANY_CODE.toLowerCase()}.admin`, companyCode: HUB_COMPANY_CODE, role: 'hub_admin', name: '広域機関 管理者' },
    ...retailers.flatMap((r): PlannedUser[] => {
      const code = r.companyCode.toUpperCase();
      const admin: PlannedUser = { userId: `${code.toLowerCase()}.admin`, companyCode: code, role: 'participant_admin', name: `${code} 管理者` };
      const user: PlannedUser = { userId: `${code.toLowerCase()}.user`, companyCode: code, role: 'user', name: `${code} 利用者` };
      return r.withUser === false ? [admin] : [admin, user];
    }),
  ];
}

export async function seedDemoIdentities(db: Db, clock: Clock, options: { retailers: readonly DemoRetailerIdentity[] }): Promise<DemoIdentities> {
  const participants = demoParticipants(options.retailers).map(checkNewParticipant);
  const planned = demoUsers(options.retailers);
  const existing = await selectUserIds(
    db,
    planned.map((u) => u.userId),
  );
  // Hash outside the transaction (scrypt is slow); several at once use libuv's thread pool.
  const missing = await Promise.all(
    planned
      .filter((u) => !existing.has(u.userId))
      .map(async (u) => {
        const initialPassword = generateInitialPassword(u.userId);
        return { ...u, initialPassword, passwordHash: await hashPassword(initialPassword, demoPasswordHashParams) };
      }),
  );
  const by = systemActor.user!.userId;
  return db.transaction(async (tx) => {
    const at = clock.now();
    const created: Participant[] = [];
    for (const p of participants) {
      if (await insertParticipant(tx, { ...p, at, by })) created.push((await selectParticipant(tx, p.companyCode))!);
      // Where its notification e-mails go (the built-in mailbox of the sandbox shows them).
      await setNotificationAddress(tx, { companyCode: p.companyCode, email: demoNotificationAddress(p), at, by, onlyIfMissing: true });
    }
    const users: DemoUser[] = [];
    for (const u of missing) {
      const email = `${u.userId}@example.jp`;
      if (await insertUser(tx, { ...u, email, at, by })) {
        users.push({ userId: u.userId, participantCode: u.companyCode, role: u.role, initialPassword: u.initialPassword });
      }
    }
    return { participants: created, users };
  });
}
