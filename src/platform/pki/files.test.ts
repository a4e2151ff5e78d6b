import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa } from './ca.ts';
import { readPki, writePki } from './files.ts';

const ca = createCa({ commonName: 'kirikae CA' });

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'kirikae-pki-'));
  try {
    await run(join(base, 'pki'));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

test('writes keys and .p12 bundles readable by the owner only, certificates readable by all', async () => {
  await withDir(async (dir) => {
    const paths = await writePki(dir, 'ca', { ...ca, pkcs12: Buffer.from([1, 2, 3]) });
    assert.equal(await mode(dir), 0o700);
    assert.equal(await mode(paths.keyPath), 0o600);
    assert.equal(await mode(paths.pkcs12Path), 0o600);
    assert.equal(await mode(paths.certPath), 0o644);
    assert.deepEqual((await readdir(dir)).sort(), ['ca.cert.pem', 'ca.key.pem', 'ca.p12']);
    assert.deepEqual(await readFile(paths.pkcs12Path), Buffer.from([1, 2, 3]));
  });
});

test('reads back the certificate and key it wrote', async () => {
  await withDir(async (dir) => {
    await writePki(dir, 'ca', ca);
    assert.deepEqual(await readPki(dir, 'ca'), { certPem: ca.certPem, keyPem: ca.keyPem });
  });
});

test('replaces a key file that had looser permissions, leaving no temporary file behind', async () => {
  await withDir(async (dir) => {
    const { keyPath } = await writePki(dir, 'hub', { certPem: ca.certPem });
    await writeFile(keyPath, 'old');
    await chmod(keyPath, 0o644);
    await writePki(dir, 'hub', ca);
    assert.equal(await mode(keyPath), 0o600);
    assert.equal(await readFile(keyPath, 'utf8'), ca.keyPem);
    assert.deepEqual((await readdir(dir)).sort(), ['hub.cert.pem', 'hub.key.pem']);
  });
});

test('refuses a name that would reach outside the directory', async () => {
  await assert.rejects(writePki('/tmp', '../etc/passwd', ca), /not a safe file name/);
});
