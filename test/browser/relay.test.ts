/**
 * The termination relay across two retailers' browsers (slides 23–25): 2001, the new retailer,
 * registers a relay to 1003 (10033) for a Tokyo point — first refused next to the kana field, with
 * what was typed kept — 1003 sees the portal's badge, opens the received list, decides NG with
 * reason 02; 2001 sees NG and the reason and registers again; 1003 decides OK; 2001 sees OK. Every
 * free-text field of the relay carries markup that must stay text: no dialog, nothing injected, the
 * literal text visible. Also the CSV upload's row report and the hub admin's monitoring.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { forEachBackend } from '../support/backends.ts';
import { screenshot, signIn, startBrowserHub, watchDialogs } from '../support/browser.ts';
import { TEST_PASSWORD } from '../../src/hub/identity/testing.ts';

const fullWidth = (text: string) => text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
const point = '0312345678901234567890';

/** Markup in every free-text field, each within the field's length. */
const xss = {
  contractNumber: '"><img src=x onerror=alert(1)>',
  city: '<script>alert(2)</script>区',
  street: '<img src=x onerror=alert(3)>1-1',
  building: '"><svg onload=alert(4)>ビル',
  customerName: '<b onmouseover=alert(5)>山田</b>',
  remarks: '</textarea><script>alert(6)</script>',
  decidingPersonName: '<img src=x onerror=alert(7)>',
  ngText: '<script>alert(8)</script>契約番号違い',
} as const;

/** Nothing the payloads would have made: no image, svg or script but the page's own, no bold. */
async function assertInert(page: Page): Promise<void> {
  assert.equal(await page.locator('img[src=x], svg[onload], b[onmouseover]').count(), 0, `markup injected at ${page.url()}`);
  assert.equal(await page.locator('script').count(), 0, `a script element at ${page.url()}`);
}

async function fillRelay(page: Page, kana: string): Promise<void> {
  await page.fill('#f-supplyPointId', fullWidth(point));
  await page.fill('#f-contractNumber', xss.contractNumber);
  await page.fill('#f-address-prefecture', '東京都');
  await page.fill('#f-address-city', xss.city);
  await page.fill('#f-address-street', xss.street);
  await page.fill('#f-address-building', xss.building);
  await page.fill('#f-customerNameKana', kana);
  await page.fill('#f-customerName', xss.customerName);
  await page.fill('#f-terminationDate', '2026-04-30');
  await page.fill('#f-oldRetailerCode', '10033');
  await page.fill('#f-phoneNumber', '０３－１２３４－５６７８');
  await page.fill('#f-remarks', xss.remarks);
}

async function submitRelay(page: Page): Promise<void> {
  await Promise.all([page.waitForLoadState(), page.click('form.relay-form button[type=submit]')]);
  await page.waitForLoadState();
}

async function relayNumberShown(page: Page): Promise<string> {
  const number = (await page.locator('.relay-number').first().innerText()).trim();
  assert.match(number, /^RL\d{15}$/);
  return number;
}

async function decide(page: Page, relayNumber: string, decision: { ok: boolean; person: string; reason?: string; text?: string }): Promise<void> {
  await page.goto('/');
  assert.equal((await page.locator('.relay-badge').innerText()).trim(), '1', 'the portal shows one relay awaiting a decision');
  await page.click('.relay-alert a');
  await page.waitForLoadState();
  assert.match(page.url(), /\/relays\/received\?status=01&family=lv$/);
  await page.click(`tr[data-relay="${relayNumber}"] a`);
  await page.waitForLoadState();
  await page.selectOption('#f-decision', decision.ok ? '01' : '02');
  await page.fill('#f-decidingPersonName', decision.person);
  if (decision.reason) await page.selectOption('#f-ngReason', decision.reason);
  if (decision.text) await page.fill('#f-ngText', decision.text);
  await Promise.all([page.waitForURL(`**/relays/received/${relayNumber}?done=decided`), page.click('form.decision-form button[type=submit]')]);
  assert.match(await page.locator('.notice').first().innerText(), /RELAY_DECIDED/);
  assert.equal(await page.locator('form.decision-form').count(), 0, 'a decided relay shows no form');
}

