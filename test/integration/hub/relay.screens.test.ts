/**
 * The relay screens over real mutual TLS with signed-in sessions (HTTP level; the browser journey is
 * test/browser/relay.test.ts): 2001 (new retailer) registers on the screen, 1003 (old retailer)
 * decides; refusals next to their fields with the API's codes; a third retailer is told
 * RELAY_NOT_FOUND; the CSV upload's row report; the portal's badge; the hub admin's monitoring.
 */
import { tokyoPoint } from '../../support/relay.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { auditedSoon, startTestHub, type TestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { buildCertificate, buildRetailer, givenCertificate, givenParticipant, givenUser, TEST_PASSWORD } from '../../../src/hub/identity/testing.ts';

const fullWidth = (text: string) => text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

interface Web {
  readonly client: TestClient;
  /** Posts a form of the page at `path` (CSRF token and hidden request ID taken from it) to `action`. */
  post(path: string, action: string, form: Record<string, string>): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
}

async function signedIn(client: TestClient, userId: string): Promise<Web> {
  const login = await client.get('/login');
  const answer = await client.post('/login', { form: { _csrf: hiddenField(login.body, '_csrf'), userId, password: TEST_PASSWORD } });
  assert.equal(answer.status, 303, answer.body);
  return {
    client,
    async post(path, action, form) {
      const shown = await client.get(path);
      assert.equal(shown.status, 200, shown.body);
      const hidden: Record<string, string> = { _csrf: hiddenField(shown.body, '_csrf') };
      if (shown.body.includes('name="requestId"')) hidden.requestId = hiddenField(shown.body, 'requestId');
      return client.post(action, { form: { ...hidden, ...form } });
    },
  };
}

interface World {
  readonly db: TestDb;
  readonly hub: TestHub;
  /** 2001, the new retailer. */
  readonly b: Web;
  /** 1003, the old retailer in Tokyo (10033). */
  readonly a: Web;
  /** 3001, a retailer party to nothing. */
  readonly c: Web;
}

async function withWorld(backend: Parameters<Parameters<typeof forEachBackend>[1]>[0], fn: (w: World) => Promise<void>): Promise<void> {
  await using db = await backend.open();
  const hub = await startTestHub(db);
  try {
    await givenParticipant(db, hub.clock, buildRetailer({ companyCode: '3001', name: '第三電力株式会社', areas: ['03', '06'] }));
    await givenUser(db, hub.clock, { userId: '3001.user', companyCode: '3001' });
    await givenCertificate(db, hub.clock, { participantCode: '30013', terminalName: '第三 端末1' });
    const cTerminal = buildCertificate({ participantCode: '30013', terminalName: '第三 端末1' }).cert;
    await fn({
      db,
      hub,
      b: await signedIn(hub.as('bTerminal'), '2001.user'),
      a: await signedIn(hub.as('aTerminal'), '1003.user'),
      c: await signedIn(hub.withCert(cTerminal), '3001.user'),
    });
  } finally {
    await hub.close();
  }
}

const registration = (n: number, overrides: Record<string, string> = {}) => ({
  supplyPointId: fullWidth(tokyoPoint(n)),
  contractNumber: `K-${n}`,
  'address.prefecture': '東京都',
  'address.city': '千代田区',
  'address.street': '丸の内一丁目1番1号',
  customerNameKana: 'ヤマダ タロウ',
  customerName: '山田 太郎',
  terminationDate: '2026-04-20',
  oldRetailerCode: '１００３３',
  phoneNumber: '０３－１２３４－５６７８',
  remarks: '午前中に連絡可',
  ...overrides,
});

/** Registers on the screen; returns the relay number. */
async function register(b: Web, n: number, overrides: Record<string, string> = {}): Promise<string> {
  const answer = await b.post('/relays/new', '/relays/new?family=lv', registration(n, overrides));
  assert.equal(answer.status, 303, answer.body);
  const location = String(answer.headers.location);
  const number = /^\/relays\/(RL\d{15})\?done=registered$/.exec(location)?.[1];
  assert.ok(number, location);
  return number;
}

