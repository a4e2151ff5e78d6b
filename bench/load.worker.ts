/**
 * A load generator in its own thread (its own event loop): `connections` clients, each on one
 * keep-alive mutual-TLS connection, sending GET requests back to back for `durationMs`.
 */
import { Agent, request } from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';

interface LoadJob {
  readonly url: string;
  readonly connections: number;
  readonly durationMs: number;
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

const job = workerData as LoadJob;

function get(agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(job.url, { agent, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function client(until: number, latencies: number[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, cert: job.certPem, key: job.keyPem, ca: job.caPem });
  await get(agent); // handshake outside the measurement
  while (performance.now() < until) latencies.push(await get(agent));
  agent.destroy();
}

const latencies: number[] = [];
const started = performance.now();
await Promise.all(Array.from({ length: job.connections }, () => client(started + job.durationMs, latencies)));
parentPort!.postMessage({ count: latencies.length, ms: performance.now() - started, latencies });
