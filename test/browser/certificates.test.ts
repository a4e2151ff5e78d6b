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

forEachBackend('browser: certificates', (backend) => {
  test('request with a PIN shown once, approval, one download, use on a new terminal, and a loss report that stops it at once', async () => {
    await using db = await backend.open();
    await using web = await startBrowserHub(db, { certificates: { ca: testCertificateAuthority(), schedule: { kind: 'immediate' } } });

    const admin = await web.newPage('aTerminal');
    await signIn(admin, 'a003.admin', TEST_PASSWORD);
    await admin.click('nav.site >> text=証明書');
    await admin.waitForLoadState();
    assert.match(await admin.locator('#certificates tbody').innerText(), /A0033[\s\S]*本社 端末1[\s\S]*日/);
    await admin.click('text=証明書を申請する');
    await admin.waitForLoadState();
    await admin.selectOption('#usage', 'terminal');
    await admin.selectOption('#method', 'pkcs12');
    await admin.selectOption('#boundCode', 'A0033');
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
    await signIn(terminal, 'a003.user', TEST_PASSWORD);
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
});
