/**
 * Who a certificate names. The HTTPS layer calls `describeCert(socket.getPeerCertificate().raw)`
 * after the handshake has verified the chain, and gets back the participant and usage that the
 * subject binds (O = participant code, OU = `api` or `terminal`), plus the fingerprint by which
 * the registry records, suspends and audits the certificate.
 *
 * Parsing is node's own `X509Certificate`, so certificates from any CA (ECDSA included) can be
 * described, not only those node-forge could read.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { Refusal } from '../../domain/refusal.ts';

export const clientCertUsages = ['api', 'terminal'] as const;
export type ClientCertUsage = (typeof clientCertUsages)[number];

/** Attribute short name (O, OU, CN, C, …) → value; the first value where one repeats. */
export type DistinguishedName = Readonly<Record<string, string>>;

export interface CertDescription {
  /** SHA-256 of the DER, lowercase hex without colons: the certificate's identity in the registry. */
  readonly fingerprint256: string;
  /** Lowercase hex, as issued. */
  readonly serialNumber: string;
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The participant the certificate binds, or null when it is not a participant client certificate. */
  readonly participantCode: string | null;
  readonly usage: ClientCertUsage | null;
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

export function describeCert(pemOrDer: string | Uint8Array | X509Certificate): CertDescription {
  const cert = pemOrDer instanceof X509Certificate ? pemOrDer : parseCertificate(pemOrDer);
  const subject = parseName(cert.subject);
  const usage = clientCertUsages.find((u) => u === subject.OU) ?? null;
  const binds = usage !== null && subject.O !== undefined && cert.keyUsage?.includes(CLIENT_AUTH_OID) === true;
  return {
    fingerprint256: fingerprintOf(cert),
    serialNumber: cert.serialNumber.toLowerCase(),
    subject,
    issuer: parseName(cert.issuer),
    notBefore: cert.validFromDate,
    notAfter: cert.validToDate,
    participantCode: binds ? subject.O! : null,
    usage: binds ? usage : null,
  };
}

/** Reads one certificate from PEM text or DER bytes, or a refusal PKI_BAD_CERTIFICATE. */
export function parseCertificate(pemOrDer: string | Uint8Array): X509Certificate {
  try {
    return new X509Certificate(pemOrDer);
  } catch {
    throw new Refusal('PKI_BAD_CERTIFICATE');
  }
}

export function fingerprintOf(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}

/**
 * Node prints a name one attribute a line, RFC 2253-escaped: specials as `\,` and control
 * characters as `\0A`; UTF-8 (Japanese terminal names) is printed as is.
 */
function parseName(text: string): DistinguishedName {
  const name: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!(key in name)) name[key] = unescapeDnValue(line.slice(eq + 1));
  }
  return name;
}

function unescapeDnValue(value: string): string {
  const bytes: number[] = [];
  const out: string[] = [];
  const flush = () => {
    if (bytes.length) out.push(Buffer.from(bytes.splice(0)).toString('utf8'));
  };
  for (const [, hex, char, plain] of value.matchAll(/\\([0-9A-Fa-f]{2})|\\(.)|([^\\]+|\\$)/gsu)) {
    if (hex !== undefined) {
      bytes.push(parseInt(hex, 16));
      continue;
    }
    flush();
    out.push(char ?? plain ?? '');
  }
  flush();
  return out.join('');
}
