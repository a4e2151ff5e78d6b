/**
 * `KIRIKAE_MODE=verification` as a retailer's developer starts it: the hub with the demo world and
 * the grid stub in place of the reference grids, a designated ID answered as the table says to a
 * `kirikae call` from another process, the banner on every screen, the data provision test page
 * pulled by `kirikae pull`, and data that never mixes
 * with another mode's (the stricter rate limit: test/integration/hub/verification-rate-limit.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kirikae, kirikaeHome } from '../support/kirikae-process.ts';
import { TestClient } from '../support/https-client.ts';
import { startSystem } from '../../src/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { forEachBackend } from '../support/backends.ts';
import { isRefusal } from '../../src/domain/refusal.ts';

forEachBackend('the verification environment, started as its README says', (backend) => {
  test('answers designated IDs from the stub, shows its banner, and refuses to open its data in another mode', async () => {
    // Migrated beforehand (the migrations of a first start: cli.test.ts, migrate.test.ts); the demo
    // data, certificates and DEMO.md are made by the system as on a first start. PGlite: the system
    // opens its own under KIRIKAE_HOME, from a migrated folder; no database is opened here.
    await using db = backend.name === 'postgres' ? await backend.open() : undefined;
    const home = db ? mkdtempSync(join(tmpdir(), 'kirikae-verification-')) : await kirikaeHome('verification', { database: 'migrated' });
    const env = { KIRIKAE_HOME: home, PORT: '0', OPS_PORT: '0', KIRIKAE_QUIET: '1', DATABASE_URL: db?.url ?? '', KIRIKAE_MODE: 'verification' };
    const system = await startSystem(loadConfig({ ...process.env, ...env }));
    try {
      const cert = join(home, 'pki/api/A003.cert.pem');
      const called = await kirikae(env, 'call', 'IF_10110', '--supply-point', '0399990102000000000000', '--cert', cert, '--url', system.url!);
      assert.equal(called.status, 3, called.err + called.out);
      assert.match(called.out, /\[GRID_FACILITY_NOT_FOR_HV\]/);

      // The banner on every screen, even the sign-in page.
      const client = new TestClient(system.url!.replace(/\/$/, ''), {
        certPem: readFileSync(join(home, 'pki/terminal/a003.user.cert.pem'), 'utf8'),
        keyPem: readFileSync(join(home, 'pki/terminal/a003.user.key.pem'), 'utf8'),
        caPem: readFileSync(join(home, 'pki/ca.cert.pem'), 'utf8'),
      });
      assert.match((await client.get('/login')).body, /class="env-banner"[^>]*><strong>検証環境<\/strong>/);

      // The data provision test page: `kirikae pull` given the test page as its site fetches a sample of each kind that has one.
      const registered = await kirikae(env, 'grid', 'pps', 'register', '--area', '03', '--cert', cert, '--participant', 'A0033');
      assert.equal(registered.status, 0, registered.err + registered.out);
      const into = mkdtempSync(join(tmpdir(), 'kirikae-samples-'));
      const pulled = await kirikae(env, 'pull', '--area', '03', '--cert', cert, '--into', into, '--url', `${system.url}grid/03/PPS/test/`);
      assert.equal(pulled.status, 0, pulled.err + pulled.out);
      assert.match(pulled.out, /^14 downloaded/m, 'the four W4 kinds, the six W5 kinds and the four CSV reports');
      assert.ok(existsSync(join(into, 'W41110202604010000000000.xml')), 'the LV same-day sample, unzipped');
      assert.ok(existsSync(join(into, 'W51220202604010000000.xml')), 'the LV monthly settled-usage sample, unzipped');
    } finally {
      await system.stop();
    }
    if (!db) {
      // The same data in sandbox mode: refused before anything is written.
      await assert.rejects(
        startSystem(loadConfig({ ...process.env, ...env, KIRIKAE_MODE: 'sandbox' })),
        (error) => isRefusal(error) && error.code === 'VERIFY_MODE_DATA_MISMATCH' && /verification/.test(error.text),
      );
    }
  });
});
