import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa } from './ca.ts';
import { issueClientCert } from './issue.ts';
import { describeCert } from './identity.ts';
import { fromPkcs12, toPkcs12, type Pkcs12Algorithm } from './pkcs12.ts';

const ca = createCa({ commonName: 'kirikae CA' });
const issued = issueClientCert({ ca, participantCode: '10013', usage: 'terminal', terminalName: '本社 端末3' });
const password = 'correct horse 42';
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** Runs `openssl pkcs12` on the bundle, the password passed through the environment. */
function openssl(p12: Buffer, pass: string, ...args: string[]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kirikae-p12-'));
  try {
    const file = join(dir, 'bundle.p12');
    writeFileSync(file, p12);
    const run = spawnSync('openssl', ['pkcs12', '-in', file, '-passin', 'env:P12_PASS', ...args], {
      env: { ...process.env, P12_PASS: pass },
      encoding: 'utf8',
    });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const algorithm of ['3des', 'aes256'] as Pkcs12Algorithm[]) {
  test(`openssl opens a ${algorithm} bundle with its password and finds key, certificate and CA`, { skip: !hasOpenssl && 'no openssl' }, () => {
    const p12 = toPkcs12({ ...issued, caPem: ca.certPem, password, friendlyName: '10013 本社 端末3', algorithm });
    const info = openssl(p12, password, '-info', '-noout');
    assert.equal(info.status, 0, info.output);
    assert.match(info.output, algorithm === '3des' ? /pbeWithSHA1And3-KeyTripleDES-CBC/ : /AES-256-CBC/);
    const dump = openssl(p12, password, '-nodes');
    assert.equal(dump.status, 0, dump.output);
    assert.equal(dump.output.match(/BEGIN CERTIFICATE/g)?.length, 2);
    assert.match(dump.output, /BEGIN PRIVATE KEY/);
    assert.match(dump.output, /friendlyName: 10013 /); // OpenSSL 3.0 prints only ASCII of it
  });
}

test('writes the friendly name as the BMPString (UTF-16BE) that browsers show, Japanese included', () => {
  const p12 = toPkcs12({ ...issued, password, friendlyName: '10013 本社 端末3' });
  assert.ok(p12.includes(Buffer.from('10013 本社 端末3', 'utf16le').swap16()));
});

test('openssl refuses the bundle with the wrong password', { skip: !hasOpenssl && 'no openssl' }, () => {
  const p12 = toPkcs12({ ...issued, caPem: ca.certPem, password, friendlyName: '10013 terminal' });
  assert.notEqual(openssl(p12, 'wrong', '-info', '-noout').status, 0);
});

test('opens the bundle again with its password: the same certificate, its CA and its key', () => {
  const p12 = toPkcs12({ ...issued, caPem: ca.certPem, password, friendlyName: '10013 terminal' });
  const opened = fromPkcs12(p12, password);
  assert.deepEqual(
    opened.certPems.map((pem) => describeCert(pem).fingerprint256),
    [issued.fingerprint256, ca.fingerprint256],
  );
  assert.equal(opened.keyPem, issued.keyPem);
});

test('does not open the bundle with a wrong password', () => {
  const p12 = toPkcs12({ ...issued, password, friendlyName: '10013 terminal' });
  assert.throws(() => fromPkcs12(p12, 'wrong'), { code: 'PKI_PKCS12_UNREADABLE' });
});

test('refuses an empty or non-ASCII password, which importers would treat differently', () => {
  assert.throws(() => toPkcs12({ ...issued, password: '', friendlyName: 'x' }), { code: 'PKI_PASSWORD_INVALID' });
  assert.throws(() => toPkcs12({ ...issued, password: 'パスワード', friendlyName: 'x' }), { code: 'PKI_PASSWORD_INVALID' });
});
