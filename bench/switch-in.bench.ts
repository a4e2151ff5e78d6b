/**
 * Switch-in applications accepted per second through the hub: `POST /api/v1/IF_10610` (JSON) on
 * keep-alive mutual-TLS connections, each a different supply point of a seeded registry, end to end:
 * validation, policy, the hub's outbox (numbered, recorded, delivered at once), the reference grid's
 * examination and its application row, transition and answer, the audit record. Against the bare
 * INSERT of the same application rows into the grid's table, one statement a row with as many
 * callers, measured in the same run: the ratio is the share of a bare insert's rate the whole
 * path keeps.
 *
 * Three loads, each on points of its own (every request is a new application):
 *   - 4 connections, closed loop (each sends its next request when its answer comes): the
 *     latency-bound case, where the hub's group commit has at most 4 filings to group;
 *   - many connections (default 128: many retailers' systems at once, as at the hub's peaks),
 *     closed loop: the capacity, where the group commit pays (issue 18's ratio);
 *   - open loops at fixed offered rates (default 100/s and 1,000/s) on as many connections: the
 *     latency a caller sees at that load, each request timed from when it was due (issue 18's
 *     p99). They run after the first (which warms the path up), before the
 *     capacity's load, on a database at rest (its seed's checkpoint done).
 * A closed loop's latency is its connections ÷ its rate (Little's law): at capacity it measures how
 * many callers queue, not the hub; the open loop's does not depend on the connections.
 */
import { availableParallelism } from 'node:os';
import { buildHubServer } from '../src/hub/http/hub-server.ts';
import { buildCertificate, givenIdentityWorld, testCertificateAuthority, testClock } from '../src/hub/identity/testing.ts';
import { allGridMigrations } from '../src/grid/schema.ts';
import { seedRegistry } from '../src/grid/seed/seed.ts';
import { gridTransportFromConfig } from '../src/grid/transport/config.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { openPostgres, type PostgresDb } from '../src/platform/db/postgres.ts';
import { issueServerCert } from '../src/platform/pki/issue.ts';
import { type CpuSample, countingDb, perRequest, sampleCpu } from './cpu-meter.ts';
import { type LoadResult, p99, runLoad } from './load.ts';
import { benchAuditWriter, perSecond, withBenchDatabase } from './support.ts';

const fewConnections = 4;
const manyConnections = Number(process.env.KIRIKAE_BENCH_CONNECTIONS ?? 128);
/** The open loops' offered rates, a second. */
const offeredRates = (process.env.KIRIKAE_BENCH_SWITCH_RATES ?? '100,1000').split(',').map(Number);
const durationMs = Number(process.env.KIRIKAE_BENCH_SECONDS ?? 3) * 1000;
/** Switch-ins sent for this long first (each a new application too), neither counted nor timed: V8 compiles the path's hot code meanwhile. */
const warmUpMs = Number(process.env.KIRIKAE_BENCH_WARMUP_SECONDS ?? 1) * 1000;
/** Points for a load at this rate a second: more than it can send in its time (every request is a new application). */
const pointsFor = (rate: number) => Math.ceil(((durationMs + warmUpMs) / 1000) * rate * 1.1) + 100;
/** A closed load's points: more than the hub can take in its time. */
const closedPoints = pointsFor(Number(process.env.KIRIKAE_BENCH_SWITCH_CAPACITY ?? 5_000));
/** Registry points seeded in Tokyo's area for each candidate: about one in sixteen is a contracted LV point without FIT of another retailer. */
const seededPerCandidate = 18;
const newRetailer = '10033';

function percentile(latencies: readonly number[], q: number): number {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length * q)] ?? 0;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** One load through the hub: what it measured, and the CPU of each part a switch-in. */
interface HubRun {
  readonly load: LoadResult;
  readonly cpu: ReturnType<typeof perRequest>;
  /** The bodies it sent (warm-up and measured), from `first`. */
  readonly first: number;
  readonly sent: number;
}

