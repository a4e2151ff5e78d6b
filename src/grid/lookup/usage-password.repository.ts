/**
 * Usage password applications of one area (table `usage_password_application`, migration 0002).
 * Every function takes the caller's `Queryable` and the area's schema. Rules live in
 * usage-password.ts; these only read and write rows.
 */
import type { IsoDate } from '../../domain/date.ts';
import type { MessageCode } from '../../domain/messages.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';

export type UsagePasswordInterface = 'IF_10210' | 'IF_K10210';
export type UsagePasswordStage = '01' | '06' | '09';

export interface UsagePasswordApplication {
  readonly applicationNumber: string;
  readonly interfaceId: UsagePasswordInterface;
  readonly participantCode: string;
  readonly requestId: string;
  readonly supplyPointId: string;
  readonly customerNameKana: string;
  readonly phoneNumber: string | null;
  readonly address: string | null;
  readonly consentDate: IsoDate;
  /** The last valid day the applicant asked for (at most a month); null: the full month. */
  readonly requestedValidUntil: IsoDate | null;
  readonly acceptedAt: Date;
  readonly examinedOn: IsoDate;
  readonly stage: UsagePasswordStage;
  readonly decidedAt: Date | null;
  readonly refusalCode: MessageCode | null;
  readonly customerId: number | null;
  readonly passwordSalt: string | null;
  readonly passwordHash: string | null;
  readonly passwordIssuedAt: Date | null;
  readonly passwordExpiresAt: Date | null;
}

const columns = `
  application_number AS "applicationNumber", interface_id AS "interfaceId", participant_code AS "participantCode",
  request_id AS "requestId", supply_point_id AS "supplyPointId", customer_name_kana AS "customerNameKana",
  phone_number AS "phoneNumber", address, consent_date AS "consentDate",
  to_char(requested_valid_until, 'YYYY-MM-DD') AS "requestedValidUntil", accepted_at AS "acceptedAt",
  examined_on AS "examinedOn", stage, decided_at AS "decidedAt", refusal_code AS "refusalCode",
  customer_id AS "customerId", password_salt AS "passwordSalt", password_hash AS "passwordHash",
  password_issued_at AS "passwordIssuedAt", password_expires_at AS "passwordExpiresAt"`;

function table(schema: string): string {
  return `${ident(schema)}.usage_password_application`;
}

/** The next serial of the day for a kind of application (`prefix`), starting at 1. */
export async function nextApplicationSerial(q: Queryable, schema: string, prefix: string, day: IsoDate): Promise<number> {
  const { rows } = await q.query<{ serial: number }>(
    `INSERT INTO ${ident(schema)}.application_counter AS c (prefix, day, last_serial) VALUES ($1, $2, 1)
     ON CONFLICT (prefix, day) DO UPDATE SET last_serial = c.last_serial + 1
     RETURNING last_serial AS serial`,
    [prefix, day],
  );
  return rows[0]!.serial;
}

/** What is known when an application is accepted: the stored application before its examination. */
export type NewUsagePasswordApplication = Omit<
  UsagePasswordApplication,
  'stage' | 'decidedAt' | 'refusalCode' | 'customerId' | 'passwordSalt' | 'passwordHash' | 'passwordIssuedAt' | 'passwordExpiresAt'
>;

/** Inserts an accepted application (stage 01); undefined when this participant already sent this request ID. */
export async function insertUsagePasswordApplication(
  q: Queryable,
  schema: string,
  a: NewUsagePasswordApplication,
): Promise<UsagePasswordApplication | undefined> {
  const { rows } = await q.query<UsagePasswordApplication>(
    `INSERT INTO ${table(schema)} (application_number, interface_id, participant_code, request_id, supply_point_id,
                                   customer_name_kana, phone_number, address, consent_date, accepted_at, examined_on, stage, requested_valid_until)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '01', $12)
     ON CONFLICT (participant_code, request_id) DO NOTHING
     RETURNING ${columns}`,
    [
      a.applicationNumber,
      a.interfaceId,
      a.participantCode,
      a.requestId,
      a.supplyPointId,
      a.customerNameKana,
      a.phoneNumber,
      a.address,
      a.consentDate,
      a.acceptedAt,
      a.examinedOn,
      a.requestedValidUntil,
    ],
  );
  return rows[0];
}

