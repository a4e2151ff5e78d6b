/**
 * Suspension at once on the grids' data provision sites (issue 19, slide 46): `kirikae grid serve`
 * with KIRIKAE_HUB_URL follows the hub's published suspensions by a long poll, with the grid
 * operator's API certificate registered at the hub. A retailer's certificate suspended at the hub
 * is refused (403, the system's text) by the separate grid process on the very next request of a
 * connection already open; resumed, it is let in again; a suspended participant's certificates are
 * refused too. A real hub, a real grid process, real mutual TLS. PostgreSQL only (two processes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSystem } from '../../src/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { readPki } from '../../src/platform/pki/files.ts';
import { issueClientCert } from '../../src/platform/pki/issue.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/hub/policy.ts';
import { registerCertificate } from '../../src/hub/identity/certificate.commands.ts';
import { resume, setParticipantStatus, suspend } from '../../src/hub/identity/suspension.commands.ts';
import { registerPpsCertificate } from '../../src/grid/provision/site.repository.ts';
import { describeCert } from '../../src/platform/pki/identity.ts';

function get(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Asks until the status is `expected` (bounded): how long the suspension took to arrive. */
async function until(agent: Agent, url: string, expected: number, withinMs: number): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  for (;;) {
    const res = await get(agent, url);
    if (res.status === expected) return { ms: performance.now() - started, body: res.body };
    if (performance.now() - started > withinMs) throw new Error(`still HTTP ${res.status} after ${withinMs} ms: ${res.body.slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('grid serve refuses at once what the hub suspended, following the hub by a long poll (PostgreSQL)', {
  skip: (!process.env.KIRIKAE_TEST_DATABASE_URL || process.env.KIRIKAE_TEST_BACKENDS === 'pglite') && 'needs PostgreSQL (KIRIKAE_TEST_DATABASE_URL)',
}, async () => {
  const { postgresBackend } = await import('../support/backends.ts');
  await using hubDb = await postgresBackend.open({ migrated: false });
  const home = mkdtempSync(join(tmpdir(), 'kirikae-grid-suspension-'));
  const env = { KIRIKAE_HOME: home, PORT: '0', OPS_PORT: '0', KIRIKAE_QUIET: '1', DATABASE_URL: hubDb.url! };
  const hub = await startSystem(loadConfig({ ...process.env, ...env }), { jobs: false });
  let grid: ReturnType<typeof spawn> | undefined;
  let output = '';
  try {
    // The grid operator of area 03 (G003) gets its API certificate from the hub's CA, registered at the hub.
    const ca = await readPki(join(home, 'pki'), 'ca');
    const gridCert = issueClientCert({ ca, participantCode: 'G0033', usage: 'api', now: new Date() });
    await registerCertificate(hubDb, systemClock, { certPem: gridCert.certPem, participantCode: 'G003', registeredBy: systemActor });
    writeFileSync(join(home, 'g003.cert.pem'), gridCert.certPem);
    writeFileSync(join(home, 'g003.key.pem'), gridCert.keyPem, { mode: 0o600 });
    // Two retailers' API certificates registered with area 03's data provision site.
    const pem = (company: string) => ({
      certPem: readFileSync(join(home, `pki/api/${company}.cert.pem`), 'utf8'),
      keyPem: readFileSync(join(home, `pki/api/${company}.key.pem`), 'utf8'),
    });
    const a003 = pem('1003');
    const b002 = pem('2002');
    await registerPpsCertificate(hubDb, 'grid_03', '03', { pem: a003.certPem, participantCode: '10033' }, new Date());
    await registerPpsCertificate(hubDb, 'grid_03', '03', { pem: b002.certPem, participantCode: '20023' }, new Date());

    grid = spawn(process.execPath, ['src/cli/main.ts', 'grid', 'serve', '--areas', '03', '--port', '0'], {
      env: {
        ...process.env,
        ...env,
        KIRIKAE_QUIET: '',
        KIRIKAE_LOG_FORMAT: 'json',
        KIRIKAE_HUB_URL: hub.url!,
        KIRIKAE_GRID_HUB_CERT: join(home, 'g003.cert.pem'),
        KIRIKAE_GRID_HUB_KEY: join(home, 'g003.key.pem'),
      },
    });
    const gridUrl = await new Promise<string>((resolve, reject) => {
      grid!.stdout!.on('data', (chunk) => {
        output += chunk;
        const match = /KIRIKAE_GRID_03_URL=(\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      grid!.stderr!.on('data', (chunk) => (output += chunk));
      grid!.once('exit', (code) => reject(new Error(`grid serve exited ${code}: ${output}`)));
    });
    assert.match(output, new RegExp(`hub suspensions: following ${hub.url!.replace(/[.:/]/g, '\\$&')} \\(position \\d+\\)`));

    const caPem = readFileSync(join(home, 'pki/ca.cert.pem'), 'utf8');
    // One connection each, kept open: the suspension reaches a running session's next request.
    const aAgent = new Agent({ cert: a003.certPem, key: a003.keyPem, ca: caPem, keepAlive: true, maxSockets: 1 });
    const bAgent = new Agent({ cert: b002.certPem, key: b002.keyPem, ca: caPem, keepAlive: true, maxSockets: 1 });
    const list = `${gridUrl}/grid/03/PPS/30min/FileListReceiver`;
    try {
      assert.equal((await get(aAgent, list)).status, 200);
      assert.equal((await get(bAgent, list)).status, 200);

      const fingerprint = describeCert(a003.certPem).fingerprint256;
      await suspend(hubDb, systemClock, systemActor, { target: { kind: 'certificate', id: fingerprint }, reason: 'サーバ移設時に鍵が流出' });
      const refused = await until(aAgent, list, 403, 5_000);
      assert.ok(refused.ms < 3_000, `at once, not at the next poll: ${Math.round(refused.ms)} ms`);
      assert.match(refused.body, /PPS_CERT_SUSPENDED|お使いの端末では当システムを利用できません（証明書または事業者の利用が停止されています）/);
      assert.equal((await get(bAgent, list)).status, 200, "another retailer's certificate is untouched");
      const marked = await hubDb.query<{ suspended_at: Date | null }>('SELECT suspended_at FROM grid_03.pps_certificate WHERE fingerprint256 = $1', [
        fingerprint,
      ]);
      assert.ok(marked.rows[0]?.suspended_at, 'recorded in the site’s registry');

      await resume(hubDb, systemClock, systemActor, { target: { kind: 'certificate', id: fingerprint }, reason: '鍵を再発行せず継続（調査の結果、流出なし）' });
      await until(aAgent, list, 200, 5_000);

      await setParticipantStatus(hubDb, systemClock, systemActor, '2002', { status: 'suspended', reason: '不正利用の疑い' });
      const company = await until(bAgent, list, 403, 5_000);
      assert.ok(company.ms < 3_000, `a participant's suspension at once too: ${Math.round(company.ms)} ms`);
      assert.equal((await get(aAgent, list)).status, 200);
    } finally {
      aAgent.destroy();
      bAgent.destroy();
    }
  } finally {
    if (grid && grid.exitCode === null) {
      const exited = new Promise((resolve) => grid!.once('exit', resolve));
      grid.kill('SIGTERM');
      await exited;
    }
    await hub.stop();
  }
  assert.match(output, /"scope":"credentials".*certificate [0-9a-f]{16}… suspended at the hub/);
});
