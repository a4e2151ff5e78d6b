/**
 * Facility look-ups per second through the hub, in JSON and in SOAP (TLS, codec, policy, routing,
 * audit, the in-process grid), against the grid's own handler called directly in the same process
 * with the same concurrency: the hub path should keep at least 40% of it. Runs on a registry the
 * caller has seeded (lookupBench: 1,000,000 points), with Tokyo's points, which the retailer 1003
 * of the bench's identities may look up.
 *
 * Also printed, to tell where the time goes: the CPU µs a request of each part (cpu-meter.ts), the
 * statements a request and the TLS handshakes of each round (4: the connections are kept alive), and
 * for reference a bare node:https server answering a fixed body on the same connections: the floor
 * of TLS and HTTP on this machine, not the ratio's baseline.
 */
import { createServer } from 'node:https';
import { benchAuditWriter } from './support.ts';
import { buildHubServer } from '../src/hub/http/hub-server.ts';
import { buildCertificate, givenIdentityWorld, testCertificateAuthority, testClock } from '../src/hub/identity/testing.ts';
import { gridTransportFromConfig } from '../src/grid/transport/config.ts';
import { interfaceById } from '../src/interfaces/catalogue/catalogue.ts';
import { soapRequest } from '../src/interfaces/soap.ts';
import type { Db } from '../src/platform/db/db.ts';
import { issueServerCert } from '../src/platform/pki/issue.ts';
import { type CpuSample, countingDb, perRequest, sampleCpu, threadsCpu } from './cpu-meter.ts';
import { type LoadResult, p99, perSecondOf, runLoad } from './load.ts';

/** As many concurrent callers on each side: four keep-alive connections, or four direct callers. */
const concurrency = 4;
const durationMs = Number(process.env.KIRIKAE_BENCH_SECONDS ?? 3) * 1000;
/**
 * Each side runs this long unmeasured first (the direct calls; the load generator's requests on its
 * open connections), as a running service would have: V8 compiles hot code in background threads
 * during the first thousands of calls, which in a 3-second run cost the hub path (new to the
 * process, and a new thread for the load generator) about as much CPU as the requests themselves.
 */
const warmUpMs = Number(process.env.KIRIKAE_BENCH_WARMUP_SECONDS ?? 1) * 1000;

/** What the direct calls measured. */
type Measured = Pick<LoadResult, 'count' | 'ms' | 'latencies'>;

const rps = perSecondOf;

