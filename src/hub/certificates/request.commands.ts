/**
 * Certificate requests from request to download (issue 19, slides 38–42):
 *
 *   requested ──(hub admin approves)──▶ approved ──(batch at the next closing time,
 *        │                                          or at once in the sandbox)──▶ issued ──(one download)──▶ downloaded
 *        └────(hub admin refuses, with a reason)──▶ refused
 *
 * A participant's administrator (企業内管理者) requests, for its own participant, a terminal or an
 * API certificate either with a CSR (the key never leaves the participant) or as a PKCS#12 the hub
 * makes (key, certificate and CA in one file, protected by a PIN shown once, with the download).
 * Issuing registers the certificate and tells the participant (pull mailbox and mail) in the same
 * transaction; each step leaves an audit record.
 */
import { randomInt } from 'node:crypto';
import { Refusal } from '../../domain/refusal.ts';
import type { Clock } from '../../platform/clock.ts';
import { inSavepoint, type Db, type Queryable } from '../../platform/db/db.ts';
import { readCsr } from '../../platform/pki/csr.ts';
import { describeCert } from '../../platform/pki/identity.ts';
import { issueClientCert, issueClientCertForKey } from '../../platform/pki/issue.ts';
import { toPkcs12 } from '../../platform/pki/pkcs12.ts';
import type { CaKeyPair } from '../../platform/pki/sign.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { registerCertificate } from '../identity/certificate.commands.ts';
import { normalizeFingerprint } from '../identity/certificate.ts';
import { selectCertificate } from '../identity/certificate.repository.ts';
import { normalizeCompanyCode } from '../identity/participant.ts';
import { selectParticipant } from '../identity/participant.repository.ts';
import { inTransaction } from '../identity/transaction.ts';
import { log } from '../../platform/log.ts';
import { formatTokyo } from '../notifications/notifications.ts';
import { notify } from '../notifications/notify.ts';
import { authorize, isHubAdmin, systemActor, type Actor } from '../policy.ts';
import { checkMethod, checkSubject, checkUsage, lastClosing, subjectOfCsr, type IssuanceSchedule, type RequestStatus } from './life.ts';
import {
  insertRequest,
  selectApprovedForIssue,
  selectRequest,
  selectRequests,
  takeDownload,
  updateDecision,
  updateIssued,
  type CertificateRequest,
} from './request.repository.ts';

export type { CertificateRequest };

/** What issuing needs: the hub CA, and when it issues. */
export interface CertificateAuthority {
  readonly ca: CaKeyPair;
  readonly schedule: IssuanceSchedule;
}

export interface NewCertificateRequest {
  /** The participant (company code); a participant administrator may only give its own. Default: the actor's. */
  readonly companyCode?: string;
  readonly usage: string;
  readonly method: string;
  /** PKCS#12 requests: the subject's O (a participant code of the company, or the company code) and CN. */
  readonly boundCode?: string;
  readonly commonName?: string;
  /** CSR requests: the PEM. */
  readonly csrPem?: string;
  /** A renewal: the fingerprint of the certificate it replaces (both stay valid until the old one ends). */
  readonly renews?: string;
}

const REASON_MAX_LENGTH = 500;
const BATCH_LIMIT = 500;

function by(actor: Actor): string {
  return actor.user?.userId ?? actor.participant.companyCode;
}

async function audit(q: Queryable, at: Date, actor: Actor, action: string, companyCode: string, fingerprint: string | null, result = 'OK'): Promise<void> {
  await recordAudit(q, {
    at,
    companyCode,
    userId: by(actor),
    fingerprint256: fingerprint,
    sourceAddress: actor === systemActor ? 'job:certificates' : null,
    channel: actor === systemActor ? 'cli' : 'web',
    action,
    result,
  });
}

/**
 * Checks and records a request; refuses with a code the request's first fault. A PKCS#12 request
 * comes back with its PIN: the only time anyone sees it (the .p12 will be encrypted with it).
 */
