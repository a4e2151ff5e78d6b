/**
 * The administration screens in real browsers: a participant admin registers a user whose name is
 * markup (shown as text everywhere, and the new user goes through the forced password change);
 * search filters echoed back into their fields stay text; the hub admin's API operation info counts
 * the interface calls that retailers' systems made.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { forEachBackend } from '../support/backends.ts';
import { screenshot, signIn, startBrowserHub, watchDialogs } from '../support/browser.ts';
import { TEST_PASSWORD } from '../../src/hub/identity/testing.ts';
import { allGridMigrations } from '../../src/grid/schema.ts';
import { givenSupplyPoint } from '../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../src/grid/transport/config.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { testClock } from '../../src/hub/identity/testing.ts';

// biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal typed by an attacker, kept as text
const payloads = [`<script>alert('s')</script>`, `"><img src=x onerror=alert(1)>`, `'><svg onload=alert(2)>`, '`${alert(3)}`'];

/** No element the payloads could have injected exists in the page's main content. */
async function assertNothingInjected(page: Page, where: string): Promise<void> {
  assert.equal(await page.locator('main img, main svg, main script').count(), 0, `${where}: no element injected`);
}

forEachBackend('browser: administration screens', (backend) => {
  test('a user name and search filters with markup are shown as text and never run, on every screen that echoes them', async () => {
    await using db = await backend.open();
    await using web = await startBrowserHub(db);
    const admin = await web.newPage('aTerminal');
    const dialogs = watchDialogs(admin);
    await signIn(admin, '1003.admin', TEST_PASSWORD);

    await admin.click('nav.site >> text=ユーザ管理');
    await admin.waitForLoadState();
    await admin.click('text=ユーザ登録');
    await admin.waitForLoadState();
    const name = `${payloads[0]}山田${payloads[1]}`;
    await admin.fill('#userId', '1003.yamada');
    await admin.fill('#name', name);
    await admin.fill('#email', 'yamada@example.jp');
    await admin.click('form[action="/users"] button[type=submit]');
    await admin.waitForLoadState();
    assert.match(await admin.locator('main .card').innerText(), /1003\.yamada/);
    assert.ok((await admin.locator('main .card').innerText()).includes(name), 'the confirmation shows the name as typed');
    const initialPassword = (await admin.locator('code.initial-password').innerText()).trim();
    await assertNothingInjected(admin, 'register confirmation');

    await admin.goto('/users');
    assert.ok((await admin.locator('table tbody').innerText()).includes(name));
    await assertNothingInjected(admin, 'user list');
    await screenshot(admin, 'users');
    await admin.click('text=1003.yamada');
    await admin.waitForLoadState();
    assert.equal(await admin.inputValue('#name'), name, 'the modify form holds the name as a value');
    await assertNothingInjected(admin, 'user detail');

    // Filters typed into a list's search form come back in the field, as text.
    for (const payload of payloads) {
      await admin.goto(`/users?${new URLSearchParams({ text: payload })}`);
      assert.equal(await admin.inputValue('#text'), payload);
      await assertNothingInjected(admin, `user search ${payload}`);
      await admin.goto(`/participants?${new URLSearchParams({ text: payload })}`);
      assert.equal(await admin.inputValue('#text'), payload);
      await assertNothingInjected(admin, `participant search ${payload}`);
    }
    await screenshot(admin, 'participants-search');

    // The registered user signs in with the initial password and must change it first.
    const yamada = await web.newPage('aTerminal');
    const yamadaDialogs = watchDialogs(yamada);
    await signIn(yamada, '1003.yamada', initialPassword, { newPassword: 'Yamada-Kirikae-2026' });
    assert.equal(new URL(yamada.url()).pathname, '/');
    assert.ok((await yamada.locator('header .who').innerText()).includes(name), 'the header shows the name as text');
    await assertNothingInjected(yamada, 'portal');

    // The hub admin's audit log search echoes its filters too.
    const hub = await web.newPage('hubTerminal');
    const hubDialogs = watchDialogs(hub);
    await signIn(hub, 'h000.admin', TEST_PASSWORD);
    for (const payload of payloads) {
      await hub.goto(`/admin/audit?${new URLSearchParams({ userId: payload, participant: payload, supplyPointId: payload })}`);
      assert.equal(await hub.inputValue('#userId'), payload);
      assert.equal(await hub.inputValue('#participant'), payload);
      await assertNothingInjected(hub, `audit search ${payload}`);
    }
    await hub.goto(`/users?${new URLSearchParams({ text: '山田' })}`);
    assert.ok((await hub.locator('table tbody').innerText()).includes(name));
    await assertNothingInjected(hub, 'hub admin user list');

    assert.deepEqual([...dialogs, ...yamadaDialogs, ...hubDialogs], [], 'no script ran');
  });

  test('the API operation info counts each interface’s calls and NG results by code after retailers’ systems call it', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const point = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart' });
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const transport = await gridTransportFromConfig({ db, clock, env: {}, options: { usagePasswordConfirmation: 'immediate' } });
    try {
      await using web = await startBrowserHub(db, { transport, clock });
      const json = web.hub.sdk('aApi', 'json');
      const soap = web.hub.sdk('aApi', 'soap');
      assert.equal((await json.call('IF_10110', { supplyPointId: point.supplyPointId })).result, 'OK');
      assert.equal((await soap.call('IF_10110', { supplyPointId: point.supplyPointId })).result, 'OK');
      assert.equal((await json.call('IF_10110', { supplyPointId: '0312' })).result, 'NG');
      assert.equal((await json.call('IF_10110', { supplyPointId: '0312' })).result, 'NG');
      assert.equal((await json.call('IF_10110', {})).result, 'NG');
      json.close();
      soap.close();
      await web.hub.audit.flush();

      const admin = await web.newPage('hubTerminal');
      await signIn(admin, 'h000.admin', TEST_PASSWORD);
      await admin.click('nav.site >> text=API運用情報');
      await admin.waitForLoadState();
      assert.equal(await admin.inputValue('#from'), '2026-11-25', 'the period is today by default');
      const row = admin.locator('tr', { has: admin.locator('a[href="/interfaces/IF_10110"]') });
      const cells = await row.locator('td').allInnerTexts();
      assert.deepEqual(cells.slice(2, 8), ['5', '4', '1', '0', '2', '3'], 'calls, JSON, SOAP, screens, OK, NG');
      assert.match(cells[8]!, /SPID_LENGTH\s*2件/);
      assert.match(cells[8]!, /IF_REQUIRED\s*1件/);
      assert.match(await admin.locator('p.summary').innerText(), /呼出 5件\s+うちNG 3件/);
      await screenshot(admin, 'admin-api-operations');
      assert.equal(await admin.locator('a[href="/interfaces/IF_10210"]').count(), 0, 'interfaces not called are hidden');
      await admin.click('text=すべて表示');
      await admin.waitForLoadState();
      const idle = await admin
        .locator('tr', { has: admin.locator('a[href="/interfaces/IF_10210"]') })
        .locator('td')
        .allInnerTexts();
      assert.deepEqual(idle.slice(2, 8), ['0', '0', '0', '0', '0', '0']);

      // The interface links to its page in the API repository.
      await row.locator('a[href="/interfaces/IF_10110"]').click();
      await admin.waitForLoadState();
      assert.match(await admin.locator('h1').innerText(), /^IF_10110/);

      // Another period: the calls of today are not in yesterday's counts; a reversed period is refused at the field.
      await admin.goto('/admin/api-operations?from=2026-11-24&to=2026-11-24');
      assert.match(await admin.locator('p.summary').innerText(), /呼出 0件/);
      assert.match(await admin.locator('p.empty').innerText(), /この期間にインタフェースの呼出はありません/);
      await admin.goto('/admin/api-operations?from=2026-11-25&to=2026-11-24');
      assert.match(await admin.locator('.field-error').innerText(), /NOTICE_PERIOD_ORDER/);

      // Not for a retailer's administrator.
      const retailer = await web.newPage('aTerminal');
      await signIn(retailer, '1003.admin', TEST_PASSWORD);
      assert.equal(await retailer.locator('nav.site a[href="/admin/api-operations"]').count(), 0);
      const refused = await retailer.goto('/admin/api-operations');
      assert.equal(refused?.status(), 403);
      assert.match(await retailer.locator('.refusal').innerText(), /AUTH_FORBIDDEN/);
    } finally {
      transport.close();
    }
  });
});
