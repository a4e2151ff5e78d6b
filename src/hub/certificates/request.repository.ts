/**
 * Reading and writing certificate requests (hub.certificate_request).
 */
import type { Queryable } from '../../platform/db/db.ts';
import type { ClientCertUsage } from '../../platform/pki/identity.ts';
import type { RequestMethod, RequestStatus } from './life.ts';

export interface CertificateRequest {
  readonly requestId: number;
  readonly companyCode: string;
  readonly boundCode: string;
  readonly usage: ClientCertUsage;
  readonly subjectCn: string;
  readonly method: RequestMethod;
  readonly renews: string | null;
  readonly status: RequestStatus;
  readonly requestedAt: Date;
  readonly requestedBy: string;
  readonly decidedAt: Date | null;
  readonly decidedBy: string | null;
  readonly decisionReason: string | null;
  readonly batchAt: Date | null;
  readonly issuedAt: Date | null;
  readonly fingerprint256: string | null;
  readonly notAfter: Date | null;
  readonly downloadedAt: Date | null;
}

interface Row {
  request_id: string | number;
  company_code: string;
  bound_code: string;
  usage: ClientCertUsage;
  subject_cn: string;
  method: RequestMethod;
  renews: string | null;
  status: RequestStatus;
  requested_at: Date;
  requested_by: string;
  decided_at: Date | null;
  decided_by: string | null;
  decision_reason: string | null;
  batch_at: Date | null;
  issued_at: Date | null;
  fingerprint256: string | null;
  not_after: Date | null;
  downloaded_at: Date | null;
}

const columns = `r.request_id, r.company_code, r.bound_code, r.usage, r.subject_cn, r.method, r.renews, r.status,
  r.requested_at, r.requested_by, r.decided_at, r.decided_by, r.decision_reason, r.batch_at, r.issued_at,
  r.fingerprint256, c.not_after, r.downloaded_at`;
const from = 'hub.certificate_request r LEFT JOIN hub.certificate c ON c.fingerprint256 = r.fingerprint256';

export async function insertRequest(
  q: Queryable,
  r: {
    companyCode: string;
    boundCode: string;
    usage: ClientCertUsage;
    subjectCn: string;
    method: RequestMethod;
    csrPem: string | null;
    pin: string | null;
    renews: string | null;
    at: Date;
    by: string;
  },
): Promise<number> {
  const { rows } = await q.query<{ request_id: string | number }>(
    `INSERT INTO hub.certificate_request (company_code, bound_code, usage, subject_cn, method, csr_pem, pin, renews, requested_at, requested_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING request_id`,
    [r.companyCode, r.boundCode, r.usage, r.subjectCn, r.method, r.csrPem, r.pin, r.renews, r.at, r.by],
  );
  return Number(rows[0]!.request_id);
}

export async function selectRequest(
  q: Queryable,
  requestId: number,
  forUpdate = false,
): Promise<(CertificateRequest & { csrPem: string | null; pin: string | null }) | null> {
  if (!Number.isSafeInteger(requestId) || requestId < 1) return null;
  const { rows } = await q.query<Row & { csr_pem: string | null; pin: string | null }>(
    `SELECT ${columns}, r.csr_pem, r.pin FROM ${from} WHERE r.request_id = $1 ${forUpdate ? 'FOR UPDATE OF r' : ''}`,
    [requestId],
  );
  return rows[0] ? { ...toRequest(rows[0]), csrPem: rows[0].csr_pem, pin: rows[0].pin } : null;
}

export interface RequestFilter {
  readonly companyCode?: string;
  readonly statuses?: readonly RequestStatus[];
}

export async function selectRequests(q: Queryable, filter: RequestFilter, limit = 200): Promise<CertificateRequest[]> {
  const { rows } = await q.query<Row>(
    `SELECT ${columns} FROM ${from}
      WHERE ($1::text IS NULL OR r.company_code = $1) AND ($2::text[] IS NULL OR r.status = ANY($2))
      ORDER BY r.request_id DESC LIMIT $3`,
    [filter.companyCode ?? null, filter.statuses ? [...filter.statuses] : null, limit],
  );
  return rows.map(toRequest);
}

/** Approved requests decided by `until`, locked for this batch (another process skips them). */
export async function selectApprovedForIssue(q: Queryable, until: Date, limit: number): Promise<number[]> {
  const { rows } = await q.query<{ request_id: string | number }>(
    `SELECT request_id FROM hub.certificate_request WHERE status = 'approved' AND decided_at <= $1
      ORDER BY request_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [until, limit],
  );
  return rows.map((r) => Number(r.request_id));
}

export async function updateDecision(
  q: Queryable,
  requestId: number,
  d: { status: 'approved' | 'refused'; at: Date; by: string; reason: string | null },
): Promise<void> {
  // A refused PKCS#12 request will never be issued: its PIN goes at once (the table's own rule).
  await q.query(
    `UPDATE hub.certificate_request SET status = $2, decided_at = $3, decided_by = $4, decision_reason = $5,
            pin = CASE WHEN $2 = 'refused' THEN NULL ELSE pin END WHERE request_id = $1`,
    [requestId, d.status, d.at, d.by, d.reason],
  );
}

export async function updateIssued(
  q: Queryable,
  requestId: number,
  i: { at: Date; batchAt: Date | null; fingerprint256: string; certPem: string; p12: Buffer | null },
): Promise<void> {
  await q.query(
    `UPDATE hub.certificate_request SET status = 'issued', issued_at = $2, batch_at = $3, fingerprint256 = $4, cert_pem = $5, p12 = $6, pin = NULL
      WHERE request_id = $1`,
    [requestId, i.at, i.batchAt, i.fingerprint256, i.certPem, i.p12],
  );
}

/** Takes the result out once: the .p12 is erased in the same statement. */
export async function takeDownload(q: Queryable, requestId: number, at: Date, by: string): Promise<{ certPem: string; p12: Buffer | null } | null> {
  const { rows } = await q.query<{ cert_pem: string; p12: Uint8Array | null }>(
    `UPDATE hub.certificate_request n SET status = 'downloaded', downloaded_at = $2, downloaded_by = $3, p12 = NULL
       FROM (SELECT request_id, cert_pem, p12 FROM hub.certificate_request WHERE request_id = $1 AND status = 'issued' FOR UPDATE) o
      WHERE n.request_id = o.request_id
      RETURNING o.cert_pem, o.p12`,
    [requestId, at, by],
  );
  const row = rows[0];
  return row ? { certPem: row.cert_pem, p12: row.p12 ? Buffer.from(row.p12) : null } : null;
}

function toRequest(row: Row): CertificateRequest {
  return {
    requestId: Number(row.request_id),
    companyCode: row.company_code,
    boundCode: row.bound_code,
    usage: row.usage,
    subjectCn: row.subject_cn,
    method: row.method,
    renews: row.renews,
    status: row.status,
    requestedAt: row.requested_at,
    requestedBy: row.requested_by,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    decisionReason: row.decision_reason,
    batchAt: row.batch_at,
    issuedAt: row.issued_at,
    fingerprint256: row.fingerprint256,
    notAfter: row.not_after,
    downloadedAt: row.downloaded_at,
  };
}
