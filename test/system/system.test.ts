/**
 * The whole system as `npm start` brings it up — composition root, demo data, demo
 * certificates and DEMO.md, HTTPS with mutual TLS, the ten grids in process — and a retailer's
 * `kirikae call` against it from another process. (A grid in a process of its own, on databases of
 * its own: grid-databases.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kirikae, kirikaeHome } from '../support/kirikae-process.ts';
import { startSystem } from '../../src/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { forEachBackend } from '../support/backends.ts';
import { parseCsvReport } from '../../src/sdk/pps.ts';

forEachBackend('the system, started as npm start does', (backend) => {
  test('comes up with demo identities and answers a retailer’s kirikae call over mutual TLS', async () => {
    // Migrated beforehand (the migrations of a first start: cli.test.ts, migrate.test.ts); the demo
    // data, certificates and DEMO.md are made by the system as on a first start. PGlite: the system
    // opens its own under KIRIKAE_HOME, from a migrated folder; no database is opened here.
    await using db = backend.name === 'postgres' ? await backend.open() : undefined;
    const home = db ? mkdtempSync(join(tmpdir(), 'kirikae-system-')) : await kirikaeHome('system', { database: 'migrated' });
    const env = { KIRIKAE_HOME: home, PORT: '0', OPS_PORT: '0', KIRIKAE_QUIET: '1', DATABASE_URL: db?.url ?? '' };
    const system = await startSystem(loadConfig({ ...process.env, ...env }));
    try {
      const demo = readFileSync(join(home, 'DEMO.md'), 'utf8');
      assert.match(demo, /pki\/api\/1003\.cert\.pem/);
      assert.match(demo, /\| 1003\.user \| 1003 \| user \| `[^`]{16}` \|/);
      const point = /\b(03\d{20})\b/.exec(demo.slice(demo.indexOf('東京')))?.[1];
      assert.ok(point, 'DEMO.md lists Tokyo supply points');
      const relays = await system.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM hub.relay WHERE old_company_code = '1003' AND new_company_code = '2001' AND status = '01'`,
      );
      assert.equal(relays.rows[0]!.n, 3, "demo relays await the Tokyo incumbent's decision");

      const health = await fetch(system.ops!.url);
      const ready = (await health.json()) as { status: string; database: string; checks: Record<string, { ok: boolean }> };
      assert.equal(health.status, 200, JSON.stringify(ready));
      assert.equal(ready.database, db ? 'postgres' : 'pglite');
      assert.deepEqual(Object.keys(ready.checks), [
        'database',
        'jobs',
        ...['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'].map((a) => `grid ${a}`),
      ]);

      const cert = join(home, 'pki/api/1003.cert.pem');
      const called = await kirikae(env, 'call', 'IF_10110', '--supply-point', point, '--cert', cert, '--url', system.url!);
      assert.equal(called.status, 0, called.err + called.out);
      assert.match(called.out, /IF_10110 設備情報取得: OK/);
      assert.ok(called.out.includes(point));
      const json = await kirikae(env, 'call', 'IF_10110', '--supply-point', point, '--cert', cert, '--url', system.url!, '--soap', '--json');
      assert.equal(JSON.parse(json.out).data.supplyPointId, point);
      const refused = await kirikae(env, 'call', 'IF_10110', '--supply-point', '03', '--cert', cert, '--url', system.url!);
      assert.equal(refused.status, 3);
      assert.match(refused.out, /\[SPID_LENGTH\]/);

      // The demo's data provision sites: the last month's CSV reports are there at first start, and the
      // retailer's API certificate is registered with them, so `kirikae pull` fetches them at once.
      const files = mkdtempSync(join(tmpdir(), 'kirikae-system-pull-'));
      const site = new URL('grid/03/PPS/', system.url!).toString();
      const kinds = 'STD_GENSHIWAKE,STD_KEIYAKUKW,STD_SEIGENCHUSHI';
      const pulled = await kirikae(env, 'pull', '--area', '03', '--cert', cert, '--into', files, '--kinds', kinds, '--url', site);
      assert.equal(pulled.status, 0, pulled.err + pulled.out);
      const got = [...pulled.out.matchAll(/^got +(STD_\w+_03_\d{8}_\d{2}\.csv)/gm)].map((m) => m[1]!);
      for (const kind of kinds.split(','))
        assert.ok(
          got.some((n) => n.startsWith(`${kind}_03_`)),
          `${kind} in ${got.join(' ')}`,
        );
      for (const name of got) assert.doesNotThrow(() => parseCsvReport(readFileSync(join(files, name))), name);
      const unknownKind = await kirikae(env, 'pull', '--area', '03', '--cert', cert, '--into', files, '--kinds', 'STD_NOPE', '--url', site);
      assert.equal(unknownKind.status, 2);
      assert.match(unknownKind.err, /PPS_FILTER_INVALID: 絞り込み条件「kinds」の値が正しくありません。/);

      // Interruptions are recorded through the running system (its control channel on PGlite).
      const recorded = await kirikae(
        env,
        'grid',
        'interruption',
        'record',
        '--area',
        '03',
        '--point',
        point,
        '--from',
        '2026-11-20T09:00',
        '--until',
        '2026-11-20T11:00',
        '--cause',
        '事故',
      );
      assert.equal(recorded.status, 0, recorded.err + recorded.out);
      assert.match(recorded.out, new RegExp(`recorded interruption \\d+ at ${point}: 2026-11-20 09:00 – 2026-11-20 11:00 JST, 事故, 割引率 4\\.0%`));
      const bad = await kirikae(
        env,
        'grid',
        'interruption',
        'record',
        '--area',
        '03',
        '--point',
        point,
        '--from',
        '2026-11-20T09:10',
        '--until',
        '2026-11-20T11:00',
        '--cause',
        '計画',
      );
      assert.equal(bad.status, 2);
      assert.match(bad.err, /エラー PPS_INTERRUPTION_NOT_HALF_HOUR: 開始の日時は30分単位（00分または30分）で指定してください。/);
      const listed = await kirikae(env, 'grid', 'interruption', 'list', '--area', '03');
      assert.equal(listed.status, 0, listed.err);
      assert.equal(listed.out.trim().split('\n').length, 1);
      assert.match(listed.out, new RegExp(`${point}  2026-11-20 09:00  2026-11-20 11:00  事故  4\\.0%`));
    } finally {
      await system.stop();
    }
  });
});
