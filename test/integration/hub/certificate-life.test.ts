import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/platform/log.ts';
import { generateKeyPairSync, sign } from 'node:crypto';
import forge from 'node-forge';
import { forEachBackend } from '../../support/backends.ts';
import { startTestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { recordAudit } from '../../../src/hub/audit/audit.repository.ts';
import { runCertificateWork } from '../../../src/hub/certificates/certificate.jobs.ts';
import { sendExpiryNotices } from '../../../src/hub/certificates/expiry.commands.ts';
import { parseIssuanceSchedule } from '../../../src/hub/certificates/life.ts';
import { decideRequest, downloadCertificate, requestCertificate, type CertificateAuthority } from '../../../src/hub/certificates/request.commands.ts';
import { dismissFlag, listFlags, scanSuspiciousUse, setTerminalHours, suspendFlagged } from '../../../src/hub/certificates/suspicion.commands.ts';
import { identifyCaller } from '../../../src/hub/identity/certificate.commands.ts';
import {
  buildCertificate,
  buildGridOperator,
  givenCertificate,
  givenIdentityWorld,
  givenParticipant,
  TEST_PASSWORD,
  testCertificateAuthority,
  testClock,
} from '../../../src/hub/identity/testing.ts';
import { fromPkcs12 } from '../../../src/platform/pki/pkcs12.ts';
import type { Queryable } from '../../../src/platform/db/db.ts';
import { givenNotificationAddress } from '../../../src/hub/notifications/testing.ts';

const csrCache = new Map<string, { csrPem: string; keyPem: string }>();
const keyCache = new Map<number, { privateKey: string; publicKey: string }>();

/**
 * A CSR as a participant makes it with its own key (as `openssl req` would: UTF8String names), signed
 * by node's crypto (forge's JavaScript RSA would take half a second each).
 */
function csrOf(subject: Record<string, string>, bits = 2048): { csrPem: string; keyPem: string } {
  const cacheKey = JSON.stringify([subject, bits]);
  const cached = csrCache.get(cacheKey);
  if (cached) return cached;
  // One key per size: the subjects differ, the key need not.
  let pair = keyCache.get(bits);
  if (!pair) {
    pair = generateKeyPairSync('rsa', {
      modulusLength: bits,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    keyCache.set(bits, pair);
  }
  const { privateKey, publicKey } = pair;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKey);
  csr.setSubject(
    Object.entries(subject).map(([shortName, value]) => ({ shortName, value, valueTagClass: forge.asn1.Type.UTF8 as number as forge.asn1.Class })),
  );
  signCsr(csr, privateKey);
  const made = { csrPem: forge.pki.certificationRequestToPem(csr), keyPem: privateKey };
  csrCache.set(cacheKey, made);
  return made;
}

function signCsr(csr: forge.pki.CertificateSigningRequest, keyPem: string): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption!;
  const c = csr as unknown as { md: unknown; signatureOid: string; siginfo: { algorithmOid: string }; certificationRequestInfo: unknown; signature: string };
  c.md = forge.md.sha256.create();
  c.signatureOid = oid;
  c.siginfo.algorithmOid = oid;
  const info = (forge.pki as unknown as { getCertificationRequestInfo(r: unknown): forge.asn1.Asn1 }).getCertificationRequestInfo(csr);
  c.certificationRequestInfo = info;
  c.signature = sign('sha256', Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary'), keyPem).toString('binary');
}

const weekly = (): CertificateAuthority => ({ ca: testCertificateAuthority(), schedule: parseIssuanceSchedule('tue 17:00,fri 17:00') });
const immediate = (): CertificateAuthority => ({ ca: testCertificateAuthority(), schedule: { kind: 'immediate' } });

async function signIn(client: TestClient, userId: string) {
  const form = await client.get('/login');
  const res = await client.post('/login', { form: { _csrf: hiddenField(form.body, '_csrf'), userId, password: TEST_PASSWORD } });
  assert.equal(res.status, 303);
}

async function count(q: Queryable, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, values);
  return rows[0]!.n;
}

const goodCsr = csrOf({ O: '10033', OU: 'terminal', CN: '本社 端末7' });

forEachBackend('certificate life: requests and their checks', (backend) => {
  test('each request check refuses with its own code and writes nothing', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    const refused = async (actor: typeof actors.aAdmin, input: Parameters<typeof requestCertificate>[3], code: string, field?: string) => {
      await assert.rejects(requestCertificate(db, clock, actor, input), (error: { code: string; field?: string }) => {
        assert.equal(error.code, code);
        if (field) assert.equal(error.field, field);
        return true;
      });
    };
    const csr = (subject: Record<string, string>, bits?: number) => ({ usage: 'terminal', method: 'csr', csrPem: csrOf(subject, bits).csrPem });
    await refused(actors.aAdmin, csr({ O: '20016', OU: 'terminal', CN: '他社' }), 'CERT_SUBJECT_PARTICIPANT', 'csr');
    await refused(actors.aAdmin, csr({ O: '10033', OU: 'api', CN: 'x' }), 'CERT_SUBJECT_USAGE', 'csr');
    await refused(actors.aAdmin, csr({ C: 'JP', O: '10033', OU: 'terminal', CN: 'x' }), 'CERT_SUBJECT_EXTRA', 'csr');
    await refused(actors.aAdmin, csr({ O: '10033', OU: 'terminal', CN: 'x' }, 1024), 'CERT_CSR_KEY', 'csr');
    await refused(actors.aAdmin, { usage: 'terminal', method: 'csr', csrPem: 'not a CSR' }, 'CERT_CSR_UNREADABLE', 'csr');
    // The subject changed after signing: the request's own signature no longer holds.
    const other = csrOf({ O: '10033', OU: 'terminal', CN: '別の端末' });
    const tampered = forge.pki.certificationRequestFromPem(other.csrPem);
    (tampered as unknown as { signature: string }).signature = (
      forge.pki.certificationRequestFromPem(goodCsr.csrPem) as unknown as { signature: string }
    ).signature;
    await refused(actors.aAdmin, { usage: 'terminal', method: 'csr', csrPem: forge.pki.certificationRequestToPem(tampered) }, 'CERT_CSR_SIGNATURE', 'csr');
    await refused(actors.aAdmin, { usage: 'terminal', method: 'pkcs12', boundCode: '10033', commonName: '' }, 'CERT_TERMINAL_NAME_REQUIRED', 'commonName');
    await refused(actors.aAdmin, { usage: 'terminal', method: 'pkcs12', boundCode: '20016', commonName: '端末' }, 'CERT_SUBJECT_PARTICIPANT', 'boundCode');
    await refused(actors.aAdmin, { usage: 'browser', method: 'pkcs12' }, 'CERT_USAGE_INVALID', 'usage');
    await refused(actors.aAdmin, { usage: 'terminal', method: 'usb' }, 'CERT_METHOD_INVALID', 'method');
    // One API certificate per participant: a second one is a renewal of the first.
    await refused(actors.aAdmin, { usage: 'api', method: 'pkcs12', boundCode: '10033' }, 'CERT_API_EXISTS', 'usage');
    await refused(actors.aAdmin, { usage: 'api', method: 'pkcs12', boundCode: '10033', renews: 'ab'.repeat(32) }, 'CERT_RENEWS_INVALID', 'renews');
    const bCert = buildCertificate({ participantCode: '20016', terminalName: '大阪 端末1' }).described.fingerprint256;
    await refused(actors.aAdmin, { usage: 'terminal', method: 'pkcs12', boundCode: '10033', commonName: 'x', renews: bCert }, 'CERT_RENEWS_INVALID', 'renews');
    // Only the participant's administrator, for its own participant.
    await refused(actors.aUser, { usage: 'terminal', method: 'csr', csrPem: goodCsr.csrPem }, 'AUTH_FORBIDDEN');
    await refused(actors.bAdmin, { companyCode: '1003', usage: 'terminal', method: 'csr', csrPem: goodCsr.csrPem }, 'AUTH_FORBIDDEN');
    assert.equal(await count(db, 'hub.certificate_request'), 0);

    const { request, pin } = await requestCertificate(db, clock, actors.aAdmin, { usage: 'terminal', method: 'csr', csrPem: goodCsr.csrPem });
    assert.deepEqual([request.status, request.boundCode, request.subjectCn, pin], ['requested', '10033', '本社 端末7', null]);
    const p12 = await requestCertificate(db, clock, actors.aAdmin, { usage: 'terminal', method: 'pkcs12', boundCode: '10033', commonName: '本社 端末8' });
    assert.match(p12.pin ?? '', /^[A-Za-z2-9]{12}$/);
  });

  test('approval, refusal with a reason, and decisions only by hub admins', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    const { request } = await requestCertificate(db, clock, actors.aAdmin, { usage: 'terminal', method: 'csr', csrPem: goodCsr.csrPem });
    await assert.rejects(decideRequest(db, clock, actors.aAdmin, weekly(), request.requestId, { approve: true }), { code: 'AUTH_FORBIDDEN' });
    await assert.rejects(decideRequest(db, clock, actors.hubAdmin, weekly(), request.requestId, { approve: false, reason: ' ' }), {
      code: 'AUTH_REASON_REQUIRED',
    });
    const refused = await decideRequest(db, clock, actors.hubAdmin, weekly(), request.requestId, { approve: false, reason: '端末名が社内台帳にありません' });
    assert.equal(refused.status, 'refused');
    await assert.rejects(decideRequest(db, clock, actors.hubAdmin, weekly(), request.requestId, { approve: true }), { code: 'CERT_REQUEST_NOT_PENDING' });
    await assert.rejects(decideRequest(db, clock, actors.hubAdmin, weekly(), 999, { approve: true }), { code: 'CERT_REQUEST_NOT_FOUND' });
    const { rows } = await db.query<{ kind: string; text: string }>(`SELECT kind, text FROM hub.notification WHERE company_code = '1003'`);
    assert.equal(rows[0]?.kind, 'certificateRequestRefused');
    assert.match(rows[0]?.text ?? '', /端末名が社内台帳にありません/);
  });
});

