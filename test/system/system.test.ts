/**
 * The whole system as `npm start` brings it up — composition root, migrations, demo data, demo
 * certificates and DEMO.md, HTTPS with mutual TLS, the ten grids in process — and a retailer's
 * `kirikae call` against it from another process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kirikae, kirikaeHome } from '../support/kirikae-process.ts';
import { startSystem } from '../../src/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { forEachBackend } from '../support/backends.ts';

forEachBackend('the system, started as npm start does', (backend) => {
  test('comes up with demo identities and answers a retailer’s kirikae call over mutual TLS', async () => {
    await using db = await backend.open({ migrated: false });
    const home = db.url ? mkdtempSync(join(tmpdir(), 'kirikae-system-')) : await kirikaeHome('system');
    const env = { KIRIKAE_HOME: home, PORT: '0', OPS_PORT: '0', KIRIKAE_QUIET: '1', DATABASE_URL: db.url ?? '' };
    if (!db.url) await db.close(); // PGlite: the system opens its own under KIRIKAE_HOME
    const system = await startSystem(loadConfig({ ...process.env, ...env }));
    try {
      const demo = readFileSync(join(home, 'DEMO.md'), 'utf8');
      assert.match(demo, /pki\/api\/A003\.cert\.pem/);
      assert.match(demo, /\| a003\.user \| A003 \| user \| `[^`]{16}` \|/);
      const point = /\b(03\d{20})\b/.exec(demo.slice(demo.indexOf('東京')))?.[1];
      assert.ok(point, 'DEMO.md lists Tokyo supply points');
      const relays = await system.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM hub.relay WHERE old_company_code = 'A003' AND new_company_code = 'B001' AND status = '01'`,
      );
      assert.equal(relays.rows[0]!.n, 3, "demo relays await the Tokyo incumbent's decision");

      const health = await fetch(system.ops!.url);
      assert.deepEqual(await health.json(), { status: 'ok', database: db.url ? 'postgres' : 'pglite' });

      const cert = join(home, 'pki/api/A003.cert.pem');
      const called = await kirikae(env, 'call', 'IF_10110', '--supply-point', point, '--cert', cert, '--url', system.url!);
      assert.equal(called.status, 0, called.err + called.out);
      assert.match(called.out, /IF_10110 設備情報取得: OK/);
      assert.ok(called.out.includes(point));
      const json = await kirikae(env, 'call', 'IF_10110', '--supply-point', point, '--cert', cert, '--url', system.url!, '--soap', '--json');
      assert.equal(JSON.parse(json.out).data.supplyPointId, point);
      const refused = await kirikae(env, 'call', 'IF_10110', '--supply-point', '03', '--cert', cert, '--url', system.url!);
      assert.equal(refused.status, 3);
      assert.match(refused.out, /\[SPID_LENGTH\]/);
    } finally {
      await system.stop();
    }
  });
});

test('routes an area to its grid running as a separate process over HTTPS (PostgreSQL)', {
  skip: !postgresBackendAvailable() && 'needs KIRIKAE_TEST_DATABASE_URL',
}, async () => {
  const { postgresBackend } = await import('../support/backends.ts');
  await using db = await postgresBackend.open({ migrated: false });
  const home = mkdtempSync(join(tmpdir(), 'kirikae-split-'));
  const env = { KIRIKAE_HOME: home, PORT: '0', OPS_PORT: '0', KIRIKAE_QUIET: '1', DATABASE_URL: db.url! };
  // The hub starts first (CA, demo data), then the grid of Tokyo starts in its own process.
  const first = await startSystem(loadConfig({ ...process.env, ...env }));
  await first.stop();
  const grid = spawn(process.execPath, ['src/cli/main.ts', 'grid', 'serve', '--areas', '03', '--port', '0'], { env: { ...process.env, ...env } });
  try {
    const gridUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      grid.stdout.on('data', (c) => {
        out += c;
        const match = /KIRIKAE_GRID_03_URL=(\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      grid.once('exit', (code) => reject(new Error(`grid serve exited ${code}: ${out}`)));
    });
    const system = await startSystem(loadConfig({ ...process.env, ...env, KIRIKAE_GRID_03_URL: gridUrl }));
    try {
      const demo = readFileSync(join(home, 'DEMO.md'), 'utf8');
      const tokyo = /\b(03\d{20})\b/.exec(demo.slice(demo.indexOf('東京')))![1]!;
      const kansai = /\b(06\d{20})\b/.exec(demo.slice(demo.indexOf('関西')))![1]!;
      const cert = join(home, 'pki/api/B002.cert.pem'); // a retailer of both areas
      const remote = await kirikae(env, 'call', 'IF_10110', '--supply-point', tokyo, '--cert', cert, '--url', system.url!, '--json');
      assert.equal(JSON.parse(remote.out).result, 'OK', remote.out + remote.err);
      const local = await kirikae(env, 'call', 'IF_10110', '--supply-point', kansai, '--cert', cert, '--url', system.url!, '--json');
      assert.equal(JSON.parse(local.out).result, 'OK', local.out + local.err);
      grid.kill('SIGTERM');
      await new Promise((resolve) => grid.once('exit', resolve));
      const down = await kirikae(env, 'call', 'IF_10110', '--supply-point', tokyo, '--cert', cert, '--url', system.url!, '--json');
      assert.equal(JSON.parse(down.out).messages[0]?.code, 'GRID_UNAVAILABLE', down.out + down.err);
      const stillLocal = await kirikae(env, 'call', 'IF_10110', '--supply-point', kansai, '--cert', cert, '--url', system.url!, '--json');
      assert.equal(JSON.parse(stillLocal.out).result, 'OK', 'other areas are unaffected');
    } finally {
      await system.stop();
    }
  } finally {
    if (grid.exitCode === null) grid.kill('SIGKILL');
  }
});

function postgresBackendAvailable(): boolean {
  return Boolean(process.env.KIRIKAE_TEST_DATABASE_URL);
}