forEachBackend('relay screens', (backend) => {
  test('the new retailer registers (full-width digits), the old one sees the badge, decides NG, then OK; both see the result', () =>
    withWorld(backend, async ({ db, hub, a, b }) => {
      const number = await register(b, 1);
      const detail = await b.client.get(`/relays/${number}?done=registered`);
      assert.equal(detail.status, 200);
      assert.match(detail.body, /RELAY_REGISTERED/);
      assert.ok(detail.body.includes(tokyoPoint(1)), 'the ID normalised');
      assert.ok(detail.body.includes('0312345678'));
      assert.ok(detail.body.includes('東京都千代田区丸の内一丁目1番1号'));
      assert.ok(detail.body.includes(`/relays/${number}/modify`) && detail.body.includes(`/relays/${number}/cancel`));
      const audit = await auditedSoon(db, hub.audit, { action: 'IS_20110', supplyPointId: tokyoPoint(1) });
      assert.equal(audit.entries[0]?.channel, 'web');
      assert.equal(audit.entries[0]?.userId, '2001.user');

      const list = await b.client.get('/relays');
      assert.match(list.body, /全1件/);
      assert.ok(list.body.includes(`data-relay="${number}"`));
      assert.ok(list.body.includes('10033'));

      const portal = await a.client.get('/');
      assert.match(portal.body, /<span class="relay-badge"[^>]*>1<\/span>/);
      assert.ok(portal.body.includes('href="/relays/received?status=01&amp;family=lv"'));
      const received = await a.client.get('/relays/received?status=01&customerName=%EF%BE%94%EF%BE%8F%EF%BE%80%EF%BE%9E');
      assert.equal(received.status, 200, received.body);
      assert.ok(received.body.includes(`data-relay="${number}"`), 'half-width kana prefix finds ヤマダ');
      const shown = await a.client.get(`/relays/received/${number}`);
      assert.ok(shown.body.includes('山田 太郎') && shown.body.includes('K-1'));
      assert.ok(shown.body.includes('name="decidingPersonName"'));
      const read = await auditedSoon(db, hub.audit, { action: 'relayReceivedDetail', supplyPointId: tokyoPoint(1) });
      assert.equal(read.entries[0]?.userId, '1003.user');

      // NG without a reason: refused next to the reason, what was typed kept.
      const noReason = await a.post(`/relays/received/${number}`, `/relays/received/${number}`, { decision: '02', decidingPersonName: '佐藤 <i>花子</i>' });
      assert.equal(noReason.status, 400);
      assert.match(noReason.body, /id="f-ngReason"[^>]*aria-invalid="true"/);
      assert.match(noReason.body, /<p class="field-error" role="alert"><span class="code">IF_REQUIRED<\/span>/);
      assert.ok(noReason.body.includes('value="佐藤 &lt;i&gt;花子&lt;/i&gt;"'));
      const ng = await a.post(`/relays/received/${number}`, `/relays/received/${number}`, {
        decision: '02',
        decidingPersonName: '佐藤 花子',
        ngReason: '02',
        ngText: '契約番号が違います',
      });
      assert.equal(ng.status, 303, ng.body);
      const decided = await a.client.get(String(ng.headers.location));
      assert.match(decided.body, /RELAY_DECIDED/);
      assert.ok(!decided.body.includes('name="decidingPersonName"'), 'no form once decided');
      const again = await a.client.post(`/relays/received/${number}`, {
        form: { _csrf: hiddenField(decided.body, '_csrf'), requestId: 'web-again', decision: '01', decidingPersonName: '佐藤 花子' },
      });
      assert.equal(again.status, 409);
      assert.match(again.body, /RELAY_ALREADY_DECIDED/);
      assert.doesNotMatch((await a.client.get('/')).body, /relay-badge/);

      const seen = await b.client.get(`/relays/${number}`);
      assert.match(seen.body, /data-status="03"/);
      assert.ok(seen.body.includes('02 契約番号不一致') && seen.body.includes('契約番号が違います') && seen.body.includes('佐藤 花子'));
      assert.ok(!seen.body.includes(`/relays/${number}/modify`), 'a decided relay is not modified');
      assert.equal((await b.client.get(`/relays/${number}/modify`)).status, 409);

      const second = await register(b, 1, { contractNumber: 'K-1-2' });
      const ok = await a.post(`/relays/received/${second}`, `/relays/received/${second}`, { decision: '01', decidingPersonName: '佐藤 花子' });
      assert.equal(ok.status, 303, ok.body);
      assert.match((await b.client.get(`/relays/${second}`)).body, /data-status="02"/);
      const results = await b.client.get('/relays?status=02');
      assert.ok(results.body.includes(`data-relay="${second}"`) && !results.body.includes(`data-relay="${number}"`));
    }));

  test('refusals shown next to their fields with the API’s codes; typed values kept; modify and cancel', () =>
    withWorld(backend, async ({ b }) => {
      const refused = await b.post(
        '/relays/new',
        '/relays/new?family=lv',
        registration(2, { oldRetailerCode: '10036', phoneNumber: '03-12ab', customerName: '山田 <b>太郎</b>', terminationDate: '2026-03-01' }),
      );
      assert.equal(refused.status, 400);
      assert.match(refused.body, /id="f-phoneNumber"[^>]*aria-invalid="true"/);
      assert.match(refused.body, /<span class="code">IF_NOT_DIGITS<\/span> 電話番号/);
      assert.ok(refused.body.includes('value="山田 &lt;b&gt;太郎&lt;/b&gt;"'), 'typed text kept, escaped');
      assert.ok(refused.body.includes(`value="${fullWidth(tokyoPoint(2))}"`), 'the ID as typed');

      const hubChecks = await b.post('/relays/new', '/relays/new?family=lv', registration(2, { oldRetailerCode: '30016', terminationDate: '2026-03-01' }));
      assert.equal(hubChecks.status, 400);
      assert.match(hubChecks.body, /id="f-oldRetailerCode"[^>]*aria-invalid="true"[\s\S]*RELAY_OLD_RETAILER_NOT_IN_AREA/);
      assert.match(hubChecks.body, /id="f-terminationDate"[^>]*aria-invalid="true"[\s\S]*RELAY_TERMINATION_DATE_PAST/);

      const codes = (await b.client.get('/relays/new')).body;
      for (const code of ['10033', '30013', '30016']) assert.ok(codes.includes(`<td class="mono">${code}</td>`), `the old retailer code ${code} is listed`);
      assert.ok(!codes.includes('<td class="mono">20013</td>'), 'not itself');

      const number = await register(b, 2);
      const duplicate = await b.post('/relays/new', '/relays/new?family=lv', registration(2));
      assert.match(duplicate.body, /id="f-supplyPointId"[^>]*aria-invalid="true"[\s\S]*RELAY_OPEN_EXISTS/);

      const form = await b.client.get(`/relays/${number}/modify`);
      assert.equal(form.status, 200);
      assert.ok(form.body.includes('value="K-2"') && form.body.includes('value="丸の内一丁目1番1号"'), 'prefilled');
      assert.match(form.body, /id="f-supplyPointId"[^>]*readonly/);
      const modified = await b.post(`/relays/${number}/modify`, `/relays/${number}/modify`, { ...registration(2), contractNumber: 'K-2-modified' });
      assert.equal(modified.status, 303, modified.body);
      const after = await b.client.get(`/relays/${number}`);
      assert.ok(after.body.includes('K-2-modified'));
      assert.ok(after.body.includes('修正'), 'the history has the modification');

      const confirm = await b.client.get(`/relays/${number}/cancel`);
      assert.match(confirm.body, /取り消した廃止取次は元に戻せません/);
      const cancelled = await b.post(`/relays/${number}/cancel`, `/relays/${number}/cancel`, {});
      assert.equal(cancelled.status, 303, cancelled.body);
      assert.match((await b.client.get(`/relays/${number}`)).body, /data-status="04"/);

      const badFilter = await b.client.get('/relays?supplyPointId=0312&registeredFrom=2026-13-01');
      assert.equal(badFilter.status, 400);
      assert.match(badFilter.body, /id="f-supplyPointId"[^>]*aria-invalid="true"/);
      assert.ok(badFilter.body.includes('value="0312"'));
    }));

  test('a third retailer is told RELAY_NOT_FOUND; the other party is sent to its own side; the old retailer cannot modify', () =>
    withWorld(backend, async ({ a, b, c }) => {
      const number = await register(b, 3);
      for (const path of [`/relays/${number}`, `/relays/received/${number}`, `/relays/${number}/modify`]) {
        const answer = await c.client.get(path);
        assert.equal(answer.status, 404, path);
        assert.match(answer.body, /RELAY_NOT_FOUND/);
        assert.ok(!answer.body.includes('山田'), path);
      }
      assert.doesNotMatch((await c.client.get('/relays/received')).body, new RegExp(number));
      const toOwnSide = await a.client.get(`/relays/${number}`);
      assert.equal(toOwnSide.status, 303);
      assert.equal(toOwnSide.headers.location, `/relays/received/${number}`);
      const modify = await a.client.get(`/relays/${number}/modify`);
      assert.equal(modify.status, 403);
      assert.match(modify.body, /RELAY_NOT_REGISTRANT/);

      // An HV relay: the portal leads to the HV received list, whose tab shows the count.
      const notAddressed = await b.post(`/relays/${number}`, `/relays/received/${number}`, { decision: '01', decidingPersonName: '鈴木' });
      assert.equal(notAddressed.status, 403, 'the new retailer does not decide');
      assert.match(notAddressed.body, /RELAY_NOT_ADDRESSED/);
      const decided = await a.post(`/relays/received/${number}`, `/relays/received/${number}`, { decision: '01', decidingPersonName: '佐藤 花子' });
      assert.equal(decided.status, 303);
      const hv = await b.post('/relays/new?family=hv', '/relays/new?family=hv', registration(5));
      assert.equal(hv.status, 303, hv.body);
      const portal = await a.client.get('/');
      assert.ok(portal.body.includes('href="/relays/received?status=01&amp;family=hv"'));
      const received = await a.client.get('/relays/received?status=01&family=hv');
      assert.match(received.body, /高圧託送 <span class="relay-badge small"[^>]*>1<\/span>/);
      assert.match(received.body, /全1件/);
      assert.match((await a.client.get('/relays/received?status=01&family=lv')).body, /全0件/);
    }));

  test('CSV upload: a row report with codes; a refused file files nothing; a good one files every row', () =>
    withWorld(backend, async ({ b }) => {
      const template = await b.client.get('/relays/template.csv?family=lv');
      assert.equal(template.status, 200);
      assert.match(String(template.headers['content-type']), /text\/csv/);
      const header = template.body.replace(/^\ufeff/, '').trim();
      assert.ok(header.startsWith('リクエストID,更新区分,廃止取次番号,供給地点特定番号,契約番号,住所（都道府県）'), header);
      const row = (n: number, id: string, extra: { old?: string } = {}) =>
        [
          id,
          '1',
          '',
          tokyoPoint(n),
          `K-${n}`,
          '東京都',
          '千代田区',
          '丸の内1-1',
          '',
          'ヤマダ タロウ',
          '山田 太郎',
          '2026-04-20',
          extra.old ?? '10033',
          '',
          '',
        ].join(',');
      const upload = async (csv: string, csrf?: string) => {
        const page = await b.client.get('/relays/upload?family=lv');
        const boundary = '----kirikae-test-boundary';
        const body =
          `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf ?? hiddenField(page.body, '_csrf')}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="relays.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
        return b.client.post('/relays/upload?family=lv', { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
      };
      const bad = await upload(`${header}\r\n${row(10, 'CSV-1')}\r\n${row(11, 'CSV-2', { old: '99993' })}\r\n`);
      assert.equal(bad.status, 400, bad.body);
      assert.match(bad.body, /BULK_REJECTED/);
      assert.match(bad.body, /<tr class="ng" data-row="3">[\s\S]*RELAY_OLD_RETAILER_UNKNOWN/);
      assert.match(bad.body, /<tr class="ok" data-row="2">/);
      assert.match((await b.client.get('/relays')).body, /全0件/, 'nothing filed');

      const forged = await upload(`${header}\r\n${row(10, 'CSV-1')}\r\n`, 'not-the-token');
      assert.equal(forged.status, 403);
      assert.match(forged.body, /HTTP_CSRF/);

      const rows = Array.from({ length: 21 }, (_, i) => row(10 + i, `CSV-${i + 1}`));
      const good = await upload(`${header}\r\n${rows.join('\r\n')}\r\n`);
      assert.equal(good.status, 200, good.body);
      assert.match(good.body, /BULK_ACCEPTED/);
      assert.equal([...good.body.matchAll(/href="\/relays\/RL\d{15}"/g)].length, 21);

      // 20 a page, newest first, the total and a pager.
      const first = await b.client.get('/relays');
      assert.match(first.body, /全21件　1\/2ページ/);
      const numbers = [...first.body.matchAll(/data-relay="(RL\d{15})"/g)].map((m) => m[1]!);
      assert.equal(numbers.length, 20);
      assert.deepEqual(numbers, [...numbers].sort().reverse());
      assert.ok(first.body.includes('href="/relays?page=2"'));
      const second = await b.client.get('/relays?page=2');
      assert.equal([...second.body.matchAll(/data-relay="/g)].length, 1);
      assert.equal((await b.client.get('/relays?family=fit')).status, 200);
      assert.match((await b.client.get('/relays/received?family=hv')).body, /全0件/);
    }));

  test('the hub admin sees the waits per old retailer; retailers do not', () =>
    withWorld(backend, async ({ hub, b }) => {
      await register(b, 4);
      const admin = await signedIn(hub.as('hubTerminal'), 'h000.admin');
      const monitor = await admin.client.get('/admin/relays');
      assert.equal(monitor.status, 200);
      assert.match(monitor.body, /<tr data-company="1003"[^>]*>[\s\S]*<td class="num">1<\/td>/);
      assert.ok(!monitor.body.includes('山田'), 'no customer data');
      assert.ok((await admin.client.get('/')).body.includes('href="/admin/relays"'));
      assert.equal((await b.client.get('/admin/relays')).status, 403);
    }));
});
