/**
 * The control channel of a running system: how a `kirikae` command in another terminal acts on the
 * running hub instead of opening its embedded database a second time (which the data lock refuses).
 *
 * Plain HTTP on the loopback address, on a port the system picks, never on HOST: it is for the
 * operator's own shell. Every request carries a bearer token of 256 random bits, drawn at each start
 * and written, with the address, to the data folder's holder file (readable by its owner only, see
 * data-lock.ts): whoever can read that file could open the database itself, and no one else gets in.
 * The Host header must name the loopback address, so a web page cannot reach it by DNS rebinding.
 *
 *   POST /v1/<operation>   JSON input → NDJSON answer: zero or more {"progress": …} lines, then one
 *                          {"result": …}, {"refusal": {code, text, field}} or {"error": message};
 *                          an empty line every 15 s while a long operation is silent (a large seed
 *                          rebuilding its indexes), so that no client gives up on an idle connection
 *
 * The operations themselves (what each does to the data) are given by the composition root.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { isRefusal } from '../../domain/refusal.ts';
import { log } from '../log.ts';

/** One operation: JSON in, JSON out; `progress` streams intermediate reports to the caller. */
export type ControlOperation = (input: unknown, progress: (report: unknown) => void) => Promise<unknown>;

export interface ControlChannel {
  readonly url: string;
  readonly token: string;
}

export interface ControlServer extends ControlChannel {
  close(): Promise<void>;
}

/** A request body larger than this is refused: inputs are a few fields and at most one certificate. */
const maxBodyBytes = 1024 * 1024;
/** Well inside the idle limits of HTTP clients (undici gives up after 300 s without a byte). */
const keepAliveMs = 15_000;

export async function startControlServer(
  operations: Readonly<Record<string, ControlOperation>>,
  options: { keepAliveMs?: number } = {},
): Promise<ControlServer> {
  const token = randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  let hostHeader = '';
  const server: Server = createServer((req, res) => {
    const authorization = Buffer.from(req.headers.authorization ?? '');
    if (req.headers.host !== hostHeader || authorization.length !== expected.length || !timingSafeEqual(authorization, expected)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('unauthorized\n');
      return;
    }
    const name = /^\/v1\/([a-z][a-zA-Z.]*)$/.exec(req.url ?? '')?.[1];
    const operation = name !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (req.method !== 'POST' || !operation) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    void (async () => {
      let input: unknown;
      try {
        input = JSON.parse((await readBody(req)) || '{}');
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`${(error as Error).message}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const send = (line: unknown) => res.write(`${JSON.stringify(line)}\n`);
      const keepAlive = setInterval(() => res.write('\n'), options.keepAliveMs ?? keepAliveMs);
      try {
        const result = await operation(input, (report) => send({ progress: report }));
        send({ result: result ?? null });
      } catch (error) {
        if (isRefusal(error)) send({ refusal: error.toDetail() });
        else {
          log('error', 'control', `${name}: ${(error as Error).stack ?? error}`);
          send({ error: (error as Error).message });
        }
      } finally {
        clearInterval(keepAlive);
      }
      res.end();
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  hostHeader = `127.0.0.1:${port}`;
  return {
    url: `http://${hostHeader}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
