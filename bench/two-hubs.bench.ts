/**
 * Several hubs, one system: authenticated requests per second (`GET /api/v1/me`: TLS, certificate
 * registry, shared rate-limit bucket, audit record) served by two hubs on one PostgreSQL, each in a
 * thread of its own, against one hub under the same load (the same number of keep-alive mutual-TLS
 * connections, split over the hubs), measured in the same run. On a machine with n cores the two hubs
 * can use two; with other work on the machine, the ratio says how much a second hub adds.
 */
import { Worker } from 'node:worker_threads';
import { buildCertificate, givenIdentityWorld, testCertificateAuthority, testClock } from '../src/hub/identity/testing.ts';
import { issueServerCert } from '../src/platform/pki/issue.ts';
import { type LoadResult, p99, runLoad } from './load.ts';
import { withBenchDatabase } from './support.ts';

const connections = 8;
const durationMs = Number(process.env.KIRIKAE_BENCH_SECONDS ?? 3) * 1000;
const rounds = 3;

function load(url: string, conns: number, cert: { certPem: string; keyPem: string }, caPem: string): Promise<LoadResult> {
  return runLoad({ url, connections: conns, durationMs, certPem: cert.certPem, keyPem: cert.keyPem, caPem });
}

async function startHub(dbUrl: string, tls: object): Promise<{ url: string; stop: () => Promise<void> }> {
  const worker = new Worker(new URL('./hub.worker.ts', import.meta.url), { workerData: { dbUrl, tls } });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url,
    stop: async () => {
      const stopped = new Promise((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}

const rps = (results: LoadResult[]) => Math.round(results.reduce((sum, r) => sum + (r.count * 1000) / r.ms, 0));
const p99Of = (results: LoadResult[]) => p99(results.flatMap((r) => r.latencies));

export async function twoHubsBench(): Promise<void> {
  await withBenchDatabase(async (db) => {
    await givenIdentityWorld(db, testClock());
    const ca = testCertificateAuthority();
    const server = issueServerCert({ ca, hostnames: ['localhost'], now: new Date('2026-01-01T00:00:00Z') });
    const tls = { keyPem: server.keyPem, certPem: server.certPem, caPems: [ca.certPem] };
    const client = buildCertificate({ participantCode: '10033', usage: 'api' }).cert;
    const first = await startHub(db.url, tls);
    const second = await startHub(db.url, tls);
    try {
      let one: LoadResult[] | undefined;
      let two: LoadResult[] | undefined;
      for (let round = 0; round < rounds; round++) {
        const a = [await load(`${first.url}/api/v1/me`, connections, client, ca.certPem)];
        const b = await Promise.all([first, second].map((hub) => load(`${hub.url}/api/v1/me`, connections / 2, client, ca.certPem)));
        if (!one || rps(a) > rps(one)) one = a;
        if (!two || rps(b) > rps(two)) two = b;
      }
      console.log(
        `two hubs: GET /api/v1/me on ${connections} keep-alive mTLS connections, best of ${rounds}: two hubs on one PostgreSQL ${rps(two!)} req/s, p99 ${p99Of(two!).toFixed(2)} ms; ` +
          `one hub ${rps(one!)} req/s, p99 ${p99Of(one!).toFixed(2)} ms; ratio ${(rps(two!) / rps(one!)).toFixed(2)}`,
      );
    } finally {
      await first.stop();
      await second.stop();
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await twoHubsBench();
