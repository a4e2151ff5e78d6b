/**
 * The control channel of a running system (platform/control): only a caller with the token from
 * the owner's holder file gets in, only on the loopback address; an operation's progress, result
 * and refusal reach the caller as the operation gave them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Refusal, isRefusal } from '../../src/domain/refusal.ts';
import { callControl } from '../../src/platform/control/control-client.ts';
import { startControlServer } from '../../src/platform/control/control-server.ts';

function post(url: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method: 'POST', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

test('answers only the bearer of its token, on the loopback address, under the loopback host name', async () => {
  let ran = 0;
  const server = await startControlServer({ 'clock.show': async () => ++ran });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.token, /^[A-Za-z0-9_-]{43}$/, '256 random bits');
    const host = new URL(server.url).host;
    assert.equal(await post(server.url, '/v1/clock.show', {}), 401);
    assert.equal(await post(server.url, '/v1/clock.show', { authorization: `Bearer ${server.token.slice(0, -1)}x` }), 401);
    assert.equal(await post(server.url, '/v1/clock.show', { authorization: server.token }), 401);
    // A web page that rebinds a name of its own to 127.0.0.1 sends that name as Host.
    assert.equal(await post(server.url, '/v1/clock.show', { authorization: `Bearer ${server.token}`, host: `evil.example:${host.split(':')[1]}` }), 401);
    assert.equal(await post(server.url, '/v1/nothing', { authorization: `Bearer ${server.token}` }), 404);
    assert.equal(await post(server.url, '/v1/constructor', { authorization: `Bearer ${server.token}` }), 404);
    assert.equal(ran, 0, 'nothing ran for a refused request');
    assert.equal(await callControl(server, 'clock.show', {}), 1);
    await assert.rejects(callControl({ url: server.url, token: 'guess' }, 'clock.show', {}), /answered 401/);
  } finally {
    await server.close();
  }
});

test('streams the progress, then the result; a refusal keeps its code, field and formatted text', async () => {
  const server = await startControlServer(
    {
      seed: async (input, progress) => {
        progress({ loaded: 1 });
        // Silent for a while: the server keeps the connection busy with empty lines.
        await new Promise((resolve) => setTimeout(resolve, 60));
        progress({ loaded: 2 });
        return { echoed: input };
      },
      'certificate.setStatus': async () => {
        throw new Refusal('SEED_REGISTRY_NOT_EMPTY', { field: 'points', params: { count: 12 } });
      },
    },
    { keepAliveMs: 5 },
  );
  try {
    const reports: unknown[] = [];
    assert.deepEqual(await callControl(server, 'seed', { points: 3 }, (r) => reports.push(r)), { echoed: { points: 3 } });
    assert.deepEqual(reports, [{ loaded: 1 }, { loaded: 2 }]);
    const refused = await callControl(server, 'certificate.setStatus', {}).catch((error: unknown) => error);
    assert.ok(isRefusal(refused));
    assert.equal(refused.code, 'SEED_REGISTRY_NOT_EMPTY');
    assert.equal(refused.field, 'points');
    assert.equal(refused.text, '供給地点台帳にはすでに12件の供給地点があります。置き換える場合は --replace を指定してください。');
  } finally {
    await server.close();
  }
});