forEachBackend('certificate life: issuance and use', (backend) => {
  test('a CSR request is issued at the weekly closing time, notified, downloaded once, and opens a mutual-TLS session', async () => {
    await using db = await backend.open();
    // 2026-04-01 is a Wednesday: the closing times around it are Tue 3/31 and Fri 4/3, 17:00.
    const hub = await startTestHub(db, { certificates: weekly() });
    try {
      const { clock, world } = hub;
      const authority = weekly();
      await givenNotificationAddress(db, '1003', 'admin@1003.example');
      const { request } = await requestCertificate(db, clock, world.actors.aAdmin, { usage: 'terminal', method: 'csr', csrPem: goodCsr.csrPem });
      await decideRequest(db, clock, world.actors.hubAdmin, authority, request.requestId, { approve: true });
      assert.equal((await runCertificateWork({ db, clock, authority })).issued, 0, 'approved after Tuesday’s closing: waits for Friday');
      await assert.rejects(downloadCertificate(db, clock, world.actors.aAdmin, hub.caPem, request.requestId), { code: 'CERT_REQUEST_NOT_READY' });

      clock.set(new Date('2026-04-03T16:59:00+09:00'));
      assert.equal((await runCertificateWork({ db, clock, authority })).issued, 0);
      clock.set(new Date('2026-04-03T17:00:00+09:00'));
      assert.equal((await runCertificateWork({ db, clock, authority })).issued, 1);
      assert.equal((await runCertificateWork({ db, clock, authority })).issued, 0, 'a closing time is worked once');
      const { rows } = await db.query<{ kind: string }>(`SELECT kind FROM hub.notification WHERE company_code = '1003'`);
      assert.deepEqual(
        rows.map((r) => r.kind),
        ['certificateIssued'],
      );
      const mail = await db.query<{ subject: string; to_address: string }>(`SELECT subject, to_address FROM hub.mail_outbox WHERE company_code = '1003'`);
      assert.deepEqual(
        mail.rows.map((m) => [m.subject, m.to_address]),
        [[`証明書を発行しました（申請番号 ${request.requestId}）`, 'admin@1003.example']],
      );
      assert.deepEqual(
        (await db.query<{ action: string }>(`SELECT action FROM hub.audit_log WHERE action LIKE 'certificate%' ORDER BY audit_id`)).rows.map((r) => r.action),
        ['certificateRequested', 'certificateApproved', 'certificateIssued'],
      );

      await assert.rejects(downloadCertificate(db, clock, world.actors.bAdmin, hub.caPem, request.requestId), { code: 'AUTH_FORBIDDEN' });
      const download = await downloadCertificate(db, clock, world.actors.aAdmin, hub.caPem, request.requestId);
      assert.equal(download.p12, null);
      await assert.rejects(downloadCertificate(db, clock, world.actors.aAdmin, hub.caPem, request.requestId), { code: 'CERT_ALREADY_DOWNLOADED' });
      assert.equal(await count(db, `hub.audit_log WHERE action = 'certificateDownloaded' AND user_id = '1003.admin'`), 1);

      // The participant's own key with the certificate the hub issued: a real handshake and a signed-in session.
      const terminal = hub.withCert({ certPem: download.certPem, keyPem: goodCsr.keyPem });
      await signIn(terminal, '1003.user');
      const home = await terminal.get('/');
      assert.equal(home.status, 200);
      assert.match(home.body, /1003\.user/);
    } finally {
      await hub.close();
    }
  });

  test('a request that cannot be issued stays approved for the next batch and does not hold back the others', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    const authority = weekly();
    // The broken one first, so that the batch meets it before the good one.
    const broken = await requestCertificate(db, clock, actors.aAdmin, {
      usage: 'terminal',
      method: 'csr',
      csrPem: csrOf({ O: '10033', OU: 'terminal', CN: '本社 端末9' }).csrPem,
    });
    const good = await requestCertificate(db, clock, actors.aAdmin, { usage: 'terminal', method: 'csr', csrPem: goodCsr.csrPem });
    for (const { request } of [broken, good]) await decideRequest(db, clock, actors.hubAdmin, authority, request.requestId, { approve: true });
    // Its CSR no longer reads (as if damaged at rest): issuing it throws inside the batch.
    await db.query(`UPDATE hub.certificate_request SET csr_pem = 'damaged' WHERE request_id = $1`, [broken.request.requestId]);
    clock.set(new Date('2026-04-03T17:00:00+09:00'));
    assert.equal((await runCertificateWork({ db, clock, authority })).issued, 1);
    const { rows } = await db.query<{ request_id: string; status: string; fingerprint256: string | null }>(
      `SELECT request_id::text, status, fingerprint256 FROM hub.certificate_request ORDER BY request_id`,
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.request_id), r.status, r.fingerprint256 !== null]),
      [
        [broken.request.requestId, 'approved', false],
        [good.request.requestId, 'issued', true],
      ],
    );
    assert.equal(await count(db, `hub.notification WHERE kind = 'certificateIssued'`), 1, 'only the issued one is notified');
    assert.equal(await count(db, `hub.audit_log WHERE action = 'certificateIssued'`), 1);
  });

  test('a PKCS#12 request on the web: PIN shown once, approved at once in the sandbox, downloaded once, and used for an API call', async () => {
    await using db = await backend.open();
    const hub = await startTestHub(db, { certificates: immediate() });
    try {
      const admin = hub.as('aTerminal');
      await signIn(admin, '1003.admin');
      const csrf = hiddenField((await admin.get('/certificates/requests/new')).body, '_csrf');
      const bad = await admin.post('/certificates/requests', {
        form: { _csrf: csrf, usage: 'terminal', method: 'pkcs12', boundCode: '10033', commonName: '' },
      });
      assert.equal(bad.status, 400);
      assert.match(bad.body, /class="field-error"[^>]*><span class="code">CERT_TERMINAL_NAME_REQUIRED/);
      // The API certificate already exists: this is its renewal.
      const created = await admin.post('/certificates/requests', {
        form: {
          _csrf: csrf,
          usage: 'api',
          method: 'pkcs12',
          boundCode: '10033',
          commonName: '',
          renews: hub.world.certificates.aApi.certificate.fingerprint256,
        },
      });
      assert.equal(created.status, 200);
      const pin = /id="pin">([^<]+)</.exec(created.body)?.[1];
      const requestId = Number(/id="request-id">(\d+)</.exec(created.body)?.[1]);
      assert.ok(pin && requestId);
      assert.doesNotMatch((await admin.get(`/certificates/requests/${requestId}`)).body, new RegExp(pin), 'the PIN is never shown again');

      const hubAdmin = hub.as('hubTerminal');
      await signIn(hubAdmin, 'h000.admin');
      const pending = await hubAdmin.get('/admin/certificate-requests');
      assert.match(pending.body, new RegExp(`<td>${requestId}</td>`));
      const approved = await hubAdmin.post(`/admin/certificate-requests/${requestId}`, {
        form: { _csrf: hiddenField(pending.body, '_csrf'), decision: 'approve' },
      });
      assert.match(approved.body, /発行済/);
      assert.equal((await db.query<{ pin: string | null }>('SELECT pin FROM hub.certificate_request WHERE request_id = $1', [requestId])).rows[0]?.pin, null);

      const download = await downloadCertificate(db, hub.clock, hub.world.actors.aAdmin, hub.caPem, requestId);
      const opened = fromPkcs12(download.p12!, pin);
      const again = await admin.post(`/certificates/requests/${requestId}/download`, { form: { _csrf: csrf } });
      assert.equal(again.status, 410);
      assert.match(again.body, /CERT_ALREADY_DOWNLOADED/);

      const api = hub.withCert({ certPem: opened.certPems[0]!, keyPem: opened.keyPem });
      const me = await api.get('/api/v1/me');
      assert.equal(me.status, 200);
      assert.equal(me.json().data.participant.companyCode, '1003');
      // Both the old and the renewed API certificate work until the old one ends.
      assert.equal((await hub.as('aApi').get('/api/v1/me')).status, 200);
    } finally {
      await hub.close();
    }
  });
});

