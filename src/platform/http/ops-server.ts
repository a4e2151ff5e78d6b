/**
 * The operations port: plain HTTP (by default on the loopback address) for a process supervisor,
 * a load balancer or Prometheus, which cannot present a client certificate. Everything a participant
 * uses is on the mutual-TLS port; nothing here reveals personal data.
 *
 *   GET /health/live    200 while the process runs and its event loop answers (no dependency checked:
 *                       a supervisor restarts a process that fails this, and restarting does not
 *                       bring a database back)
 *   GET /health/ready   200 when every check passes (database, job queue, each grid), else 503; the
 *                       body names each check and its state: a load balancer sends traffic only to a
 *                       ready hub
 *   GET /health         the same as /health/ready (kept for existing supervisors)
 *   GET /metrics        Prometheus text format (platform/metrics.ts)
 *   GET (a page)        what the process adds (`pages`): figures for its operators, e.g. the grid
 *                       server's `/pps/deadlines`
 */
import { createServer, type Server } from 'node:http';
import type { Db } from '../db/db.ts';
import type { Metrics } from '../metrics.ts';

/** A readiness check: resolves when the dependency is usable, rejects saying why not. */
export type ReadinessCheck = () => Promise<void>;

export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly db: Db;
  /** Checks besides the database's (`jobs`, `grid 03`, …), by name. */
  readonly checks?: Readonly<Record<string, ReadinessCheck>>;
  readonly metrics?: Metrics;
  /** How long one check may take before it counts as failed (default 5 s). */
  readonly checkTimeoutMs?: number;
  /** More GET pages by path (figures only, nothing personal: the port has no authentication). */
  readonly pages?: Readonly<Record<string, OpsPage>>;
}

/** A page of the operations port: answers a GET with its query. */
export type OpsPage = (query: URLSearchParams) => Promise<{ readonly status?: number; readonly contentType: string; readonly body: string }>;

export interface OpsServer {
  /** The readiness URL (`…/health/ready`). */
  readonly url: string;
  /** `http://host:port`. */
  readonly base: string;
  close(): Promise<void>;
}

export interface Readiness {
  readonly status: 'ok' | 'unavailable';
  readonly database: string;
  readonly checks: Record<string, { readonly ok: boolean; readonly error?: string }>;
}

export async function readiness(options: Pick<OpsServerOptions, 'db' | 'checks' | 'checkTimeoutMs'>): Promise<Readiness> {
  const all: Record<string, ReadinessCheck> = { database: async () => void (await options.db.query('SELECT 1')), ...options.checks };
  const timeoutMs = options.checkTimeoutMs ?? 5000;
  const entries = await Promise.all(
    Object.entries(all).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [name, { ok: true }] as const;
      } catch (error) {
        return [name, { ok: false, error: (error as Error).message }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checks = Object.fromEntries(entries);
  return { status: entries.every(([, result]) => result.ok) ? 'ok' : 'unavailable', database: options.db.backend, checks };
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET' }).end('method not allowed\n');
      return;
    }
    try {
      if (path === '/health/live') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'ok', pid: process.pid, uptimeSeconds: Math.round(process.uptime()) }));
      } else if (path === '/health/ready' || path === '/health') {
        const ready = await readiness(options);
        res.writeHead(ready.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(ready));
      } else if (path === '/metrics' && options.metrics) {
        const { contentType, body } = await options.metrics.scrape();
        res.writeHead(200, { 'content-type': contentType }).end(body);
      } else if (path !== undefined && options.pages && Object.hasOwn(options.pages, path)) {
        const answer = await options.pages[path]!(new URLSearchParams((req.url ?? '').split('?')[1] ?? ''));
        res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType, 'cache-control': 'no-store' }).end(answer.body);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      }
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${(error as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const base = `http://${host}:${port}`;
  return {
    url: `${base}/health/ready`,
    base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
