/**
 * The switching statistics screen in a real browser: the hub admin reaches it from the menu, sets
 * the period with the month fields, sees the rates, and downloads the CSV.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../support/backends.ts';
import { screenshot, signIn, startBrowserHub } from '../support/browser.ts';
import { TEST_PASSWORD } from '../../src/hub/identity/testing.ts';

forEachBackend('browser: switching statistics', (backend) => {
  test('the hub admin opens スイッチング実績 from the menu, chooses the period and downloads the CSV', async () => {
    await using db = await backend.open();
    await db.query(
      `INSERT INTO hub.application_outbox (application_number, delivery_id, company_code, participant_code, request_id, interface_id, update_flag, area,
                                           supply_point_id, body, filed_at, status, next_attempt_at, grid_answer, delivered_at)
       VALUES ('AP03-20260115000001', 'AP03-20260115000001', '1003', '10033', 'r-1', 'IF_10610', '1', '03', '0300000000000000000001', '{}',
               '2026-01-15T01:00:00Z', 'delivered', '2026-01-15T01:00:00Z', '{"result":"OK","messages":[]}', '2026-01-15T01:00:00Z')`,
    );
    await using web = await startBrowserHub(db, { supplyPointCount: async (area) => (area === '03' ? 400 : null) });
    const admin = await web.newPage('hubTerminal');
    await signIn(admin, 'h000.admin', TEST_PASSWORD);
    await admin.click('nav.site >> text=スイッチング実績');
    await admin.waitForLoadState();
    await admin.fill('input[name=from]', '2026-01');
    await admin.fill('input[name=to]', '2026-03');
    await admin.click('form.filters button[type=submit]');
    await admin.waitForLoadState();
    assert.match(admin.url(), /from=2026-01&to=2026-03/);
    assert.match(await admin.locator('table.switching-rates tr[data-area="03"]').innerText(), /03 東京\s+1\s+400\s+0\.25%/);
    assert.match(await admin.locator('table.switching-monthly tr[data-month="2026-01"][data-area="03"]').innerText(), /2026-01\s+03 東京/);
    await screenshot(admin, 'statistics');
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.click('text=CSVダウンロード')]);
    assert.equal(download.suggestedFilename(), 'switching-2026-01-2026-03.csv');
  });
});
