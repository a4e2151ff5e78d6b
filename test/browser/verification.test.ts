/**
 * The verification environment in a real browser: the banner on every screen, the designated IDs'
 * table, and a retailer's progress page after it has run one scenario right and one wrong through
 * the API (the calls that did not match shown with why); a grid's data provision test page, its
 * samples downloaded by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../support/backends.ts';
import { screenshot, signIn, startBrowserHub } from '../support/browser.ts';
import { TEST_PASSWORD, testClock } from '../../src/hub/identity/testing.ts';
import { areaCodes } from '../../src/domain/area.ts';
import { Grid } from '../../src/grid/grid.ts';
import { StubGrid } from '../../src/grid/stub/stub-grid.ts';
import { InProcessGridTransport } from '../../src/grid/transport/in-process.ts';
import { designatedId } from '../../src/interfaces/verification/designated.ts';
import { KirikaeClient } from '../../src/sdk/client.ts';
import { buildCertificate } from '../../src/hub/identity/testing.ts';
import { worldCertificates } from '../support/hub-server.ts';
import { registerProvisionSite } from '../../src/grid/provision/site.routes.ts';
import { registerPpsCertificate } from '../../src/grid/provision/site.repository.ts';
import { sampleKinds, sampleMakerOf } from '../../src/grid/provision/samples.ts';

forEachBackend('browser: verification environment', (backend) => {
  test('a retailer sees the banner, the designated IDs and its own progress with the mismatching call and why', async () => {
    await using db = await backend.open();
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const transport = new InProcessGridTransport(areaCodes.map((area) => new StubGrid(new Grid({ area, db, clock }))));
    await using web = await startBrowserHub(db, { clock, transport, verification: true });

    const cert = buildCertificate(worldCertificates.aApi).cert;
    const api = new KirikaeClient({ baseUrl: web.hub.base, certPem: cert.certPem, keyPem: cert.keyPem, caPem: web.hub.caPem });
    // Right: the three refusals of LV-10110's abnormal steps. Wrong: IF_F10110 on an ordinary point that does not exist.
    for (const n of ['0101', '0102', '0103']) await api.call('IF_10110', { supplyPointId: designatedId('03', n) });
    await api.call('IF_F10110', { supplyPointId: '0313010000000000000130' });
    const first = await api.call('IS_30110', {});
    assert.equal(first.result, 'OK');

    const page = await web.newPage('aTerminal');
    await signIn(page, '1003.user', TEST_PASSWORD);
    assert.match(await page.locator('.env-banner').innerText(), /検証環境/);
    await page.click('.env-banner >> text=テストシナリオの進捗');
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).pathname, '/verification/progress');
    assert.match(await page.locator('#HUB-30110 .badge').first().innerText(), /合格/);
    assert.match(await page.locator('#LV-10110 h2 .badge').innerText(), /未実施/, 'steps count in order: its first step (an ordinary point) is still to do');
    const fit = page.locator('#FIT-F10110');
    assert.match(await fit.locator('h2 .badge').innerText(), /不一致あり/);
    assert.match(await fit.locator('.mismatch').first().innerText(), /期待: OK \/ 応答: NG SPID_NOT_FOUND/);
    await screenshot(page, 'verification-progress');

    await page.click('.env-banner >> text=検証用供給地点特定番号');
    await page.waitForLoadState();
    assert.match(await page.locator('table.designated').innerText(), /0399999001000000000005/);
    await screenshot(page, 'verification-designated');
  });

  test("a retailer opens a grid's data provision test page from the site's menu and downloads a sample; kinds without one say サンプルなし", async () => {
    await using db = await backend.open();
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const grid = new Grid({ area: '03', db, clock });
    await using web = await startBrowserHub(db, {
      clock,
      verification: true,
      extraRoutes: (app) => registerProvisionSite(app, { grids: new Map([['03', grid.context]]), verification: true }),
    });
    await registerPpsCertificate(
      db,
      'grid_03',
      '03',
      { pem: buildCertificate(worldCertificates.aTerminal).cert.certPem, participantCode: '10033' },
      new Date(),
    );

    const page = await web.newPage('aTerminal');
    await page.goto('/grid/03/PPS/');
    await page.click('text=テストページ');
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).pathname, '/grid/03/PPS/test/');
    assert.match(await page.locator('main').innerText(), /ダミーデータ/);
    for (const kind of sampleKinds) {
      const row = page.locator(`tr[data-kind="${kind.code}"]`);
      if (sampleMakerOf(kind.code)) assert.equal(await row.locator('a[download]').count(), 1, kind.code);
      else assert.match(await row.innerText(), /サンプルなし/, kind.code);
    }
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('tr[data-kind="W41110"] a[download]')]);
    assert.equal(download.suggestedFilename(), 'W41110202604010000000000.zip');
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(path).subarray(0, 2).toString('latin1'), 'PK', 'a ZIP');
    await screenshot(page, 'verification-pps-test-page');
  });
});
