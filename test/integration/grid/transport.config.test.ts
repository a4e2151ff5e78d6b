import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import type { Db } from '../../../src/platform/db/db.ts';
import { createCa } from '../../../src/platform/pki/ca.ts';
import { describeCert } from '../../../src/platform/pki/identity.ts';
import { createGridServer } from '../../../src/grid/server.ts';
import { gridRequest, testGridClock } from '../../../src/grid/testing.ts';
import { gridOptionsFromEnv, gridTimeoutFromEnv, gridTransportFromConfig, gridUrlsFromEnv } from '../../../src/grid/transport/config.ts';
import { ensureGridServerTls, ensureHubGridClientTls } from '../../../src/grid/transport/pki.ts';

test('KIRIKAE_GRID_<AREA>_URL names the areas reached over HTTPS; others run in process', () => {
  const urls = gridUrlsFromEnv({ KIRIKAE_GRID_03_URL: 'https://grid03.example:9443', KIRIKAE_GRID_10_URL: ' ' });
  assert.deepEqual([...urls.keys()], ['03']);
  assert.equal(urls.get('03')?.href, 'https://grid03.example:9443/');
  assert.throws(() => gridUrlsFromEnv({ KIRIKAE_GRID_06_URL: 'http://grid06.example' }), /KIRIKAE_GRID_06_URL must be an https:\/\/ URL/);
  assert.throws(() => gridUrlsFromEnv({ KIRIKAE_GRID_06_URL: 'grid06' }), /KIRIKAE_GRID_06_URL/);
});

test('the timeout, the usage password confirmation and the matching lanes come from the environment, with defaults by mode', () => {
  assert.equal(gridTimeoutFromEnv({}), 10_000);
  assert.equal(gridTimeoutFromEnv({ KIRIKAE_GRID_TIMEOUT_MS: '2500' }), 2_500);
  assert.throws(() => gridTimeoutFromEnv({ KIRIKAE_GRID_TIMEOUT_MS: '-1' }), /KIRIKAE_GRID_TIMEOUT_MS/);
  assert.deepEqual(gridOptionsFromEnv({}, 'sandbox'), { usagePasswordConfirmation: 'immediate', matchingLanes: 2 });
  assert.deepEqual(gridOptionsFromEnv({}, 'production'), { usagePasswordConfirmation: 'nextBusinessDay', matchingLanes: 2 });
  assert.deepEqual(gridOptionsFromEnv({ KIRIKAE_GRID_USAGE_PASSWORD_CONFIRMATION: 'nextBusinessDay' }), {
    usagePasswordConfirmation: 'nextBusinessDay',
    matchingLanes: 2,
  });
  assert.throws(() => gridOptionsFromEnv({ KIRIKAE_GRID_USAGE_PASSWORD_CONFIRMATION: 'tomorrow' }), /immediate, nextBusinessDay/);
  assert.equal(gridOptionsFromEnv({ KIRIKAE_GRID_MATCHING_LANES: '4' }).matchingLanes, 4);
  assert.throws(() => gridOptionsFromEnv({ KIRIKAE_GRID_MATCHING_LANES: '0' }), /KIRIKAE_GRID_MATCHING_LANES/);
});

test('certificates for hub and grid are issued once under pki/grid, and again for a new host name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kirikae-grid-pki-'));
  try {
    const ca = createCa({ commonName: 'test hub CA' });
    const now = new Date();
    const server = await ensureGridServerTls(dir, ca, now, ['localhost', '127.0.0.1']);
    assert.equal((await ensureGridServerTls(dir, ca, now, ['localhost'])).certPem, server.certPem, 'reused');
    const renamed = await ensureGridServerTls(dir, ca, now, ['localhost', 'grid03.example']);
    assert.notEqual(renamed.certPem, server.certPem);
    assert.ok(new X509Certificate(renamed.certPem).checkHost('grid03.example'));
    assert.deepEqual(renamed.caPems, [ca.certPem]);

    const client = await ensureHubGridClientTls(dir, ca, now);
    const identity = describeCert(client.certPem);
    assert.equal(identity.participantCode, 'H000');
    assert.equal(identity.usage, 'api');
    assert.equal((await ensureHubGridClientTls(dir, ca, now)).certPem, client.certPem);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('one transport routes each area to its HTTPS grid or its in-process grid', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kirikae-grid-route-'));
  const ca = createCa({ commonName: 'test hub CA' });
  const now = new Date();
  const app = createGridServer({
    grids: [{ area: '06', handle: async () => ({ result: 'OK', messages: [], data: { from: 'remote 06' } }) }],
    tls: await ensureGridServerTls(dir, ca, now, ['localhost']),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  let clientTlsAsked = 0;
  const routing = await gridTransportFromConfig({
    db: {} as Db, // the in-process grid answers an unknown interface without its database
    clock: testGridClock(),
    env: { KIRIKAE_GRID_06_URL: `https://localhost:${port}` },
    clientTls: async () => {
      clientTlsAsked++;
      return ensureHubGridClientTls(dir, ca, now);
    },
  });
  try {
    assert.equal(clientTlsAsked, 1);
    assert.deepEqual([...routing.remote.keys()], ['06']);
    assert.equal(routing.grids.size, 9);
    assert.equal(routing.grids.has('06'), false);
    assert.equal(routing.describe('06'), `https://localhost:${port}/`);
    assert.equal(routing.describe('03'), 'in-process');
    assert.equal(routing.grids.get('03')?.options.usagePasswordConfirmation, 'immediate');
    assert.deepEqual((await routing.send('06', gridRequest('IF_10110', {}))).data, { from: 'remote 06' });
    assert.equal((await routing.send('03', gridRequest('IF_99999', {}))).messages[0]?.code, 'GRID_INTERFACE_UNKNOWN');
  } finally {
    routing.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('without any URL no client certificate is needed; with one and none given, start-up fails clearly', async () => {
  const local = await gridTransportFromConfig({ db: {} as Db, clock: testGridClock(), env: {} });
  assert.equal(local.grids.size, 10);
  await assert.rejects(
    gridTransportFromConfig({ db: {} as Db, clock: testGridClock(), env: { KIRIKAE_GRID_03_URL: 'https://grid03.example' } }),
    /areas 03 are reached over HTTPS, but no client certificate/,
  );
});
