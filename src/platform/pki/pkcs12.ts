/**
 * PKCS#12 (.p12) bundles: how a client certificate reaches a terminal's browser or a retailer's
 * API client, key and certificate chain in one password-protected file.
 *
 * The default `3des` (pbeWithSHAAnd3-KeyTripleDES-CBC, SHA-1 MAC) is the one format that every
 * importer takes: Chromium and Firefox (NSS), Windows, older macOS key chains, Java, OpenSSL 3
 * without its legacy provider. `aes256` (PBES2, PBKDF2-HMAC-SHA256, still a SHA-1 MAC: node-forge
 * writes no other) is for clients that refuse the old cipher.
 */
import { createPrivateKey } from 'node:crypto';
import forge from 'node-forge';
import { Refusal } from '../../domain/refusal.ts';
import { readPrivateKey } from './sign.ts';

export type Pkcs12Algorithm = '3des' | 'aes256';

export interface Pkcs12Options {
  readonly certPem: string;
  readonly keyPem: string;
  /** The issuing CA, so the importer can show and check the chain. */
  readonly caPem?: string;
  /** Printable ASCII: importers disagree on how to encode anything else into the key derivation. */
  readonly password: string;
  /** The name a browser shows in its certificate list (e.g. `10013 本社 端末3`). */
  readonly friendlyName: string;
  readonly algorithm?: Pkcs12Algorithm;
}

/** OpenSSL's default too: enough to slow guessing, quick enough in pure JavaScript. */
const ITERATIONS = 2048;

export function toPkcs12(options: Pkcs12Options): Buffer {
  if (!/^[\x20-\x7e]+$/.test(options.password)) throw new Refusal('PKI_PASSWORD_INVALID');
  const key = readPrivateKey(options.keyPem);
  const chain = [options.certPem, ...(options.caPem ? [options.caPem] : [])].map(readCertificate);
  const algorithm = options.algorithm ?? '3des';
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, chain, options.password, {
    algorithm,
    count: ITERATIONS,
    friendlyName: options.friendlyName,
    // Passed through to the key encryption; absent from the type definitions.
    ...(algorithm === 'aes256' ? { prfAlgorithm: 'sha256' } : {}),
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** Opens a .p12 with its password: the certificates' PEMs (own first) and the key, or PKI_PKCS12_UNREADABLE. */
export function fromPkcs12(p12: Uint8Array, password: string): { certPems: string[]; keyPem: string } {
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    const der = forge.util.createBuffer(Buffer.from(p12).toString('binary'));
    pfx = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), password);
  } catch {
    throw new Refusal('PKI_PKCS12_UNREADABLE');
  }
  const certPems = (pfx.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? []).flatMap((bag) =>
    bag.cert ? [forge.pki.certificateToPem(bag.cert)] : [],
  );
  const keyBag = pfx.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!]?.[0];
  if (!keyBag?.key) throw new Refusal('PKI_BAD_KEY');
  // PKCS#8 like every other key this library hands out (forge would write PKCS#1).
  const keyPem = createPrivateKey(forge.pki.privateKeyToPem(keyBag.key)).export({ type: 'pkcs8', format: 'pem' });
  return { certPems, keyPem: String(keyPem) };
}

function readCertificate(pem: string): forge.pki.Certificate {
  try {
    return forge.pki.certificateFromPem(pem);
  } catch {
    throw new Refusal('PKI_BAD_CERTIFICATE');
  }
}
