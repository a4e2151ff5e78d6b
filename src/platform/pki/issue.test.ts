import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCa } from './ca.ts';
import { issueClientCert, issueServerCert } from './issue.ts';
import { describeCert } from './identity.ts';
import { CLOCK_SKEW_MS } from './validity.ts';

const DAY_MS = 86_400_000;
const now = new Date('2026-04-01T00:00:00Z');
const ca = createCa({ commonName: 'kirikae 検証環境 CA', now });
const caCert = new X509Certificate(ca.certPem);
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

test('binds the participant code and usage in the subject of a client certificate, for two years', () => {
  const issued = issueClientCert({ ca, participantCode: '10013', usage: 'api', now });
  const cert = new X509Certificate(issued.certPem);
  assert.equal(cert.subject, 'O=10013\nOU=api\nCN=10013 api');
  assert.ok(cert.checkIssued(caCert) && cert.verify(caCert.publicKey));
  assert.deepEqual(cert.keyUsage, [CLIENT_AUTH]);
  assert.equal(cert.ca, false);
  assert.equal(cert.validFromDate.getTime(), now.getTime() - CLOCK_SKEW_MS);
  assert.equal(cert.validToDate.getTime(), now.getTime() + 730 * DAY_MS);
  assert.match(issued.keyPem, /^-----BEGIN PRIVATE KEY-----/);
});

test('names a terminal certificate after the terminal, in Japanese if so named', () => {
  const issued = issueClientCert({ ca, participantCode: '10013', usage: 'terminal', terminalName: '本社 営業部 端末3', now });
  assert.deepEqual(describeCert(issued.certPem).subject, { O: '10013', OU: 'terminal', CN: '本社 営業部 端末3' });
  const unnamed = issueClientCert({ ca, participantCode: '10013', usage: 'terminal', now });
  assert.equal(describeCert(unnamed.certPem).subject.CN, '10013 terminal');
});

test('gives every certificate its own random, positive, 16-byte serial number', () => {
  const serials = [1, 2, 3].map(() => issueClientCert({ ca, participantCode: '10013', usage: 'api', now }).serialNumber);
  assert.equal(new Set(serials).size, 3);
  for (const serial of serials) assert.match(serial, /^[4-7][0-9a-f]{31}$/);
});

test('reports the serial number and fingerprint that the certificate itself carries', () => {
  const issued = issueClientCert({ ca, participantCode: '10013', usage: 'api', now });
  const description = describeCert(issued.certPem);
  assert.equal(description.serialNumber, issued.serialNumber);
  assert.equal(description.fingerprint256, issued.fingerprint256);
});

test('issues a certificate already expired when told an earlier now', () => {
  const issued = issueClientCert({ ca, participantCode: '10013', usage: 'api', now: new Date('2020-01-01T00:00:00Z') });
  assert.ok(describeCert(issued.certPem).notAfter < now);
});

test('never lets a certificate outlive the CA that signed it', () => {
  const shortCa = createCa({ commonName: 'short CA', now, validityDays: 30 });
  const issued = issueClientCert({ ca: shortCa, participantCode: '10013', usage: 'api', now });
  assert.equal(describeCert(issued.certPem).notAfter.getTime(), new X509Certificate(shortCa.certPem).validToDate.getTime());
});

test('puts host names and IP addresses of the server in subjectAltName, for serverAuth only', () => {
  const issued = issueServerCert({ ca, hostnames: ['localhost', 'Hub.Example.JP', '127.0.0.1'], ips: ['::1'], now });
  const cert = new X509Certificate(issued.certPem);
  assert.equal(cert.subjectAltName, 'DNS:localhost, DNS:hub.example.jp, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  assert.equal(cert.subject, 'CN=localhost');
  assert.equal(cert.checkHost('hub.example.jp'), 'hub.example.jp');
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  assert.deepEqual(cert.keyUsage, [SERVER_AUTH]);
  assert.equal(describeCert(cert).participantCode, null);
  assert.equal(Math.round((cert.validToDate.getTime() - now.getTime()) / DAY_MS), 397);
});

test('refuses malformed host names and a server certificate without any name', () => {
  assert.throws(() => issueServerCert({ ca, hostnames: ['bad_host!'] }), { code: 'PKI_HOST_INVALID' });
  assert.throws(() => issueServerCert({ ca, hostnames: ['localhost'], ips: ['999.1.1.1'] }), { code: 'PKI_HOST_INVALID' });
  assert.throws(() => issueServerCert({ ca, hostnames: [] }), { code: 'PKI_HOST_INVALID' });
});

test('refuses participant codes and terminal names that cannot be bound safely', () => {
  assert.throws(() => issueClientCert({ ca, participantCode: 'A00 13', usage: 'api' }), { code: 'PKI_NAME_INVALID' });
  assert.throws(() => issueClientCert({ ca, participantCode: '', usage: 'api' }), { code: 'PKI_NAME_INVALID' });
  assert.throws(() => issueClientCert({ ca, participantCode: '10013', usage: 'admin' as 'api' }), { code: 'PKI_NAME_INVALID' });
  assert.throws(() => issueClientCert({ ca, participantCode: '10013', usage: 'terminal', terminalName: 'line\nbreak' }), { code: 'PKI_NAME_INVALID' });
});

test('refuses a validity that is not a positive whole number of days', () => {
  assert.throws(() => issueClientCert({ ca, participantCode: '10013', usage: 'api', validityDays: 0 }), {
    code: 'PKI_VALIDITY_INVALID',
  });
  assert.throws(() => issueClientCert({ ca, participantCode: '10013', usage: 'api', validityDays: 1.5 }), {
    code: 'PKI_VALIDITY_INVALID',
  });
});

test('refuses to sign with a key that is not the CA key, or with a certificate that is not a CA', () => {
  const other = createCa({ commonName: 'other CA' });
  assert.throws(() => issueClientCert({ ca: { certPem: ca.certPem, keyPem: other.keyPem }, participantCode: '10013', usage: 'api' }), {
    code: 'PKI_KEY_MISMATCH',
  });
  assert.throws(() => issueClientCert({ ca: { certPem: ca.certPem, keyPem: 'not a key' }, participantCode: '10013', usage: 'api' }), { code: 'PKI_BAD_KEY' });
  const leaf = issueClientCert({ ca, participantCode: '10013', usage: 'api' });
  assert.throws(() => issueClientCert({ ca: leaf, participantCode: '10013', usage: 'api' }), { code: 'PKI_NOT_CA' });
});
