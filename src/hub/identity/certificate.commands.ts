/**
 * Registering client certificates, and identifying the caller of every request by its certificate.
 * Suspension and resumption are in suspension.commands.ts (`setCertificateStatus`).
 */
import { parseParticipantCode } from '../../domain/participant-code.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import { describeCert, type CertDescription } from '../../platform/pki/identity.ts';
import { authorize, type Actor } from '../policy.ts';
import { bindsCompany, callerRefusal, normalizeFingerprint, type Caller, type CallerRefusalReason, type Certificate } from './certificate.ts';
import { insertCertificate, selectCaller, selectCertificate, selectCertificates, type CertificateFilter } from './certificate.repository.ts';
import { pageBounds, type Page, type PageRequest } from './page.ts';
import { normalizeCompanyCode } from './participant.ts';
import { selectParticipant } from './participant.repository.ts';
import { inTransaction } from './transaction.ts';

export interface CertificateRegistration {
  /** The certificate as PEM (or DER bytes); or `described`, when the caller has described it already. */
  readonly certPem?: string | Uint8Array;
  readonly described?: CertDescription;
  /** The participant: its company code (`1001`), or the participant code the certificate names (`10013`). */
  readonly participantCode: string;
  /** Who registers it: a hub admin, or `systemActor` for the app's own start-up registration. */
  readonly registeredBy: Actor;
}

/**
 * Admits a client certificate. Its subject must bind this participant (O = one of its participant
 * codes, or its company code) and it must not have expired by the clock. Registering the same
 * certificate again returns it as it is: a suspended certificate stays suspended.
 */
export async function registerCertificate(q: Db | Queryable, clock: Clock, input: CertificateRegistration): Promise<Certificate> {
  authorize(input.registeredBy, 'certificate.manage');
  const described = input.described ?? describeCert(input.certPem ?? '');
  const { participantCode: bound, usage } = described;
  if (bound === null || usage === null) throw new Refusal('AUTH_CERT_NOT_CLIENT', { field: 'certificate' });
  const given = String(input.participantCode).normalize('NFKC').trim().toUpperCase();
  const companyCode = given.length === 5 ? parseParticipantCode(given).companyCode : normalizeCompanyCode(given, 'participantCode');
  const now = clock.now();
  if (now.getTime() > described.notAfter.getTime()) {
    throw new Refusal('AUTH_CERT_EXPIRED', {
      field: 'certificate',
      params: { notBefore: described.notBefore.toISOString(), notAfter: described.notAfter.toISOString() },
    });
  }
  return inTransaction(q, async (tx) => {
    const participant = await selectParticipant(tx, companyCode);
    if (!participant) throw new Refusal('AUTH_PARTICIPANT_NOT_FOUND', { field: 'participantCode', params: { companyCode } });
    if ((given.length === 5 && bound !== given) || !bindsCompany(bound, companyCode, participant.participantCodes)) {
      throw new Refusal('AUTH_CERT_PARTICIPANT_MISMATCH', { field: 'participantCode', params: { bound, companyCode } });
    }
    await insertCertificate(tx, {
      fingerprint256: described.fingerprint256,
      serialNumber: described.serialNumber,
      companyCode,
      boundCode: bound,
      usage,
      terminalName: usage === 'terminal' ? (described.subject.CN ?? bound) : null,
      subjectCn: described.subject.CN ?? '',
      notBefore: described.notBefore,
      notAfter: described.notAfter,
      registeredAt: now,
      registeredBy: input.registeredBy.user?.userId ?? input.registeredBy.participant.companyCode,
    });
    const registered = (await selectCertificate(tx, described.fingerprint256))!;
    if (registered.companyCode !== companyCode) {
      throw new Refusal('AUTH_CERT_PARTICIPANT_MISMATCH', { field: 'participantCode', params: { bound, companyCode } });
    }
    return registered;
  });
}

export async function getCertificate(q: Queryable, fingerprint256: string): Promise<Certificate | null> {
  const fingerprint = normalizeFingerprint(fingerprint256);
  return fingerprint ? selectCertificate(q, fingerprint) : null;
}

/** The registry, by participant, newest first within one. The caller authorizes `certificate.manage`. */
export async function listCertificates(q: Queryable, filter: CertificateFilter = {}, page: PageRequest = {}): Promise<Page<Certificate>> {
  const bounds = pageBounds(page);
  const { items, total } = await selectCertificates(q, filter, bounds.limit, bounds.offset);
  return { items, total, page: bounds.page, size: bounds.size };
}

/**
 * Who is calling, from the certificate the TLS handshake verified. Refuses with
 * AUTH_TERMINAL_REFUSED (「お使いの端末では当システムを利用できません」) a certificate that is not
 * registered, suspended, outside its validity by the clock, or whose participant is suspended; the
 * refusal's `cause` says which, for the server log only. One indexed statement.
 */
export async function identifyCaller(q: Queryable, clock: Clock, fingerprint256: string): Promise<Caller> {
  const fingerprint = normalizeFingerprint(fingerprint256);
  const found = fingerprint ? await selectCaller(q, fingerprint) : null;
  if (!found) throw terminalRefused('certificate_unknown');
  const reason = callerRefusal(
    {
      certificateStatus: found.certificate_status,
      notBefore: found.not_before,
      notAfter: found.not_after,
      participantStatus: found.participant_status,
    },
    clock.now(),
  );
  if (reason) throw terminalRefused(reason);
  return {
    participant: {
      companyCode: found.company_code,
      kind: found.kind,
      name: found.name,
      status: found.participant_status,
      areas: found.areas,
    },
    certificate: { fingerprint256: found.fingerprint256, usage: found.usage, terminalName: found.terminal_name },
  };
}

function terminalRefused(reason: CallerRefusalReason): Refusal {
  return Object.assign(new Refusal('AUTH_TERMINAL_REFUSED'), { cause: reason });
}

export type { CertificateFilter };
