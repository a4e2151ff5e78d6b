/**
 * The area screens in a real browser (1003's terminal certificate): from the portal to Tokyo's LV
 * menu, facility info with a supply point ID typed in full-width digits, the supply point search,
 * and usage inquiry: the usage password application, the grid's identity check, the password from
 * the status inquiry, and the usage charts (13 monthly bars, 48 half-hourly bars, the numbers in
 * tables).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../support/backends.ts';
import { screenshot, signIn, startBrowserHub, watchDialogs } from '../support/browser.ts';
import { allGridMigrations } from '../../src/grid/schema.ts';
import { givenSupplyPoint } from '../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../src/grid/transport/config.ts';
import { TEST_PASSWORD, testClock } from '../../src/hub/identity/testing.ts';
import { migrate } from '../../src/platform/db/migrate.ts';

const fullWidth = (text: string) => text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

forEachBackend('browser: area screens, facility and usage', (backend) => {
  test('facility info, the supply point search, and usage inquiry with its charts after the usage password', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    await using web = await startBrowserHub(db, { transport: grids, clock });
    try {
      const point = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', customer: { nameKana: 'ヤマダ　ハナコ' } });
      const page = await web.newPage('aTerminal');
      const dialogs = watchDialogs(page);
      await signIn(page, '1003.user', TEST_PASSWORD);

      // Portal → choose LV → Tokyo (Kansai is not usable: 1003 is registered in Tokyo only).
      await page.click('a[href="/areas?family=lv"]');
      await page.waitForLoadState();
      assert.equal(await page.locator('a[href="/areas/06/lv"]').count(), 0);
      await screenshot(page, 'area-choice');
      await page.click('a[href="/areas/03/lv"]');
      await page.waitForLoadState();
      assert.equal(new URL(page.url()).pathname, '/areas/03/lv');
      await screenshot(page, 'area-menu-tokyo-lv');

      // Facility info, the ID typed in full-width digits with spaces.
      await page.click('a[href="/areas/03/lv/if/IF_10110"]');
      await page.waitForLoadState();
      await page.fill('#f-supplyPointId', fullWidth(`${point.supplyPointId.slice(0, 2)} ${point.supplyPointId.slice(2, 12)} ${point.supplyPointId.slice(12)}`));
      await page.click('form.if-form button[type=submit]');
      await page.waitForLoadState();
      const facility = page.locator('section.answer');
      assert.match(await facility.innerText(), /契約中/);
      assert.match(await facility.innerText(), new RegExp(point.supplyPointId));
      assert.match(await facility.innerText(), /本町2丁目14番3号/);
      await screenshot(page, 'area-facility-info');

      // The supply point search by the customer's name, typed in hiragana.
      await page.goto('/areas/03/lv/search');
      await page.check('input[name=by][value=nameKana]');
      await page.fill('#f-query', 'やまだ');
      await page.click('form.if-form button[type=submit]');
      await page.waitForLoadState();
      assert.match(await page.locator('table.search-results').innerText(), new RegExp(point.supplyPointId));
      await screenshot(page, 'area-search');

      // Usage password application: the customer's identity (kana name and phone, full-width).
      await page.goto('/areas/03/lv');
      await page.click('a[href="/areas/03/lv/if/IF_10210"]');
      await page.waitForLoadState();
      await page.fill('#f-supplyPointId', point.supplyPointId);
      await page.fill('#f-customerNameKana', 'ﾔﾏﾀﾞ ﾊﾅｺ');
      await page.fill('#f-phoneNumber', '０９０－１２３４－５６７８');
      await screenshot(page, 'area-usage-password-form');
      await page.click('form.if-form button[type=submit]');
      await page.waitForLoadState();
      assert.match(await page.locator('p.notice').first().innerText(), /申込を受け付けました/);

      // Its status: the grid has checked the identity (the sandbox examines at once) and issued the password.
      await page.click('text=受付状態を確認する');
      await page.waitForLoadState();
      await page.click('form.if-form button[type=submit]');
      await page.waitForLoadState();
      const status = await page.locator('section.answer').innerText();
      assert.match(status, /使用量照会PW/);
      assert.match(status, /06 処理完了|08 処理完了/);
      await screenshot(page, 'area-usage-password-status');

      // Usage info with the charts.
      await page.click('text=この使用量照会PWで使用量を照会する');
      await page.waitForLoadState();
      assert.equal(await page.locator('svg.chart.monthly rect.bar').count(), 13);
      assert.equal(await page.locator('svg.chart.half-hourly rect.bar').count(), 48);
      assert.match((await page.locator('svg.chart.monthly desc').textContent()) ?? '', /13か月の使用量/);
      assert.equal(await page.locator('table.half-hourly-table tbody td.num').count(), 48);
      const monthlyBox = await page.locator('svg.chart.monthly').boundingBox();
      assert.ok(monthlyBox && monthlyBox.width > 500, 'the chart is drawn at its size');
      await screenshot(page, 'area-usage-charts');
      assert.deepEqual(dialogs, []);
    } finally {
      grids.close();
    }
  });
});
