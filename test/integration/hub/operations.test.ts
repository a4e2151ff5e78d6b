/**
 * What an operator sees of a hub: Prometheus metrics after known traffic, the request log lines
 * (pino JSON, request ID, participant, interface, personal data redacted), and liveness/readiness
 * on the operations port, failing when the database or a grid is down.
 *
 * The grids are at the edge of a hub-only test: a transport that answers area 03 and is unreachable
 * for area 06 (the real transports are tested in grid/ and hub-grid/).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, type TestHub } from '../../support/hub-server.ts';
import { Metrics } from '../../../src/platform/metrics.ts';
import { createLogger } from '../../../src/platform/log.ts';
import { observedTransport, registerAuditMetrics, registerHubMetrics } from '../../../src/hub/metrics/hub-metrics.ts';
import { startOpsServer, type OpsServer } from '../../../src/platform/http/ops-server.ts';
import pg from 'pg';
import { PostgresDb } from '../../../src/platform/db/postgres.ts';
import { GridUnavailableError } from '../../../src/interfaces/grid-unavailable.ts';
import type { GridTransport } from '../../../src/interfaces/message.ts';
import { Jobs } from '../../../src/platform/jobs.ts';

const tokyoPoint = '0300000000000000000001';
/** A point whose grid does not answer in time. */
const slowPoint = '0300000000000000000002';

const grids: GridTransport = {
  async send(area, request) {
    if (request.body.supplyPointId === slowPoint) throw new GridUnavailableError(area, 'timeout', 'no answer within 10000 ms');
    return { result: 'OK', messages: [], data: { supplyPointId: tokyoPoint } };
  },
};

