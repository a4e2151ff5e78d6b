/**
 * Switching on the area screens in real browsers: the new retailer (1003) files a switch-in (markup in
 * its free-text fields stays text, also when prefilled into the correction form) — first
 * refused for a malformed phone number, shown next to the field with the API's code while the rest
 * of what was typed stays — and the old retailer (2001, another browser with its own terminal
 * certificate) files the switch-out; the grid matches them at once (stage 05). The hub admin moves
 * the sandbox clock to the switching date on /admin/clock; the due work runs and both applications
 * show complete in the application lists.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { forEachBackend } from '../support/backends.ts';
import { screenshot, signIn, startBrowserHub, watchDialogs } from '../support/browser.ts';
import { executeDue, runMatching } from '../../src/grid/applications/jobs.ts';
import { allGridMigrations } from '../../src/grid/schema.ts';
import { givenSupplyPoint } from '../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../src/grid/transport/config.ts';
import { clockControlWithJobs } from '../../src/hub/clock/clock.commands.ts';
import { migrateHub, TEST_PASSWORD, testClock } from '../../src/hub/identity/testing.ts';
import { openSystemClock } from '../../src/hub/sandbox-clock.ts';
import { scheduleDueWork } from '../../src/jobs/due-work.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { Jobs } from '../../src/platform/jobs.ts';

const xssName = `山田 花子<img src=x onerror=alert(1)>`;
const xssRemarks = `立会い希望</textarea><script>alert(2)</script>`;
const fullWidth = (text: string) => text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

/** The stage code shown for an application in the list. */
async function listedStage(page: Page, applicationNumber: string): Promise<string | null> {
  await page.goto('/areas/03/lv/applications');
  return page.locator(`tr[data-application="${applicationNumber}"] .stage`).getAttribute('data-stage');
}