/**
 * The bare INSERT of rows `first` … `first + count − 1` (the points and bodies a load sent), one
 * statement a row, from `callers` callers over a pool as large as the hub's (10 connections).
 */
async function bareInsert(
  uncounted: PostgresDb,
  sampleNow: () => Promise<CpuSample>,
  rows: readonly { readonly point: string; readonly body: string }[],
  first: number,
  count: number,
  callers: number,
  at: Date,
) {
  const pool = await openPostgres(uncounted.url);
  let next = first;
  const before = await sampleNow();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < first + count) {
        const i = next++;
        await pool.query(
          `INSERT INTO grid_03.application (application_number, participant_code, request_id, interface_id, kind, application_kind,
             supply_point_id, stage, stage_at, body, accepted_at, updated_at, update_seq)
           VALUES ($1, $2, $1, 'IF_10610', 'switchIn', '03', $3, '03', $4, $5, $4, $4, nextval('grid_03.application_update_seq'))`,
          [`APBX03-20261125${String(i).padStart(6, '0')}`, newRetailer, rows[i]!.point, at, rows[i]!.body],
        );
      }
    }),
  );
  const ms = performance.now() - started;
  const cpu = perRequest(before, await sampleNow(), count);
  await pool.close();
  return { rate: (count * 1000) / ms, ms, cpu };
}

