/**
 * Identity, policy and audit cost: requests per second of an authenticated read through the hub
 * (`GET /api/v1/me`: TLS, certificate registry look-up, rate limit, audit record) on one keep-alive
 * mutual-TLS connection per client, against a bare HTTPS server with the same TLS setup answering the
 * same route with the same bytes, measured in the same run. Target: the hub keeps at least half.
 */
import { buildHubServer } from '../src/hub/http/hub-server.ts';
import { buildCertificate, givenIdentityWorld, testCertificateAuthority, testClock } from '../src/hub/identity/testing.ts';
import { createHttpsServer } from '../src/platform/http/https-server.ts';
import { issueServerCert } from '../src/platform/pki/issue.ts';
import { type LoadResult, p99, perSecondOf, runLoad } from './load.ts';
import { benchAuditWriter, withBenchDatabase } from './support.ts';

/** Four clients: enough to keep both cores busy, few enough that each is one connection. */
const connections = 4;
const durationMs = Number(process.env.KIRIKAE_BENCH_SECONDS ?? 3) * 1000;
/**
 * Rounds alternate bare and hub, and each side reports its best round: on a shared machine another
 * process's burst lowers one round, not the comparison.
 */
const rounds = 3;

function load(url: string, cert: { certPem: string; keyPem: string }, caPem: string): Promise<LoadResult> {
  return runLoad({ url, connections, durationMs, certPem: cert.certPem, keyPem: cert.keyPem, caPem });
}

export async function hubReadBench(): Promise<void> {
  await withBenchDatabase(async (db) => {
    const clock = testClock();
    await givenIdentityWorld(db, clock);
    const ca = testCertificateAuthority();
    const server = issueServerCert({ ca, hostnames: ['localhost'], now: new Date('2026-01-01T00:00:00Z') });
    const tls = { keyPem: server.keyPem, certPem: server.certPem, caPems: [ca.certPem] };
    const client = buildCertificate({ participantCode: '10033', usage: 'api' }).cert;

    // The hub's audit journal, as `kirikae start` keeps it under KIRIKAE_HOME.
    const { audit, stop: stopAudit } = await benchAuditWriter(db);
    const hub = await buildHubServer({ db, clock, tls, audit, requestsPerMinute: 100_000_000, requestBurst: 1_000_000 });
    await hub.listen({ host: '127.0.0.1', port: 0 });
    const hubUrl = `https://localhost:${(hub.server.address() as { port: number }).port}/api/v1/me`;

    const body = await fetchBody(hubUrl, client, ca.certPem);
    const bare = createHttpsServer({ tls });
    bare.get('/api/v1/me', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const bareUrl = `https://localhost:${(bare.server.address() as { port: number }).port}/api/v1/me`;

    const rps = perSecondOf;
    let baseline: LoadResult | undefined;
    let measured: LoadResult | undefined;
    for (let round = 0; round < rounds; round++) {
      const b = await load(bareUrl, client, ca.certPem);
      const h = await load(hubUrl, client, ca.certPem);
      if (!baseline || rps(b) > rps(baseline)) baseline = b;
      if (!measured || rps(h) > rps(measured)) measured = h;
    }
    await audit.flush();
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.audit_log WHERE action = 'me'`);
    await hub.close();
    await bare.close();
    await stopAudit();

    const ratio = rps(measured!) / rps(baseline!);
    console.log(
      `hub read: GET /api/v1/me on ${connections} keep-alive mTLS connections, best of ${rounds}: ${rps(measured!)} req/s, p99 ${p99(measured!.latencies).toFixed(2)} ms; ` +
        `bare HTTPS same route: ${rps(baseline!)} req/s, p99 ${p99(baseline!.latencies).toFixed(2)} ms; ratio ${ratio.toFixed(2)} (target ≥ 0.50); ` +
        `${rows[0]?.n ?? 0} audit rows written`,
    );
  });
}

function fetchBody(url: string, cert: { certPem: string; keyPem: string }, caPem: string): Promise<string> {
  return import('node:https').then(
    ({ request }) =>
      new Promise((resolve, reject) => {
        const req = request(url, { cert: cert.certPem, key: cert.keyPem, ca: caPem }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      }),
  );
}