export async function findUsagePasswordApplication(
  q: Queryable,
  schema: string,
  applicationNumber: string,
  options: { forUpdate?: boolean } = {},
): Promise<UsagePasswordApplication | undefined> {
  const { rows } = await q.query<UsagePasswordApplication>(
    `SELECT ${columns} FROM ${table(schema)} WHERE application_number = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [applicationNumber],
  );
  return rows[0];
}

export async function findUsagePasswordApplicationByRequest(
  q: Queryable,
  schema: string,
  participantCode: string,
  requestId: string,
): Promise<UsagePasswordApplication | undefined> {
  const { rows } = await q.query<UsagePasswordApplication>(`SELECT ${columns} FROM ${table(schema)} WHERE participant_code = $1 AND request_id = $2`, [
    participantCode,
    requestId,
  ]);
  return rows[0];
}

export type Decision = { readonly stage: '06'; readonly customerId: number } | { readonly stage: '09'; readonly refusalCode: MessageCode };

/** Records the examination of an application still at stage 01; undefined when it was decided already. */
export async function decideUsagePasswordApplication(
  q: Queryable,
  schema: string,
  applicationNumber: string,
  decision: Decision,
  at: Date,
): Promise<UsagePasswordApplication | undefined> {
  const { rows } = await q.query<UsagePasswordApplication>(
    `UPDATE ${table(schema)}
        SET stage = $2, decided_at = $3, customer_id = $4, refusal_code = $5
      WHERE application_number = $1 AND stage = '01'
      RETURNING ${columns}`,
    [applicationNumber, decision.stage, at, decision.stage === '06' ? decision.customerId : null, decision.stage === '09' ? decision.refusalCode : null],
  );
  return rows[0];
}

export interface IssuedPassword {
  readonly salt: string;
  readonly hash: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/** Stores the password of a completed application; undefined when one was issued already (it wins once). */
export async function storeUsagePassword(
  q: Queryable,
  schema: string,
  applicationNumber: string,
  password: IssuedPassword,
): Promise<UsagePasswordApplication | undefined> {
  const { rows } = await q.query<UsagePasswordApplication>(
    `UPDATE ${table(schema)}
        SET password_salt = $2, password_hash = $3, password_issued_at = $4, password_expires_at = $5
      WHERE application_number = $1 AND stage = '06' AND password_hash IS NULL
      RETURNING ${columns}`,
    [applicationNumber, password.salt, password.hash, password.issuedAt, password.expiresAt],
  );
  return rows[0];
}

/**
 * The passwords last issued for a supply point, newest first. 20: a password lives a month and
 * each needs the customer's identity, so more than a few at once never happen in practice; the
 * bound keeps an inquiry's cost fixed whatever the history.
 */
export async function usagePasswordsOf(q: Queryable, schema: string, supplyPointId: string): Promise<UsagePasswordApplication[]> {
  const { rows } = await q.query<UsagePasswordApplication>(
    `SELECT ${columns} FROM ${table(schema)}
      WHERE supply_point_id = $1 AND password_hash IS NOT NULL
      ORDER BY password_issued_at DESC
      LIMIT 20`,
    [supplyPointId],
  );
  return rows;
}

/** Application numbers waiting for examination on or before `day`, oldest first. */
export async function dueUsagePasswordApplications(q: Queryable, schema: string, day: IsoDate, limit: number): Promise<string[]> {
  const { rows } = await q.query<{ applicationNumber: string }>(
    `SELECT application_number AS "applicationNumber" FROM ${table(schema)}
      WHERE stage = '01' AND examined_on <= $1
      ORDER BY examined_on, application_number
      LIMIT $2`,
    [day, limit],
  );
  return rows.map((r) => r.applicationNumber);
}
