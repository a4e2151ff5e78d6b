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
import { startSystem } from '../src/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { forEachBackend } from './support/backends.ts';

function kirikae(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (status) => resolve({ status, out, err }));
  });
}

forEachBackend('the system, started as npm start does', (backend) => {
  test('comes up with demo identities and answers a retailer’s kirikae call over mutual TLS', async () => {
    await using db = await backend.open();
    const home = mkdtempSync(join(tmpdir(), 'kirikae-system-'));
    const env = { KIRIKAE_HOME: home, PORT: '0', OPS_PORT: '0', KIRIKAE_QUIET: '1', DATABASE_URL: db.url ?? '' };
    if (!db.url) await db.close(); // PGlite: the system opens its own under KIRIKAE_HOME
    const system = await startSystem(loadConfig({ ...process.env, ...env }));
    try {
      const demo = readFileSync(join(home, 'DEMO.md'), 'utf8');
      assert.match(demo, /pki\/api\/A003\.cert\.pem/);
      assert.match(demo, /\| a003\.user \| A003 \| user \| `[^`]{16}` \|/);
      const point = /\b(03\d{20})\b/.exec(demo.slice(demo.indexOf('東京')))?.[1];
      assert.ok(point, 'DEMO.md lists Tokyo supply points');

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
