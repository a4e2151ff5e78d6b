/**
 * The retailer's own registration screen on a grid's data provision site (issue 13: "CLI and a
 * screen"): over real mutual TLS from `createGridServer`, a certificate of the hub CA not yet
 * registered may open `PPS/register` (and nothing else), register itself or another certificate of
 * its own company, and is refused with a code and Japanese text otherwise; nothing is half-written.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { request } from 'node:https';
import type { FastifyInstance } from 'fastify';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { createCa } from '../../../src/platform/pki/ca.ts';
import { issueClientCert, issueServerCert } from '../../../src/platform/pki/issue.ts';
import { describeCert } from '../../../src/platform/pki/identity.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { createGridServer } from '../../../src/grid/server.ts';
import { testGridClock } from '../../../src/grid/testing.ts';
import { registerPpsCertificate, setPpsSuspension, siteAuditOf } from '../../../src/grid/provision/site.repository.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';

const ca = createCa({ commonName: 'kirikae pps register test CA' });
const otherCa = createCa({ commonName: 'not the hub CA' });
const serverCert = issueServerCert({ ca, hostnames: ['localhost', '127.0.0.1'] });
const serverTls = { keyPem: serverCert.keyPem, certPem: serverCert.certPem, caPems: [ca.certPem] };
const c001Terminal = issueClientCert({ ca, participantCode: '3001', usage: 'terminal' });
const c001Api = issueClientCert({ ca, participantCode: '3001', usage: 'api' });
const d001Api = issueClientCert({ ca, participantCode: '4001', usage: 'api' });
const c001Foreign = issueClientCert({ ca: otherCa, participantCode: '3001', usage: 'api' });
const suspended = issueClientCert({ ca, participantCode: '5001', usage: 'terminal' });

type Cert = { certPem: string; keyPem: string };

async function call(
  base: string,
  cert: Cert,
  path: string,
  options: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      new URL(path, base),
      {
        method: options.method ?? (body ? 'POST' : 'GET'),
        cert: cert.certPem,
        key: cert.keyPem,
        ca: ca.certPem,
        headers: { ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const codeOf = (html: string) => /data-code="([A-Z0-9_]+)"/.exec(html)?.[1];

forEachBackend('the data provision site: a retailer registers its certificate on a screen', (backend) => {
  let db: TestDb;
  let app: FastifyInstance;
  let site: string;
  const clock = testGridClock('2026-11-25T10:00:00+09:00');

  const registered = async () => {
    const { rows } = await db.query<{ fingerprint256: string; participant_code: string }>(
      'SELECT fingerprint256, participant_code FROM grid_03.pps_certificate ORDER BY participant_code, fingerprint256',
    );
    return rows.map((r) => `${r.participant_code} ${r.fingerprint256}`);
  };

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const grid = new Grid({ area: '03', db, clock });
    await registerPpsCertificate(db, 'grid_03', '03', { pem: suspended.certPem, participantCode: '50013' }, new Date());
    await setPpsSuspension(db, 'grid_03', { participantCode: '50013' }, { at: new Date(), reason: 'test' });
    app = createGridServer({ grids: [grid], tls: serverTls, provision: { grids: new Map([['03', grid.context]]) } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    site = `https://localhost:${(app.server.address() as AddressInfo).port}/grid/03/PPS/`;
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('an unregistered certificate is refused everywhere but the registration screen, and is shown the way there', async () => {
    const list = await call(site, c001Terminal, '30min/');
    assert.equal(list.status, 403);
    assert.equal(codeOf(list.text), 'PPS_CERT_NOT_REGISTERED');
    assert.match(list.text, /href="\/grid\/03\/PPS\/register"/);
    const screen = await call(site, c001Terminal, 'register');
    assert.equal(screen.status, 200);
    assert.match(screen.text, /<h1>クライアント証明書の登録<\/h1>/);
    assert.match(screen.text, /お使いの証明書: 3001 \/ terminal（未登録）/);
    assert.match(screen.text, /<input name="participant"/);
  });

  test('refusals, each with its code and Japanese text, the form kept and nothing written', async () => {
    const before = await registered();
    const cases: { cert: Cert; form: Record<string, string>; headers?: Record<string, string>; code: string; text: RegExp }[] = [
      {
        cert: c001Terminal,
        form: { participant: '30013', certPem: '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----' },
        code: 'PKI_BAD_CERTIFICATE',
        text: /証明書を読み取れません/,
      },
      { cert: c001Terminal, form: { participant: 'C01', certPem: '' }, code: 'PCODE_FORMAT', text: /事業者コードの形式が正しくありません/ },
      // Wrong participant: another company's code, another area's code, another company's certificate pasted.
      { cert: c001Terminal, form: { participant: '40013', certPem: '' }, code: 'PPS_REGISTER_OTHER_COMPANY', text: /事業者 40013 の証明書を登録できません/ },
      { cert: c001Terminal, form: { participant: '30016', certPem: '' }, code: 'PPS_PARTICIPANT_OTHER_AREA', text: /東京エリアの事業者コードではありません/ },
      {
        cert: c001Terminal,
        form: { participant: '30013', certPem: d001Api.certPem },
        code: 'AUTH_CERT_PARTICIPANT_MISMATCH',
        text: /証明書の事業者コード 4001/,
      },
      // A certificate of the right company, but not from the CA the site trusts.
      { cert: c001Terminal, form: { participant: '30013', certPem: c001Foreign.certPem }, code: 'PPS_CERT_UNTRUSTED', text: /認証局が発行したものではない/ },
      // A form posted from another site with the browser's certificate.
      {
        cert: c001Terminal,
        form: { participant: '30013', certPem: '' },
        headers: { origin: 'https://evil.example' },
        code: 'PPS_REGISTER_CROSS_SITE',
        text: /他のサイトから送信された/,
      },
    ];
    for (const c of cases) {
      const answer = await call(site, c.cert, 'register', { form: c.form, ...(c.headers ? { headers: c.headers } : {}) });
      assert.equal(answer.status, 400, c.code);
      assert.equal(codeOf(answer.text), c.code);
      assert.match(answer.text, c.text, c.code);
      assert.match(answer.text, new RegExp(`value="${c.form.participant}"`), 'the participant code is kept');
    }
    assert.deepEqual(await registered(), before, 'no refusal registered anything');
  });

  test('registering the certificate in use lets it in; a second time is refused as already registered', async () => {
    const fingerprint = describeCert(c001Terminal.certPem).fingerprint256;
    const done = await call(site, c001Terminal, 'register', { form: { participant: '30013', certPem: '' }, headers: { origin: new URL(site).origin } });
    assert.equal(done.status, 200);
    assert.match(done.text, new RegExp(`data-fingerprint="${fingerprint}"`));
    assert.match(done.text, /登録しました。事業者 30013、用途 terminal/);
    assert.ok((await registered()).includes(`30013 ${fingerprint}`));
    assert.equal((await call(site, c001Terminal, '30min/')).status, 200, 'the screens now let it in');
    const again = await call(site, c001Terminal, 'register', { form: { participant: '30013', certPem: '' } });
    assert.equal(again.status, 400);
    assert.equal(codeOf(again.text), 'PPS_CERT_ALREADY_REGISTERED');
    assert.match(again.text, /すでに東京エリアのデータ提供サイトに登録されています/);
  });

  test('a registered screen user registers its company’s API certificate by pasting it; the API certificate then pulls', async () => {
    assert.equal((await call(site, c001Api, '30min/FileListReceiver')).status, 403);
    const done = await call(site, c001Terminal, 'register', { form: { participant: '30013', certPem: c001Api.certPem } });
    assert.equal(done.status, 200, done.text);
    assert.match(done.text, /用途 api/);
    assert.equal((await call(site, c001Api, '30min/FileListReceiver')).status, 200);
  });

  test('every attempt on the screen is audited with its result', async () => {
    // (The answers of the tests before: an audit row is written once its answer has gone.)
    const audit = (await siteAuditOf(db, 'grid_03', 100)).filter((e) => e.action === 'POST PPS/register');
    const results = audit.map((e) => e.result);
    for (const code of [
      'PKI_BAD_CERTIFICATE',
      'PPS_REGISTER_OTHER_COMPANY',
      'PPS_CERT_UNTRUSTED',
      'PPS_REGISTER_CROSS_SITE',
      'PPS_CERT_ALREADY_REGISTERED',
      'OK',
    ])
      assert.ok(results.includes(code), `${code} audited: ${results.join(', ')}`);
    assert.ok(audit.some((e) => e.result === 'OK' && e.participantCode === null && e.name === describeCert(c001Terminal.certPem).fingerprint256));
  });

  test('a suspended certificate is refused on the registration screen too', async () => {
    const answer = await call(site, suspended, 'register', { form: { participant: '50013', certPem: '' } });
    assert.equal(answer.status, 403);
    assert.equal(codeOf(answer.text), 'PPS_CERT_SUSPENDED');
  });
});
