/**
 * The area screens over real mutual TLS with a signed-in session (HTTP level; the browser journeys
 * are test/browser/area-*.test.ts): choosing the area, the menu, the catalogue-driven forms through
 * callInterface (same codes, same audit record as the API), the usage charts, the application list
 * and the web-only supply point search.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { auditedSoon, startTestHub, type TestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig, type GridRouting } from '../../../src/grid/transport/config.ts';
import { TEST_PASSWORD, testClock } from '../../../src/hub/identity/testing.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';

const fullWidth = (text: string) => text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

interface World {
  readonly db: TestDb;
  readonly hub: TestHub;
  readonly web: TestClient;
  /** Posts a form of the page at `path` (CSRF token taken from it) to `action`. */
  post(path: string, action: string, form: Record<string, string>): Promise<{ status: number; body: string }>;
}

async function withWorld(backend: Parameters<Parameters<typeof forEachBackend>[1]>[0], fn: (w: World) => Promise<void>): Promise<void> {
  await using db = await backend.open();
  await migrate(db, allGridMigrations);
  const clock = testClock('2026-11-25T10:00:00+09:00');
  const grids: GridRouting = await gridTransportFromConfig({ db, clock, env: {} });
  const hub = await startTestHub(db, { transport: grids, clock });
  try {
    const web = hub.as('aTerminal');
    const login = await web.get('/login');
    assert.equal((await web.post('/login', { form: { _csrf: hiddenField(login.body, '_csrf'), userId: '1003.user', password: TEST_PASSWORD } })).status, 303);
    const post = async (path: string, action: string, form: Record<string, string>) => {
      const shown = await web.get(path);
      assert.equal(shown.status, 200, shown.body);
      return web.post(action, { form: { _csrf: hiddenField(shown.body, '_csrf'), ...form } });
    };
    await fn({ db, hub, web, post });
  } finally {
    await hub.close();
    grids.close();
  }
}

const count = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].length;

