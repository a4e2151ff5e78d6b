/**
 * Key pairs and serial numbers for the certificates the hub issues.
 *
 * Keys are RSA-2048 made by node's own crypto (native, tens of milliseconds) rather than
 * node-forge's pure-JavaScript generator (seconds); forge only signs. RSA rather than ECDSA because
 * every browser, OS key store and PKCS#12 importer accepts it, and node-forge signs with nothing else.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** The smallest RSA size browsers and current OpenSSL security levels accept without complaint. */
export const RSA_MODULUS_BITS = 2048;

export interface KeyPairPem {
  readonly publicKeyPem: string;
  /** PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted: files holding it are written 0600. */
  readonly privateKeyPem: string;
}

export function generateKeyPair(): KeyPairPem {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: RSA_MODULUS_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/**
 * A random 16-byte serial number as lowercase hex. The first byte is forced into 0x40–0x7f so the
 * DER integer is positive and always exactly 16 bytes (no sign padding, no leading zero that would
 * make the encoding non-minimal), which leaves 126 random bits: unguessable and never repeated.
 */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString('hex');
}
