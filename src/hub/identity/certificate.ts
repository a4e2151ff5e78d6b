/**
 * The certificate registry: the client certificates admitted to the hub (slides 38–46). Web use:
 * one certificate per terminal; API use: one per participant. A certificate is known by the SHA-256
 * of its DER (`fingerprint256`, lowercase hex), never revoked, only suspended.
 *
 * A certificate binds its participant in its subject: O = a participant code of the company (e.g.
 * `10013`), or the company code itself (`H000` for the hub operator, which has no area),
 * OU = `api` | `terminal` (platform/pki/identity.ts).
 */
import type { AreaCode } from '../../domain/area.ts';
import type { ClientCertUsage } from '../../platform/pki/identity.ts';
import type { ParticipantKind, ParticipantStatus, Suspension } from './participant.ts';

export type CertificateUsage = ClientCertUsage;
export type CertificateStatus = 'active' | 'suspended';

export interface Certificate {
  readonly fingerprint256: string;
  readonly serialNumber: string;
  readonly companyCode: string;
  /** The subject's O: the participant code (or company code) the certificate was issued to. */
  readonly boundCode: string;
  readonly usage: CertificateUsage;
  /** The CN of a terminal certificate (「本社 営業部 端末3」); null for an API certificate. */
  readonly terminalName: string | null;
  readonly subjectCn: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly status: CertificateStatus;
  readonly suspension: Suspension | null;
  readonly registeredAt: Date;
  readonly registeredBy: string;
}

/** Who is calling: what the HTTPS layer knows after the handshake and `identifyCaller`. */
export interface Caller {
  readonly participant: {
    readonly companyCode: string;
    readonly kind: ParticipantKind;
    readonly name: string;
    readonly status: ParticipantStatus;
    /** The areas the participant is registered in (none for the hub operator). */
    readonly areas: AreaCode[];
  };
  readonly certificate: {
    readonly fingerprint256: string;
    readonly usage: CertificateUsage;
    readonly terminalName: string | null;
  };
}

/** Accepts `AB:CD:…` as node prints it and upper case; null when it cannot be a SHA-256. */
export function normalizeFingerprint(input: string): string | null {
  const hex = String(input).replace(/:/g, '').trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

/** Why a certificate was refused; the caller is only ever told AUTH_TERMINAL_REFUSED. */
export type CallerRefusalReason =
  | 'certificate_unknown'
  | 'certificate_suspended'
  | 'certificate_not_yet_valid'
  | 'certificate_expired'
  | 'participant_suspended';

/**
 * Why a registered certificate may not be used now, or null when it may. The TLS handshake has
 * already checked the validity dates against the real time; this checks them against the clock,
 * which in the sandbox may run ahead of it.
 */
export function callerRefusal(
  found: { certificateStatus: CertificateStatus; notBefore: Date; notAfter: Date; participantStatus: ParticipantStatus },
  now: Date,
): CallerRefusalReason | null {
  const t = now.getTime();
  if (found.certificateStatus !== 'active') return 'certificate_suspended';
  if (found.participantStatus !== 'active') return 'participant_suspended';
  if (t < found.notBefore.getTime()) return 'certificate_not_yet_valid';
  if (t > found.notAfter.getTime()) return 'certificate_expired';
  return null;
}

/** Whether a certificate's O names this company: its company code or one of its participant codes. */
export function bindsCompany(boundCode: string, companyCode: string, participantCodes: readonly string[]): boolean {
  return boundCode === companyCode || participantCodes.includes(boundCode);
}