forEachBackend('area screens', (backend) => {
  test('the portal leads to the area choice; only registered areas are usable; a typed supply point ID finds its area', () =>
    withWorld(backend, async ({ web }) => {
      const portal = await web.get('/');
      assert.ok(portal.body.includes('href="/areas?family=lv"'), 'portal links the area choice');
      const choose = await web.get('/areas?family=hv');
      assert.equal(choose.status, 200);
      assert.ok(choose.body.includes('href="/areas/03/hv"'));
      assert.ok(!choose.body.includes('href="/areas/06/lv"'), '1003 is registered in Tokyo only');

      const detected = await web.get(`/areas/detect?family=lv&supplyPointId=${encodeURIComponent(fullWidth('03 1301-0000-0000-0000-0110'))}`);
      assert.equal(detected.status, 303);
      assert.equal(detected.headers.location, '/areas/03/lv?supplyPointId=0313010000000000000110');
      const elsewhere = await web.get('/areas/detect?family=lv&supplyPointId=0613010000000000000110');
      assert.equal(elsewhere.status, 403);
      assert.match(elsewhere.body, /field-error[\s\S]*IF_AREA_NOT_REGISTERED/);
      const malformed = await web.get('/areas/detect?family=lv&supplyPointId=0313');
      assert.match(malformed.body, /SPID_LENGTH/);
      assert.ok(malformed.body.includes('value="0313"'), 'the typed ID is kept');

      const menu = await web.get('/areas/03/lv');
      for (const id of ['IF_10110', 'IF_10210', 'IF_10220', 'IF_10310', 'IF_10410', 'IF_10510', 'IF_10610', 'IF_10710', 'IF_10810', 'IF_10910']) {
        assert.ok(menu.body.includes(`/areas/03/lv/if/${id}`), id);
      }
      assert.ok(menu.body.includes('/areas/03/lv/search') && menu.body.includes('/areas/03/lv/applications'));
      const hv = await web.get('/areas/03/hv');
      assert.ok(!hv.body.includes('IF_K10110'), 'no facility info for HV');
      assert.ok(hv.body.includes('/areas/03/hv/if/IF_K10310'));
      const fit = await web.get('/areas/03/fit');
      assert.ok(fit.body.includes('IF_F10110') && !fit.body.includes('IF_F10310'));
      const kansai = await web.get('/areas/06/lv');
      assert.equal(kansai.status, 403);
      assert.match(kansai.body, /IF_AREA_NOT_REGISTERED/);
      assert.equal((await web.get('/areas/11/lv')).status, 404);
      assert.equal((await web.get('/areas/03/lv/if/IF_K10310')).status, 400, 'an interface of another family');
    }));

  test('facility info through the generic form: full-width digits, the same audit record as the API', () =>
    withWorld(backend, async ({ db, hub, post }) => {
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart' });
      const form = '/areas/03/lv/if/IF_10110';
      const answer = await post(form, form, { supplyPointId: fullWidth(p.supplyPointId) });
      assert.equal(answer.status, 200, answer.body);
      assert.ok(answer.body.includes('照会結果'));
      assert.ok(answer.body.includes('契約中'));
      assert.ok(answer.body.includes('本町2丁目14番3号'));
      assert.ok(answer.body.includes('計器番号'), 'the repeated meters as a table');
      const audit = await auditedSoon(db, hub.audit, { action: 'IF_10110', supplyPointId: p.supplyPointId });
      assert.equal(audit.entries[0]?.channel, 'web');
      assert.equal(audit.entries[0]?.userId, '1003.user');
      assert.equal(audit.entries[0]?.result, 'OK');

      const refused = await post(form, form, { supplyPointId: '03123' });
      assert.equal(refused.status, 400);
      assert.match(refused.body, /<p class="field-error" role="alert"><span class="code">SPID_LENGTH<\/span>/);
      assert.ok(refused.body.includes('value="03123"'));
    }));

  test('a refused field is shown next to it with the API’s code; what was typed stays', () =>
    withWorld(backend, async ({ db, post }) => {
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const form = '/areas/03/lv/if/IF_10610';
      const answer = await post(form, form, {
        requestId: 'web-refused-1',
        updateFlag: '1',
        supplyPointId: p.supplyPointId,
        customerNameKana: 'ﾔﾏﾀﾞ ﾊﾅｺ',
        customerName: '山田 <b>花子</b>',
        currentRetailerCode: '20013',
        phoneNumber: '03-12ab',
        contractAmpere: '３０',
      });
      assert.equal(answer.status, 400);
      assert.match(answer.body, /id="f-phoneNumber"[^>]*aria-invalid="true"/);
      assert.match(answer.body, /<span class="code">IF_NOT_DIGITS<\/span> 電話番号/);
      assert.ok(answer.body.includes('value="山田 &lt;b&gt;花子&lt;/b&gt;"'), 'typed text kept, escaped');
      assert.ok(answer.body.includes('value="３０"'), 'the ampere as typed');
      assert.ok(!answer.body.includes('value="web-refused-1"'), 'a new request ID for the next try');
    }));

  test('switch-in filed on the screen, listed with its stage, detailed, corrected and cancelled', () =>
    withWorld(backend, async ({ db, web }) => {
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const form = '/areas/03/lv/if/IF_10610';
      const shown = await web.get(form);
      const requestId = hiddenField(shown.body, 'requestId');
      assert.match(requestId, /^web-/);
      const filed = await web.post(form, {
        form: {
          _csrf: hiddenField(shown.body, '_csrf'),
          requestId,
          updateFlag: '1',
          supplyPointId: fullWidth(p.supplyPointId),
          customerNameKana: 'やまだ はなこ',
          customerName: '山田 花子',
          currentRetailerCode: '２００１３',
          contractAmpere: '３０',
        },
      });
      assert.equal(filed.status, 200, filed.body);
      const number = /class="application-number">(AP03-\d{14})</.exec(filed.body)?.[1];
      assert.ok(number, filed.body);
      const again = await web.post(form, {
        form: {
          _csrf: hiddenField(shown.body, '_csrf'),
          requestId,
          updateFlag: '1',
          supplyPointId: p.supplyPointId,
          customerNameKana: 'ヤマダ',
          customerName: '山田',
          currentRetailerCode: '20013',
        },
      });
      assert.ok(again.body.includes(number), 'the same form sent twice files once');

      const list = await web.get('/areas/03/lv/applications');
      assert.equal(list.status, 200);
      assert.match(list.body, new RegExp(`data-application="${number}"[\\s\\S]*data-stage="03"`));
      assert.ok(list.body.includes(`?correct=${number}`) && list.body.includes(`?cancel=${number}`));
      assert.ok((await web.get(`/areas/03/lv/applications?supplyPointId=${fullWidth(p.supplyPointId)}`)).body.includes(number));
      assert.ok(!(await web.get('/areas/03/lv/applications?kind=03')).body.includes(number), 'kind filter');
      assert.ok((await web.get('/areas/03/lv/applications?kind=05&from=2026-11-25&to=2026-11-25')).body.includes(number));
      assert.ok(!(await web.get('/areas/03/lv/applications?from=2026-11-26')).body.includes(number));
      assert.match((await web.get('/areas/03/lv/applications?from=2026-13-01')).body, /DATE_INVALID|DATE_FORMAT/);

      const detail = await web.get(`/areas/03/lv/applications/${number}`);
      assert.equal(detail.status, 200);
      assert.ok(detail.body.includes('受付工程履歴'));
      assert.ok(detail.body.includes('03 マッチング待ち'));

      const correction = await web.get(`${form}?correct=${number}`);
      assert.equal(correction.status, 200);
      assert.ok(correction.body.includes('value="やまだ はなこ"') || correction.body.includes('value="ヤマダ ハナコ"'), 'prefilled from the filing');
      assert.match(correction.body, new RegExp(`name="applicationNumber" readonly value="${number}"`));
      const corrected = await web.post(form, {
        form: {
          ...Object.fromEntries(
            [...correction.body.matchAll(/name="([^"]+)"(?: readonly)? value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]),
          ),
          phoneNumber: '0312345678',
        },
      });
      assert.equal(corrected.status, 200, corrected.body);
      assert.ok(corrected.body.includes('訂正を受け付けました'));

      const cancel = await web.get(`${form}?cancel=${number}`);
      const cancelled = await web.post(form, {
        form: { ...Object.fromEntries([...cancel.body.matchAll(/name="([^"]+)"(?: readonly)? value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!])) },
      });
      assert.equal(cancelled.status, 200, cancelled.body);
      assert.ok(cancelled.body.includes('取消を受け付けました'));
      const after = await web.get('/areas/03/lv/applications');
      assert.match(after.body, new RegExp(`${number}</a> <span class="tag">取消</span>`));
      assert.equal((await web.get(`${form}?correct=${number}`)).status, 400, 'a cancelled application is not corrected');
      assert.equal((await web.get('/areas/03/lv/applications/AP03-20261125999999')).status, 404);
    }));

  test('usage password, its status, and usage info with the 13-month and the 48-slot charts', () =>
    withWorld(backend, async ({ db, web, post }) => {
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart' });
      const apply = '/areas/03/lv/if/IF_10210';
      const shown = await web.get(apply);
      assert.match(shown.body, /name="consentDate" value="2026-11-25"/);
      const applied = await web.post(apply, {
        form: {
          _csrf: hiddenField(shown.body, '_csrf'),
          requestId: hiddenField(shown.body, 'requestId'),
          supplyPointId: p.supplyPointId,
          customerNameKana: 'ヤマダ　ハナコ',
          customerName: '',
          phoneNumber: '０９０－１２３４－５６７８',
          consentDate: '2026-11-25',
        },
      });
      assert.equal(applied.status, 200, applied.body);
      const number = /class="application-number">([^<]+)</.exec(applied.body)?.[1];
      assert.ok(number);
      const status = await post(`/areas/03/lv/if/IF_10220?applicationNumber=${number}`, '/areas/03/lv/if/IF_10220', { applicationNumber: number! });
      assert.equal(status.status, 200, status.body);
      const password = /name="usagePassword" value="([^"]+)"/.exec(status.body)?.[1];
      assert.ok(password, 'the status answer offers the usage inquiry with the password');

      const usage = await post('/areas/03/lv/if/IF_10310', '/areas/03/lv/if/IF_10310', {
        supplyPointId: p.supplyPointId,
        usagePassword: password!,
        halfHourlyDate: '2026-11-24',
      });
      assert.equal(usage.status, 200, usage.body);
      const monthly = /<svg class="chart monthly"[\s\S]*?<\/svg>/.exec(usage.body)?.[0] ?? '';
      const day = /<svg class="chart half-hourly"[\s\S]*?<\/svg>/.exec(usage.body)?.[0] ?? '';
      assert.equal(count(monthly, /<rect class="bar"/g), 13);
      assert.equal(count(day, /<rect class="bar"/g), 48);
      assert.match(monthly, /<title id="chart-monthly-title">/);
      assert.match(day, /<desc id="chart-day-desc">2026-11-24の30分ごとの使用量/);
      assert.ok(usage.body.includes('23:30–24:00'), 'the numbers in a table too');

      const range = await post('/areas/03/lv/if/IF_10310', '/areas/03/lv/if/IF_10310', {
        supplyPointId: p.supplyPointId,
        usagePassword: password!,
        halfHourlyDate: '2026-10-30',
        halfHourlyTo: '2026-11-02',
      });
      assert.equal(range.status, 200, range.body);
      assert.equal(count(range.body, /<tr data-date="2026-1[01]-\d\d"><td>/g), 4, 'a row per day of the range');
      assert.match(range.body, /<tr data-date="2026-10-31"><td>2026-10-31<\/td><td class="num">[\d,.]+<\/td>[\s\S]*?<td class="num">48<\/td>/);
      const tooLong = await post('/areas/03/lv/if/IF_10310', '/areas/03/lv/if/IF_10310', {
        supplyPointId: p.supplyPointId,
        usagePassword: password!,
        halfHourlyDate: '2026-10-01',
        halfHourlyTo: '2026-11-01',
      });
      assert.match(tooLong.body, /GRID_USAGE_RANGE_TOO_LONG/);
    }));

  test('every function of every family’s menu opens its form; an at-least-one rule is shown at its first field', () =>
    withWorld(backend, async ({ web, post }) => {
      for (const family of ['lv', 'hv', 'fit']) {
        const menu = await web.get(`/areas/03/${family}`);
        const links = [...menu.body.matchAll(/href="(\/areas\/03\/[a-z]+\/if\/IF_[A-Z0-9]+)"/g)].map((m) => m[1]!);
        assert.ok(links.length >= 6, `${family}: ${links.length} interface screens`);
        for (const link of links) {
          const form = await web.get(link);
          assert.equal(form.status, 200, link);
          assert.match(form.body, /<form method="post" action="[^"]+" class="card if-form"/, link);
          assert.ok(!form.body.includes('name="applicationNumber"') || link.endsWith('20'), `${link}: no application number when registering`);
        }
      }
      const change = '/areas/03/lv/if/IF_10810';
      const shown = await web.get(change);
      assert.match(shown.body, /for="f-changeDate">変更日<span class="req">必須<\/span>/, 'required when registering');
      const refused = await post(change, change, {
        requestId: 'web-change-1',
        updateFlag: '1',
        supplyPointId: '0313010000000000000110',
        changeDate: '2026-12-01',
      });
      assert.match(refused.body, /id="f-customerNameKana"[^>]*aria-invalid="true"[\s\S]*IF_ONE_OF_REQUIRED/);
    }));

  test('supply point search by address and by kana name; an empty query refused next to the field; other areas refused', () =>
    withWorld(backend, async ({ db, hub, web }) => {
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', customer: { nameKana: 'サガシ　タロウ' } });
      const byAddress = await web.get(`/areas/03/lv/search?by=address&query=${encodeURIComponent('東京都千代田区本町２丁目')}`);
      assert.equal(byAddress.status, 200);
      assert.ok(byAddress.body.includes(p.supplyPointId));
      assert.ok(byAddress.body.includes('契約中'));
      const byName = await web.get(`/areas/03/lv/search?by=nameKana&query=${encodeURIComponent('さがし')}`);
      assert.ok(byName.body.includes(p.supplyPointId));
      assert.ok(!byName.body.includes('サガシ'), 'the name is not shown');
      const audit = await auditedSoon(db, hub.audit, { action: 'WEB_SUPPLY_POINT_SEARCH', supplyPointId: p.supplyPointId });
      assert.equal(audit.entries[0]?.channel, 'web');

      const empty = await web.get('/areas/03/lv/search?by=address&query=');
      assert.equal(empty.status, 400);
      assert.match(empty.body, /id="f-query"[^>]*aria-invalid="true"[\s\S]*WEB_SEARCH_QUERY_REQUIRED/);
      const none = await web.get(`/areas/03/lv/search?by=address&query=${encodeURIComponent('存在しない県')}`);
      assert.match(none.body, /WEB_SEARCH_NO_MATCH/);
      assert.equal((await web.get('/areas/06/lv/search?by=address&query=大阪府')).status, 403);
    }));
});
