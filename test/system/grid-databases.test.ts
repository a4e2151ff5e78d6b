/**
 * Each grid on its own database: `kirikae grid serve --areas 03,06` with
 * KIRIKAE_GRID_03_DATABASE_URL and KIRIKAE_GRID_06_DATABASE_URL keeps Tokyo's and Kansai's grids in
 * two PostgreSQL databases of their own (as separate companies would), and the hub reaches them over
 * mutual TLS. The whole switching flow runs across them: switch-out and switch-in filed through the
 * hub, matched, executed after a clock advance (`kirikae clock advance`), the current retailer
 * changed in the area's own database and nowhere else. PostgreSQL only (two processes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kirikae } from '../support/kirikae-process.ts';
import { startSystem } from '../../src/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { demoSupplyPoints } from '../../src/grid/lookup/demo-points.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { KirikaeClient } from '../../src/sdk/client.ts';
import { readFileSync } from 'node:fs';
import type { AreaCode } from '../../src/domain/area.ts';
import type { TestDb } from '../support/backends.ts';

test('two areas’ grids on databases of their own run the whole switching flow through the hub (PostgreSQL)', {
  // PostgreSQL only: run by the PostgreSQL test process (a second process cannot open a PGlite).
  skip: (!process.env.KIRIKAE_TEST_DATABASE_URL || process.env.KIRIKAE_TEST_BACKENDS === 'pglite') && 'needs PostgreSQL (KIRIKAE_TEST_DATABASE_URL)',
}, async () => {
  const { postgresBackend } = await import('../support/backends.ts');
  await using hubDb = await postgresBackend.open({ migrated: false });
  await using tokyoDb = await postgresBackend.open({ migrated: false });
  await using kansaiDb = await postgresBackend.open({ migrated: false });
  const home = mkdtempSync(join(tmpdir(), 'kirikae-grid-db-'));
  const env = { KIRIKAE_HOME: home, PORT: '0', OPS_PORT: '0', KIRIKAE_QUIET: '1', DATABASE_URL: hubDb.url! };
  // The hub's first start makes the CA and the demo participants and certificates.
  const first = await startSystem(loadConfig({ ...process.env, ...env }));
  await first.stop();
  const grid = spawn(process.execPath, ['src/cli/main.ts', 'grid', 'serve', '--areas', '03,06', '--port', '0', '--ops-port', '0'], {
    env: { ...process.env, ...env, KIRIKAE_GRID_03_DATABASE_URL: tokyoDb.url!, KIRIKAE_GRID_06_DATABASE_URL: kansaiDb.url! },
  });
  let output = '';
  try {
    const gridUrl = await new Promise<string>((resolve, reject) => {
      grid.stdout.on('data', (chunk) => {
        output += chunk;
        const match = /KIRIKAE_GRID_06_URL=(\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      grid.stderr.on('data', (chunk) => {
        output += chunk;
      });
      grid.once('exit', (code) => reject(new Error(`grid serve exited ${code}: ${output}`)));
    });
    assert.match(output, /database 03: .+/);
    // The grid process's own operations port: ready (each area's database, the job queue), and metrics.
    const gridHealth = /health:\s+(\S+)/.exec(output)?.[1];
    assert.ok(gridHealth, output);
    const gridReady = await fetch(gridHealth);
    const gridChecks = ((await gridReady.json()) as { checks: Record<string, { ok: boolean }> }).checks;
    assert.equal(gridReady.status, 200, JSON.stringify(gridChecks));
    assert.deepEqual(Object.keys(gridChecks), ['database', 'jobs', 'grid 03', 'grid 06']);
    assert.match(await (await fetch(gridHealth.replace('/health/ready', '/metrics'))).text(), /kirikae_job_queue_lag_seconds\{queue="grid\.matching\.03"\}/);
    // Each area's own database holds that area's schema only, with the demo registry the hub's has.
    for (const [area, db] of [
      ['03', tokyoDb],
      ['06', kansaiDb],
    ] as const) {
      const schemas = await db.query<{ name: string }>(`SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'grid_%' ORDER BY 1`);
      assert.deepEqual(
        schemas.rows.map((r) => r.name),
        [`grid_${area}`],
      );
      const own = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_${area}.supply_point`);
      const hubs = await hubDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_${area}.supply_point`);
      assert.ok(own.rows[0]!.n > 0);
      assert.equal(own.rows[0]!.n, hubs.rows[0]!.n, `area ${area}: the same demo registry`);
    }

    const system = await startSystem(loadConfig({ ...process.env, ...env, KIRIKAE_GRID_03_URL: gridUrl, KIRIKAE_GRID_06_URL: gridUrl }), { jobs: true });
    try {
      const ready = await fetch(system.ops!.url);
      const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean }> };
      assert.equal(ready.status, 200, JSON.stringify(body));
      assert.equal(body.checks['grid 03']?.ok, true);
      assert.equal(body.checks['grid 06']?.ok, true);

      const client = (company: string) =>
        new KirikaeClient({
          baseUrl: system.url!,
          certPem: readFileSync(join(home, `pki/api/${company}.cert.pem`), 'utf8'),
          keyPem: readFileSync(join(home, `pki/api/${company}.key.pem`), 'utf8'),
          caPem: readFileSync(join(home, 'pki/ca.cert.pem'), 'utf8'),
        });
      const newRetailer = client('2002'); // a retailer of both areas
      const flows: { area: AreaCode; db: TestDb; point: string; incumbent: string }[] = [];
      for (const [area, db] of [
        ['03', tokyoDb],
        ['06', kansaiDb],
      ] as const) {
        const [points] = await demoSupplyPoints(hubDb, systemClock, 4).then((all) => all.filter((a) => a.area === area));
        const point = points!.points.find((p) => p.kind === 'lvSmart' && p.retailerCode && !p.retailerCode.startsWith('2002'))!;
        assert.ok(point, `a smart LV point of area ${area} not supplied by 2002`);
        const incumbent = point.retailerCode!;
        const oldRetailer = client(incumbent.slice(0, 4));
        const switchOut = await oldRetailer.call('IF_10710', {
          requestId: `so-${area}`,
          updateFlag: '1',
          supplyPointId: point.supplyPointId,
          newRetailerCode: `2002${area === '03' ? '3' : '6'}`,
        });
        assert.equal(switchOut.result, 'OK', JSON.stringify(switchOut.messages));
        const switchIn = await newRetailer.call('IF_10610', {
          requestId: `si-${area}`,
          updateFlag: '1',
          supplyPointId: point.supplyPointId,
          customerNameKana: point.customerNameKana!,
          customerName: point.customerName!,
          currentRetailerCode: incumbent,
        });
        assert.equal(switchIn.result, 'OK', JSON.stringify(switchIn.messages));
        oldRetailer.close();
        flows.push({ area, db, point: point.supplyPointId, incumbent });
      }
      // Matched in the area's own database at once (the later filing found its counterpart).
      for (const flow of flows) {
        const status = await waitFor(async () => {
          const answer = await newRetailer.call('IF_10620', { requestId: `si-${flow.area}` });
          return (answer.data as { stage?: string } | undefined)?.stage === '05' ? answer : undefined;
        });
        assert.ok(status, `area ${flow.area}: matched (stage 05)`);
      }
      // A month later (the operator's command on the hub's database): the grid serve process runs
      // its areas' due work from the hub's job queue, and the point changes retailer in its own database.
      const advanced = await kirikae(env, 'clock', 'advance', '40d');
      assert.equal(advanced.status, 0, advanced.err + advanced.out);
      for (const flow of flows) {
        const retailer = await waitFor(async () => {
          const { rows } = await flow.db.query<{ retailer_code: string }>(
            `SELECT retailer_code FROM grid_${flow.area}.supply_point WHERE supply_point_id = $1`,
            [flow.point],
          );
          return rows[0]?.retailer_code.startsWith('2002') ? rows[0].retailer_code : undefined;
        }, 30_000);
        assert.equal(retailer, `2002${flow.area === '03' ? '3' : '6'}`, `area ${flow.area}: executed in its own database`);
        const done = await newRetailer.call('IF_10620', { requestId: `si-${flow.area}` });
        assert.match(String((done.data as { stage?: string }).stage), /^0[68]$/, JSON.stringify(done));
        // The hub's database's copy of the area was never touched.
        const { rows } = await hubDb.query<{ retailer_code: string }>(`SELECT retailer_code FROM grid_${flow.area}.supply_point WHERE supply_point_id = $1`, [
          flow.point,
        ]);
        assert.equal(rows[0]?.retailer_code, flow.incumbent);
        const apps = await hubDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_${flow.area}.application`);
        assert.equal(apps.rows[0]!.n, 0);
      }
      // The other areas' grids run in the hub's process, on its database.
      const local = await newRetailer.call('IF_10110', {
        supplyPointId: (await demoSupplyPoints(hubDb, systemClock, 1)).find((a) => a.area === '01')!.points.find((p) => p.kind === 'lvSmart')!.supplyPointId,
      });
      assert.equal(local.result, 'OK', JSON.stringify(local.messages));

      // The grid process stops: its areas are GRID_UNAVAILABLE, readiness says which, the rest answer.
      grid.kill('SIGTERM');
      await new Promise((resolve) => grid.once('exit', resolve));
      const down = await newRetailer.call('IF_10110', { supplyPointId: flows[0]!.point });
      assert.equal(down.messages[0]?.code, 'GRID_UNAVAILABLE', JSON.stringify(down));
      const notReady = await fetch(system.ops!.url);
      const checks = ((await notReady.json()) as { checks: Record<string, { ok: boolean; error?: string }> }).checks;
      assert.equal(notReady.status, 503);
      assert.equal(checks['grid 03']?.ok, false);
      assert.equal(checks['grid 06']?.ok, false);
      assert.equal(checks['grid 01']?.ok, true);
      assert.equal(checks.database?.ok, true);
      const stillLocal = await newRetailer.call('IF_10110', {
        supplyPointId: local.data ? String((local.data as { supplyPointId: string }).supplyPointId) : '',
      });
      assert.equal(stillLocal.result, 'OK', 'other areas are unaffected');
      newRetailer.close();
    } finally {
      await system.stop();
    }
  } finally {
    if (grid.exitCode === null) {
      grid.kill('SIGTERM');
      await new Promise((resolve) => grid.once('exit', resolve));
    }
  }
});

/** Asks again until `probe` gives something (the work runs in another process), at most `ms`. */
async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 15_000): Promise<T | undefined> {
  for (const until = Date.now() + ms; ; ) {
    const value = await probe();
    if (value !== undefined || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
