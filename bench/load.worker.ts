/**
 * A load generator in its own thread (its own event loop): `connections` clients, each on one
 * keep-alive mutual-TLS connection, sending GET requests back to back for `durationMs`.
 */
import { Agent, request } from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';

interface LoadJob {
  readonly url: string;
  /** POST these bodies in turn (with `contentType`); absent: GET. */
  readonly bodies?: readonly string[];
  readonly contentType?: string;
  readonly connections: number;
  readonly durationMs: number;
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

const job = workerData as LoadJob;

let next = 0;

function get(agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const body = job.bodies ? job.bodies[next++ % job.bodies.length] : undefined;
    const headers = body === undefined ? {} : { 'content-type': job.contentType ?? 'application/json' };
    const req = request(job.url, { agent, method: body === undefined ? 'GET' : 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
        if (body !== undefined && !/"result":"OK"|<k:result>OK<\/k:result>/.test(text)) return reject(new Error(`not OK: ${text.slice(0, 200)}`));
        resolve(performance.now() - started);
      });
    });
    req.on('error', reject);
    req.end(body);
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