export async function requestCertificate(
  db: Db | Queryable,
  clock: Clock,
  actor: Actor,
  input: NewCertificateRequest,
): Promise<{ request: CertificateRequest; pin: string | null }> {
  const companyCode = normalizeCompanyCode(input.companyCode || actor.participant.companyCode);
  authorize(actor, 'certificate.request', { companyCode });
  const usage = checkUsage(String(input.usage ?? ''));
  const method = checkMethod(String(input.method ?? ''));
  const now = clock.now();
  return inTransaction(db, async (tx) => {
    const participant = await selectParticipant(tx, companyCode);
    if (participant?.status !== 'active') throw new Refusal('AUTH_PARTICIPANT_NOT_FOUND', { field: 'companyCode', params: { companyCode } });
    const own = { companyCode, participantCodes: participant.participantCodes };
    let csrPem: string | null = null;
    let subject: ReturnType<typeof checkSubject>;
    if (method === 'csr') {
      const csr = readCsr(input.csrPem ?? '');
      subject = subjectOfCsr(csr.subject, usage, own);
      csrPem = String(input.csrPem).trim();
    } else {
      subject = checkSubject({ boundCode: input.boundCode ?? '', usage, commonName: input.commonName ?? '' }, own);
    }
    let renews: string | null = null;
    if (input.renews) {
      renews = normalizeFingerprint(input.renews);
      const old = renews ? await selectCertificate(tx, renews) : null;
      if (!old || old.companyCode !== companyCode || old.usage !== usage || old.status !== 'active' || old.notAfter.getTime() <= now.getTime()) {
        throw new Refusal('CERT_RENEWS_INVALID', { field: 'renews' });
      }
    } else if (usage === 'api') {
      // Slide 46: one API certificate per participant; a second one is a renewal of the first.
      const { rows } = await tx.query<{ not_after: Date }>(
        `SELECT not_after FROM hub.certificate WHERE company_code = $1 AND usage = 'api' AND status = 'active' AND not_after > $2
          ORDER BY not_after DESC LIMIT 1`,
        [companyCode, now],
      );
      if (rows[0]) throw new Refusal('CERT_API_EXISTS', { field: 'usage', params: { notAfter: formatTokyo(rows[0].not_after) } });
    }
    const pin = method === 'pkcs12' ? newPin() : null;
    const requestId = await insertRequest(tx, {
      companyCode,
      boundCode: subject.boundCode,
      usage,
      subjectCn: subject.commonName,
      method,
      csrPem,
      pin,
      renews,
      at: now,
      by: by(actor),
    });
    await audit(tx, now, actor, 'certificateRequested', companyCode, renews);
    const { csrPem: _csr, pin: _pin, ...request } = (await selectRequest(tx, requestId))!;
    return { request, pin };
  });
}

/**
 * A hub admin approves or refuses a pending request; a refusal needs its reason, which the
 * participant is told. Approved: issued in the next batch, or at once when the schedule says so.
 */
export async function decideRequest(
  db: Db,
  clock: Clock,
  actor: Actor,
  authority: CertificateAuthority | undefined,
  requestId: number,
  decision: { approve: boolean; reason?: string },
): Promise<CertificateRequest> {
  authorize(actor, 'certificate.decide');
  const reason = String(decision.reason ?? '')
    .normalize('NFKC')
    .trim();
  if (!decision.approve && (reason.length < 1 || reason.length > REASON_MAX_LENGTH)) throw new Refusal('AUTH_REASON_REQUIRED', { field: 'reason' });
  const now = clock.now();
  return db.transaction(async (tx) => {
    const request = await selectRequest(tx, requestId, true);
    if (!request) throw new Refusal('CERT_REQUEST_NOT_FOUND', { params: { requestId: String(requestId) } });
    if (request.status !== 'requested') throw new Refusal('CERT_REQUEST_NOT_PENDING', { params: { requestId: String(requestId), status: request.status } });
    await updateDecision(tx, requestId, { status: decision.approve ? 'approved' : 'refused', at: now, by: by(actor), reason: reason || null });
    await audit(tx, now, actor, decision.approve ? 'certificateApproved' : 'certificateRefused', request.companyCode, null);
    if (!decision.approve) {
      await notify(tx, now, {
        companyCode: request.companyCode,
        kind: 'certificateRequestRefused',
        subject: `証明書申請（番号 ${requestId}）は承認されませんでした`,
        text: `証明書申請（番号 ${requestId}、${request.boundCode} ${request.usage} 「${request.subjectCn}」）は承認されませんでした。\n理由: ${reason}`,
      });
    } else if (authority?.schedule.kind === 'immediate') {
      await issueOne(tx, clock, authority.ca, requestId, null);
    }
    const { csrPem: _csr, pin: _pin, ...decided } = (await selectRequest(tx, requestId))!;
    return decided;
  });
}

