/**
 * Reading and writing the certificate registry.
 */
import type { AreaCode } from '../../domain/area.ts';
import type { Queryable } from '../../platform/db/db.ts';
import type { Certificate, CertificateStatus, CertificateUsage } from './certificate.ts';
import type { ParticipantKind, ParticipantStatus } from './participant.ts';

interface CertificateRow {
  fingerprint256: string;
  serial_number: string;
  company_code: string;
  bound_code: string;
  usage: CertificateUsage;
  terminal_name: string | null;
  subject_cn: string;
  not_before: Date;
  not_after: Date;
  status: CertificateStatus;
  suspended_at: Date | null;
  suspended_by: string | null;
  suspension_reason: string | null;
  registered_at: Date;
  registered_by: string;
}

const certificateColumns = `
  c.fingerprint256, c.serial_number, c.company_code, c.bound_code, c.usage, c.terminal_name, c.subject_cn,
  c.not_before, c.not_after, c.status, c.suspended_at, c.suspended_by, c.suspension_reason,
  c.registered_at, c.registered_by`;

/** Registers a certificate once; registering it again changes nothing (a suspended one stays so). */
export async function insertCertificate(q: Queryable, c: Omit<Certificate, 'status' | 'suspension'>): Promise<void> {
  await q.query(
    `INSERT INTO hub.certificate (fingerprint256, serial_number, company_code, bound_code, usage, terminal_name,
                                  subject_cn, not_before, not_after, registered_at, registered_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (fingerprint256) DO NOTHING`,
    [
      c.fingerprint256,
      c.serialNumber,
      c.companyCode,
      c.boundCode,
      c.usage,
      c.terminalName,
      c.subjectCn,
      c.notBefore,
      c.notAfter,
      c.registeredAt,
      c.registeredBy,
    ],
  );
}

export async function selectCertificate(q: Queryable, fingerprint256: string, forUpdate = false): Promise<Certificate | null> {
  const { rows } = await q.query<CertificateRow>(
    `SELECT ${certificateColumns} FROM hub.certificate c WHERE c.fingerprint256 = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [fingerprint256],
  );
  return rows[0] ? toCertificate(rows[0]) : null;
}

export interface CertificateFilter {
  readonly companyCode?: string;
  readonly usage?: CertificateUsage;
  readonly status?: CertificateStatus;
}

export async function selectCertificates(
  q: Queryable,
  filter: CertificateFilter,
  limit: number,
  offset: number,
): Promise<{ items: Certificate[]; total: number }> {
  const where = `($1::text IS NULL OR c.company_code = $1)
      AND ($2::text IS NULL OR c.usage = $2)
      AND ($3::text IS NULL OR c.status = $3)`;
  const values = [filter.companyCode ?? null, filter.usage ?? null, filter.status ?? null];
  const { rows } = await q.query<CertificateRow>(
    `SELECT ${certificateColumns} FROM hub.certificate c WHERE ${where}
      ORDER BY c.company_code, c.registered_at DESC, c.fingerprint256 LIMIT $4 OFFSET $5`,
    [...values, limit, offset],
  );
  const count = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.certificate c WHERE ${where}`, values);
  return { items: rows.map(toCertificate), total: count.rows[0]?.n ?? 0 };
}

export async function updateCertificateStatus(
  q: Queryable,
  fingerprint256: string,
  status: CertificateStatus,
  suspension: { at: Date; by: string; reason: string } | null,
): Promise<void> {
  await q.query(
    `UPDATE hub.certificate SET status = $2, suspended_at = $3, suspended_by = $4, suspension_reason = $5
      WHERE fingerprint256 = $1`,
    [fingerprint256, status, suspension?.at ?? null, suspension?.by ?? null, suspension?.reason ?? null],
  );
}

export interface CallerRow {
  fingerprint256: string;
  usage: CertificateUsage;
  terminal_name: string | null;
  certificate_status: CertificateStatus;
  not_before: Date;
  not_after: Date;
  company_code: string;
  kind: ParticipantKind;
  name: string;
  participant_status: ParticipantStatus;
  areas: AreaCode[];
}

/**
 * The certificate and its participant, by primary keys: one statement on every request. Statuses
 * and dates come back as they are; `callerRefusal` decides.
 */
export async function selectCaller(q: Queryable, fingerprint256: string): Promise<CallerRow | null> {
  const { rows } = await q.query<CallerRow>(
    `SELECT c.fingerprint256, c.usage, c.terminal_name, c.status AS certificate_status, c.not_before, c.not_after,
            p.company_code, p.kind, p.name, p.status AS participant_status,
            ARRAY(SELECT a.area_code FROM hub.participant_area a
                   WHERE a.company_code = p.company_code ORDER BY a.area_code) AS areas
       FROM hub.certificate c
       JOIN hub.participant p ON p.company_code = c.company_code
      WHERE c.fingerprint256 = $1`,
    [fingerprint256],
    { name: 'select_caller' },
  );
  return rows[0] ?? null;
}

function toCertificate(row: CertificateRow): Certificate {
  return {
    fingerprint256: row.fingerprint256,
    serialNumber: row.serial_number,
    companyCode: row.company_code,
    boundCode: row.bound_code,
    usage: row.usage,
    terminalName: row.terminal_name,
    subjectCn: row.subject_cn,
    notBefore: row.not_before,
    notAfter: row.not_after,
    status: row.status,
    suspension: row.suspended_at && row.suspended_by !== null ? { at: row.suspended_at, by: row.suspended_by, reason: row.suspension_reason ?? '' } : null,
    registeredAt: row.registered_at,
    registeredBy: row.registered_by,
  };
}
