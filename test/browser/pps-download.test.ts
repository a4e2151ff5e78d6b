/**
 * The grid's manual download screen (HALFHOURLY.md B8, slide 33) in a real browser: a retailer's
 * terminal, its certificate registered with the grid, opens the data provision site carried by the
 * hub's server, pages through its files 20 at a time, filters by kind and day, and downloads a ZIP.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { unzipSync } from 'fflate';
import { forEachBackend } from '../support/backends.ts';
import { screenshot, startBrowserHub } from '../support/browser.ts';
import { worldCertificates } from '../support/hub-server.ts';
import { Grid } from '../../src/grid/grid.ts';
import { registerProvisionSite } from '../../src/grid/provision/site.routes.ts';
import { runW4Schedule } from '../../src/grid/provision/schedule.ts';
import { registerPpsCertificate } from '../../src/grid/provision/site.repository.ts';
import { givenSupplyPoint } from '../../src/grid/testing.ts';
import { buildCertificate, testClock } from '../../src/hub/identity/testing.ts';

forEachBackend('browser: the data provision site’s manual download', (backend) => {
  test('a retailer pages its files 20 at a time, filters by kind and day, and downloads a file’s ZIP', async () => {
    await using db = await backend.open();
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const grid = new Grid({ area: '03', db, clock });
    await using web = await startBrowserHub(db, { clock, extraRoutes: (app) => registerProvisionSite(app, { grids: new Map([['03', grid.context]]) }) });
    await givenSupplyPoint(db, { retailerCode: '10033' });
    await givenSupplyPoint(db, { retailerCode: '10033', kind: 'hv' });
    await givenSupplyPoint(db, { retailerCode: '20013' });
    await registerPpsCertificate(
      db,
      'grid_03',
      '03',
      { pem: buildCertificate(worldCertificates.aTerminal).cert.certPem, participantCode: '10033' },
      new Date(),
    );
    // 10:00: half-hours 1–19 of today (LV and HV same-day) and yesterday's two daily files: 40 files.
    await runW4Schedule(grid.context);

    const page = await web.newPage('aTerminal');
    const refusedByPolicy: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refusedByPolicy.push(m.text());
    });
    await page.goto('/grid/03/PPS/');
    assert.equal(await page.locator('h1').innerText(), '３０分電力量提供システム');
    // Styled by the site's own stylesheet (an inline <style> is refused by the servers' CSP).
    assert.equal(await page.evaluate('getComputedStyle(document.querySelector("header")).backgroundColor'), 'rgb(47, 93, 80)');
    assert.deepEqual(refusedByPolicy, []);
    await page.click('text=30分電力量および日毎30分電力量');
    await page.waitForLoadState();
    assert.match(await page.locator('main').innerText(), /40件（1／2ページ）/);
    assert.equal(await page.locator('tbody tr').count(), 20);
    await screenshot(page, 'pps-download-list');
    await page.click('a[rel=next]');
    await page.waitForLoadState();
    assert.match(await page.locator('main').innerText(), /40件（2／2ページ）/);
    assert.equal(await page.locator('tbody tr').count(), 20);
    assert.equal(await page.locator('a[rel=next]').count(), 0, 'no page after the last');

    // Filters: the LV daily files of the 24th; then the HV same-day files of the 25th.
    await page.selectOption('select[name=prefix]', 'W41120');
    await page.fill('input[name=from]', '2026-11-24');
    await page.fill('input[name=to]', '2026-11-24');
    await page.click('form.filters button[type=submit]');
    await page.waitForLoadState();
    assert.match(page.url(), /prefix=W41120&from=2026-11-24&to=2026-11-24/);
    assert.match(await page.locator('main').innerText(), /1件（1／1ページ）/);
    assert.equal(await page.locator('tbody tr').count(), 1);
    assert.match(await page.locator('tbody tr').innerText(), /W41120202611240000000000\.zip\s+低圧日毎30分電力量\s+2026-11-24\s+終日/);
    await page.selectOption('select[name=prefix]', 'W40110');
    await page.fill('input[name=from]', '2026-11-25');
    await page.fill('input[name=to]', '2026-11-25');
    await page.click('form.filters button[type=submit]');
    await page.waitForLoadState();
    assert.match(await page.locator('main').innerText(), /19件（1／1ページ）/);

    // The download link returns the file's ZIP: one XML entry named after it.
    await page.goto('/grid/03/PPS/30min/?prefix=W41120');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
    assert.equal(download.suggestedFilename(), 'W41120202611240000000000.zip');
    const bytes = await readFile((await download.path())!);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004');
    assert.deepEqual(Object.keys(unzipSync(bytes)), ['W41120202611240000000000.xml']);

    // A refused filter is told in Japanese on the screen.
    await page.goto('/grid/03/PPS/30min/?from=2026-13-01');
    assert.match(await page.locator('p.error').innerText(), /絞り込み条件「from」の値が正しくありません/);
  });
});
