/**
 * The one place where fields become a signed X.509 certificate (node-forge does the ASN.1).
 * `ca.ts` and `issue.ts` decide what goes in; this file only encodes it the same way every time:
 * UTF8String names (Japanese terminal names survive), SHA-256 signatures, subject and authority key
 * identifiers so chains build even if the CA is ever re-keyed under the same name.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { Refusal } from '../../domain/refusal.ts';
import { fingerprintOf, parseCertificate } from './identity.ts';
import { randomSerialNumber } from './keys.ts';

/** Attributes in the order they are encoded (most general first, as RFC 4514 prints them reversed). */
export type Name = ReadonlyArray<readonly ['O' | 'OU' | 'CN', string]>;

/** A CA that signs: its certificate and private key, both PEM. */
export interface CaKeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface SignRequest {
  readonly subject: Name;
  readonly publicKeyPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** node-forge extension descriptors; key identifiers are added here. */
  readonly extensions: readonly object[];
  /** The issuing CA, or `self` with the subject's own private key for a self-signed root. */
  readonly issuer: CaKeyPair | { readonly selfSignedWith: string };
}

export interface SignedCert {
  readonly certPem: string;
  readonly serialNumber: string;
  readonly fingerprint256: string;
}

export function signCertificate(request: SignRequest): SignedCert {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(request.publicKeyPem);
  const serialNumber = randomSerialNumber();
  cert.serialNumber = serialNumber;
  cert.validity.notBefore = request.notBefore;
  cert.validity.notAfter = request.notAfter;
  cert.setSubject(toForgeName(request.subject));

  let signingKey: KeyObject;
  let authorityKeyId: string;
  if ('selfSignedWith' in request.issuer) {
    signingKey = nodePrivateKey(request.issuer.selfSignedWith);
    cert.setIssuer(toForgeName(request.subject));
    authorityKeyId = cert.generateSubjectKeyIdentifier().getBytes();
  } else {
    const caCert = forge.pki.certificateFromPem(request.issuer.certPem);
    signingKey = nodePrivateKey(request.issuer.keyPem);
    cert.setIssuer(issuerNameOf(caCert));
    authorityKeyId = subjectKeyIdOf(caCert);
  }
  cert.setExtensions([...request.extensions, { name: 'subjectKeyIdentifier' }, { name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId }]);
  signNatively(cert, signingKey);

  const certPem = forge.pki.certificateToPem(cert);
  return { certPem, serialNumber, fingerprint256: fingerprintOf(parseCertificate(certPem)) };
}

/**
 * What forge's `cert.sign(key, sha256)` does, with the RSA signature computed by node's native
 * crypto instead of forge's JavaScript big integers: about 100 ms less per certificate, which is
 * most of the time the sandbox's first start spends issuing its demo certificates.
 */
function signNatively(cert: forge.pki.Certificate, key: KeyObject): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  cert.md = forge.md.sha256.create();
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  (cert as unknown as { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', der, key).toString('binary');
}

function nodePrivateKey(keyPem: string): KeyObject {
  try {
    const key = createPrivateKey(keyPem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    return key;
  } catch {
    throw new Refusal('PKI_BAD_KEY');
  }
}

/** Reads an RSA private key in PKCS#8 or PKCS#1 PEM, or a refusal PKI_BAD_KEY. */
export function readPrivateKey(keyPem: string): forge.pki.rsa.PrivateKey {
  try {
    return forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  } catch {
    throw new Refusal('PKI_BAD_KEY');
  }
}

/** UTF8String's tag; @types/node-forge mistypes `valueTagClass` as a class, not a tag. */
const UTF8 = forge.asn1.Type.UTF8 as number as forge.asn1.Class;

function toForgeName(name: Name): forge.pki.CertificateField[] {
  return name.map(([shortName, value]) => ({ shortName, value, valueTagClass: UTF8 }));
}

/**
 * The CA's subject, to be written as the issuer. forge reads UTF8String values as raw bytes but
 * encodes them again on write, so they are decoded first (else a Japanese CA name would no longer
 * match and the chain would not build).
 */
function issuerNameOf(caCert: forge.pki.Certificate): forge.pki.CertificateField[] {
  return caCert.subject.attributes.map((attr) =>
    attr.valueTagClass === UTF8 && typeof attr.value === 'string' ? { ...attr, value: forge.util.decodeUtf8(attr.value) } : attr,
  );
}

/** The CA's own subject key identifier if it carries one (the value chains are matched on), else SHA-1 of its key. */
function subjectKeyIdOf(caCert: forge.pki.Certificate): string {
  const ext = caCert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
  return ext?.subjectKeyIdentifier ? forge.util.hexToBytes(ext.subjectKeyIdentifier) : caCert.generateSubjectKeyIdentifier().getBytes();
}