async function waitForStage(page: Page, applicationNumber: string, stages: readonly string[], timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const stage = await listedStage(page, applicationNumber);
    if (stage && stages.includes(stage)) return stage;
    if (Date.now() > until) throw new Error(`${applicationNumber} still at stage ${stage}, not ${stages.join('/')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

forEachBackend('browser: switching on the area screens', (backend) => {
  test('switch-in by the new retailer, switch-out by the old one, matched; the clock moved on; both complete', async () => {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    await migrateHub(db);
    // The grids and the due work follow the sandbox clock the admin moves; the hub keeps a test clock
    // started at the same instant, so that the browsers' sessions do not run out when days pass.
    const systemClock = await openSystemClock(db, 'sandbox');
    const grids = await gridTransportFromConfig({ db, clock: systemClock, env: {} });
    const jobs = await Jobs.start(db, { pollingIntervalSeconds: 0.5 });
    try {
      await scheduleDueWork(jobs, { grids: [{ area: '03' as const, db, clock: systemClock }], areas: ['03'], runMatching, executeDue });
      const clockControl = await clockControlWithJobs(systemClock, jobs);
      await using web = await startBrowserHub(db, { transport: grids, clockControl, clock: testClock(systemClock.now().toISOString()) });
      const point = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });

      // The new retailer's switch-in: a malformed phone number first.
      const a = await web.newPage('aTerminal');
      const dialogs = watchDialogs(a);
      await signIn(a, '1003.user', TEST_PASSWORD);
      await a.goto('/areas/03/lv');
      await a.click('a[href="/areas/03/lv/if/IF_10610"]');
      await a.waitForLoadState();
      await a.fill('#f-supplyPointId', fullWidth(point.supplyPointId));
      await a.fill('#f-customerNameKana', 'ﾔﾏﾀﾞ ﾊﾅｺ');
      await a.fill('#f-customerName', xssName);
      await a.fill('#f-remarks', xssRemarks);
      await a.fill('#f-currentRetailerCode', '２００１３');
      await a.fill('#f-phoneNumber', '03-12AB-5678');
      await a.fill('#f-contractAmpere', '３０');
      await a.click('form.if-form button[type=submit]');
      await a.waitForLoadState();
      const phoneError = a.locator('#f-phoneNumber + .field-error');
      assert.match(await phoneError.innerText(), /^IF_NOT_DIGITS 電話番号/);
      assert.equal(await a.getAttribute('#f-phoneNumber', 'aria-invalid'), 'true');
      assert.equal(await a.inputValue('#f-customerName'), xssName, 'what was typed stays, markup as text');
      assert.equal(await a.inputValue('#f-remarks'), xssRemarks);
      assert.equal(await a.locator('img[src=x]').count(), 0);
      assert.equal(await a.inputValue('#f-supplyPointId'), fullWidth(point.supplyPointId));
      assert.equal(await a.inputValue('#f-contractAmpere'), '３０');
      await screenshot(a, 'area-switch-in-refused');
      await a.fill('#f-phoneNumber', '０３－１２３４－５６７８');
      await a.click('form.if-form button[type=submit]');
      await a.waitForLoadState();
      assert.match(await a.locator('p.notice').first().innerText(), /申込を受け付けました/);
      const switchIn = (await a.locator('.application-number').first().innerText()).trim();
      assert.match(switchIn, /^AP03-\d{14}$/);
      await screenshot(a, 'area-switch-in-accepted');
      assert.equal(await listedStage(a, switchIn), '03', 'waiting for the switch-out');
      await a.goto(`/areas/03/lv/if/IF_10610?correct=${switchIn}`);
      assert.equal(await a.inputValue('#f-customerName'), xssName, 'the correction form prefilled from the filing, markup as text');
      assert.equal(await a.inputValue('#f-remarks'), xssRemarks);
      assert.equal(await a.locator('img[src=x], script:text("alert")').count(), 0);

      // The old retailer, in its own browser, files the switch-out.
      const b = await web.newPage('bTerminal');
      await signIn(b, '2001.user', TEST_PASSWORD);
      await b.goto('/areas/03/lv/if/IF_10710');
      await b.fill('#f-supplyPointId', point.supplyPointId);
      await b.fill('#f-newRetailerCode', '10033');
      await b.click('form.if-form button[type=submit]');
      await b.waitForLoadState();
      assert.match(await b.locator('p.notice').first().innerText(), /申込を受け付けました/);
      const switchOut = (await b.locator('.application-number').first().innerText()).trim();

      // Matched at once: stage 05 on both sides, with the switching date fixed.
      assert.equal(await listedStage(a, switchIn), '05');
      assert.equal(await a.locator(`tr[data-application="${switchIn}"] a:text("訂正")`).count(), 0, 'no correction from 05 on');
      const scheduled = (await a.locator(`tr[data-application="${switchIn}"] td`).nth(4).innerText()).trim();
      assert.match(scheduled, /^\d{4}-\d{2}-\d{2}$/);
      await screenshot(a, 'area-application-list-matched');
      assert.equal(await listedStage(b, switchOut), '05');

      // The hub admin moves the sandbox clock to the switching date.
      const admin = await web.newPage('hubTerminal');
      await signIn(admin, 'h000.admin', TEST_PASSWORD);
      await admin.goto('/admin/clock');
      await admin.fill('#to', `${scheduled}T00:10`);
      await admin.click('form[action="/admin/clock"] button[type=submit]');
      await admin.waitForLoadState();
      assert.match(await admin.locator('p.notice').innerText(), /時計を .* 進めました/);

      // The due work runs at once: both complete.
      assert.match(await waitForStage(a, switchIn, ['06', '08']), /^0[68]$/);
      assert.match(await waitForStage(b, switchOut, ['06', '08']), /^0[68]$/);
      await screenshot(a, 'area-application-list-complete');
      await a.click(`a[href="/areas/03/lv/applications/${switchIn}"]`);
      await a.waitForLoadState();
      const history = await a.locator('section.card', { hasText: '受付工程（IF_10620）' }).innerText();
      assert.match(history, /03 マッチング待ち/);
      assert.match(history, /05 マッチング完了/);
      assert.match(history, /0[68] 処理完了/);
      await screenshot(a, 'area-application-detail');
      assert.deepEqual(dialogs, []);
    } finally {
      await jobs.stop();
      grids.close();
    }
  });
});