export async function switchInBench(): Promise<void> {
  await withBenchDatabase(async (uncounted) => {
    const counting = countingDb(uncounted);
    const db = counting.db;
    const sampleNow = () => sampleCpu(uncounted, counting.statements);
    await migrate(db, allGridMigrations);
    const candidates = 2 * closedPoints + offeredRates.reduce((sum, rate) => sum + pointsFor(rate), 0);
    await seedRegistry(db, { points: candidates * seededPerCandidate, seed: 1, areas: ['03'] });
    // The seed wrote gigabytes of WAL: its checkpoint would otherwise spread its writes over the next
    // minutes, under every load measured here (a superuser's or pg_checkpoint's right; else skipped).
    await uncounted.query('CHECKPOINT').catch(() => {});
    const clock = testClock('2026-11-25T10:00:00+09:00');
    await givenIdentityWorld(db, clock);
    const { rows: points } = await db.query<{ id: string; retailer: string }>(
      `SELECT supply_point_id AS id, retailer_code AS retailer FROM grid_03.supply_point
       WHERE status = 'contracted' AND voltage_class = 'LV' AND NOT fit_receiving AND retailer_code <> $1
       ORDER BY supply_point_id LIMIT $2`,
      [newRetailer, candidates],
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
    const rows = points.map((p, i) => ({
      point: p.id,
      body: JSON.stringify({
        requestId: `bench-si-${i}`,
        updateFlag: '1',
        supplyPointId: p.id,
        customerNameKana: 'ヤマダ ハナコ',
        customerName: '山田 花子',
        currentRetailerCode: p.retailer,
      }),
    }));
    let first = 0;
    /** One load, on points of its own. */
    const hubRun = async (connections: number, ratePerSecond?: number): Promise<HubRun> => {
      const count = ratePerSecond ? pointsFor(ratePerSecond) : closedPoints;
      const bodies = rows.slice(first, first + count).map((r) => r.body);
      let before: Promise<CpuSample> | undefined;
      const load = await runLoad(
        {
          url,
          bodies,
          connections,
          durationMs,
          warmUpMs,
          ...(ratePerSecond ? { ratePerSecond } : {}),
          certPem: client.certPem,
          keyPem: client.keyPem,
          caPem: ca.certPem,
        },
        () => {
          before = sampleNow();
        },
      );
      await audit.flush();
      const cpu = perRequest(await before!, await sampleNow(), load.count);
      const sent = load.warmUpCount + load.count; // the warm-up's applications are in the grid's table too
      if (sent > bodies.length) throw new Error(`only ${bodies.length} points for ${sent} requests: raise KIRIKAE_BENCH_SWITCH_CAPACITY`);
      const run = { load, cpu, first, sent };
      first += count;
      return run;
    };
    const open: HubRun[] = [];
    let few: HubRun;
    let many: HubRun;
    try {
      few = await hubRun(fewConnections);
      for (const rate of offeredRates) open.push(await hubRun(manyConnections, rate));
      many = await hubRun(manyConnections);
    } finally {
      await hub.close();
      await stopAudit();
      grids.close();
    }
    const accepted = [few, many, ...open].reduce((sum, run) => sum + run.sent, 0);
    const { rows: inGrid } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.application WHERE participant_code = $1`, [newRetailer]);
    if (inGrid[0]!.n !== accepted) throw new Error(`${inGrid[0]!.n} applications in the grid's table for ${accepted} accepted`);

    // The baselines: the same rows as each closed load sent, one INSERT each, with as many callers.
    const at = clock.now();
    const closed = [
      { name: `${fewConnections} connections`, run: few, bare: await bareInsert(uncounted, sampleNow, rows, few.first, few.sent, fewConnections, at) },
      { name: `${manyConnections} connections`, run: many, bare: await bareInsert(uncounted, sampleNow, rows, many.first, many.sent, manyConnections, at) },
    ];
    for (const { name, run, bare } of closed) {
      const rate = (run.load.count * 1000) / run.load.ms;
      const loadCpu = Math.round(run.load.loadCpu / run.load.count);
      const total = run.cpu.process + (run.cpu.postgres ?? 0);
      console.log(
        `switch-in: IF_10610 through the hub (JSON, ${name}, closed loop, outbox + grid + audit): ${Math.round(rate)} applications/s, ` +
          `p99 ${p99(run.load.latencies).toFixed(1)} ms (mean ${mean(run.load.latencies).toFixed(1)}); bare INSERT of the same rows, ${name.replace('connections', 'callers')}: ` +
          `${perSecond(run.sent, bare.ms)} rows/s; ratio ${(rate / bare.rate).toFixed(3)}${run === many ? ' (target ≥ 0.50)' : ''}`,
      );
      // Where the time goes: CPU µs a switch-in by part, and how many cores that keeps busy at this rate.
      console.log(
        `  CPU µs a switch-in: hub thread ${run.cpu.thread} (kernel ${run.cpu.threadSystem}), load generator ${loadCpu}, other threads ${run.cpu.process - run.cpu.thread - loadCpu}, ` +
          `PostgreSQL ${run.cpu.postgres ?? 'n/a'} (kernel ${run.cpu.postgresKernel ?? 'n/a'}); ${run.cpu.statements.toFixed(2)} statements a switch-in; ` +
          `${((total * rate) / 1e6).toFixed(2)} cores busy of ${availableParallelism()}; bare INSERT: node ${bare.cpu.process}, PostgreSQL ${bare.cpu.postgres ?? 'n/a'} µs a row`,
      );
    }
    for (const [i, run] of open.entries()) {
      const answered = (run.load.count * 1000) / run.load.ms;
      console.log(
        `switch-in, open loop: ${offeredRates[i]}/s offered on ${manyConnections} connections, ${Math.round(answered)}/s answered; latency from when each was due: ` +
          `p50 ${percentile(run.load.latencies, 0.5).toFixed(1)} ms, p99 ${p99(run.load.latencies).toFixed(1)} ms (target < 20 ms), max ${Math.max(...run.load.latencies).toFixed(1)} ms`,
      );
    }
    if (process.env.KIRIKAE_BENCH_STATEMENTS) {
      for (const [text, n] of [...counting.texts].sort((a, b) => b[1] - a[1]))
        console.log(`${(n / accepted).toFixed(2)}  ${text.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
  });
}
