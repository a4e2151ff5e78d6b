/**
 * Bulk switch-in: a CSV of 100,000 rows (KIRIKAE_BENCH_BULK_ROWS) posted to the hub
 * (`POST /api/v1/bulk/IF_10610`, mutual TLS: parse, validate every row, check request IDs, number,
 * store the filings and their one delivery job in one transaction), then delivered to the grid in
 * batches (`deliverDueBatches`, 500 filings per grid message, up to three in flight, each lane its
 * share of the points: what the delivery job runs) until every
 * application is in the grid's tables (stage 03 or later). Reported: the time to accept (the
 * answer) and the time to deliver (after the answer), each with its ratio to a plain COPY of the
 * same rows into a table shaped like the outbox, measured in the same run.
 * Target (issue 18): every application in the grid's tables within 60 s of the answer.
 */
import { buildHubServer } from '../src/hub/http/hub-server.ts';
import { buildCertificate, givenIdentityWorld, testCertificateAuthority, testClock } from '../src/hub/identity/testing.ts';
import { deliverDueBatches } from '../src/hub/applications/batch-delivery.ts';
import { allGridMigrations } from '../src/grid/schema.ts';
import { seedRegistry } from '../src/grid/seed/seed.ts';
import { gridTransportFromConfig } from '../src/grid/transport/config.ts';
import { copyText } from '../src/platform/db/db.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { issueServerCert } from '../src/platform/pki/issue.ts';
import { KirikaeClient } from '../src/sdk/client.ts';
import { benchAuditWriter, seconds, withBenchDatabase } from './support.ts';

const rowsWanted = Number(process.env.KIRIKAE_BENCH_BULK_ROWS ?? 100_000);
const newRetailer = '10033';

export async function bulkDeliveryBench(): Promise<void> {
  await withBenchDatabase(async (db) => {
    await migrate(db, allGridMigrations);
    // About one point in 16 is a contracted LV demand point of Tokyo of another retailer.
    await seedRegistry(db, { points: Math.max(50_000, rowsWanted * 16), seed: 1 });
    const clock = testClock('2026-11-25T10:00:00+09:00');
    await givenIdentityWorld(db, clock);
    const { rows: points } = await db.query<{ id: string; retailer: string }>(
      `SELECT supply_point_id AS id, retailer_code AS retailer FROM grid_03.supply_point
       WHERE status = 'contracted' AND voltage_class = 'LV' AND NOT fit_receiving AND retailer_code <> $1
       ORDER BY supply_point_id LIMIT $2`,
      [newRetailer, rowsWanted],
    );
    if (points.length < rowsWanted) throw new Error(`only ${points.length} points for ${rowsWanted} rows`);
    const csv = ['requestId,updateFlag,supplyPointId,customerNameKana,customerName,currentRetailerCode']
      .concat(points.map((p, i) => `bulk-${i},1,${p.id},ヤマダ ハナコ,山田 花子,${p.retailer}`))
      .join('\n');

    const ca = testCertificateAuthority();
    const server = issueServerCert({ ca, hostnames: ['localhost'], now: new Date('2026-01-01T00:00:00Z') });
    const tls = { keyPem: server.keyPem, certPem: server.certPem, caPems: [ca.certPem] };
    const cert = buildCertificate({ participantCode: newRetailer, usage: 'api' }).cert;
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    // The hub's audit journal, as `kirikae start` keeps it under KIRIKAE_HOME.
    const { audit, stop: stopAudit } = await benchAuditWriter(db);
    const hub = await buildHubServer({ db, clock, tls, audit, transport: grids, requestsPerMinute: 100_000_000, requestBurst: 1_000_000 });
    await hub.listen({ host: '127.0.0.1', port: 0 });
    const client = new KirikaeClient({
      baseUrl: `https://localhost:${(hub.server.address() as { port: number }).port}`,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      caPem: ca.certPem,
      // A file of 100,000 rows on a loaded machine may take longer than the client's 30 s default.
      timeoutMs: 600_000,
    });
    let acceptMs: number;
    let deliverMs: number;
    let batches: number;
    try {
      const started = performance.now();
      const report = await client.bulk('IF_10610', csv);
      acceptMs = performance.now() - started;
      if (report.result !== 'OK')
        throw new Error(`bulk refused: ${JSON.stringify(report.messages)} ${JSON.stringify(report.data.rows.find((r) => r.result === 'NG'))}`);
      const delivering = performance.now();
      const result = await deliverDueBatches({ db, clock, transport: grids }, { maxBatches: Number.MAX_SAFE_INTEGER });
      deliverMs = performance.now() - delivering;
      batches = result.batches;
      if (result.delivered !== rowsWanted) throw new Error(`delivered ${result.delivered} of ${rowsWanted}`);
      await audit.flush();
    } finally {
      client.close();
      await hub.close();
      await stopAudit();
      grids.close();
    }
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.application WHERE participant_code = $1 AND stage <> '01'`, [
      newRetailer,
    ]);
    if (rows[0]!.n !== rowsWanted) throw new Error(`${rows[0]!.n} applications in the grid's tables for ${rowsWanted} filed`);

    // The baseline: COPY of the same rows into a table shaped like the outbox.
    await db.exec('CREATE TABLE bench_outbox_copy (LIKE hub.application_outbox INCLUDING DEFAULTS)');
    const filedAt = clock.now().toISOString();
    function* lines(): Generator<string> {
      let chunk = '';
      for (const [i, p] of points.entries()) {
        const number = `AP03-20261125${String(i + 1).padStart(6, '0')}`;
        const body = JSON.stringify({
          requestId: `bulk-${i}`,
          updateFlag: '1',
          supplyPointId: p.id,
          customerNameKana: 'ヤマダ ハナコ',
          customerName: '山田 花子',
          currentRetailerCode: p.retailer,
          applicationNumber: number,
        });
        chunk += `${[i + 1, number, number, '1003', newRetailer, `bulk-${i}`, 'IF_10610', '1', '03', p.id, body, filedAt, 'pending', filedAt].map(copyText).join('\t')}\n`;
        if (chunk.length > 1 << 20) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    const copyStarted = performance.now();
    await db.copyFrom(
      'bench_outbox_copy',
      [
        'id',
        'application_number',
        'delivery_id',
        'company_code',
        'participant_code',
        'request_id',
        'interface_id',
        'update_flag',
        'area',
        'supply_point_id',
        'body',
        'filed_at',
        'status',
        'next_attempt_at',
      ],
      lines(),
    );
    const copyMs = performance.now() - copyStarted;
    console.log(
      `bulk switch-in: ${rowsWanted} rows accepted in ${seconds(acceptMs)} s (COPY of the same rows ${(copyMs / 1000).toFixed(2)} s: ${(acceptMs / copyMs).toFixed(1)}× the COPY), ` +
        `all in the grid's tables ${seconds(deliverMs)} s after the answer (${batches} batches; ${(deliverMs / copyMs).toFixed(1)}× the COPY; target < 60 s)`,
    );
  });
}

if (import.meta.main) await bulkDeliveryBench();