forEachBackend('operations: metrics, logs, health', (backend) => {
  let db: TestDb;
  let hub: TestHub;
  let ops: OpsServer;
  let jobs: Jobs;
  const metrics = new Metrics({ processMetrics: false });
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ format: 'json', level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });

  before(async () => {
    db = await backend.open();
    hub = await startTestHub(db, { metrics, logger, transport: observedTransport(grids, metrics) });
    registerHubMetrics(metrics, db, hub.clock);
    registerAuditMetrics(metrics, hub.audit);
    jobs = await Jobs.start(db, { schedule: false });
    await jobs.queue('ops.test-queue');
    metrics.watchDatabase(db);
    ops = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      db,
      metrics,
      checks: {
        jobs: () => jobs.ready(),
        'grid 03': async () => {},
        'grid 06': async () => {
          throw new GridUnavailableError('06', 'unreachable', 'connection refused');
        },
      },
    });
  });
  after(async () => {
    await ops?.close();
    await hub?.close();
    await jobs?.stop();
    await db?.close();
  });

  test('/metrics counts requests by interface, binding, result and code, times them, and shows grid calls, backlog, job lag and mail', async () => {
    const retailer = hub.sdk('aApi');
    const soap = hub.sdk('aApi', 'soap');
    assert.equal((await retailer.call('IF_10110', { supplyPointId: tokyoPoint })).result, 'OK');
    assert.equal((await retailer.call('IF_10110', { supplyPointId: tokyoPoint })).result, 'OK');
    assert.equal((await retailer.call('IF_10110', { supplyPointId: '03' })).messages[0]?.code, 'SPID_LENGTH');
    assert.equal((await soap.call('IF_10110', { supplyPointId: '03' })).messages[0]?.code, 'SPID_LENGTH');
    assert.equal((await retailer.call('IF_10110', { supplyPointId: slowPoint })).messages[0]?.code, 'GRID_UNAVAILABLE');
    retailer.close();
    soap.close();
    // Two filings the grid has not taken yet (the oldest an hour old), one mail failing, one job waiting.
    const now = hub.clock.now();
    for (const [n, ageMs] of [
      [1, 3_600_000],
      [2, 60_000],
    ] as const) {
      await db.query(
        `INSERT INTO hub.application_outbox (application_number, delivery_id, company_code, participant_code, request_id, interface_id, update_flag, area, supply_point_id, body, filed_at, status, next_attempt_at)
         VALUES ($1, $1, '1003', '10033', $2, 'IF_10610', '1', '03', $3, '{}', $4, 'pending', $4)`,
        [`AP03-2026040100000${n}`, `r-${n}`, tokyoPoint, new Date(now.getTime() - ageMs)],
      );
    }
    await db.query(
      `INSERT INTO hub.mail_outbox (company_code, message_id, to_address, subject, body, kind, created_at, attempts, next_attempt_at, last_error)
       VALUES ('1003', 'm-1', 'ops@1003.example', 's', 'b', 'single', $1, 2, $1, 'connection refused')`,
      [now],
    );
    await jobs.boss.send('ops.test-queue', {}, { startAfter: new Date(Date.now() - 30_000) });

    const text = await (await fetch(`${ops.base}/metrics`)).text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    assert.equal(value('kirikae_requests_total{interface="IF_10110",binding="json",result="OK",code=""}'), 2);
    assert.equal(value('kirikae_requests_total{interface="IF_10110",binding="soap",result="NG",code="SPID_LENGTH"}'), 1);
    assert.equal(value('kirikae_requests_total{interface="IF_10110",binding="json",result="NG",code="SPID_LENGTH"}'), 1);
    assert.equal(value('kirikae_requests_total{interface="IF_10110",binding="json",result="NG",code="GRID_UNAVAILABLE"}'), 1);
    assert.equal(value('kirikae_request_duration_seconds_count{interface="IF_10110",binding="json",result="OK"}'), 2);
    assert.ok(value('kirikae_request_duration_seconds_sum{interface="IF_10110",binding="json",result="OK"}')! > 0);
    assert.equal(value('kirikae_grid_calls_total{area="03",outcome="ok"}'), 2);
    assert.equal(value('kirikae_grid_calls_total{area="03",outcome="timeout"}'), 1);
    assert.equal(value('kirikae_grid_up{area="03"}'), 0, 'the last call found it down');
    assert.equal(value('kirikae_outbox_pending{area="03"}'), 2);
    assert.ok(Math.abs(value('kirikae_outbox_oldest_pending_seconds{area="03"}')! - 3600) < 5);
    assert.equal(value('kirikae_mail_queue{state="pending"}'), 1);
    assert.equal(value('kirikae_mail_queue{state="failing"}'), 1);
    assert.equal(value('kirikae_job_queue_ready{queue="ops.test-queue"}'), 1);
    assert.ok(value('kirikae_job_queue_lag_seconds{queue="ops.test-queue"}')! >= 29);
    assert.equal(value('kirikae_relays_awaiting_decision{family="LV"}'), undefined, 'no relay waits');
    if (db.url) assert.ok(value('kirikae_db_pool_connections{state="total"}')! >= 1);
    // The audit records of those requests: journaled at once, in the database within its 50 ms batches.
    await hub.audit.flush();
    const audited = await (await fetch(`${ops.base}/metrics`)).text();
    const gauge = (name: string) =>
      Number(
        audited
          .split('\n')
          .find((l) => l.startsWith(`${name} `))
          ?.slice(name.length + 1),
      );
    assert.equal(gauge('kirikae_audit_backlog_records'), 0);
    assert.equal(gauge('kirikae_audit_backlog_journal_bytes'), 0);
    assert.equal(gauge('kirikae_audit_backlog_oldest_seconds'), 0);
  });

  test('each request is one JSON log line with its request ID, participant and interface; personal data is redacted', async () => {
    lines.length = 0;
    const retailer = hub.sdk('aApi');
    const answer = await retailer.call('IF_10610', {
      requestId: 'log-1',
      updateFlag: '1',
      supplyPointId: '03',
      customerNameKana: 'ヤマダ ハナコ',
      customerName: '山田 花子',
      currentRetailerCode: '20013',
    });
    retailer.close();
    assert.equal(answer.result, 'NG');
    const line = lines.find((l) => l.interface === 'IF_10610');
    assert.ok(line, JSON.stringify(lines));
    assert.equal(line.level, 'info');
    assert.equal(line.scope, 'http');
    assert.match(String(line.reqId), /^[0-9a-f-]{36}$/);
    assert.equal(line.participant, '1003');
    assert.equal(line.binding, 'json');
    assert.equal(line.result, 'NG');
    assert.equal(line.code, 'SPID_LENGTH');
    assert.equal(typeof line.ms, 'number');
    assert.doesNotMatch(JSON.stringify(lines), /山田|ヤマダ/, 'no request body is logged');

    // Whoever logs an object with personal data in it, at any depth, it is censored.
    lines.length = 0;
    logger.warn(
      {
        customerName: '山田 花子',
        request: { body: { customerNameKana: 'ヤマダ ハナコ', phoneNumber: '0312345678', address: { street: '丸の内1-1' }, supplyPointId: tokyoPoint } },
        user: { password: 'Kirikae-2026', usagePassword: 'ABCD2345EFGH' },
        headers: { cookie: 'kirikae_session=secret' },
      },
      'something odd',
    );
    const logged = JSON.stringify(lines[0]);
    for (const secret of ['山田', 'ヤマダ', '0312345678', '丸の内', 'Kirikae-2026', 'ABCD2345EFGH', 'kirikae_session=secret']) {
      assert.ok(!logged.includes(secret), `${secret} is redacted: ${logged}`);
    }
    assert.ok(logged.includes(tokyoPoint), 'what is not personal stays');
    assert.equal((lines[0] as { customerName: string }).customerName, '[REDACTED]');
  });

  test('/health/live answers while the process runs; /health/ready names each check and fails with a grid or the database down', async () => {
    const live = await fetch(`${ops.base}/health/live`);
    assert.equal(live.status, 200);
    const ready = await fetch(`${ops.base}/health/ready`);
    const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> };
    assert.equal(ready.status, 503);
    assert.equal(body.status, 'unavailable');
    assert.deepEqual(Object.fromEntries(Object.entries(body.checks).map(([name, check]) => [name, check.ok])), {
      database: true,
      jobs: true,
      'grid 03': true,
      'grid 06': false,
    });
    assert.match(body.checks['grid 06']!.error!, /unreachable|connection refused/);

    // A database that does not answer: not ready, still live.
    const gone = new PostgresDb(
      new pg.Pool({ connectionString: 'postgres://kirikae@127.0.0.1:1/nowhere', connectionTimeoutMillis: 1000 }),
      'postgres://127.0.0.1:1/nowhere',
    );
    const opsWithoutDatabase = await startOpsServer({ host: '127.0.0.1', port: 0, db: gone, checks: { 'grid 03': async () => {} } });
    try {
      const down = await fetch(`${opsWithoutDatabase.base}/health/ready`);
      const downBody = (await down.json()) as { checks: Record<string, { ok: boolean }> };
      assert.equal(down.status, 503);
      assert.equal(downBody.checks.database?.ok, false);
      assert.equal(downBody.checks['grid 03']?.ok, true);
      assert.equal((await fetch(`${opsWithoutDatabase.base}/health/live`)).status, 200);
      assert.equal((await fetch(`${opsWithoutDatabase.base}/metrics`)).status, 404, 'no metrics were given to this one');
    } finally {
      await opsWithoutDatabase.close();
      await gone.close();
    }
  });
});
