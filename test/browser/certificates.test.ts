/**
 * The life of a certificate in real browsers (issue 19): a participant's administrator requests a
 * terminal certificate as a PKCS#12 (a refusal first, then the PIN shown once), the hub admin
 * approves it (issued at once, as in the sandbox), the administrator downloads it once, a new
 * terminal signs in with it, and the administrator's loss report throws that terminal out.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { forEachBackend } from '../support/backends.ts';
import { screenshot, signIn, startBrowserHub } from '../support/browser.ts';
import { TEST_PASSWORD, testCertificateAuthority } from '../../src/hub/identity/testing.ts';
import { fromPkcs12 } from '../../src/platform/pki/pkcs12.ts';
import { generateKeyPairSync } from 'node:crypto';
import { recordAudit } from '../../src/hub/audit/audit.repository.ts';
import { scanSuspiciousUse } from '../../src/hub/certificates/suspicion.commands.ts';
import forge from 'node-forge';

/** A CSR made the way a participant makes one (its key stays with it), as PEM and as DER. */
function csrFiles(subject: Record<string, string>): { pem: string; der: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const request = forge.pki.createCertificationRequest();
  request.publicKey = forge.pki.publicKeyFromPem(publicKey);
  request.setSubject(
    Object.entries(subject).map(([shortName, value]) => ({ shortName, value, valueTagClass: forge.asn1.Type.UTF8 as number as forge.asn1.Class })),
  );
  request.sign(forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  const pem = forge.pki.certificationRequestToPem(request);
  return { pem, der: Buffer.from(forge.asn1.toDer(forge.pki.certificationRequestToAsn1(request)).getBytes(), 'binary') };
}

forEachBackend('browser: certificates', (backend) => {
  test('request with a PIN shown once, approval, one download, use on a new terminal, and a loss report that stops it at once', async () => {
    await using db = await backend.open();
    await using web = await startBrowserHub(db, { certificates: { ca: testCertificateAuthority(), schedule: { kind: 'immediate' } } });

    const admin = await web.newPage('aTerminal');
    await signIn(admin, '1003.admin', TEST_PASSWORD);
    await admin.click('nav.site >> text=証明書');
    await admin.waitForLoadState();
    assert.match(await admin.locator('#certificates tbody').innerText(), /10033[\s\S]*本社 端末1[\s\S]*日/);
    await admin.click('text=証明書を申請する');
    await admin.waitForLoadState();
    await admin.selectOption('#usage', 'terminal');
    await admin.selectOption('#method', 'pkcs12');
    await admin.selectOption('#boundCode', '10033');
    await admin.click('form[action="/certificates/requests"] button[type=submit]');
    await admin.waitForLoadState();
    assert.match(await admin.locator('.field-error').innerText(), /CERT_TERMINAL_NAME_REQUIRED 画面利用の証明書には端末名/);
    await admin.fill('#commonName', '本社 営業部 端末9');
    await admin.click('form[action="/certificates/requests"] button[type=submit]');
    await admin.waitForLoadState();
    const pin = await admin.locator('#pin').innerText();
    const requestId = await admin.locator('#request-id').innerText();
    assert.match(pin, /^[A-Za-z2-9]{12}$/);
    await screenshot(admin, 'certificate-request-pin');

    const hubAdmin = await web.newPage('hubTerminal');
    await signIn(hubAdmin, 'h000.admin', TEST_PASSWORD);
    await hubAdmin.click('nav.site >> text=証明書申請');
    await hubAdmin.waitForLoadState();
    await screenshot(hubAdmin, 'certificate-requests-pending');
    await hubAdmin.click(`form[action="/admin/certificate-requests/${requestId}"] button[value=approve]`);
    await hubAdmin.waitForLoadState();
    assert.match(await hubAdmin.locator('p.notice').innerText(), new RegExp(`申請 ${requestId} を承認しました（状態: 発行済`));

    await admin.goto(`/certificates/requests/${requestId}`);
    assert.equal(await admin.locator('#status').innerText(), '発行済（未ダウンロード）');
    assert.equal(await admin.locator(`text=${pin}`).count(), 0, 'the PIN is not shown again');
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.click('#download')]);
    const p12 = await readFile((await download.path())!);
    const opened = fromPkcs12(p12, pin);

    // The new terminal, with the certificate the administrator just downloaded.
    const terminal = await web.newPage({ certPem: opened.certPems[0]!, keyPem: opened.keyPem });
    await signIn(terminal, '1003.user', TEST_PASSWORD);
    assert.equal(new URL(terminal.url()).pathname, '/');

    await admin.goto(`/certificates/requests/${requestId}`);
    assert.equal(await admin.locator('#status').innerText(), 'ダウンロード済');
    assert.equal(await admin.locator('#download').count(), 0, 'downloaded once');

    // The terminal is stolen: the administrator reports it, and it stops at once.
    await admin.click('nav.site >> text=証明書');
    await admin.waitForLoadState();
    await admin.click('text=紛失・盗難の届出');
    await admin.waitForLoadState();
    await admin.selectOption('#kind', 'certificate');
    await admin.fill('#id', web.hub.world.certificates.aTerminal.certificate.fingerprint256.slice(0, 10));
    await admin.fill('#reason', '営業部の端末を車内で盗難');
    await admin.click('form[action="/certificates/loss"] button[type=submit]');
    await admin.waitForLoadState();
    assert.match(await admin.locator('.field-error').innerText(), /AUTH_CERT_NOT_FOUND/, 'a partial fingerprint is no fingerprint');
    const fingerprint = (await db.query<{ f: string }>('SELECT fingerprint256 AS f FROM hub.certificate_request WHERE request_id = $1', [Number(requestId)]))
      .rows[0]!.f;
    await admin.fill('#id', fingerprint);
    await admin.click('form[action="/certificates/loss"] button[type=submit]');
    await admin.waitForLoadState();
    assert.match(await admin.locator('p.notice').innerText(), /を停止しました（セッション 1 件を終了）/);
    await screenshot(admin, 'certificate-loss-reported');

    await terminal.click('nav.site >> text=インフォメーション');
    await terminal.waitForLoadState();
    assert.match(await terminal.locator('body').innerText(), /AUTH_TERMINAL_REFUSED|お使いの端末では当システムを利用できません/);

    // The hub admin sees it by days left.
    await hubAdmin.click('nav.site >> text=証明書の有効期限');
    await hubAdmin.waitForLoadState();
    assert.match(await hubAdmin.locator('#expiry tbody').innerText(), /本社 営業部 端末9[\s\S]*停止中/);
  });

  test('a CSR uploaded as a file (DER or PEM) instead of pasted; garbage and both at once are refused with their codes', async () => {
    await using db = await backend.open();
    await using web = await startBrowserHub(db, { certificates: { ca: testCertificateAuthority(), schedule: { kind: 'immediate' } } });
    const admin = await web.newPage('aTerminal');
    await signIn(admin, '1003.admin', TEST_PASSWORD);
    await admin.goto('/certificates/requests/new');
    const submit = async () => {
      await admin.click('form[action="/certificates/requests"] button[type=submit]');
      await admin.waitForLoadState();
    };
    await admin.selectOption('#usage', 'terminal');
    await admin.selectOption('#method', 'csr');
    await admin.setInputFiles('#csrFile', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('これはCSRではありません') });
    await submit();
    assert.match(
      await admin.locator('.field-error').innerText(),
      /CERT_CSR_UNREADABLE CSR（証明書署名要求）を読み取れません。PEM形式（BEGIN CERTIFICATE REQUEST）またはDER形式/,
    );

    const pasted = csrFiles({ O: '10033', OU: 'terminal', CN: '本社 端末 貼付' });
    await admin.selectOption('#method', 'csr');
    await admin.fill('#csr', pasted.pem);
    await admin.setInputFiles('#csrFile', { name: 'terminal.der', mimeType: 'application/pkcs10', buffer: pasted.der });
    await submit();
    assert.match(await admin.locator('.field-error').innerText(), /CERT_CSR_TWICE/);
    assert.equal(await admin.locator('#pin').count(), 0);

    const der = csrFiles({ O: '10033', OU: 'terminal', CN: '本社 端末 DER' });
    await admin.selectOption('#method', 'csr');
    await admin.fill('#csr', '');
    await admin.setInputFiles('#csrFile', { name: 'terminal.der', mimeType: 'application/pkcs10', buffer: der.der });
    await submit();
    const derId = Number(await admin.locator('#request-id').innerText());
    assert.equal(await admin.locator('#pin').count(), 0, 'a CSR request has no PIN: the key stays with the participant');

    const pem = csrFiles({ O: '10033', OU: 'terminal', CN: '本社 端末 PEM' });
    await admin.goto('/certificates/requests/new');
    await admin.selectOption('#usage', 'terminal');
    await admin.selectOption('#method', 'csr');
    await admin.setInputFiles('#csrFile', { name: 'terminal.csr', mimeType: 'application/octet-stream', buffer: Buffer.from(pem.pem) });
    await submit();
    const pemId = Number(await admin.locator('#request-id').innerText());

    const { rows } = await db.query<{ request_id: number; subject_cn: string; method: string; csr_pem: string }>(
      'SELECT request_id, subject_cn, method, csr_pem FROM hub.certificate_request WHERE request_id = ANY($1) ORDER BY request_id',
      [[derId, pemId]],
    );
    assert.deepEqual(
      rows.map((r) => [r.subject_cn, r.method]),
      [
        ['本社 端末 DER', 'csr'],
        ['本社 端末 PEM', 'csr'],
      ],
    );
    assert.match(rows[0]!.csr_pem, /^-----BEGIN CERTIFICATE REQUEST-----/, 'the DER file is kept as PEM');
  });

  test("the administrator's terminal hours and a renewal refused with a reason; the hub admin suspends a flagged certificate in one click", async () => {
    await using db = await backend.open();
    await using web = await startBrowserHub(db, { certificates: { ca: testCertificateAuthority(), schedule: { kind: 'immediate' } } });
    const admin = await web.newPage('aTerminal');
    await signIn(admin, '1003.admin', TEST_PASSWORD);
    await admin.click('nav.site >> text=証明書');
    await admin.waitForLoadState();
    await admin.fill('#from', '20');
    await admin.fill('#to', '8');
    await admin.click('form[action="/certificates/hours"] button[type=submit]');
    await admin.waitForLoadState();
    assert.match(await admin.locator('.field-error, .refusal').first().innerText(), /CERT_HOURS_INVALID/);
    await admin.fill('#from', '8');
    await admin.fill('#to', '20');
    await admin.click('form[action="/certificates/hours"] button[type=submit]');
    await admin.waitForLoadState();
    assert.match(await admin.locator('p.notice').innerText(), /端末の利用時間帯を 8時〜20時 にしました/);

    // Renewal of the API certificate, from its row.
    const apiFingerprint = web.hub.world.certificates.aApi.certificate.fingerprint256;
    await admin.click(`a[href^="/certificates/requests/new?renews=${apiFingerprint}"]`);
    await admin.waitForLoadState();
    assert.match(await admin.locator('form[action="/certificates/requests"]').innerText(), new RegExp(`更新対象: ${apiFingerprint}`));
    await admin.selectOption('#method', 'pkcs12');
    await admin.click('form[action="/certificates/requests"] button[type=submit]');
    await admin.waitForLoadState();
    const requestId = await admin.locator('#request-id').innerText();

    const hubAdmin = await web.newPage('hubTerminal');
    await signIn(hubAdmin, 'h000.admin', TEST_PASSWORD);
    await hubAdmin.click('nav.site >> text=証明書申請');
    await hubAdmin.waitForLoadState();
    assert.match(await hubAdmin.locator('#pending tbody').innerText(), new RegExp(`${requestId}[\\s\\S]*更新`));
    await hubAdmin.click(`form[action="/admin/certificate-requests/${requestId}"] button[value=refuse]`);
    await hubAdmin.waitForLoadState();
    assert.match(await hubAdmin.locator('body').innerText(), /AUTH_REASON_REQUIRED/);
    await hubAdmin.fill(`form[action="/admin/certificate-requests/${requestId}"] input[name=reason]`, '更新の必要がありません（有効期限まで1年以上）');
    await hubAdmin.click(`form[action="/admin/certificate-requests/${requestId}"] button[value=refuse]`);
    await hubAdmin.waitForLoadState();
    await admin.goto(`/certificates/requests/${requestId}`);
    assert.equal(await admin.locator('#status').innerText(), '否認');
    assert.match(await admin.locator('body').innerText(), /理由: 更新の必要がありません[（(]有効期限まで1年以上[）)]/);

    // The API certificate seen from five addresses within the hour: flagged, suspended in one click.
    const at = web.hub.clock.now();
    await recordAudit(
      db,
      ['192.0.2.1', '192.0.2.2', '198.51.100.3', '203.0.113.4', '203.0.113.5'].map((sourceAddress) => ({
        at,
        companyCode: '1003',
        userId: null,
        fingerprint256: apiFingerprint,
        sourceAddress,
        channel: 'api' as const,
        action: 'IF_10110',
        result: 'OK',
      })),
    );
    assert.ok((await scanSuspiciousUse(db, web.hub.clock)) >= 1);
    await hubAdmin.click('nav.site >> text=不正利用の疑い');
    await hubAdmin.waitForLoadState();
    const row = hubAdmin.locator('#flags tbody tr', { hasText: apiFingerprint.slice(0, 16) });
    assert.match(await row.innerText(), /1003[\s\S]*5/);
    await row.locator('button', { hasText: '証明書を停止' }).click();
    await hubAdmin.waitForLoadState();
    assert.match(await hubAdmin.locator('p.notice').innerText(), new RegExp(`証明書 ${apiFingerprint.slice(0, 16)}… を停止しました`));
    assert.match(await hubAdmin.locator('#flags tbody tr', { hasText: apiFingerprint.slice(0, 16) }).innerText(), /停止済/);
    assert.equal((await web.hub.as('aApi').get('/api/v1/me')).status, 403, 'the API certificate is refused from now on');
  });
});