export async function facilityHubBench(uncounted: Db, tokyoIds: readonly string[]): Promise<void> {
  const counting = countingDb(uncounted);
  const db = counting.db;
  const sampleNow = () => sampleCpu(uncounted, counting.statements);
  const clock = testClock('2026-11-25T10:00:00+09:00');
  await givenIdentityWorld(db, clock);
  const grids = await gridTransportFromConfig({ db, clock, env: {} });
  const grid = grids.grids.get('03')!;

  // The grid handler, called directly: warmed up first, then measured.
  let n = 0;
  const callDirect = async (ms: number, record?: Measured) => {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() - started < ms) {
          const t = performance.now();
          const answer = await grid.handle({
            interfaceId: 'IF_10110',
            participantCode: '10033',
            requestId: `b${n}`,
            body: { supplyPointId: tokyoIds[n++ % tokyoIds.length]! },
          });
          if (answer.result !== 'OK') throw new Error(JSON.stringify(answer.messages));
          if (!record) continue;
          record.latencies.push(performance.now() - t);
          record.count++;
        }
      }),
    );
    if (record) record.ms = performance.now() - started;
  };
  await callDirect(warmUpMs);
  const direct: Measured = { count: 0, ms: 0, latencies: [] };
  const directBefore = await sampleNow();
  await callDirect(durationMs, direct);
  const directCpu = perRequest(directBefore, await sampleNow(), direct.count);

  // Through the hub.
  const ca = testCertificateAuthority();
  const server = issueServerCert({ ca, hostnames: ['localhost'], now: new Date('2026-01-01T00:00:00Z') });
  // The hub's audit journal, as `kirikae start` keeps it under KIRIKAE_HOME.
  const { audit, stop: stopAudit } = await benchAuditWriter(db);
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
  let handshakes = 0;
  hub.server.on('secureConnection', () => handshakes++);
  const base = `https://localhost:${(hub.server.address() as { port: number }).port}`;
  const client = buildCertificate({ participantCode: '10033', usage: 'api' }).cert;
  const def = interfaceById('IF_10110')!;
  const sample = tokyoIds.slice(0, 2000);
  const measured = async (run: (onStart: () => void) => Promise<LoadResult>) => {
    let before: Promise<CpuSample> | undefined;
    let threadsBefore = new Map<string, number>();
    const handshakesBefore = handshakes;
    const result = await run(() => {
      if (process.env.KIRIKAE_BENCH_THREADS) console.log('measuring');
      before = sampleNow();
      threadsBefore = threadsCpu();
    });
    // Let the audit writer's batch of the last requests go out, so its statements count here.
    await new Promise((resolve) => setTimeout(resolve, 120));
    const cpu = perRequest(await before!, await sampleNow(), result.count);
    if (process.env.KIRIKAE_BENCH_THREADS) {
      const after = threadsCpu();
      console.log([...after].map(([name, us]) => `${name} ${Math.round((us - (threadsBefore.get(name) ?? 0)) / result.count)}`).join(', '));
    }
    return {
      result,
      cpu,
      handshakes: handshakes - handshakesBefore,
      loadCpu: Math.round((result.loadCpu ?? 0) / result.count),
      loadKernel: Math.round((result.loadKernel ?? 0) / result.count),
    };
  };
  const json = await measured((onStart) =>
    load(
      `${base}/api/v1/IF_10110`,
      sample.map((id) => JSON.stringify({ supplyPointId: id })),
      'application/json',
      client,
      ca.certPem,
      onStart,
    ),
  );
  const soap = await measured((onStart) =>
    load(
      `${base}/soap/IF_10110`,
      sample.map((id) => soapRequest(def, { supplyPointId: id })),
      'text/xml; charset=utf-8',
      client,
      ca.certPem,
      onStart,
    ),
  );
  await hub.close();
  await stopAudit();
  grids.close();

  // The floor, printed for reference (not the ratio's baseline): a bare node:https server with the
  // same TLS material answering every POST with a fixed body, on four connections of the same load
  // generator. No hub can answer faster than this on this machine.
  const answer = JSON.stringify({ result: 'OK', messages: [], data: {} });
  const bare = createServer(
    { key: server.keyPem, cert: server.certPem, ca: [ca.certPem], requestCert: true, rejectUnauthorized: true },
    (request, response) => {
      request.on('data', () => {});
      request.on('end', () =>
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer) }).end(answer),
      );
    },
  );
  bare.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const floor = await measured((onStart) =>
    load(`https://localhost:${(bare.address() as { port: number }).port}/api/v1/IF_10110`, ['{}'], 'application/json', client, ca.certPem, onStart),
  );
  await new Promise((resolve) => bare.close(resolve));

  console.log(
    `facility via hub: IF_10110 JSON ${rps(json.result)}/s (p99 ${p99(json.result.latencies).toFixed(2)} ms), SOAP ${rps(soap.result)}/s (p99 ${p99(soap.result.latencies).toFixed(2)} ms); ` +
      `grid handler direct ${rps(direct)}/s (p99 ${p99(direct.latencies).toFixed(2)} ms); ` +
      `ratio JSON ${(rps(json.result) / rps(direct)).toFixed(2)}, SOAP ${(rps(soap.result) / rps(direct)).toFixed(2)} (target ≥ 0.40)`,
  );
  // CPU per request, in µs: the hub's thread (server, codec, policy, audit, the in-process grid)
  // apart from the load generator's thread; the rest of the process (V8's and libuv's threads);
  // PostgreSQL's backends; statements sent; TLS handshakes during the measured run.
  const pg = (cpu: { postgres: number | undefined; postgresKernel: number | undefined }) =>
    cpu.postgres === undefined ? 'n/a' : `${cpu.postgres} (kernel ${cpu.postgresKernel})`;
  const hubLine = (name: string, m: typeof json) =>
    `${name}: hub thread ${m.cpu.thread} (kernel ${m.cpu.threadSystem}), load generator ${m.loadCpu} (kernel ${m.loadKernel}), other threads ${m.cpu.process - m.cpu.thread - m.loadCpu}, PostgreSQL ${pg(m.cpu)}; ` +
    `${m.cpu.statements.toFixed(3)} statements, ${m.handshakes} handshakes`;
  console.log(
    `facility via hub, CPU µs a request: direct: node ${directCpu.thread} (kernel ${directCpu.threadSystem}), other threads ${directCpu.process - directCpu.thread}, PostgreSQL ${pg(directCpu)}; ` +
      `${directCpu.statements.toFixed(3)} statements | ${hubLine('JSON', json)} | ${hubLine('SOAP', soap)}`,
  );
  console.log(
    `facility via hub, floor: a bare node:https server answering a fixed body on the same 4 connections ${rps(floor.result)}/s (p99 ${p99(floor.result.latencies).toFixed(2)} ms): ` +
      `server thread ${floor.cpu.thread} µs, load generator ${floor.loadCpu} µs a request, ${floor.handshakes} handshakes; ` +
      `the hub's JSON ${(rps(json.result) / rps(floor.result)).toFixed(2)} of it, the grid handler direct ${(rps(direct) / rps(floor.result)).toFixed(2)}`,
  );
  if (process.env.KIRIKAE_BENCH_STATEMENTS) for (const [text, n] of counting.texts) console.log(`  ${n}× ${text.replace(/\s+/g, ' ').trim().slice(0, 70)}`);
}

function load(
  url: string,
  bodies: string[],
  contentType: string,
  cert: { certPem: string; keyPem: string },
  caPem: string,
  onStart: () => void,
): Promise<LoadResult> {
  return runLoad({ url, bodies, contentType, connections: concurrency, durationMs, warmUpMs, certPem: cert.certPem, keyPem: cert.keyPem, caPem }, onStart);
}
