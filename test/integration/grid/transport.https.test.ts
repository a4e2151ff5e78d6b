/**
 * Hub → grid over real mutual TLS on localhost: a grid behind `createGridServer`, called through the
 * HTTPS transport with the hub's client certificate, all issued by a test CA with src/platform/pki.
 */
import { maxAttachmentsTotalBytes } from '../../../src/interfaces/attachments.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { request as httpsRequest } from 'node:https';
import type { FastifyInstance } from 'fastify';
import type { AreaCode } from '../../../src/domain/area.ts';
import { GridUnavailableError, isGridUnavailable } from '../../../src/interfaces/grid-unavailable.ts';
import type { InterfaceRequest, InterfaceResponse } from '../../../src/interfaces/message.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { createCa } from '../../../src/platform/pki/ca.ts';
import { issueClientCert, issueServerCert } from '../../../src/platform/pki/issue.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { Grid, type GridEndpoint } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { createGridServer } from '../../../src/grid/server.ts';
import { givenSupplyPoint, gridRequest, testGridClock } from '../../../src/grid/testing.ts';
import { HttpsGridTransport, type GridClientTls } from '../../../src/grid/transport/https.ts';

const ca = createCa({ commonName: 'kirikae grid test CA' });
const serverCert = issueServerCert({ ca, hostnames: ['localhost', '127.0.0.1'] });
const hubCert = issueClientCert({ ca, participantCode: 'H000', usage: 'api' });
const retailerCert = issueClientCert({ ca, participantCode: '10033', usage: 'api' });
const serverTls = { keyPem: serverCert.keyPem, certPem: serverCert.certPem, caPems: [ca.certPem] };
const hubTls: GridClientTls = { keyPem: hubCert.keyPem, certPem: hubCert.certPem, caPems: [ca.certPem] };

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return `https://localhost:${port}`;
}

function transportTo(urls: Partial<Record<AreaCode, string>>, tls: GridClientTls = hubTls, timeoutMs = 5_000): HttpsGridTransport {
  return new HttpsGridTransport({ urls, tls, timeoutMs });
}