forEachBackend('browser: termination relay', (backend) => {
  test('B registers to A, A decides NG (02), B sees it and registers again, A decides OK, B sees OK; markup stays text', async () => {
    await using db = await backend.open();
    await using web = await startBrowserHub(db);

    // The new retailer registers; a kana field with markup is refused next to it, typed values kept.
    const b = await web.newPage('bTerminal');
    const bDialogs = watchDialogs(b);
    await signIn(b, '2001.user', TEST_PASSWORD);
    await b.click('a.relay-entry[href="/relays"]');
    await b.waitForLoadState();
    await screenshot(b, 'relay-list-empty');
    await b.click('a[href="/relays/new?family=lv"]');
    await b.waitForLoadState();
    await fillRelay(b, '<i>ヤマダ</i>');
    await submitRelay(b);
    assert.match(await b.locator('#f-customerNameKana + .field-error').innerText(), /^IF_NOT_KANA /);
    assert.equal(await b.inputValue('#f-customerNameKana'), '<i>ヤマダ</i>');
    assert.equal(await b.inputValue('#f-contractNumber'), xss.contractNumber);
    assert.equal(await b.inputValue('#f-remarks'), xss.remarks);
    assert.equal(await b.inputValue('#f-supplyPointId'), fullWidth(point));
    await assertInert(b);
    await b.click('details.relay-retailers summary');
    assert.match(await b.locator('details.relay-retailers').innerText(), /10033\s+テスト東京電力株式会社/);
    await screenshot(b, 'relay-register-refused');
    await b.fill('#f-customerNameKana', 'ﾔﾏﾀﾞ ﾀﾛｳ');
    await submitRelay(b);
    const first = await relayNumberShown(b);
    assert.match(await b.locator('.notice').first().innerText(), /RELAY_REGISTERED/);
    for (const text of [xss.contractNumber, xss.customerName, xss.remarks, `東京都${xss.city}${xss.street}${xss.building}`]) {
      assert.ok((await b.locator('table.relay-kv').innerText()).includes(text), `shown literally: ${text}`);
    }
    await assertInert(b);
    await screenshot(b, 'relay-detail-registered');
    // The old retailer looks 20 minutes later (the monitoring's wait figures).
    web.hub.clock.advance(20 * 60_000);

    // The old retailer: the badge, the received list, the customer's data, NG with reason 02.
    const a = await web.newPage('aTerminal');
    const aDialogs = watchDialogs(a);
    await signIn(a, '1003.user', TEST_PASSWORD);
    await screenshot(a, 'relay-portal-badge');
    await a.goto('/relays/received');
    await screenshot(a, 'relay-received-list');
    await a.goto(`/relays/received/${first}`);
    assert.ok((await a.locator('table.relay-kv').innerText()).includes(xss.customerName));
    await assertInert(a);
    await a.selectOption('#f-decision', '02');
    await a.fill('#f-decidingPersonName', xss.decidingPersonName);
    await Promise.all([a.waitForLoadState(), a.click('form.decision-form button[type=submit]')]);
    await a.waitForLoadState();
    assert.match(await a.locator('#f-ngReason ~ .field-error').innerText(), /^IF_REQUIRED NG理由/);
    assert.equal(await a.inputValue('#f-decidingPersonName'), xss.decidingPersonName);
    await screenshot(a, 'relay-decision-refused');
    await decide(a, first, { ok: false, person: xss.decidingPersonName, reason: '02', text: xss.ngText });
    assert.equal((await a.locator('.deciding-person').innerText()).trim(), xss.decidingPersonName);
    await assertInert(a);
    await screenshot(a, 'relay-received-decided-ng');

    // The new retailer sees NG, the reason and the text, and registers again for the point.
    await b.goto('/relays');
    assert.equal(await b.locator(`tr[data-relay="${first}"] .relay-status`).getAttribute('data-status'), '03');
    await b.click(`tr[data-relay="${first}"] a`);
    await b.waitForLoadState();
    assert.equal((await b.locator('.ng-reason').innerText()).trim(), '02 契約番号不一致');
    assert.equal((await b.locator('.ng-text').innerText()).trim(), xss.ngText);
    assert.equal((await b.locator('.deciding-person').innerText()).trim(), xss.decidingPersonName);
    await assertInert(b);
    await screenshot(b, 'relay-detail-ng');
    await b.click('a:text("この供給地点で再登録")');
    await b.waitForLoadState();
    assert.equal(await b.inputValue('#f-supplyPointId'), point);
    await fillRelay(b, 'ヤマダ タロウ');
    await b.fill('#f-contractNumber', 'K-0001-corrected');
    await submitRelay(b);
    const second = await relayNumberShown(b);
    assert.notEqual(second, first);

    // The old retailer decides OK; the new retailer sees OK, newest update first.
    await decide(a, second, { ok: true, person: '佐藤 花子' });
    await b.goto('/relays');
    assert.deepEqual(await b.locator('tr[data-relay]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-relay'))), [second, first]);
    assert.equal(await b.locator(`tr[data-relay="${second}"] .relay-status`).getAttribute('data-status'), '02');
    await screenshot(b, 'relay-list-ok-and-ng');
    await b.goto(`/relays/${second}`);
    assert.match(await b.locator('.relay-decision').innerText(), /OK（承諾）[\s\S]*佐藤 花子/);
    await screenshot(b, 'relay-detail-ok');

    // The CSV upload: a file with a refused row is reported row by row and files nothing.
    await b.goto('/relays/upload?family=lv');
    const header =
      'リクエストID,供給地点特定番号,契約番号,住所（都道府県）,住所（市区町村）,住所（町名・番地）,需要者名（カナ）,需要者名（漢字）,廃止年月日,現小売電気事業者コード';
    const csv = `${header}\r\nCSV-1,0300000000000000000001,K-1,東京都,千代田区,丸の内1-1,ヤマダ ハナコ,山田 花子,2026-04-30,10033\r\nCSV-2,0300000000000000000002,"<script>alert(9)</script>",東京都,千代田区,丸の内1-2,ヤマダ,山田,2026-04-30,99993\r\n`;
    await b.setInputFiles('#f-file', { name: 'relays.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await Promise.all([b.waitForLoadState(), b.click('form.relay-upload button[type=submit]')]);
    await b.waitForLoadState();
    assert.match(await b.locator('.relay-report .refusal').innerText(), /BULK_REJECTED/);
    assert.match(await b.locator('tr[data-row="3"]').innerText(), /NG[\s\S]*RELAY_OLD_RETAILER_UNKNOWN/);
    assert.match(await b.locator('tr[data-row="2"]').innerText(), /OK/);
    await assertInert(b);
    await screenshot(b, 'relay-csv-report');

    // The hub admin's monitoring: figures per old retailer, no customer data.
    const admin = await web.newPage('hubTerminal');
    await signIn(admin, 'h000.admin', TEST_PASSWORD);
    await admin.click('a[href="/admin/relays"] >> nth=0');
    await admin.waitForLoadState();
    const figures = await admin.locator('tr[data-company="1003"] td').allInnerTexts();
    assert.deepEqual(
      figures.slice(1, 6).map((t) => t.trim()),
      ['0', '—', '2', '10.0', '20.0'],
      'none awaiting; two decided after 20 and 0 minutes',
    );
    await screenshot(admin, 'relay-admin-monitor');

    assert.deepEqual(bDialogs, []);
    assert.deepEqual(aDialogs, []);
  });
});
