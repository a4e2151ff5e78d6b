import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCa } from './ca.ts';
import { issueClientCert } from './issue.ts';
import { describeCert } from './identity.ts';

const ca = createCa({ commonName: 'kirikae CA' });
const issued = issueClientCert({ ca, participantCode: '10013', usage: 'api' });

test('describes a certificate the same from PEM text and from DER bytes', () => {
  const der = new X509Certificate(issued.certPem).raw;
  assert.deepEqual(describeCert(der), describeCert(issued.certPem));
});

test('gives the SHA-256 fingerprint as lowercase hex without colons', () => {
  const description = describeCert(issued.certPem);
  assert.match(description.fingerprint256, /^[0-9a-f]{64}$/);
  assert.equal(description.fingerprint256, new X509Certificate(issued.certPem).fingerprint256.replace(/:/g, '').toLowerCase());
});

test('reads subject, issuer and validity', () => {
  const description = describeCert(issued.certPem);
  assert.deepEqual(description.subject, { O: '10013', OU: 'api', CN: '10013 api' });
  assert.deepEqual(description.issuer, { CN: 'kirikae CA' });
  assert.ok(description.notBefore < description.notAfter);
});

test('reads names with commas, quotes, plus signs and backslashes back as they were written', () => {
  const terminalName = 'Osaka, 2F "A+B" \\ #1 ';
  const terminal = issueClientCert({ ca, participantCode: '10063', usage: 'terminal', terminalName });
  assert.equal(describeCert(terminal.certPem).subject.CN, terminalName.trim());
});

test('binds no participant for a CA certificate or anything without a participant subject', () => {
  const description = describeCert(ca.certPem);
  assert.equal(description.participantCode, null);
  assert.equal(description.usage, null);
});

test('refuses bytes that are not a certificate', () => {
  assert.throws(() => describeCert(Buffer.from('hello')), { code: 'PKI_BAD_CERTIFICATE' });
  assert.throws(() => describeCert(''), { code: 'PKI_BAD_CERTIFICATE' });
});