forEachBackend('a grid behind its HTTPS server, called by the hub over mutual TLS', (backend) => {
  let db: TestDb;
  let app: FastifyInstance;
  let url: string;
  let transport: HttpsGridTransport;

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03'), gridMigrations('06')]);
    const clock = testGridClock();
    app = createGridServer({ grids: [new Grid({ area: '03', db, clock }), new Grid({ area: '06', db, clock })], tls: serverTls });
    url = await listen(app);
    transport = transportTo({ '03': url, '06': url });
  });
  after(async () => {
    transport.close();
    await app.close();
    await db.close();
  });

  test('answers facility info, the usage password flow and usage info exactly as in process', async () => {
    const point = await givenSupplyPoint(db, { area: '06' });
    const facility = await transport.send('06', gridRequest('IF_10110', { supplyPointId: point.supplyPointId }));
    assert.equal(facility.result, 'OK');
    assert.equal((facility.data as Record<string, any>).supplyPointId, point.supplyPointId);

    const applied = await transport.send(
      '06',
      gridRequest(
        'IF_10210',
        { supplyPointId: point.supplyPointId, customerNameKana: 'やまだ はなこ', phoneNumber: '090-1234-5678', consentDate: '2026-11-25' },
        '20016',
      ),
    );
    const applicationNumber = (applied.data as Record<string, any>).applicationNumber;
    assert.match(applicationNumber, /^UP06-/);
    const status = await transport.send('06', gridRequest('IF_10220', { applicationNumber }, '20016'));
    const password = (status.data as Record<string, any>).usagePassword;
    const usage = await transport.send(
      '06',
      gridRequest('IF_10310', { supplyPointId: point.supplyPointId, usagePassword: password, halfHourlyDate: '2026-11-01' }, '10066'),
    );
    assert.equal(usage.result, 'OK');
    assert.equal((usage.data as Record<string, any>).monthlyUsage.length, 13);
    assert.equal((usage.data as Record<string, any>).halfHourly.length, 48);
  });

  test('answers the web-only supply point search (an internal message) as in process', async () => {
    const point = await givenSupplyPoint(db, { area: '06', customer: { nameKana: 'ツウシン　タロウ' } });
    const found = await transport.send('06', gridRequest('WEB_SUPPLY_POINT_SEARCH', { by: 'nameKana', query: 'つうしん', family: 'LV' }, '20016'));
    assert.equal(found.result, 'OK', JSON.stringify(found.messages));
    assert.deepEqual(
      (found.data as Record<string, any>).points.map((p: { supplyPointId: string }) => p.supplyPointId),
      [point.supplyPointId],
    );
    const empty = await transport.send('06', gridRequest('WEB_SUPPLY_POINT_SEARCH', { by: 'address', query: '', family: 'LV' }, '20016'));
    assert.equal(empty.messages[0]?.code, 'WEB_SEARCH_QUERY_REQUIRED');
  });

  test('the area header picks the grid: a Tokyo point sent to area 06 is refused by the Kansai grid', async () => {
    const point = await givenSupplyPoint(db, { area: '03' });
    assert.equal((await transport.send('03', gridRequest('IF_10110', { supplyPointId: point.supplyPointId }))).result, 'OK');
    const wrong = await transport.send('06', gridRequest('IF_10110', { supplyPointId: point.supplyPointId }));
    assert.equal(wrong.messages[0]?.code, 'GRID_SPID_WRONG_AREA');
  });

  test('refusals travel as NG answers, not as errors', async () => {
    const response = await transport.send('03', gridRequest('IF_99999', {}));
    assert.equal(response.result, 'NG');
    assert.equal(response.messages[0]?.code, 'GRID_INTERFACE_UNKNOWN');
  });

  test('an area the server does not serve is a bad answer (404), reported as unavailable', async () => {
    const toOkinawa = transportTo({ '10': url });
    await assert.rejects(toOkinawa.send('10', gridRequest('IF_10110', {})), (error: unknown) => {
      assert.ok(isGridUnavailable(error));
      assert.equal(error.reason, 'badResponse');
      assert.match(error.message, /404/);
      return true;
    });
    toOkinawa.close();
  });
});

