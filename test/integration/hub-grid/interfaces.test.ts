import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { auditedSoon, startTestHub, type TestHub } from '../../support/hub-server.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, type TestPoint } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../../src/grid/transport/config.ts';
import { HttpsGridTransport } from '../../../src/grid/transport/https.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { testClock, testCertificateAuthority } from '../../../src/hub/identity/testing.ts';
import { issueClientCert } from '../../../src/platform/pki/issue.ts';
import type { TestDb } from '../../support/backends.ts';

forEachBackend('interfaces through the hub', (backend) => {
  async function withHub(fn: (hub: TestHub, points: { smart: TestPoint; kansai: TestPoint; hv: TestPoint }, db: TestDb) => Promise<void>) {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const points = {
      smart: await givenSupplyPoint(db, { area: '03', kind: 'lvSmart' }),
      kansai: await givenSupplyPoint(db, { area: '06', kind: 'lvSmart' }),
      hv: await givenSupplyPoint(db, { area: '03', kind: 'hv' }),
    };
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const transport = await gridTransportFromConfig({ db, clock, env: {}, options: { usagePasswordConfirmation: 'immediate' } });
    const hub = await startTestHub(db, { transport, clock });
    try {
      await fn(hub, points, db);
    } finally {
      await hub.close();
      transport.close();
    }
  }

  test('answers facility info in JSON from the grid of the point’s area, and audits the point', () =>
    withHub(async (hub, { smart }, db) => {
      const sdk = hub.sdk('aApi');
      const answer = await sdk.call('IF_10110', { supplyPointId: smart.supplyPointId });
      sdk.close();
      assert.equal(answer.result, 'OK', JSON.stringify(answer.messages));
      assert.equal(answer.data?.supplyPointId, smart.supplyPointId);
      assert.equal(answer.data?.voltageClass, 'LV');
      assert.ok(Array.isArray(answer.data?.meters));
      const audit = await auditedSoon(db, hub.audit, { supplyPointId: smart.supplyPointId });
      assert.equal(audit.entries[0]?.action, 'IF_10110');
      assert.equal(audit.entries[0]?.result, 'OK');
    }));

  test('answers the same in SOAP, typed as the catalogue says', () =>
    withHub(async (hub, { smart }) => {
      const json = hub.sdk('aApi', 'json');
      const soap = hub.sdk('aApi', 'soap');
      const a = await json.call('IF_10110', { supplyPointId: smart.supplyPointId });
      const b = await soap.call('IF_10110', { supplyPointId: smart.supplyPointId });
      json.close();
      soap.close();
      assert.equal(b.result, 'OK');
      assert.deepEqual(b.data, a.data);
    }));

  test('accepts a supply point ID typed with full-width digits and spaces', () =>
    withHub(async (hub, { smart }) => {
      const typed = smart.supplyPointId.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).replace(/(.{4})/g, '$1　');
      const res = await hub.as('aApi').post('/api/v1/IF_10110', { json: { supplyPointId: typed } });
      assert.equal(res.json().result, 'OK', res.body);
    }));

  test('refuses malformed, missing, unknown and foreign-area supply points with their codes', () =>
    withHub(async (hub, { kansai, hv }) => {
      const client = hub.as('aApi');
      const code = async (body: unknown) => (await client.post('/api/v1/IF_10110', { json: body })).json().messages.map((m: { code: string }) => m.code);
      assert.deepEqual(await code({ supplyPointId: '0312' }), ['SPID_LENGTH']);
      assert.deepEqual(await code({}), ['IF_REQUIRED']);
      assert.deepEqual(await code({ supplyPointId: '0300000000000000000000', extra: 1 }), ['IF_UNKNOWN_FIELD']);
      assert.deepEqual(await code({ supplyPointId: '0399999999999999999910' }), ['SPID_NOT_FOUND']);
      assert.deepEqual(await code({ supplyPointId: kansai.supplyPointId }), ['IF_AREA_NOT_REGISTERED']);
      assert.deepEqual(await code({ supplyPointId: hv.supplyPointId }), ['GRID_FACILITY_NOT_FOR_HV']);
      const res = await client.post('/api/v1/IF_10110', { json: { supplyPointId: '1' } });
      assert.equal(res.status, 200, 'a business refusal is a normal response with result NG');
    }));

  test('refuses hostile XML without expanding it', () =>
    withHub(async (hub) => {
      const laughs =
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' +
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><k:IF_10110Request xmlns:k="urn:kirikae:v1"><k:supplyPointId>&lol2;</k:supplyPointId></k:IF_10110Request></soap:Body></soap:Envelope>';
      const started = performance.now();
      const res = await hub.as('aApi').post('/soap/IF_10110', { body: laughs, headers: { 'content-type': 'text/xml' } });
      assert.ok(performance.now() - started < 2000);
      assert.equal(res.status, 500, 'a SOAP Fault travels with HTTP 500 (SOAP 1.1 §6.2)');
      assert.match(res.body, /<soap:Fault><faultcode>soap:Client<\/faultcode>.*IF_XML_DTD_FORBIDDEN/s);
    }));

  test('takes a usage password application, issues the password, and unlocks 13 months of usage with it', () =>
    withHub(async (hub, { smart }) => {
      const sdk = hub.sdk('aApi');
      const applied = await sdk.call('IF_10210', {
        requestId: 'pw-0001',
        supplyPointId: smart.supplyPointId,
        customerNameKana: 'やまだ はなこ',
        phoneNumber: '09012345678',
        consentDate: '2026-11-25',
      });
      assert.equal(applied.result, 'OK', JSON.stringify(applied.messages));
      const applicationNumber = applied.data?.applicationNumber as string;
      const status = await sdk.call('IF_10220', { applicationNumber });
      assert.equal(status.result, 'OK', JSON.stringify(status.messages));
      const password = status.data?.usagePassword as string;
      assert.ok(password, JSON.stringify(status.data));
      const usage = await sdk.call('IF_10310', { supplyPointId: smart.supplyPointId, usagePassword: password, halfHourlyDate: '2026-11-20' });
      assert.equal(usage.result, 'OK', JSON.stringify(usage.messages));
      assert.equal((usage.data!.monthlyUsage as unknown[]).length, 13);
      assert.equal((usage.data!.halfHourly as unknown[]).length, 48);
      const wrong = await sdk.call('IF_10310', { supplyPointId: smart.supplyPointId, usagePassword: 'WRONGPASS1' });
      assert.equal(wrong.result, 'NG');
      sdk.close();
    }));

  test('refuses the usage password when the customer’s identity does not match', () =>
    withHub(async (hub, { smart }) => {
      const sdk = hub.sdk('aApi');
      const applied = await sdk.call('IF_10210', {
        requestId: 'pw-0002',
        supplyPointId: smart.supplyPointId,
        customerNameKana: 'スズキ イチロウ',
        phoneNumber: '09012345678',
        consentDate: '2026-11-25',
      });
      sdk.close();
      assert.equal(applied.result, 'NG');
      assert.equal(applied.messages[0]?.code, 'GRID_IDENTITY_NAME_MISMATCH');
      assert.equal(applied.data?.stage, '09', 'refused (不受付), with the reason above');
      const status = await hub.sdk('aApi').call('IF_10220', { applicationNumber: applied.data?.applicationNumber as string });
      assert.equal(status.data?.stage, '09', JSON.stringify(status));
      assert.equal(status.data?.usagePassword, undefined);
    }));

  test('answers the participant list at the hub (IS_30110)', () =>
    withHub(async (hub) => {
      const answer = await hub.sdk('aApi').call('IS_30110', { kind: 'retailer' });
      assert.equal(answer.result, 'OK');
      assert.deepEqual(
        (answer.data!.participants as { companyCode: string }[]).map((p) => p.companyCode),
        ['1003', '2001'],
      );
    }));

  test('serves the API repository: OpenAPI and WSDL generated from the catalogue', () =>
    withHub(async (hub) => {
      const openapi = (await hub.as('aApi').get('/api/v1/openapi.json')).json();
      assert.ok(openapi.paths['/api/v1/IF_10110']);
      const wsdl = await hub.as('aApi').get('/soap?wsdl');
      assert.match(wsdl.body, /<wsdl:definitions|<definitions/);
      assert.match(wsdl.body, /IF_10110/);
    }));

  test('says plainly that an interface whose behaviour is not built yet is not offered', () =>
    withHub(async (hub, { smart }) => {
      const res = await hub.as('aApi').post('/api/v1/IF_10910', {
        json: { requestId: 'amp-1', updateFlag: '1', supplyPointId: smart.supplyPointId, contractAmpere: 40 },
      });
      const codes = res.json().messages.map((m: { code: string }) => m.code);
      assert.ok(codes.includes('IF_NOT_OFFERED') || codes[0]?.startsWith('IF_'), JSON.stringify(res.json()));
      assert.equal(res.json().result, 'NG');
    }));
});

forEachBackend('a grid that does not answer', (backend) => {
  test('gives the retailer GRID_UNAVAILABLE at once, not a hung request', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const ca = testCertificateAuthority();
    const hubCert = issueClientCert({ ca, participantCode: 'H000', usage: 'api', now: new Date('2026-03-01T00:00:00Z') });
    const transport = new HttpsGridTransport({ urls: { '03': 'https://127.0.0.1:9' }, tls: { ...hubCert, caPems: [ca.certPem] }, timeoutMs: 2000 });
    const hub = await startTestHub(db, { transport });
    try {
      const started = performance.now();
      const res = await hub.as('aApi').post('/api/v1/IF_10110', { json: { supplyPointId: '0313010000000000000110' } });
      assert.deepEqual(
        res.json().messages.map((m: { code: string }) => m.code),
        ['GRID_UNAVAILABLE'],
      );
      assert.ok(performance.now() - started < 3000);
    } finally {
      await hub.close();
      transport.close();
    }
  });
});
