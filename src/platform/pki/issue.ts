/**
 * Issuing end-entity certificates under the hub CA.
 *
 * - Server: the hub's HTTPS endpoints, names in subjectAltName (browsers ignore the CN), serverAuth.
 * - Client: one per retailer for the API, one per terminal for the web screens (SYSTEM.md §7), two
 *   years by default. The subject binds the holder: O = participant code, OU = `api` | `terminal`,
 *   CN = a readable name; `describeCert` reads them back after the handshake.
 *
 * A certificate never outlives the CA that signed it: the end date is cut to the CA's.
 */
import { createPrivateKey, type X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { Refusal } from '../../domain/refusal.ts';
import { clientCertUsages, parseCertificate, type ClientCertUsage } from './identity.ts';
import { generateKeyPair } from './keys.ts';
import { checkName } from './names.ts';
import { signCertificate, type CaKeyPair, type Name, type SignedCert } from './sign.ts';
import { validityFrom, type Validity } from './validity.ts';

/** SYSTEM.md §7: client certificates are valid for 2 years. */
export const CLIENT_CERT_VALIDITY_DAYS = 730;
/** 397 days: the longest any browser accepts for a server certificate, even under a private root. */
export const SERVER_CERT_VALIDITY_DAYS = 397;

export interface IssuedCert {
  readonly certPem: string;
  /** PKCS#8 PEM, unencrypted. */
  readonly keyPem: string;
  readonly serialNumber: string;
  readonly fingerprint256: string;
}

export interface ServerCertOptions {
  readonly ca: CaKeyPair;
  /** DNS names; an IP address given here is put in the certificate as an IP address. */
  readonly hostnames: readonly string[];
  readonly ips?: readonly string[];
  readonly now?: Date;
  readonly validityDays?: number;
}

export function issueServerCert(options: ServerCertOptions): IssuedCert {
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const host of options.hostnames) (isIP(host) ? ips : dnsNames).push(host);
  ips.push(...(options.ips ?? []));
  const altNames = [...unique(dnsNames.map(checkDnsName)).map((value) => ({ type: 2, value })), ...unique(ips.map(checkIp)).map((ip) => ({ type: 7, ip }))];
  const first = altNames[0];
  if (!first) throw new Refusal('PKI_HOST_INVALID', { params: { host: '' } });
  return issue(options.ca, {
    subject: [['CN', 'value' in first ? first.value : first.ip]],
    validity: validityFrom(options.now ?? new Date(), options.validityDays ?? SERVER_CERT_VALIDITY_DAYS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
}

export interface ClientCertOptions {
  readonly ca: CaKeyPair;
  readonly participantCode: string;
  readonly usage: ClientCertUsage;
  /** The CN of a terminal certificate (e.g. 「本社 営業部 端末3」); default `<code> terminal`. */
  readonly terminalName?: string;
  readonly now?: Date;
  readonly validityDays?: number;
}

export function issueClientCert(options: ClientCertOptions): IssuedCert {
  const keys = generateKeyPair();
  return { ...issueClientCertForKey({ ...options, publicKeyPem: keys.publicKeyPem }), keyPem: keys.privateKeyPem };
}

/**
 * A client certificate for a public key the holder keeps the private key of (a CSR's, issue 19):
 * the same subject and extensions as `issueClientCert`; only the certificate comes back.
 */
export function issueClientCertForKey(options: ClientCertOptions & { readonly publicKeyPem: string }): SignedCert {
  const participantCode = checkName(options.participantCode, 'participantCode');
  if (!/^[0-9A-Za-z]+$/.test(participantCode)) throw new Refusal('PKI_NAME_INVALID', { params: { field: 'participantCode' } });
  if (!clientCertUsages.includes(options.usage)) throw new Refusal('PKI_NAME_INVALID', { params: { field: 'usage' } });
  const commonName =
    options.usage === 'terminal' && options.terminalName !== undefined
      ? checkName(options.terminalName, 'terminalName')
      : `${participantCode} ${options.usage}`;
  return sign(options.ca, options.publicKeyPem, {
    subject: [
      ['O', participantCode],
      ['OU', options.usage],
      ['CN', commonName],
    ],
    validity: validityFrom(options.now ?? new Date(), options.validityDays ?? CLIENT_CERT_VALIDITY_DAYS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
}

function issue(ca: CaKeyPair, leaf: { subject: Name; validity: Validity; extensions: object[] }): IssuedCert {
  const keys = generateKeyPair();
  return { ...sign(ca, keys.publicKeyPem, leaf), keyPem: keys.privateKeyPem };
}

function sign(ca: CaKeyPair, publicKeyPem: string, leaf: { subject: Name; validity: Validity; extensions: object[] }): SignedCert {
  const caCert = checkSigningCa(ca);
  // biome-ignore lint/complexity/useMathMinMax: Dates, not numbers (Math.min would give a number)
  const notAfter = leaf.validity.notAfter > caCert.validToDate ? caCert.validToDate : leaf.validity.notAfter;
  return signCertificate({
    subject: leaf.subject,
    publicKeyPem,
    notBefore: leaf.validity.notBefore,
    notAfter,
    extensions: leaf.extensions,
    issuer: ca,
  });
}

/** The CA certificate must be a CA, and the key must be its key, before anything is signed with them. */
function checkSigningCa(ca: CaKeyPair): X509Certificate {
  const cert = parseCertificate(ca.certPem);
  if (!cert.ca) throw new Refusal('PKI_NOT_CA', { params: { subject: cert.subject.replace(/\n/g, ', ') } });
  let matches: boolean;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(ca.keyPem));
  } catch {
    throw new Refusal('PKI_BAD_KEY');
  }
  if (!matches) throw new Refusal('PKI_KEY_MISMATCH');
  return cert;
}

const DNS_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DNS_NAME = new RegExp(`^(?:\\*\\.)?${DNS_LABEL}(?:\\.${DNS_LABEL})*$`);

function checkDnsName(host: string): string {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  if (name.length > 253 || !DNS_NAME.test(name)) throw new Refusal('PKI_HOST_INVALID', { params: { host } });
  return name;
}

function checkIp(ip: string): string {
  const address = ip.trim();
  if (!isIP(address)) throw new Refusal('PKI_HOST_INVALID', { params: { host: ip } });
  return address;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
