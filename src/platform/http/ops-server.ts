/**
 * The operations port: plain HTTP on the loopback address with `/health` only, for a process
 * supervisor or load balancer that cannot present a client certificate. Everything a participant
 * uses is on the mutual-TLS port; nothing here reveals data.
 */
import { createServer, type Server } from 'node:http';
import type { Db } from '../db/db.ts';

export interface OpsServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startOpsServer(options: { host: string; port: number; db: Db }): Promise<OpsServer> {
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'GET' || req.url !== '/health') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    try {
      await options.db.query('SELECT 1');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', database: options.db.backend }));
    } catch {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'unavailable', database: options.db.backend }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}/health`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
