/**
 * The benches' load generator, in its own thread (started by `runLoad` of load.ts): `connections`
 * mutual-TLS connections (node:tls, the bench's client certificate), each kept alive with one
 * request in flight, POSTing the bodies in turn (or, without bodies, GETting the URL) for
 * `durationMs` after `warmUpMs` unmeasured, and checking every answer (status 200, and for a POST
 * result OK). Closed loop (a connection sends its next request when its answer comes) or, with
 * `ratePerSecond`, open loop (requests due at a fixed rate, each timed from when it was due).
 *
 * It is the measuring instrument, not the system, and it shares the two cores with the hub: so it
 * speaks just the HTTP/1.1 it needs — a request written as one buffer, an answer read up to its
 * Content-Length (anything else, chunked or a closed connection, fails the run) — at about a third
 * of the CPU of node:https's Agent or of undici's Client (tried: both 190–270 µs a request on the
 * loaded machine, this 65–85 µs). Reports its own thread's CPU time, which a bench can print apart
 * from the hub's.
 */
import { connect, type TLSSocket } from 'node:tls';
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadJob } from './load.ts';

const job = workerData as LoadJob;
const url = new URL(job.url);
/** A POST's answer must say OK (JSON or SOAP); a GET's answer only needs its status 200. */
const ok = job.bodies ? /"result":"OK"|<k:result>OK<\/k:result>/ : /(?:)/;
/** Each body's whole request, headers and all, encoded once. */
const requests = job.bodies
  ? job.bodies.map((body) => {
      const bytes = Buffer.from(body, 'utf8');
      const head = `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: ${job.contentType ?? 'application/json'}\r\ncontent-length: ${bytes.length}\r\n\r\n`;
      return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
    })
  : [Buffer.from(`GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`, 'latin1')];
const headEnd = Buffer.from('\r\n\r\n');

let next = 0;
let handshakes = 0;

/** One keep-alive connection: `send` writes a request and resolves with its answer's body. */
class Connection {
  readonly #socket: TLSSocket;
  #buffered: Buffer = Buffer.alloc(0);
  #waiting: { resolve: (body: string) => void; reject: (error: Error) => void } | undefined;

  constructor(socket: TLSSocket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('connection closed by the server')));
  }

  static open(): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(
        { host: url.hostname, port: Number(url.port), servername: url.hostname, cert: job.certPem, key: job.keyPem, ca: job.caPem },
        () => {
          handshakes++;
          socket.off('error', reject);
          resolve(new Connection(socket));
        },
      );
      socket.once('error', reject);
    });
  }

  send(request: Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(request);
    });
  }

  close(): void {
    this.#socket.removeAllListeners('close');
    this.#socket.end();
  }

  #read(chunk: Buffer): void {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    const end = this.#buffered.indexOf(headEnd);
    if (end < 0) return;
    const head = this.#buffered.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length || /\r\ntransfer-encoding:/i.test(head)) {
      this.#fail(new Error(`answer without a Content-Length: ${head.slice(0, 200)}`));
      return;
    }
    const total = end + 4 + Number(length[1]);
    if (this.#buffered.length < total) return;
    if (this.#buffered.length > total) {
      this.#fail(new Error('bytes after the answer, with one request in flight'));
      return;
    }
    const body = this.#buffered.toString('utf8', end + 4, total);
    this.#buffered = Buffer.alloc(0);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (status !== 200) waiting?.reject(new Error(`status ${status}: ${body.slice(0, 200)}`));
    else if (!ok.test(body)) waiting?.reject(new Error(`not OK: ${body.slice(0, 200)}`));
    else waiting?.resolve(body);
  }

  #fail(error: Error): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
  }
}

/** Closed loop on one connection: its next request when the answer to the last comes, until `until`. */
async function run(connection: Connection, until: number, latencies?: number[]): Promise<void> {
  while (performance.now() < until) {
    const started = performance.now();
    await connection.send(requests[next++ % requests.length]!);
    latencies?.push(performance.now() - started);
  }
}

/**
 * Open loop over all connections: a request due every 1/rate s from now until `until`, sent on a
 * free connection (or when one frees), its latency counted from when it was due; resolves once
 * every request due has been answered.
 */
function paced(rate: number, until: number, latencies?: number[]): Promise<void> {
  const start = performance.now();
  const free = [...connections];
  const due: number[] = [];
  let scheduled = 0;
  let inFlight = 0;
  let ended = false;
  return new Promise((resolve, reject) => {
    const dispatch = () => {
      while (due.length > 0 && free.length > 0) {
        const at = due.shift()!;
        const connection = free.pop()!;
        inFlight++;
        connection.send(requests[next++ % requests.length]!).then(() => {
          latencies?.push(performance.now() - at);
          inFlight--;
          free.push(connection);
          dispatch();
        }, reject);
      }
      if (ended && due.length === 0 && inFlight === 0) resolve();
    };
    const tick = () => {
      const now = Math.min(performance.now(), until);
      for (const target = Math.floor(((now - start) * rate) / 1000); scheduled < target; scheduled++) due.push(start + (scheduled * 1000) / rate);
      ended = now >= until;
      dispatch();
      if (!ended) setTimeout(tick, 1);
    };
    tick();
  });
}

/** The job's loop until `until`: closed, or open at the job's rate. */
function load(until: number, latencies?: number[]): Promise<unknown> {
  return job.ratePerSecond ? paced(job.ratePerSecond, until, latencies) : Promise.all(connections.map((c) => run(c, until, latencies)));
}

const connections = await Promise.all(Array.from({ length: job.connections }, () => Connection.open()));
// The warm-up outside the measurement, on the connections the measurement uses.
const warmUpUntil = performance.now() + (job.warmUpMs ?? 0);
await load(warmUpUntil);
const warmUpCount = next;
// The measured window starts now: the bench samples the hub's CPU on this message.
parentPort!.postMessage({ started: true });
const latencies: number[] = [];
const started = performance.now();
const cpu = process.threadCpuUsage();
await load(started + job.durationMs, latencies);
const spent = process.threadCpuUsage(cpu);
const ms = performance.now() - started;
for (const c of connections) c.close();
parentPort!.postMessage({
  count: latencies.length,
  ms,
  latencies,
  warmUpCount,
  loadCpu: spent.user + spent.system,
  loadKernel: spent.system,
  clientConnects: handshakes,
});
