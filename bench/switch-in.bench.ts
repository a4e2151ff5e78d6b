/**
 * Switch-in applications accepted per second through the hub: `POST /api/v1/IF_10610` (JSON) on
 * keep-alive mutual-TLS connections, each a different supply point of a seeded registry, end to end:
 * validation, policy, the hub's outbox (numbered, recorded, delivered at once), the reference grid's
 * examination and its application row, transition and answer, the audit record. Against the bare
 * INSERT of the same application rows into the grid's table, one statement a row on as many
 * connections, measured in the same run: the ratio is the share of a bare insert's rate the whole
 * path keeps.
 */
import { availableParallelism } from 'node:os';
import { buildHubServer } from '../src/hub/http/hub-server.ts';
import { buildCertificate, givenIdentityWorld, testCertificateAuthority, testClock } from '../src/hub/identity/testing.ts';
import { allGridMigrations } from '../src/grid/schema.ts';
import { seedRegistry } from '../src/grid/seed/seed.ts';
import { gridTransportFromConfig } from '../src/grid/transport/config.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { issueServerCert } from '../src/platform/pki/issue.ts';
import { type CpuSample, countingDb, perRequest, sampleCpu } from './cpu-meter.ts';
import { type LoadResult, p99, runLoad } from './load.ts';
import { benchAuditWriter, perSecond, withBenchDatabase } from './support.ts';

const connections = 4;
const durationMs = Number(process.env.KIRIKAE_BENCH_SECONDS ?? 3) * 1000;
/** Switch-ins sent for this long first (each a new application too), neither counted nor timed: V8 compiles the path's hot code meanwhile. */
const warmUpMs = Number(process.env.KIRIKAE_BENCH_WARMUP_SECONDS ?? 1) * 1000;
/** More points than the hub can take in the measured time: every request is a new application. */
const candidatePoints = Number(process.env.KIRIKAE_BENCH_SWITCH_POINTS ?? 20_000);
const newRetailer = '10033';