/** A PIN of 12 characters without look-alikes (no 0/O, 1/l/I), about 70 bits. */
function newPin(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  let pin = '';
  for (let i = 0; i < 12; i++) pin += alphabet[randomInt(alphabet.length)];
  return pin;
}

/**
 * Issues one approved request in the caller's transaction: signs, registers, keeps the result for
 * its one download, tells the participant. The validity starts at the earlier of the clock and the
 * real time, so that the certificate is valid both for the TLS handshake (real time) and for the
 * hub's own checks (the clock, which the sandbox may have moved ahead or a test behind).
 */
async function issueOne(tx: Queryable, clock: Clock, ca: CaKeyPair, requestId: number, batchAt: Date | null): Promise<void> {
  const request = (await selectRequest(tx, requestId, true))!;
  const now = clock.now();
  const issuedFrom = new Date(Math.min(now.getTime(), Date.now()));
  const common = { ca, participantCode: request.boundCode, usage: request.usage, terminalName: request.subjectCn, now: issuedFrom };
  let certPem: string;
  let p12: Buffer | null = null;
  if (request.method === 'csr') {
    const csr = readCsr(request.csrPem ?? '');
    certPem = issueClientCertForKey({ ...common, publicKeyPem: csr.publicKeyPem }).certPem;
  } else {
    const issued = issueClientCert(common);
    certPem = issued.certPem;
    // The key exists only inside the .p12, encrypted with the PIN the requester was shown; the PIN is erased now.
    p12 = toPkcs12({
      certPem,
      keyPem: issued.keyPem,
      caPem: ca.certPem,
      password: request.pin ?? '',
      friendlyName: `${request.boundCode} ${request.subjectCn}`,
    });
  }
  const described = describeCert(certPem);
  await registerCertificate(tx, clock, { described, participantCode: request.companyCode, registeredBy: systemActor });
  await updateIssued(tx, requestId, { at: now, batchAt, fingerprint256: described.fingerprint256, certPem, p12 });
  await audit(tx, now, systemActor, 'certificateIssued', request.companyCode, described.fingerprint256);
  await notify(tx, now, {
    companyCode: request.companyCode,
    kind: 'certificateIssued',
    subject: `証明書を発行しました（申請番号 ${requestId}）`,
    text:
      `証明書申請（番号 ${requestId}、${request.boundCode} ${request.usage} 「${request.subjectCn}」）の証明書を発行しました。\n` +
      `有効期限: ${formatTokyo(described.notAfter)}\n` +
      `企業内管理者の方は「証明書」画面からダウンロードしてください（ダウンロードは1回のみ${request.method === 'pkcs12' ? '。PKCS#12のPINは申請時に表示したものです' : ''}）。`,
  });
}

/**
 * The batch: at each closing time of the schedule, every request approved by then is issued. A
 * closing time is worked once (hub.certificate_batch), whichever process gets there first; the
 * sandbox's schedule (`immediate`) issues what approval left behind. Returns how many were issued.
 */
