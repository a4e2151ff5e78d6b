/**
 * The hub's certificate authority: the root that signs every server and client certificate, and
 * the import of CA certificates the hub should trust besides its own (e.g. an operator's existing
 * corporate CA whose client certificates are to be accepted).
 */
import { Refusal } from '../../domain/refusal.ts';
import { describeCert, parseCertificate, type CertDescription } from './identity.ts';
import { generateKeyPair } from './keys.ts';
import { checkName } from './names.ts';
import { signCertificate, type CaKeyPair } from './sign.ts';
import { validityFrom } from './validity.ts';

export type { CaKeyPair } from './sign.ts';

/** Ten years: the two-year client certificates it signs are renewed several times under one root. */
export const CA_VALIDITY_DAYS = 3650;

export interface CreatedCa extends CaKeyPair {
  readonly serialNumber: string;
  readonly fingerprint256: string;
}

export function createCa(options: { commonName: string; validityDays?: number; now?: Date }): CreatedCa {
  const commonName = checkName(options.commonName, 'commonName');
  const keys = generateKeyPair();
  const signed = signCertificate({
    subject: [['CN', commonName]],
    publicKeyPem: keys.publicKeyPem,
    ...validityFrom(options.now ?? new Date(), options.validityDays ?? CA_VALIDITY_DAYS),
    extensions: [
      // pathLen 0: this CA signs end-entity certificates only, never another CA.
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
    issuer: { selfSignedWith: keys.privateKeyPem },
  });
  return { ...signed, keyPem: keys.privateKeyPem };
}

export interface TrustedCa extends Omit<CertDescription, 'participantCode' | 'usage'> {
  readonly certPem: string;
}

/**
 * Splits a PEM bundle (one or more CA certificates, text between blocks ignored) into the CAs to
 * trust, in order, without duplicates. Refuses the whole bundle if any block is not a certificate
 * (a private key pasted by mistake), is not a CA, or is outside its validity at `now`.
 */
export function loadCaBundle(pem: string, options: { now?: Date } = {}): TrustedCa[] {
  const now = options.now ?? new Date();
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)];
  const loose = pem.match(/-----BEGIN ([A-Z0-9 ]+)-----/g)?.length ?? 0;
  if (loose !== blocks.length) throw new Refusal('PKI_BAD_CERTIFICATE');
  const trusted = new Map<string, TrustedCa>();
  for (const [block, type] of blocks) {
    if (type !== 'CERTIFICATE') throw new Refusal('PKI_NOT_CERTIFICATE', { params: { type: type! } });
    const cert = parseCertificate(block);
    const { fingerprint256, serialNumber, subject, issuer, notBefore, notAfter } = describeCert(cert);
    const name = subject.CN ?? cert.subject.replace(/\n/g, ', ');
    if (!cert.ca) throw new Refusal('PKI_NOT_CA', { params: { subject: name } });
    if (now < notBefore || now > notAfter) {
      throw new Refusal('PKI_CA_EXPIRED', { params: { subject: name, notAfter: notAfter.toISOString() } });
    }
    const certPem = cert.toString();
    trusted.set(fingerprint256, { certPem, fingerprint256, serialNumber, subject, issuer, notBefore, notAfter });
  }
  if (trusted.size === 0) throw new Refusal('PKI_NO_CERTIFICATE');
  return [...trusted.values()];
}
