/**
 * Sign-in, the forced change of an initial password, a voluntary password change and sign-out, in
 * a real browser presenting 1003's terminal certificate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../support/backends.ts';
import { changePasswordOnScreen, screenshot, signIn, signOut, startBrowserHub } from '../support/browser.ts';
import { givenUser, TEST_PASSWORD } from '../../src/hub/identity/testing.ts';

forEachBackend('browser: sign-in and password', (backend) => {
  test('a user with an initial password must change it before the portal is reachable, then can change it again and sign out', async () => {
    await using db = await backend.open();
    await using web = await startBrowserHub(db);
    await givenUser(db, web.hub.clock, { userId: '1003.newcomer', name: '新人 花子', mustChangePassword: true });
    const page = await web.newPage('aTerminal');

    await page.goto('/');
    assert.equal(new URL(page.url()).pathname, '/login', 'the portal sends a stranger to the login screen');
    await screenshot(page, 'login');

    await page.fill('#userId', '1003.newcomer');
    await page.fill('#password', 'wrong-password-1A');
    await page.click('form[action="/login"] button[type=submit]');
    await page.waitForLoadState();
    assert.match(await page.locator('.refusal').innerText(), /AUTH_/);
    assert.equal(await page.inputValue('#userId'), '1003.newcomer', 'the user ID typed is kept');

    await page.fill('#password', TEST_PASSWORD);
    await page.click('form[action="/login"] button[type=submit]');
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).pathname, '/password');
    assert.match(await page.locator('main').innerText(), /初期パスワードのため/);
    await screenshot(page, 'password-forced');

    await page.goto('/');
    assert.equal(new URL(page.url()).pathname, '/password', 'the portal is not reachable before the change');
    await page.goto('/participants');
    assert.equal(new URL(page.url()).pathname, '/password', 'nor any other screen');

    // A new password that does not meet the policy is refused next to its field.
    await page.fill('#currentPassword', TEST_PASSWORD);
    await page.fill('#newPassword', 'short');
    await page.fill('#confirmPassword', 'short');
    await page.click('form[action="/password"] button[type=submit]');
    await page.waitForLoadState();
    assert.match(await page.locator('.field-error').innerText(), /AUTH_PASSWORD/);

    await changePasswordOnScreen(page, TEST_PASSWORD, 'Hanako-Kirikae-2026');
    assert.match(await page.locator('main').innerText(), /パスワードを変更しました/);
    assert.match(await page.locator('main').innerText(), /新人 花子/);
    await screenshot(page, 'portal-after-change');

    // A voluntary change from the header link, then sign-out.
    await page.click('header a[href="/password"]');
    await page.waitForLoadState();
    assert.doesNotMatch(await page.locator('main').innerText(), /初期パスワードのため/);
    await changePasswordOnScreen(page, 'Hanako-Kirikae-2026', 'Hanako-Kirikae-2027');
    await signOut(page);
    await page.goto('/');
    assert.equal(new URL(page.url()).pathname, '/login', 'signed out: the portal asks for a sign-in again');

    // The old password no longer works; the new one does, without a forced change.
    await page.fill('#userId', '1003.newcomer');
    await page.fill('#password', 'Hanako-Kirikae-2026');
    await page.click('form[action="/login"] button[type=submit]');
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await signIn(page, '1003.newcomer', 'Hanako-Kirikae-2027'), 'Hanako-Kirikae-2027');
    assert.equal(new URL(page.url()).pathname, '/');
  });
});
