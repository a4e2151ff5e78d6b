import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { createCa, loadCaBundle } from './ca.ts';
import { issueClientCert } from './issue.ts';

const DAY_MS = 86_400_000;
const now = new Date('2026-04-01T00:00:00Z');

function pick(record: Record<string, unknown>, ...keys: string[]): unknown[] {
  return keys.map((key) => record[key]);
}

test('creates a self-signed root that may sign certificates and CRLs but no other CA, for ten years', () => {
  const ca = createCa({ commonName: 'kirikae 検証環境 CA', now });
  const cert = new X509Certificate(ca.certPem);
  assert.equal(cert.ca, true);
  assert.ok(cert.checkIssued(cert));
  assert.ok(cert.verify(cert.publicKey));
  assert.equal(cert.subject, 'CN=kirikae 検証環境 CA');
  assert.equal(Math.round((cert.validToDate.getTime() - now.getTime()) / DAY_MS), 3650);
  const parsed = forge.pki.certificateFromPem(ca.certPem);
  const keyUsage = parsed.getExtension('keyUsage') as Record<string, unknown>;
  assert.deepEqual(pick(keyUsage, 'critical', 'keyCertSign', 'cRLSign', 'digitalSignature'), [true, true, true, false]);
  const basic = parsed.getExtension('basicConstraints') as Record<string, unknown>;
  assert.deepEqual(pick(basic, 'critical', 'cA', 'pathLenConstraint'), [true, true, 0]);
});

test('returns the private key of the CA as PKCS#8 PEM', () => {
  const ca = createCa({ commonName: 'kirikae CA' });
  assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----/);
  assert.equal(new X509Certificate(ca.certPem).fingerprint256.replace(/:/g, '').toLowerCase(), ca.fingerprint256);
});

test('loads a bundle of CA certificates, skipping text between them and duplicates', () => {
  const first = createCa({ commonName: 'first CA' });
  const second = createCa({ commonName: 'second CA' });
  const bundle = `subject=CN=first CA\n${first.certPem}\n# again\n${first.certPem}${second.certPem}`;
  const trusted = loadCaBundle(bundle);
  assert.deepEqual(
    trusted.map((ca) => ca.subject.CN),
    ['first CA', 'second CA'],
  );
  assert.equal(trusted[0]?.fingerprint256, first.fingerprint256);
  assert.equal(new X509Certificate(trusted[1]!.certPem).fingerprint256, new X509Certificate(second.certPem).fingerprint256);
});

test('refuses a bundle with no certificate in it', () => {
  assert.throws(() => loadCaBundle('nothing here'), { code: 'PKI_NO_CERTIFICATE' });
});

test('refuses a bundle that holds a client certificate rather than a CA', () => {
  const ca = createCa({ commonName: 'kirikae CA' });
  const client = issueClientCert({ ca, participantCode: '10013', usage: 'api' });
  assert.throws(() => loadCaBundle(ca.certPem + client.certPem), { code: 'PKI_NOT_CA' });
});

test('refuses a bundle into which a private key was pasted', () => {
  const ca = createCa({ commonName: 'kirikae CA' });
  assert.throws(() => loadCaBundle(ca.certPem + ca.keyPem), { code: 'PKI_NOT_CERTIFICATE' });
});

test('refuses a truncated or corrupted certificate block', () => {
  const ca = createCa({ commonName: 'kirikae CA' });
  assert.throws(() => loadCaBundle(ca.certPem.slice(0, 200)), { code: 'PKI_BAD_CERTIFICATE' });
  assert.throws(() => loadCaBundle(ca.certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!')), { code: 'PKI_BAD_CERTIFICATE' });
});

test('refuses a CA certificate that has expired by the given time', () => {
  const old = createCa({ commonName: 'old CA', now: new Date('2010-01-01T00:00:00Z'), validityDays: 365 });
  assert.throws(() => loadCaBundle(old.certPem, { now }), { code: 'PKI_CA_EXPIRED' });
  assert.equal(loadCaBundle(old.certPem, { now: new Date('2010-06-01T00:00:00Z') }).length, 1);
});

test('refuses an empty or over-long CA name', () => {
  assert.throws(() => createCa({ commonName: '  ' }), { code: 'PKI_NAME_INVALID' });
  assert.throws(() => createCa({ commonName: 'x'.repeat(65) }), { code: 'PKI_NAME_INVALID' });
});