export async function switchInBench(): Promise<void> {
  await withBenchDatabase(async (uncounted) => {
    const counting = countingDb(uncounted);
    const db = counting.db;
    await migrate(db, allGridMigrations);
    await seedRegistry(db, { points: Math.max(50_000, candidatePoints * 4), seed: 1 });
    const clock = testClock('2026-11-25T10:00:00+09:00');
    await givenIdentityWorld(db, clock);
    const { rows: points } = await db.query<{ id: string; retailer: string }>(
      `SELECT supply_point_id AS id, retailer_code AS retailer FROM grid_03.supply_point
       WHERE status = 'contracted' AND voltage_class = 'LV' AND NOT fit_receiving AND retailer_code <> $1
       ORDER BY supply_point_id LIMIT $2`,
      [newRetailer, candidatePoints],
    );

    const ca = testCertificateAuthority();
    const server = issueServerCert({ ca, hostnames: ['localhost'], now: new Date('2026-01-01T00:00:00Z') });
    const tls = { keyPem: server.keyPem, certPem: server.certPem, caPems: [ca.certPem] };
    const client = buildCertificate({ participantCode: newRetailer, usage: 'api' }).cert;
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    // The hub's audit journal, as `kirikae start` keeps it under KIRIKAE_HOME.
    const { audit, stop: stopAudit } = await benchAuditWriter(db);
    const hub = await buildHubServer({ db, clock, tls, audit, transport: grids, requestsPerMinute: 100_000_000, requestBurst: 1_000_000 });
    await hub.listen({ host: '127.0.0.1', port: 0 });
    const url = `https://localhost:${(hub.server.address() as { port: number }).port}/api/v1/IF_10610`;
    const bodies = points.map((p, i) =>
      JSON.stringify({
        requestId: `bench-si-${i}`,
        updateFlag: '1',
        supplyPointId: p.id,
        customerNameKana: 'ヤマダ ハナコ',
        customerName: '山田 花子',
        currentRetailerCode: p.retailer,
      }),
    );
    let measured: LoadResult;
    let cpu: ReturnType<typeof perRequest>;
    try {
      let before: Promise<CpuSample> | undefined;
      measured = await runLoad({ url, bodies, connections, durationMs, warmUpMs, certPem: client.certPem, keyPem: client.keyPem, caPem: ca.certPem }, () => {
        before = sampleCpu(uncounted, counting.statements);
      });
      await audit.flush();
      cpu = perRequest(await before!, await sampleCpu(uncounted, counting.statements), measured.count);
    } finally {
      await hub.close();
      await stopAudit();
      grids.close();
    }
    const sent = measured.warmUpCount + measured.count; // the warm-up's applications are in the grid's table too
    if (sent > bodies.length) throw new Error(`only ${bodies.length} distinct points for ${sent} requests: raise KIRIKAE_BENCH_SWITCH_POINTS`);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.application WHERE participant_code = $1`, [newRetailer]);
    if (rows[0]!.n !== sent) throw new Error(`${rows[0]!.n} applications in the grid's table for ${sent} accepted`);

    // The baseline: the same rows (as many as the hub took), one INSERT each, on as many connections.
    const accepted = clock.now();
    const pool = await openPostgres(uncounted.url);
    let next = 0;
    const bareBefore = await sampleCpu(uncounted, counting.statements);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < sent) {
          const i = next++;
          await pool.query(
            `INSERT INTO grid_03.application (application_number, participant_code, request_id, interface_id, kind, application_kind,
               supply_point_id, stage, stage_at, body, accepted_at, updated_at, update_seq)
             VALUES ($1, $2, $1, 'IF_10610', 'switchIn', '03', $3, '03', $4, $5, $4, $4, nextval('grid_03.application_update_seq'))`,
            [`APBX03-20261125${String(i).padStart(6, '0')}`, newRetailer, points[i]!.id, accepted, bodies[i]],
          );
        }
      }),
    );
    const bareMs = performance.now() - started;
    const inserted = sent;
    const bareCpu = perRequest(bareBefore, await sampleCpu(uncounted, counting.statements), inserted);
    await pool.close();

    const hubRate = (measured.count * 1000) / measured.ms;
    const bareRate = (inserted * 1000) / bareMs;
    console.log(
      `switch-in: IF_10610 through the hub (JSON, ${connections} keep-alive mTLS connections, outbox + grid + audit): ${Math.round(hubRate)} applications/s, ` +
        `p99 ${p99(measured.latencies).toFixed(1)} ms, ${sent} in the grid's table; bare INSERT of the same rows: ${perSecond(inserted, bareMs)} rows/s; ratio ${(hubRate / bareRate).toFixed(3)}`,
    );
    if (process.env.KIRIKAE_BENCH_STATEMENTS) {
      for (const [text, n] of [...counting.texts].sort((a, b) => b[1] - a[1]))
        console.log(`${(n / sent).toFixed(2)}  ${text.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    // Where the time goes: CPU µs a switch-in by part, and how many cores that keeps busy at this rate.
    const loadCpu = Math.round(measured.loadCpu / measured.count);
    const total = cpu.process + (cpu.postgres ?? 0);
    console.log(
      `switch-in, CPU µs a switch-in: hub thread ${cpu.thread} (kernel ${cpu.threadSystem}), load generator ${loadCpu}, other threads ${cpu.process - cpu.thread - loadCpu}, ` +
        `PostgreSQL ${cpu.postgres ?? 'n/a'} (kernel ${cpu.postgresKernel ?? 'n/a'}); ${cpu.statements.toFixed(2)} statements a switch-in; ` +
        `${((total * hubRate) / 1e6).toFixed(2)} cores busy of ${availableParallelism()}, mean latency ${(measured.latencies.reduce((a, b) => a + b, 0) / measured.latencies.length).toFixed(1)} ms; ` +
        `bare INSERT: node ${bareCpu.process}, PostgreSQL ${bareCpu.postgres ?? 'n/a'} µs a row`,
    );
  });
}

if (import.meta.main) await switchInBench();
