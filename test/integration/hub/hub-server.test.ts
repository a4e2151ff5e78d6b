import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { auditedSoon, startTestHub, type TestHub } from '../../support/hub-server.ts';
import { createCa } from '../../../src/platform/pki/ca.ts';
import { issueClientCert } from '../../../src/platform/pki/issue.ts';
import { testCertificateAuthority, TEST_PASSWORD, givenUser } from '../../../src/hub/identity/testing.ts';
import { suspend } from '../../../src/hub/identity/suspension.commands.ts';
import { searchAudit } from '../../../src/hub/audit/audit.repository.ts';

const refusedTerminal = 'お使いの端末では当システムを利用できません';

async function signIn(client: TestClient, userId: string, password = TEST_PASSWORD) {
  const form = await client.get('/login');
  return client.post('/login', { form: { _csrf: hiddenField(form.body, '_csrf'), userId, password } });
}

forEachBackend('hub over mutual TLS', (backend) => {
  async function withHub(fn: (hub: TestHub, db: Awaited<ReturnType<typeof backend.open>>) => Promise<void>, options = {}) {
    await using db = await backend.open();
    const hub = await startTestHub(db, options);
    try {
      await fn(hub, db);
    } finally {
      await hub.close();
    }
  }

  test('answers a registered API certificate with its participant', () =>
    withHub(async (hub) => {
      const res = await hub.as('aApi').get('/api/v1/me');
      assert.equal(res.status, 200);
      assert.equal(res.json().result, 'OK');
      assert.equal(res.json().data.participant.companyCode, '1003');
      assert.equal(res.json().data.certificate.usage, 'api');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
      assert.match(String(res.headers['strict-transport-security']), /max-age=/);
    }));

  test('refuses a connection without a client certificate in the TLS handshake', () =>
    withHub(async (hub) => {
      await assert.rejects(hub.withCert(undefined).get('/api/v1/me'), /certificate required|socket hang up|ECONNRESET|alert/i);
    }));

  test('refuses a certificate from a CA the hub does not trust in the TLS handshake', () =>
    withHub(async (hub) => {
      const foreign = createCa({ commonName: 'someone else CA' });
      const cert = issueClientCert({ ca: foreign, participantCode: '10033', usage: 'api' });
      await assert.rejects(hub.withCert(cert).get('/api/v1/me'), /unknown ca|socket hang up|ECONNRESET|alert/i);
    }));

  test('refuses an expired certificate in the TLS handshake', () =>
    withHub(async (hub) => {
      const cert = issueClientCert({
        ca: testCertificateAuthority(),
        participantCode: '10033',
        usage: 'api',
        now: new Date('2024-01-01T00:00:00Z'),
        validityDays: 30,
      });
      await assert.rejects(hub.withCert(cert).get('/api/v1/me'), /expired|socket hang up|ECONNRESET|alert/i);
    }));

  test('refuses an unregistered certificate of a trusted CA with 403 and the terminal message, in JSON, SOAP and HTML', () =>
    withHub(async (hub) => {
      const cert = issueClientCert({ ca: testCertificateAuthority(), participantCode: '10033', usage: 'api', now: new Date('2026-03-01T00:00:00Z') });
      const client = hub.withCert(cert);
      const json = await client.get('/api/v1/me');
      assert.equal(json.status, 403);
      assert.deepEqual(json.json(), { result: 'NG', messages: [{ code: 'AUTH_TERMINAL_REFUSED', text: refusedTerminal }] });
      const soap = await client.post('/soap/IF_10110', { body: '<x/>', headers: { 'content-type': 'text/xml' } });
      assert.equal(soap.status, 403);
      assert.match(soap.body, /<soap:Fault>.*<faultstring xml:lang="ja">お使いの端末では当システムを利用できません<\/faultstring>.*AUTH_TERMINAL_REFUSED/s);
      const page = await client.get('/', { accept: 'text/html' });
      assert.equal(page.status, 403);
      assert.match(page.headers['content-type'] as string, /text\/html/);
      assert.ok(page.body.includes(refusedTerminal));
    }));

  test('refuses a suspended certificate, then accepts it again once resumed', () =>
    withHub(async (hub, db) => {
      const fingerprint = hub.world.certificates.aApi.certificate.fingerprint256;
      await suspend(db, hub.clock, hub.world.actors.hubAdmin, { target: { kind: 'certificate', id: fingerprint }, reason: '紛失の届出' });
      assert.equal((await hub.as('aApi').get('/api/v1/me')).status, 403);
      const { resume } = await import('../../../src/hub/identity/suspension.commands.ts');
      await resume(db, hub.clock, hub.world.actors.hubAdmin, { target: { kind: 'certificate', id: fingerprint }, reason: '発見' });
      assert.equal((await hub.as('aApi').get('/api/v1/me')).status, 200);
    }));

  test('refuses every certificate of a suspended participant', () =>
    withHub(async (hub, db) => {
      await suspend(db, hub.clock, hub.world.actors.hubAdmin, { target: { kind: 'participant', id: '1003' }, reason: '調査中' });
      const res = await hub.as('aApi').get('/api/v1/me');
      assert.equal(res.status, 403);
      assert.equal(res.json().messages[0].code, 'AUTH_TERMINAL_REFUSED');
      assert.equal((await hub.as('bTerminal').get('/login')).status, 200, 'other participants are unaffected');
    }));

  test('signs a user in with a terminal certificate of its participant and the password', () =>
    withHub(async (hub) => {
      const client = hub.as('aTerminal');
      const res = await signIn(client, '1003.user');
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/');
      const cookie = [res.headers['set-cookie']].flat().join(';');
      assert.match(cookie, /kirikae_session=.*HttpOnly/i);
      assert.match(cookie, /Secure/i);
      assert.match(cookie, /SameSite=Strict/i);
      const portal = await client.get('/');
      assert.equal(portal.status, 200);
      assert.ok(portal.body.includes('テスト 太郎'));
    }));

  test('refuses a wrong password with the same message as an unknown user ID', () =>
    withHub(async (hub) => {
      const wrong = await signIn(hub.as('aTerminal'), '1003.user', 'Wrong-Password-1');
      const unknown = await signIn(hub.as('aTerminal'), '1003.nobody', 'Wrong-Password-1');
      assert.equal(wrong.status, 401);
      assert.ok(wrong.body.includes('AUTH_LOGIN_FAILED'));
      assert.ok(wrong.body.includes('ユーザIDまたはパスワードが正しくありません。'));
      assert.ok(unknown.body.includes('AUTH_LOGIN_FAILED'));
      assert.ok(wrong.body.includes('value="1003.user"'), 'keeps the typed user ID');
    }));

  test('locks an account after five wrong passwords, even against the right one', () =>
    withHub(async (hub) => {
      for (let i = 0; i < 5; i++) await signIn(hub.as('aTerminal'), '1003.user', 'Wrong-Password-1');
      const res = await signIn(hub.as('aTerminal'), '1003.user');
      assert.equal(res.status, 401);
      assert.ok(res.body.includes('AUTH_LOCKED'));
    }));

  test('refuses a terminal certificate on the API, in JSON and in SOAP', () =>
    withHub(async (hub) => {
      const json = await hub.as('aTerminal').get('/api/v1/me');
      assert.equal(json.status, 403);
      assert.equal(json.json().messages[0].code, 'AUTH_TERMINAL_CERT_FOR_API');
      const soap = await hub.as('aTerminal').post('/soap/IF_10110', { body: '<x/>', headers: { 'content-type': 'text/xml' } });
      assert.equal(soap.status, 403);
      assert.match(soap.body, /<soap:Fault>.*AUTH_TERMINAL_CERT_FOR_API/s);
    }));

  test('refuses web sign-in with an API certificate or another participant’s terminal', () =>
    withHub(async (hub) => {
      const api = await signIn(hub.as('aApi'), '1003.user');
      assert.ok(api.body.includes('AUTH_API_CERT_FOR_WEB'));
      const other = await signIn(hub.as('bTerminal'), '1003.user');
      assert.ok(other.body.includes('AUTH_CERT_OTHER_PARTICIPANT'));
    }));

  test('refuses a form posted without its CSRF token, signed in or not', () =>
    withHub(async (hub) => {
      const client = hub.as('aTerminal');
      await client.get('/login');
      const login = await client.post('/login', { form: { userId: '1003.user', password: TEST_PASSWORD } });
      assert.equal(login.status, 403);
      assert.ok(login.body.includes('HTTP_CSRF'));
      await signIn(client, '1003.admin');
      const create = await client.post('/users', { form: { userId: '1003.new', name: '新規', email: 'n@example.jp', role: 'user' } });
      assert.equal(create.status, 403);
      assert.ok(create.body.includes('HTTP_CSRF'));
      const forged = await client.post('/users', { form: { _csrf: 'forged', userId: '1003.new', name: '新規', email: 'n@example.jp', role: 'user' } });
      assert.equal(forged.status, 403);
    }));

  test('lets a user with an initial password do nothing but change it', () =>
    withHub(async (hub, db) => {
      await givenUser(db, hub.clock, { userId: '1003.fresh', mustChangePassword: true });
      const client = hub.as('aTerminal');
      const res = await signIn(client, '1003.fresh');
      assert.equal(res.headers.location, '/password');
      assert.equal((await client.get('/users')).headers.location, '/password');
      const form = await client.get('/password');
      const csrf = hiddenField(form.body, '_csrf');
      const weak = await client.post('/password', { form: { _csrf: csrf, currentPassword: TEST_PASSWORD, newPassword: 'short', confirmPassword: 'short' } });
      assert.equal(weak.status, 400);
      assert.ok(weak.body.includes('AUTH_PASSWORD_LENGTH'));
      const next = 'Nagai-Pasuwado-2026';
      const changed = await client.post('/password', { form: { _csrf: csrf, currentPassword: TEST_PASSWORD, newPassword: next, confirmPassword: next } });
      assert.equal(changed.status, 303);
      assert.equal((await client.get('/')).status, 200);
    }));

  test('ends the session of a user suspended mid-session at the next request', () =>
    withHub(async (hub, db) => {
      const client = hub.as('aTerminal');
      await signIn(client, '1003.user');
      assert.equal((await client.get('/')).status, 200);
      await suspend(db, hub.clock, hub.world.actors.hubAdmin, { target: { kind: 'user', id: '1003.user' }, reason: '退職' });
      const next = await client.get('/');
      assert.equal(next.status, 303);
      assert.match(String(next.headers.location), /^\/login\?reason=AUTH_/);
      const again = await signIn(client, '1003.user');
      assert.ok(again.body.includes('AUTH_USER_SUSPENDED'));
    }));

  test('ends the session after 30 minutes without a request', () =>
    withHub(async (hub) => {
      const client = hub.as('aTerminal');
      await signIn(client, '1003.user');
      hub.clock.advance(31 * 60_000);
      const res = await client.get('/');
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/login?reason=AUTH_SESSION_EXPIRED');
    }));

  test('does not show a participant administrator another participant’s users', () =>
    withHub(async (hub) => {
      const client = hub.as('aTerminal');
      await signIn(client, '1003.admin');
      const other = await client.get('/users/2001.user');
      assert.equal(other.status, 403);
      assert.ok(other.body.includes('AUTH_FORBIDDEN'));
      const list = await client.get('/users');
      assert.ok(list.body.includes('1003.user'));
      assert.ok(!list.body.includes('2001.user'));
      assert.equal((await client.get('/admin/audit')).status, 403);
    }));

  test('lets a participant administrator register a user, rendering typed text inert', () =>
    withHub(async (hub) => {
      const client = hub.as('aTerminal');
      await signIn(client, '1003.admin');
      const form = await client.get('/users/new');
      const created = await client.post('/users', {
        form: { _csrf: hiddenField(form.body, '_csrf'), userId: '1003.kana', name: '<script>alert(1)</script>', email: 'k@example.jp', role: 'user' },
      });
      assert.equal(created.status, 200);
      assert.ok(created.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
      assert.ok(!created.body.includes('<script>alert(1)'));
      assert.match(created.body, /class="initial-password">[^<]{16}</);
    }));

  test('lists every interface in the API repository with links to OpenAPI and WSDL', () =>
    withHub(async (hub) => {
      const client = hub.as('aTerminal');
      await signIn(client, '1003.user');
      const list = await client.get('/interfaces');
      assert.equal(list.status, 200);
      assert.ok(list.body.includes('href="/api/v1/openapi.json"'));
      assert.ok(list.body.includes('href="/soap?wsdl"'));
      assert.ok(list.body.includes('IS_F20410'));
      const one = await client.get('/interfaces/IF_10110');
      assert.ok(one.body.includes('supplyPointId'));
    }));

  test('records every request and sign-in in the audit log, searchable by certificate', () =>
    withHub(async (hub, db) => {
      await hub.as('aApi').get('/api/v1/me');
      await signIn(hub.as('aTerminal'), '1003.user', 'Wrong-Password-1');
      const api = await auditedSoon(db, hub.audit, { fingerprint: hub.world.certificates.aApi.certificate.fingerprint256 });
      assert.equal(api.entries[0]?.action, 'me');
      assert.equal(api.entries[0]?.channel, 'api');
      assert.equal(api.entries[0]?.result, 'OK');
      // The sign-in form's page view shares the action name and is written after its answer, so
      // it may come before or after the attempt: find the attempt by its result.
      const login = await searchAudit(db, { participant: '1003', action: 'login' });
      const attempt = login.entries.find((e) => e.result === 'AUTH_LOGIN_FAILED');
      assert.ok(attempt, JSON.stringify(login.entries));
      assert.ok(attempt.sourceAddress);
    }));

  test('limits the requests of one participant per minute with a 429 refusal', () =>
    withHub(
      async (hub) => {
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push((await hub.as('aApi').get('/api/v1/me')).status);
        assert.deepEqual(statuses, [200, 200, 200, 429]);
        const limited = await hub.as('aApi').get('/api/v1/me');
        assert.equal(limited.json().messages[0].code, 'HTTP_RATE_LIMITED');
        assert.equal((await hub.as('bTerminal').get('/login')).status, 200, 'another participant has its own budget');
      },
      { requestsPerMinute: 3 },
    ));

  test('refuses a body larger than the limit with 413', () =>
    withHub(async (hub) => {
      const res = await hub.as('aApi').post('/api/v1/me', { json: { filler: 'x'.repeat(1_100_000) } });
      assert.equal(res.status, 413);
      assert.equal(res.json().messages[0].code, 'HTTP_BODY_TOO_LARGE');
      assert.match(res.json().messages[0].text, /上限（1 MiB）/);
    }));
});
