/**
 * Facility look-ups per second through the hub, in JSON and in SOAP (TLS, codec, policy, routing,
 * audit, the in-process grid), against the grid's own handler called directly in the same process
 * with the same concurrency: the hub path should keep at least 40% of it. Runs on a registry the
 * caller has seeded (lookupBench: 1,000,000 points), with Tokyo's points, which the retailer 1003
 * of the bench's identities may look up.
 */
import { Worker } from 'node:worker_threads';
import { recordAudit } from '../src/hub/audit/audit.repository.ts';
import type { AuditEntry } from '../src/hub/audit/audit.ts';
import { AuditWriter } from '../src/hub/http/audit-writer.ts';
import { buildHubServer } from '../src/hub/http/hub-server.ts';
import { buildCertificate, givenIdentityWorld, testCertificateAuthority, testClock } from '../src/hub/identity/testing.ts';
import { gridTransportFromConfig } from '../src/grid/transport/config.ts';
import { interfaceById } from '../src/interfaces/catalogue/catalogue.ts';
import { soapRequest } from '../src/interfaces/soap.ts';
import type { Db } from '../src/platform/db/db.ts';
import { issueServerCert } from '../src/platform/pki/issue.ts';

/** As many concurrent callers on each side: four keep-alive connections, or four direct callers. */
const concurrency = 4;
const durationMs = Number(process.env.KIRIKAE_BENCH_SECONDS ?? 3) * 1000;

interface LoadResult {
  count: number;
  ms: number;
  latencies: number[];
}

function p99(latencies: number[]): number {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length * 0.99)] ?? 0;
}

const rps = (r: LoadResult) => Math.round((r.count * 1000) / r.ms);

export async function facilityHubBench(db: Db, tokyoIds: readonly string[]): Promise<void> {
  const clock = testClock('2026-11-25T10:00:00+09:00');
  await givenIdentityWorld(db, clock);
  const grids = await gridTransportFromConfig({ db, clock, env: {} });
  const grid = grids.grids.get('03')!;

  // The grid handler, called directly.
  const direct: LoadResult = { count: 0, ms: 0, latencies: [] };
  const started = performance.now();
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < durationMs) {
        const t = performance.now();
        const answer = await grid.handle({
          interfaceId: 'IF_10110',
          participantCode: '10033',
          requestId: `b${n}`,
          body: { supplyPointId: tokyoIds[n++ % tokyoIds.length]! },
        });
        if (answer.result !== 'OK') throw new Error(JSON.stringify(answer.messages));
        direct.latencies.push(performance.now() - t);
        direct.count++;
      }
    }),
  );
  direct.ms = performance.now() - started;

  // Through the hub.
  const ca = testCertificateAuthority();
  const server = issueServerCert({ ca, hostnames: ['localhost'], now: new Date('2026-01-01T00:00:00Z') });
  const audit = new AuditWriter<AuditEntry>({ write: (entries) => recordAudit(db, entries) });
  const hub = await buildHubServer({
    db,
    clock,
    tls: { keyPem: server.keyPem, certPem: server.certPem, caPems: [ca.certPem] },
    audit,
    transport: grids,
    requestsPerMinute: 100_000_000,
    requestBurst: 1_000_000,
  });
  await hub.listen({ host: '127.0.0.1', port: 0 });
  const base = `https://localhost:${(hub.server.address() as { port: number }).port}`;
  const client = buildCertificate({ participantCode: '10033', usage: 'api' }).cert;
  const def = interfaceById('IF_10110')!;
  const sample = tokyoIds.slice(0, 2000);
  const json = await load(
    `${base}/api/v1/IF_10110`,
    sample.map((id) => JSON.stringify({ supplyPointId: id })),
    'application/json',
    client,
    ca.certPem,
  );
  const soap = await load(
    `${base}/soap/IF_10110`,
    sample.map((id) => soapRequest(def, { supplyPointId: id })),
    'text/xml; charset=utf-8',
    client,
    ca.certPem,
  );
  await hub.close();
  await audit.stop();
  grids.close();

  console.log(
    `facility via hub: IF_10110 JSON ${rps(json)}/s (p99 ${p99(json.latencies).toFixed(2)} ms), SOAP ${rps(soap)}/s (p99 ${p99(soap.latencies).toFixed(2)} ms); ` +
      `grid handler direct ${rps(direct)}/s (p99 ${p99(direct.latencies).toFixed(2)} ms); ` +
      `ratio JSON ${(rps(json) / rps(direct)).toFixed(2)}, SOAP ${(rps(soap) / rps(direct)).toFixed(2)} (target ≥ 0.40)`,
  );
}

function load(url: string, bodies: string[], contentType: string, cert: { certPem: string; keyPem: string }, caPem: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load.worker.ts', import.meta.url), {
      workerData: { url, bodies, contentType, connections: concurrency, durationMs, certPem: cert.certPem, keyPem: cert.keyPem, caPem },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}