forEachBackend('certificate life: expiry and renewal', (backend) => {
  test('notices at 90, 30 and 7 days, none once renewed; both certificates work, then only the new one', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors, certificates } = await givenIdentityWorld(db, clock);
    const old = certificates.aApi.certificate; // 2026-03-01 + 730 days
    const notices = async () =>
      (
        await db.query<{ subject: string }>(`SELECT subject FROM hub.notification WHERE kind = 'certificateExpiring' AND text LIKE $1 ORDER BY id`, [
          `%${old.fingerprint256}%`,
        ])
      ).rows.map((r) => r.subject);
    clock.set(new Date(old.notAfter.getTime() - 91 * 86_400_000));
    await sendExpiryNotices(db, clock);
    assert.deepEqual(await notices(), []);
    clock.set(new Date(old.notAfter.getTime() - 89 * 86_400_000));
    await sendExpiryNotices(db, clock);
    await sendExpiryNotices(db, clock);
    assert.deepEqual(await notices(), ['証明書の有効期限まで89日です（10033 10033 api）']);
    clock.set(new Date(old.notAfter.getTime() - 29 * 86_400_000));
    await sendExpiryNotices(db, clock);
    assert.equal((await notices()).length, 2);
    assert.match((await notices())[1]!, /29日/);

    const csr = csrOf({ O: '10033', OU: 'api', CN: '10033 api 2' });
    const { request } = await requestCertificate(db, clock, actors.aAdmin, { usage: 'api', method: 'csr', csrPem: csr.csrPem, renews: old.fingerprint256 });
    const issued = await decideRequest(db, clock, actors.hubAdmin, immediate(), request.requestId, { approve: true });
    assert.equal(issued.status, 'issued');
    assert.equal((await identifyCaller(db, clock, old.fingerprint256)).participant.companyCode, '1003');
    assert.equal((await identifyCaller(db, clock, issued.fingerprint256!)).participant.companyCode, '1003');

    clock.set(new Date(old.notAfter.getTime() - 6 * 86_400_000));
    await sendExpiryNotices(db, clock);
    assert.equal((await notices()).length, 2, 'renewed: no 7-day notice');

    clock.set(new Date(old.notAfter.getTime() + 60_000));
    await assert.rejects(identifyCaller(db, clock, old.fingerprint256), (e: Error & { cause?: unknown }) => e.cause === 'certificate_expired');
    assert.equal((await identifyCaller(db, clock, issued.fingerprint256!)).participant.companyCode, '1003');
  });

  test('an expired certificate is refused at the TLS handshake, with a log line saying so', async () => {
    await using db = await backend.open();
    const lines: { level: string; scope: string; msg: string }[] = [];
    const logger = createLogger({ format: 'json', level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const hub = await startTestHub(db, { logger });
    try {
      const expired = buildCertificate({ participantCode: '10033', usage: 'api', notBefore: '2024-01-01T00:00:00Z', validityDays: 30 }).cert;
      await assert.rejects(hub.withCert(expired).get('/api/v1/me'));
      for (let i = 0; i < 200 && !lines.some((l) => l.scope === 'tls'); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    } finally {
      await hub.close();
    }
    assert.ok(
      lines.some((l) => l.level === 'warn' && l.scope === 'tls' && /^handshake from \S+ refused: client certificate expired \(CERT_HAS_EXPIRED\)/.test(l.msg)),
      JSON.stringify(lines),
    );
  });
});

forEachBackend('certificate life: loss, theft and suspicion', (backend) => {
  test('a loss report suspends at once, ends the running session, and the grids see it in the published state', async () => {
    await using db = await backend.open();
    const hub = await startTestHub(db);
    try {
      const { world, clock } = hub;
      await givenParticipant(db, clock, buildGridOperator('03'));
      await givenCertificate(db, clock, { participantCode: 'G0033', usage: 'api' });
      const grid = hub.withCert(buildCertificate({ participantCode: 'G0033', usage: 'api' }).cert);
      const start = (await grid.get('/api/v1/credential-status?since=0')).json().data.next as number;

      const user = hub.as('bTerminal');
      await signIn(user, '2001.user');
      assert.equal((await user.get('/')).status, 200);
      const admin = hub.as('aTerminal');
      await signIn(admin, '1003.admin');
      const csrf = hiddenField((await admin.get('/certificates/loss')).body, '_csrf');
      const foreign = await admin.post('/certificates/loss', { form: { _csrf: csrf, kind: 'user', id: '2001.user', reason: '紛失' } });
      assert.equal(foreign.status, 403);
      assert.match(foreign.body, /AUTH_FORBIDDEN/);
      assert.equal((await user.get('/')).status, 200, 'another participant’s ID is untouched');

      const bAdmin = hub.as('bTerminal');
      await signIn(bAdmin, '2001.admin');
      const bCsrf = hiddenField((await bAdmin.get('/certificates/loss')).body, '_csrf');
      const reported = await bAdmin.post('/certificates/loss', { form: { _csrf: bCsrf, kind: 'user', id: '2001.user', reason: 'PCごと盗難' } });
      assert.equal(reported.status, 200);
      assert.match(reported.body, /2001\.user を停止しました（セッション 1 件を終了）/);
      const after = await user.get('/');
      assert.equal(after.status, 303, 'the running session ended at once');

      // A lost API certificate: the next call is refused.
      const apiFp = world.certificates.aApi.certificate.fingerprint256;
      const lost = await admin.post('/certificates/loss', { form: { _csrf: csrf, kind: 'certificate', id: apiFp, reason: 'サーバ移設時に鍵が流出' } });
      assert.equal(lost.status, 200);
      assert.equal((await hub.as('aApi').get('/api/v1/me')).status, 403);

      const feed = (await grid.get(`/api/v1/credential-status?since=${start}`)).json().data;
      assert.deepEqual(
        feed.changes.map((c: { kind: string; id: string; companyCode: string; status: string }) => [c.kind, c.id, c.companyCode, c.status]),
        [
          ['user', '2001.user', '2001', 'suspended'],
          ['certificate', apiFp, '1003', 'suspended'],
        ],
      );
      assert.equal((await grid.get(`/api/v1/credential-status?since=${feed.next}`)).json().data.changes.length, 0);
      assert.equal((await grid.get(`/api/v1/credential-status?fingerprint=${apiFp}`)).json().data.status, 'suspended');
      // Retailers do not read other participants' suspensions.
      assert.equal((await hub.as('bTerminal').get('/api/v1/credential-status?since=0')).status, 403);
    } finally {
      await hub.close();
    }
  });

  test('the suspicion rules fire on crafted traffic, once each; one click suspends, and only hub admins may', async () => {
    await using db = await backend.open();
    const clock = testClock('2026-04-01T03:10:00+09:00');
    const { actors, certificates } = await givenIdentityWorld(db, clock);
    const entry = (fingerprint256: string, sourceAddress: string, result = 'OK', channel: 'api' | 'web' = 'api') => ({
      at: clock.now(),
      companyCode: null,
      userId: null,
      fingerprint256,
      sourceAddress,
      channel,
      action: 'IF_10110',
      result,
    });
    const aApi = certificates.aApi.certificate.fingerprint256;
    const bTerminal = certificates.bTerminal.certificate.fingerprint256;
    const aTerminal = certificates.aTerminal.certificate.fingerprint256;
    const hubTerminal = certificates.hubTerminal.certificate.fingerprint256;
    await recordAudit(db, [
      ...['192.0.2.1', '192.0.2.2', '198.51.100.3', '203.0.113.4', '203.0.113.5'].map((ip) => entry(aApi, ip)),
      // Four addresses: below the threshold of five.
      ...['192.0.2.1', '192.0.2.2', '198.51.100.3', '203.0.113.4'].map((ip) => entry(hubTerminal, ip, 'OK', 'web')),
      ...Array.from({ length: 20 }, () => entry(bTerminal, '192.0.2.9', 'AUTH_LOGIN_FAILED', 'web')),
      ...Array.from({ length: 19 }, () => entry(aTerminal, '192.0.2.8', 'AUTH_LOGIN_FAILED', 'web')),
    ]);
    assert.equal(await scanSuspiciousUse(db, clock), 2);
    // 1003 declares its terminals are used 8–20 h: the 03:10 use is now outside them.
    await setTerminalHours(db, actors.aAdmin, '1003', { from: 8, to: 20 });
    await assert.rejects(setTerminalHours(db, actors.aAdmin, '1003', { from: 20, to: 8 }), { code: 'CERT_HOURS_INVALID' });
    await assert.rejects(setTerminalHours(db, actors.aAdmin, '2001', { from: 8, to: 20 }), { code: 'AUTH_FORBIDDEN' });
    assert.equal(await scanSuspiciousUse(db, clock), 1);
    assert.equal(await scanSuspiciousUse(db, clock), 0, 'each flag once');

    await assert.rejects(listFlags(db, actors.aAdmin), { code: 'AUTH_FORBIDDEN' });
    const flags = await listFlags(db, actors.hubAdmin);
    assert.deepEqual(
      flags.map((f) => [f.rule, f.fingerprint256, f.observed]).sort(),
      [
        ['many_addresses', aApi, 5],
        ['outside_hours', aTerminal, 19],
        ['refusal_burst', bTerminal, 20],
      ].sort(),
    );
    const many = flags.find((f) => f.rule === 'many_addresses')!;
    await assert.rejects(suspendFlagged(db, clock, actors.aAdmin, many.flagId), { code: 'AUTH_FORBIDDEN' });
    const result = await suspendFlagged(db, clock, actors.hubAdmin, many.flagId);
    assert.equal(result.changed, true);
    await assert.rejects(identifyCaller(db, clock, aApi), { code: 'AUTH_TERMINAL_REFUSED' });
    await assert.rejects(suspendFlagged(db, clock, actors.hubAdmin, many.flagId), { code: 'CERT_FLAG_NOT_FOUND' });
    await dismissFlag(db, clock, actors.hubAdmin, flags.find((f) => f.rule === 'outside_hours')!.flagId);
    assert.deepEqual(
      (await listFlags(db, actors.hubAdmin, { open: true })).map((f) => f.rule),
      ['refusal_burst'],
    );
    assert.equal(await count(db, `hub.audit_log WHERE action IN ('suspicionSuspend', 'suspicionDismiss')`), 2);
  });
});
