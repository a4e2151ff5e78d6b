import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { csrPemOfFile, readCsr } from './csr.ts';

function csr(subject: [string, string][], bits = 2048): string {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const request = forge.pki.createCertificationRequest();
  request.publicKey = forge.pki.publicKeyFromPem(publicKey);
  request.setSubject(subject.map(([shortName, value]) => ({ shortName, value, valueTagClass: forge.asn1.Type.UTF8 as number as forge.asn1.Class })));
  request.sign(forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(request);
}

/** `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/O=10033/OU=api/CN=10033 api"`: a valid request, of a key the hub does not issue for. */
const ecdsa = `-----BEGIN CERTIFICATE REQUEST-----
MIHsMIGUAgEAMDIxDjAMBgNVBAoMBUEwMDMzMQwwCgYDVQQLDANhcGkxEjAQBgNV
BAMMCUEwMDMzIGFwaTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABOj9kBqdYL4Q
5IvnjVQksOxOJGzdcYsC0xo4G/Y4ztzhGkLDwMTwgm77tgk+QowRs+ClDrL4K8WJ
7mLyFrfNOtmgADAKBggqhkjOPQQDAgNHADBEAiB1zbKlGe6kOjsfkJizP6YYNvbO
JpnVs46Kpdai7I9N/QIgTJ6hjUuj6DYwdva+3ctTc4+B3AHYpy3QT1XoHlNDO9w=
-----END CERTIFICATE REQUEST-----`;

const good = csr([
  ['O', '10033'],
  ['OU', 'terminal'],
  ['CN', '本社 端末3'],
]);

test('reads a signed RSA request: its subject in order, Japanese names intact, and its key', () => {
  const read = readCsr(good);
  assert.deepEqual(read.subject, [
    ['O', '10033'],
    ['OU', 'terminal'],
    ['CN', '本社 端末3'],
  ]);
  assert.deepEqual([read.keyType, read.keyBits], ['rsa', 2048]);
  assert.match(read.publicKeyPem, /BEGIN PUBLIC KEY/);
});

test('refuses what is not one PEM request, a small key, and a request whose signature does not hold', () => {
  assert.throws(() => readCsr(''), { code: 'CERT_CSR_UNREADABLE', field: 'csr' });
  assert.throws(() => readCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----'), { code: 'CERT_CSR_UNREADABLE' });
  assert.throws(() => readCsr(`${good}\n${good}`), { code: 'CERT_CSR_UNREADABLE' });
  assert.throws(() => readCsr(good.replace(/REQUEST/g, 'X')), { code: 'CERT_CSR_UNREADABLE' });
  assert.throws(() => readCsr(csr([['O', '10033']], 1024)), { code: 'CERT_CSR_KEY', text: /RSA 1024ビット/ });
  assert.throws(() => readCsr(ecdsa), { code: 'CERT_CSR_KEY', text: /（EC）/ });
  const other = forge.pki.certificationRequestFromPem(csr([['O', '20016']]));
  (other as unknown as { signature: string }).signature = (forge.pki.certificationRequestFromPem(good) as unknown as { signature: string }).signature;
  assert.throws(() => readCsr(forge.pki.certificationRequestToPem(other)), { code: 'CERT_CSR_SIGNATURE' });
});

test('a CSR file reads as PEM whether it holds PEM (with a BOM) or DER; other bytes and oversized files are refused', () => {
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificationRequestToAsn1(forge.pki.certificationRequestFromPem(good))).getBytes(), 'binary');
  assert.deepEqual(readCsr(csrPemOfFile(der)).subject, readCsr(good).subject);
  assert.equal(readCsr(csrPemOfFile(Buffer.from(`\uFEFF${good}`))).keyBits, 2048);
  assert.throws(() => csrPemOfFile(new Uint8Array()), { code: 'CERT_CSR_UNREADABLE', field: 'csr' });
  assert.throws(() => csrPemOfFile(Buffer.from('just some text')), { code: 'CERT_CSR_UNREADABLE' });
  assert.throws(() => csrPemOfFile(Buffer.alloc(17 * 1024, 0x30)), { code: 'CERT_CSR_UNREADABLE' });
  assert.throws(() => readCsr(csrPemOfFile(der.subarray(0, 100))), { code: 'CERT_CSR_UNREADABLE' });
});
