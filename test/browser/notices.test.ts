/**
 * Notices in real browsers: the hub admin writes one (with markup in its title and body, which must
 * stay text), a retailer's user sees it on the portal, in the list and in the detail.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../support/backends.ts';
import { screenshot, signIn, startBrowserHub, watchDialogs } from '../support/browser.ts';
import { TEST_PASSWORD } from '../../src/hub/identity/testing.ts';

const xssTitle = `<script>alert('title')</script>メンテナンス"><img src=x onerror=alert(1)>`;
const xssBody = `4月10日 1:00〜5:00 に定期メンテナンスを行います。\n対象：全エリア\n</div><script>alert('body')</script><svg onload=alert(2)>\n以上`;

forEachBackend('browser: notices', (backend) => {
  test('a hub admin writes a notice and a retailer’s user sees it on the portal, in the list and in full, markup shown as text', async () => {
    await using db = await backend.open();
    await using web = await startBrowserHub(db);

    const admin = await web.newPage('hubTerminal');
    const adminDialogs = watchDialogs(admin);
    await signIn(admin, 'h000.admin', TEST_PASSWORD);
    await admin.click('nav.site >> text=インフォメーション');
    await admin.waitForLoadState();
    assert.equal(new URL(admin.url()).pathname, '/notices');
    await admin.click('text=お知らせを作成');
    await admin.waitForLoadState();

    // A refused field keeps what was typed and shows its code next to it.
    await admin.fill('#title', xssTitle);
    await admin.fill('#body', xssBody);
    await admin.fill('#endsOn', '2026-03-01');
    await admin.click('form[action="/notices"] button[type=submit]');
    await admin.waitForLoadState();
    assert.match(await admin.locator('.field-error').innerText(), /NOTICE_ENDS_BEFORE_PUBLISHED/);
    assert.equal(await admin.inputValue('#title'), xssTitle);
    assert.equal(await admin.inputValue('#body'), xssBody);
    await screenshot(admin, 'notice-form-refused');

    await admin.fill('#endsOn', '');
    await admin.click('form[action="/notices"] button[type=submit]');
    await admin.waitForLoadState();
    assert.match(new URL(admin.url()).pathname, /^\/notices\/\d+$/);
    assert.match(await admin.locator('p.notice').innerText(), /お知らせを作成しました/);
    assert.equal(await admin.locator('h1').innerText(), xssTitle);
    await screenshot(admin, 'notice-detail-admin');

    const user = await web.newPage('aTerminal');
    const userDialogs = watchDialogs(user);
    await signIn(user, '1003.user', TEST_PASSWORD);
    const latest = user.locator('section.notices-latest');
    assert.equal(await latest.locator('a', { hasText: 'メンテナンス' }).innerText(), xssTitle, 'the portal shows the title as text');
    await screenshot(user, 'portal');

    await user.click('nav.site >> text=インフォメーション');
    await user.waitForLoadState();
    assert.equal(await user.locator('table.list tbody tr').count(), 1);
    assert.equal(await user.locator('table.list tbody a').innerText(), xssTitle);
    assert.equal(await user.locator('.actions').count(), 0, 'a retailer’s user is not offered to write notices');
    await screenshot(user, 'notices');

    await user.click('table.list tbody a');
    await user.waitForLoadState();
    assert.equal(await user.locator('.notice-body').innerText(), xssBody, 'the body keeps its line breaks and its markup as text');
    assert.equal(await user.locator('main img, main svg, main script').count(), 0, 'no element was injected');
    assert.equal(await user.locator('form[action$="/delete"]').count(), 0);
    await screenshot(user, 'notice-detail');

    // The admin modifies it, then deletes it: the user no longer finds it.
    await admin.click('text=修正する');
    await admin.waitForLoadState();
    await admin.fill('#title', '【延期】定期メンテナンスのお知らせ');
    await admin.click('form.card button[type=submit]');
    await admin.waitForLoadState();
    assert.equal(await admin.locator('h1').innerText(), '【延期】定期メンテナンスのお知らせ');
    const detailPath = new URL(admin.url()).pathname;
    await admin.click('form[action$="/delete"] button');
    await admin.waitForLoadState();
    assert.match(await admin.locator('p.notice').innerText(), /削除しました/);

    const gone = await user.goto(detailPath);
    assert.equal(gone?.status(), 404);
    assert.match(await user.locator('.refusal').innerText(), /NOTICE_NOT_FOUND/);
    await user.goto('/');
    assert.match(await user.locator('section.notices-latest').innerText(), /掲載中のお知らせはありません/);

    assert.deepEqual([...adminDialogs, ...userDialogs], [], 'no script ran');
  });
});
