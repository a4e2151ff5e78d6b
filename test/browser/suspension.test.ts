/**
 * 権限停止 (slide 46) in real browsers: a hub admin suspends a user through the suspension screen
 * while that user is signed in elsewhere; the user's next click ends on the login screen, and the
 * user cannot sign in again until resumed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../support/backends.ts';
import { screenshot, signIn, startBrowserHub } from '../support/browser.ts';
import { TEST_PASSWORD } from '../../src/hub/identity/testing.ts';

forEachBackend('browser: suspension', (backend) => {
  test('a user suspended by the hub admin is thrown out mid-session on the next click, and let back in once resumed', async () => {
    await using db = await backend.open();
    await using web = await startBrowserHub(db);

    const user = await web.newPage('aTerminal');
    await signIn(user, '1003.user', TEST_PASSWORD);
    await user.click('nav.site >> text=事業者一覧');
    await user.waitForLoadState();
    assert.equal(new URL(user.url()).pathname, '/participants');

    const admin = await web.newPage('hubTerminal');
    await signIn(admin, 'h000.admin', TEST_PASSWORD);
    await admin.click('nav.site >> text=権限停止・再開');
    await admin.waitForLoadState();
    await admin.selectOption('#kind', 'user');
    await admin.fill('#id', '1003.user');
    await admin.fill('#reason', '端末の紛失の届出があったため');
    await admin.click('button[value=suspend]');
    await admin.waitForLoadState();
    assert.match(await admin.locator('p.notice').innerText(), /1003\.user を停止しました。ログイン中のセッション 1 件を終了しました。/);
    await screenshot(admin, 'admin-suspension');

    // The user, still looking at the participant list, clicks on: the hub has ended the session.
    await user.click('nav.site >> text=APIリポジトリ');
    await user.waitForLoadState();
    assert.equal(new URL(user.url()).pathname, '/login');
    assert.match(await user.locator('.refusal').innerText(), /AUTH_USER_SUSPENDED このユーザIDは利用を停止されています/, 'the login screen says why');
    await screenshot(user, 'login-after-suspension');

    // Signing in again is refused while suspended.
    await user.fill('#userId', '1003.user');
    await user.fill('#password', TEST_PASSWORD);
    await user.click('form[action="/login"] button[type=submit]');
    await user.waitForLoadState();
    assert.equal(new URL(user.url()).pathname, '/login');
    assert.match(await user.locator('.refusal').innerText(), /AUTH_USER_SUSPENDED/);

    // The audit log shows who did it and that the user's requests were refused.
    await admin.click('nav.site >> text=監査ログ');
    await admin.waitForLoadState();
    await admin.fill('#userId', '1003.user');
    await admin.click('form[action="/admin/audit"] button[type=submit]');
    await admin.waitForLoadState();
    const log = await admin.locator('table tbody').innerText();
    assert.match(log, /AUTH_USER_SUSPENDED/);
    // In Japanese: the action's name above its identifier, the code's reception message beneath it.
    assert.match(log, /画面\s+ログイン\s+login/);
    assert.match(log, /AUTH_USER_SUSPENDED\s+このユーザIDは利用を停止されています/);
    await admin.fill('#userId', '');
    await admin.click('form[action="/admin/audit"] button[type=submit]');
    await admin.waitForLoadState();
    await screenshot(admin, 'admin-audit');

    await admin.click('nav.site >> text=権限停止・再開');
    await admin.waitForLoadState();
    await admin.selectOption('#kind', 'user');
    await admin.fill('#id', '1003.user');
    await admin.fill('#reason', '端末が見つかったため');
    await admin.click('button[value=resume]');
    await admin.waitForLoadState();
    assert.match(await admin.locator('p.notice').innerText(), /1003\.user を再開しました/);

    await signIn(user, '1003.user', TEST_PASSWORD);
    assert.equal(new URL(user.url()).pathname, '/');
  });
});