describe('the grid server admits only the hub', () => {
  let app: FastifyInstance;
  let url: string;
  const calls: InterfaceRequest[] = [];
  const grid: GridEndpoint = {
    area: '03',
    handle: async (request) => {
      calls.push(request);
      return { result: 'OK', messages: [], data: { seen: request.participantCode } };
    },
  };

  before(async () => {
    app = createGridServer({ grids: [grid], tls: serverTls });
    url = await listen(app);
  });
  after(() => app.close());

  test("refuses a retailer's certificate from the same CA with 403", async () => {
    const retailer = transportTo({ '03': url }, { ...hubTls, keyPem: retailerCert.keyPem, certPem: retailerCert.certPem });
    await assert.rejects(retailer.send('03', gridRequest('IF_10110', {})), (error: unknown) => {
      assert.ok(isGridUnavailable(error));
      assert.equal(error.reason, 'badResponse');
      assert.match(error.message, /403.*AUTH_TERMINAL_REFUSED/);
      return true;
    });
    retailer.close();
    assert.equal(calls.length, 0);
  });

  test('refuses a certificate from a foreign CA in the handshake', async () => {
    const foreignCa = createCa({ commonName: 'foreign CA' });
    const forged = issueClientCert({ ca: foreignCa, participantCode: 'H000', usage: 'api' });
    const impostor = transportTo({ '03': url }, { ...hubTls, keyPem: forged.keyPem, certPem: forged.certPem });
    await assert.rejects(impostor.send('03', gridRequest('IF_10110', {})), (error: unknown) => isGridUnavailable(error) && error.reason === 'unreachable');
    impostor.close();
  });

  test('accepts the hub, with one area served and no area header needed', async () => {
    const hub = transportTo({ '03': url });
    const response = await hub.send('03', gridRequest('IF_10110', { supplyPointId: 'x' }, '10033'));
    assert.deepEqual(response, { result: 'OK', messages: [], data: { seen: '10033' } });
    hub.close();
    const withoutHeader = await post(url, '/grid/v1/IF_10110', { participantCode: '10033', requestId: 'r1', body: {} });
    assert.equal(withoutHeader.status, 200);
  });

  test('takes an application carrying the most attachments (10 MiB as base64 in the JSON), well over the default body limit', async () => {
    const hub = transportTo({ '03': url });
    const content = Buffer.alloc(maxAttachmentsTotalBytes, 0x25).toString('base64');
    const response = await hub.send('03', gridRequest('IF_10410', { attachments: [{ fileName: 'a.pdf', mediaType: 'application/pdf', content }] }, '10033'));
    hub.close();
    assert.equal(response.result, 'OK');
    assert.equal((calls.at(-1)!.body.attachments as { content: string }[])[0]!.content.length, content.length);
  });

  test('refuses an envelope without participant code, request ID or body object', async () => {
    const response = await post(url, '/grid/v1/IF_10110', { participantCode: '10033', body: [] });
    assert.equal(response.status, 400);
    assert.equal(JSON.parse(response.body).messages[0].code, 'HTTP_BAD_REQUEST');
    const notJson = await post(url, '/grid/v1/IF_10110', '{', 'application/json');
    assert.equal(notJson.status, 400);
  });

  test('with an allow-list of fingerprints, only those certificates pass', async () => {
    const pinned = createGridServer({ grids: [grid], tls: serverTls, allowedFingerprints: [retailerCert.fingerprint256] });
    const pinnedUrl = await listen(pinned);
    try {
      const hub = transportTo({ '03': pinnedUrl });
      await assert.rejects(hub.send('03', gridRequest('IF_10110', {})), /403/);
      hub.close();
      const allowed = transportTo({ '03': pinnedUrl }, { ...hubTls, keyPem: retailerCert.keyPem, certPem: retailerCert.certPem });
      assert.equal((await allowed.send('03', gridRequest('IF_10110', {}))).result, 'OK');
      allowed.close();
    } finally {
      await pinned.close();
    }
  });
});

describe('a grid that cannot answer is unavailable to the hub', () => {
  test('a grid server that is not listening: unreachable, at once', async () => {
    const port = await freePort();
    const hub = transportTo({ '03': `https://localhost:${port}` }, hubTls, 5_000);
    const started = performance.now();
    await assert.rejects(hub.send('03', gridRequest('IF_10110', {})), (error: unknown) => {
      assert.ok(error instanceof GridUnavailableError);
      assert.equal(error.reason, 'unreachable');
      assert.match(error.message, /ECONNREFUSED/);
      return true;
    });
    assert.ok(performance.now() - started < 1_000, 'not waiting for the timeout');
    hub.close();
  });

  test('a grid that answers too slowly: timeout, at the timeout', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow: GridEndpoint = {
      area: '03',
      handle: async (): Promise<InterfaceResponse> => {
        await released;
        return { result: 'OK', messages: [] };
      },
    };
    const app = createGridServer({ grids: [slow], tls: serverTls });
    const url = await listen(app);
    const hub = transportTo({ '03': url }, hubTls, 5_000);
    try {
      const started = performance.now();
      await assert.rejects(hub.send('03', gridRequest('IF_10110', {}), { timeoutMs: 300 }), (error: unknown) => {
        assert.ok(error instanceof GridUnavailableError);
        assert.equal(error.reason, 'timeout');
        return true;
      });
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 290 && elapsed < 2_000, `${elapsed} ms`);
    } finally {
      release();
      hub.close();
      await app.close();
    }
  });
});

/** A port nothing listens on: one the OS just gave out and took back. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function post(base: string, path: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, base),
      { method: 'POST', headers: { 'content-type': contentType }, ca: ca.certPem, cert: hubCert.certPem, key: hubCert.keyPem, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}