export async function issueDueBatch(db: Db, clock: Clock, authority: CertificateAuthority): Promise<{ batchAt: Date | null; issued: number }> {
  const now = clock.now();
  const batchAt = authority.schedule.kind === 'weekly' ? lastClosing(authority.schedule.closings, now) : now;
  return db.transaction(async (tx) => {
    if (authority.schedule.kind === 'weekly') {
      const claimed = await tx.query(
        `INSERT INTO hub.certificate_batch (batch_at, ran_at, issued) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING RETURNING batch_at`,
        [batchAt, now],
      );
      if (claimed.rows.length === 0) return { batchAt: null, issued: 0 };
    }
    const ids = await selectApprovedForIssue(tx, batchAt, BATCH_LIMIT);
    let issued = 0;
    // Each request in a savepoint of its own: one that cannot be issued (its CSR no longer reads, the
    // CA has run out) stays approved, is logged, and does not hold back the rest of the batch.
    for (const id of ids) {
      try {
        await inSavepoint(tx, () => issueOne(tx, clock, authority.ca, id, authority.schedule.kind === 'weekly' ? batchAt : null));
        issued += 1;
      } catch (error) {
        log('error', 'certificates', `certificate request ${id} could not be issued, left approved for the next batch: ${(error as Error).message}`);
      }
    }
    if (authority.schedule.kind === 'weekly') await tx.query('UPDATE hub.certificate_batch SET issued = $2 WHERE batch_at = $1', [batchAt, issued]);
    return { batchAt: authority.schedule.kind === 'weekly' ? batchAt : null, issued };
  });
}

export interface Download {
  readonly requestId: number;
  readonly certPem: string;
  readonly caPem: string;
  /** PKCS#12 requests: the .p12 (key, certificate and CA, encrypted with the PIN shown at the request), this once. */
  readonly p12: Buffer | null;
  readonly fileName: string;
}

/** The result of an issued request, once: a second download is refused (CERT_ALREADY_DOWNLOADED). */
export async function downloadCertificate(db: Db, clock: Clock, actor: Actor, caPem: string, requestId: number): Promise<Download> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    const request = await selectRequest(tx, requestId, true);
    if (!request) throw new Refusal('CERT_REQUEST_NOT_FOUND', { params: { requestId: String(requestId) } });
    authorize(actor, 'certificate.request', { companyCode: request.companyCode });
    if (request.status === 'downloaded') throw new Refusal('CERT_ALREADY_DOWNLOADED', { params: { requestId: String(requestId) } });
    const taken = await takeDownload(tx, requestId, now, by(actor));
    if (!taken) throw new Refusal('CERT_REQUEST_NOT_READY', { params: { requestId: String(requestId), status: request.status } });
    await audit(tx, now, actor, 'certificateDownloaded', request.companyCode, request.fingerprint256);
    const base = `${request.boundCode}-${request.usage}-${requestId}`;
    return { requestId, certPem: taken.certPem, caPem, p12: taken.p12, fileName: taken.p12 ? `${base}.p12` : `${base}.cert.pem` };
  });
}

/** Requests of one participant (its administrator) or of all (hub admins), newest first. */
export async function listRequests(
  q: Queryable,
  actor: Actor,
  filter: { companyCode?: string; statuses?: readonly RequestStatus[] } = {},
): Promise<CertificateRequest[]> {
  const companyCode = isHubAdmin(actor) ? filter.companyCode : actor.participant.companyCode;
  authorize(actor, 'certificate.request', { companyCode: companyCode ?? actor.participant.companyCode });
  return selectRequests(q, { ...(companyCode ? { companyCode } : {}), ...(filter.statuses ? { statuses: filter.statuses } : {}) });
}

export async function getRequest(q: Queryable, actor: Actor, requestId: number): Promise<CertificateRequest> {
  const request = await selectRequest(q, requestId);
  if (!request) throw new Refusal('CERT_REQUEST_NOT_FOUND', { params: { requestId: String(requestId) } });
  authorize(actor, 'certificate.request', { companyCode: request.companyCode });
  const { csrPem: _csr, pin: _pin, ...rest } = request;
  return rest;
}
