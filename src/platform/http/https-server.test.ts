import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../log.ts';
import { createCa } from '../pki/ca.ts';
import { issueServerCert } from '../pki/issue.ts';
import { createHttpsServer, LazyChildLogger } from './https-server.ts';

const now = new Date('2026-01-01T00:00:00Z');
const ca = createCa({ commonName: 'kirikae test CA', now });
const server = issueServerCert({ ca, hostnames: ['localhost'], now });

/** A server whose lines are kept. */
function serverWithLines(level: 'info' | 'warn') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ format: 'json', level, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  const app = createHttpsServer({ tls: { keyPem: server.keyPem, certPem: server.certPem, caPems: [ca.certPem] }, logger });
  app.get('/says', async (request) => {
    request.log.info({ what: 'something' }, 'a line of the request');
    request.log.debug('below the level');
    return 'logged';
  });
  return { app, lines };
}

test("a request's logger writes its lines with the request's ID", async () => {
  const { app, lines } = serverWithLines('info');
  const response = await app.inject({ method: 'GET', url: '/says' });
  assert.equal(response.statusCode, 200);
  const line = lines.find((l) => l.msg === 'a line of the request');
  assert.ok(line, JSON.stringify(lines));
  assert.equal(line.scope, 'http');
  assert.equal(line.what, 'something');
  assert.match(String(line.reqId), /^[0-9a-f-]{36}$/);
  assert.equal(
    lines.some((l) => l.msg === 'below the level'),
    false,
  );
  await app.close();
});

test("a request's logger makes its child logger at its first line at or above the level, and only once", () => {
  const calls: string[] = [];
  let children = 0;
  const child = {
    level: 'info',
    info: (message: string) => calls.push(`info ${message}`),
    warn: (message: string) => calls.push(`warn ${message}`),
    error: (message: string) => calls.push(`error ${message}`),
  };
  const parent = {
    level: 'warn',
    isLevelEnabled: (level: string) => ['warn', 'error', 'fatal'].includes(level),
    child: (bindings: Record<string, unknown>) => {
      children++;
      assert.deepEqual(bindings, { reqId: 'r-1' });
      return child;
    },
  };
  const log = new LazyChildLogger(parent as never, { reqId: 'r-1' }, {});
  log.info('below');
  log.debug('below');
  assert.equal(children, 0, 'nothing written: no child');
  assert.equal(log.level, 'warn');
  log.warn('first');
  log.error('second');
  log.info('through the child now: its own level decides');
  assert.equal(children, 1);
  assert.deepEqual(calls, ['warn first', 'error second', 'info through the child now: its own level decides']);
});
