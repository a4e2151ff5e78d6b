/**
 * Test factories for the identity core: plain builders with overrides (`buildRetailer({...})`),
 * and `given…` helpers that put them in a migrated database.
 *
 * Hashing with the production scrypt parameters costs a fraction of a second, and RSA key
 * generation as much again. So importing this module lowers the scrypt cost for the test process
 * (N = 2^10: the same code path, a thousandth of the work), users inserted here share one hash per
 * password, and certificates are issued once per process and reused by every test.
 */
import type { AreaCode } from '../../domain/area.ts';
import { ManualClock, type Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { createCa, type CreatedCa } from '../../platform/pki/ca.ts';
import { describeCert, type CertDescription, type ClientCertUsage } from '../../platform/pki/identity.ts';
import { issueClientCert, type IssuedCert } from '../../platform/pki/issue.ts';
import { hubMigrations } from '../schema.ts';
import { systemActor, type Actor } from '../policy.ts';
import { registerCertificate, identifyCaller } from './certificate.commands.ts';
import type { Caller, Certificate } from './certificate.ts';
import { createParticipant } from './participant.commands.ts';
import { HUB_COMPANY_CODE, HUB_NAME, type NewParticipant, type Participant, type ParticipantKind } from './participant.ts';
import { hashPassword, usePasswordHashParams } from './password.ts';
import { insertUser, selectUser } from './user.repository.ts';
import type { User, UserRole } from './user.ts';

usePasswordHashParams({ ln: 10, r: 8, p: 1 });

/** Meets the password policy; every user made by `givenUser` has it unless told otherwise. */
export const TEST_PASSWORD = 'Kirikae-Test-2026';

/** The instant test clocks start at; certificates are valid from a month before it for two years. */
export const TEST_START = '2026-04-01T09:00:00+09:00';

export function testClock(start: string = TEST_START): ManualClock {
  return new ManualClock(start);
}

export async function migrateHub(db: Db): Promise<void> {
  await migrate(db, [hubMigrations]);
}

export function buildRetailer(overrides: Partial<NewParticipant> = {}): NewParticipant {
  return { companyCode: '1003', kind: 'retailer', name: 'テスト東京電力株式会社', areas: ['03'], ...overrides };
}

export function buildGridOperator(area: AreaCode = '03', overrides: Partial<NewParticipant> = {}): NewParticipant {
  return { companyCode: `G0${area}`, kind: 'grid', name: `テスト送配電${area}`, areas: [area], ...overrides };
}

export function buildHub(overrides: Partial<NewParticipant> = {}): NewParticipant {
  return { companyCode: HUB_COMPANY_CODE, kind: 'hub', name: HUB_NAME, areas: [], ...overrides };
}

export async function givenParticipant(db: Db | Queryable, clock: Clock, participant: NewParticipant): Promise<Participant> {
  return createParticipant(db, clock, systemActor, participant);
}

export interface UserOverrides {
  readonly userId?: string;
  readonly companyCode?: string;
  readonly role?: UserRole;
  readonly name?: string;
  readonly email?: string;
  readonly password?: string;
  readonly mustChangePassword?: boolean;
}

export function buildUser(overrides: UserOverrides = {}) {
  const companyCode = overrides.companyCode ?? '1003';
  return {
    userId: overrides.userId ?? `${companyCode.toLowerCase()}.user`,
    companyCode,
    role: overrides.role ?? ('user' as UserRole),
    name: overrides.name ?? 'テスト 太郎',
    email: overrides.email ?? 'taro@example.jp',
    password: overrides.password ?? TEST_PASSWORD,
    mustChangePassword: overrides.mustChangePassword ?? false,
  };
}

const hashes = new Map<string, Promise<string>>();

function sharedHash(password: string): Promise<string> {
  let hash = hashes.get(password);
  if (!hash) hashes.set(password, (hash = hashPassword(password)));
  return hash;
}

/** A user with a known password, straight into the table (the participant must exist). */
export async function givenUser(db: Queryable, clock: Clock, overrides: UserOverrides = {}): Promise<User> {
  const u = buildUser(overrides);
  await insertUser(db, { ...u, passwordHash: await sharedHash(u.password), at: clock.now(), by: 'test' });
  if (!u.mustChangePassword) {
    await db.query(`UPDATE hub.user_account SET must_change_password = false WHERE user_id = $1`, [u.userId]);
  }
  return (await selectUser(db, u.userId))!;
}

let testCa: CreatedCa | undefined;
const issued = new Map<string, { cert: IssuedCert; described: CertDescription }>();

/** The CA of the test certificates (created once per process), e.g. to issue a test server certificate. */
export function testCertificateAuthority(): CreatedCa {
  testCa ??= createCa({ commonName: 'kirikae test CA', now: new Date('2025-01-01T00:00:00Z') });
  return testCa;
}

/** A client certificate from a test CA, issued once per process for each distinct set of options. */
export function buildCertificate(options: {
  participantCode: string;
  usage?: ClientCertUsage;
  terminalName?: string;
  /** Default a month before TEST_START. */
  notBefore?: string;
  validityDays?: number;
}): { cert: IssuedCert; described: CertDescription } {
  const usage = options.usage ?? 'terminal';
  const notBefore = options.notBefore ?? '2026-03-01T00:00:00+09:00';
  const validityDays = options.validityDays ?? 730;
  const key = JSON.stringify([options.participantCode, usage, options.terminalName ?? null, notBefore, validityDays]);
  let found = issued.get(key);
  if (!found) {
    const cert = issueClientCert({
      ca: testCertificateAuthority(),
      participantCode: options.participantCode,
      usage,
      ...(options.terminalName !== undefined ? { terminalName: options.terminalName } : {}),
      now: new Date(notBefore),
      validityDays,
    });
    found = { cert, described: describeCert(cert.certPem) };
    issued.set(key, found);
  }
  return found;
}

/** Registers a certificate (by the system) and returns it with the caller it identifies. */
export async function givenCertificate(
  db: Db | Queryable,
  clock: Clock,
  options: Parameters<typeof buildCertificate>[0] & { companyCode?: string },
): Promise<{ certificate: Certificate; caller: Caller; described: CertDescription }> {
  const { described } = buildCertificate(options);
  const certificate = await registerCertificate(db, clock, {
    described,
    participantCode: options.companyCode ?? options.participantCode.slice(0, 4),
    registeredBy: systemActor,
  });
  return { certificate, caller: await identifyCaller(db, clock, certificate.fingerprint256), described };
}

export function buildActor(
  overrides: { companyCode?: string; kind?: ParticipantKind; role?: UserRole | null; userId?: string; status?: 'active' | 'suspended' } = {},
): Actor {
  const companyCode = overrides.companyCode ?? '1003';
  const participant = { companyCode, kind: overrides.kind ?? 'retailer', status: overrides.status ?? 'active' } as const;
  if (overrides.role === null) return { participant };
  return { participant, user: { userId: overrides.userId ?? `${companyCode.toLowerCase()}.someone`, role: overrides.role ?? 'user' } };
}

export const hubAdmin: Actor = buildActor({ companyCode: HUB_COMPANY_CODE, kind: 'hub', role: 'hub_admin', userId: 'h000.admin' });

/**
 * A small world most tests start from: the hub with its admin, two retailers (1003 in Tokyo, 2001
 * in Tokyo and Kansai) each with an admin and a user, and a terminal and an API certificate each.
 */
export async function givenIdentityWorld(db: Db, clock: Clock) {
  await migrateHub(db);
  await givenParticipant(db, clock, buildHub());
  const a = await givenParticipant(db, clock, buildRetailer());
  const b = await givenParticipant(db, clock, buildRetailer({ companyCode: '2001', name: 'テスト新電力株式会社', areas: ['03', '06'] }));
  const users = {
    hubAdmin: await givenUser(db, clock, { userId: 'h000.admin', companyCode: 'H000', role: 'hub_admin' }),
    aAdmin: await givenUser(db, clock, { userId: '1003.admin', role: 'participant_admin' }),
    aUser: await givenUser(db, clock, { userId: '1003.user' }),
    bAdmin: await givenUser(db, clock, { userId: '2001.admin', companyCode: '2001', role: 'participant_admin' }),
    bUser: await givenUser(db, clock, { userId: '2001.user', companyCode: '2001' }),
  };
  const certificates = {
    hubTerminal: await givenCertificate(db, clock, { participantCode: 'H000', terminalName: '広域機関 端末1' }),
    aTerminal: await givenCertificate(db, clock, { participantCode: '10033', terminalName: '本社 端末1' }),
    aApi: await givenCertificate(db, clock, { participantCode: '10033', usage: 'api' }),
    bTerminal: await givenCertificate(db, clock, { participantCode: '20016', terminalName: '大阪 端末1' }),
  };
  const actors = {
    hubAdmin: { participant: { companyCode: 'H000', kind: 'hub', status: 'active' }, user: { userId: 'h000.admin', role: 'hub_admin' } } as Actor,
    aAdmin: buildActor({ userId: '1003.admin', role: 'participant_admin' }),
    aUser: buildActor({ userId: '1003.user', role: 'user' }),
    bAdmin: buildActor({ companyCode: '2001', userId: '2001.admin', role: 'participant_admin' }),
  };
  return { participants: { a, b }, users, certificates, actors };
}
