/**
 * Certificate signing requests (PKCS#10), as a participant's administrator uploads them (issue 19):
 * the private key stays with the participant, the hub signs the public key.
 *
 * The key's type and size are read by node's own crypto from the request's SubjectPublicKeyInfo,
 * so an ECDSA or a 1024-bit request is refused by name rather than by a parse error; the request's
 * own signature (proof that the requester holds the key) is checked by node-forge, which reads RSA
 * requests only — the only kind the hub issues for (keys.ts: every importer takes RSA).
 */
import { createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { Refusal } from '../../domain/refusal.ts';

/** RSA keys accepted in a request: at least what the hub itself generates, at most what clients handle well. */
export const CSR_MIN_RSA_BITS = 2048;
export const CSR_MAX_RSA_BITS = 4096;
/** A PEM request is a few KiB; anything much larger is not one. */
const MAX_CSR_LENGTH = 16 * 1024;

export interface CsrDescription {
  /** The subject's attributes by short name (O, OU, CN, C, …), in order, repeated ones included. */
  readonly subject: ReadonlyArray<readonly [string, string]>;
  readonly publicKeyPem: string;
  readonly keyType: string;
  readonly keyBits: number | null;
}

/**
 * The CSR in an uploaded file, as PEM: a PEM file as it is, a DER one (binary, starting with an
 * ASN.1 SEQUENCE) wrapped as PEM. Anything else, or a file larger than any request, is refused
 * CERT_CSR_UNREADABLE; `readCsr` then checks what it holds.
 */
export function csrPemOfFile(bytes: Uint8Array): string {
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_CSR_LENGTH) throw new Refusal('CERT_CSR_UNREADABLE', { field: 'csr' });
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.includes('-----BEGIN')) return buffer.toString('utf8').replace(/^\uFEFF/, '');
  if (buffer[0] !== 0x30) throw new Refusal('CERT_CSR_UNREADABLE', { field: 'csr' });
  const lines = buffer.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

/**
 * Reads and checks a PEM CSR: one request, signed with its own key, an RSA key of 2048–4096 bits.
 * Refuses CERT_CSR_UNREADABLE, CERT_CSR_KEY (type or size) or CERT_CSR_SIGNATURE.
 */
export function readCsr(pem: string): CsrDescription {
  const text = String(pem ?? '').trim();
  if (text.length === 0 || text.length > MAX_CSR_LENGTH) throw new Refusal('CERT_CSR_UNREADABLE', { field: 'csr' });
  let der: forge.util.ByteStringBuffer;
  let msg: forge.pem.ObjectPEM;
  try {
    const blocks = forge.pem.decode(text);
    if (blocks.length !== 1 || !['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'].includes(blocks[0]!.type)) throw new Error('not one CSR');
    msg = blocks[0]!;
    der = forge.util.createBuffer(msg.body);
  } catch {
    throw new Refusal('CERT_CSR_UNREADABLE', { field: 'csr' });
  }
  const spki = subjectPublicKeyInfoOf(der);
  let keyType: string;
  let keyBits: number | null;
  let publicKeyPem: string;
  try {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    keyType = key.asymmetricKeyType ?? 'unknown';
    keyBits = key.asymmetricKeyDetails?.modulusLength ?? null;
    publicKeyPem = String(key.export({ type: 'spki', format: 'pem' }));
  } catch {
    throw new Refusal('CERT_CSR_UNREADABLE', { field: 'csr' });
  }
  if (keyType !== 'rsa' || keyBits === null || keyBits < CSR_MIN_RSA_BITS || keyBits > CSR_MAX_RSA_BITS) {
    throw new Refusal('CERT_CSR_KEY', { field: 'csr', params: { key: keyBits ? `${keyType.toUpperCase()} ${keyBits}ビット` : keyType.toUpperCase() } });
  }
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(forge.pem.encode(msg));
  } catch {
    throw new Refusal('CERT_CSR_UNREADABLE', { field: 'csr' });
  }
  let verified = false;
  try {
    verified = csr.verify();
  } catch {
    verified = false;
  }
  if (!verified) throw new Refusal('CERT_CSR_SIGNATURE', { field: 'csr' });
  const subject = csr.subject.attributes.map((a) => [a.shortName ?? a.name ?? a.type ?? '?', decodeValue(a)] as const);
  return { subject, publicKeyPem, keyType, keyBits };
}

/** CertificationRequest → CertificationRequestInfo → subjectPKInfo (RFC 2986), as DER. */
function subjectPublicKeyInfoOf(der: forge.util.ByteStringBuffer): Buffer {
  try {
    const asn1 = forge.asn1.fromDer(der.copy());
    const info = (asn1.value as forge.asn1.Asn1[])[0]!;
    const spki = (info.value as forge.asn1.Asn1[])[2]!;
    return Buffer.from(forge.asn1.toDer(spki).getBytes(), 'binary');
  } catch {
    throw new Refusal('CERT_CSR_UNREADABLE', { field: 'csr' });
  }
}

/** forge keeps UTF8String values as raw bytes. */
function decodeValue(attr: forge.pki.CertificateField): string {
  const value = typeof attr.value === 'string' ? attr.value : String(attr.value ?? '');
  if (attr.valueTagClass === (forge.asn1.Type.UTF8 as number as forge.asn1.Class)) {
    try {
      return forge.util.decodeUtf8(value);
    } catch {
      return value;
    }
  }
  return value;
}
