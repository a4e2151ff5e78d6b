/**
 * What a hostile or careless client got through (issue 12 §5), tried through the hub over real
 * mutual TLS: bytes that are not UTF-8 in a customer's name, characters the market's Shift_JIS
 * files cannot carry, lax SOAP envelopes and namespaces, a JSON key given twice, numbers sent as
 * strings. Each is refused with a stable code, the same in JSON, SOAP, the web form and the CSV row
 * report, and nothing is stored.
 *
 * The relay (IS_20110) is kept by the hub itself, so what it stores is seen through IS_20210.
 */
import { relayRegistration, tokyoPoint } from '../../support/relay.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { forEachBackend, type Backend, type TestDb } from '../../support/backends.ts';
import { auditedSoon, startTestHub, type TestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient, type TestResponse } from '../../support/https-client.ts';
import { buildCertificate, givenCertificate, TEST_PASSWORD } from '../../../src/hub/identity/testing.ts';
import { interfaceById } from '../../../src/interfaces/catalogue/catalogue.ts';
import type { ReceptionMessage } from '../../../src/interfaces/message.ts';
import { soapRequest } from '../../../src/interfaces/soap.ts';
import { KirikaeClient } from '../../../src/sdk/client.ts';

const register = interfaceById('IS_20110')!;
let requests = 0;

/** A registration of a relay by 2001 to 1003, valid as it is. */
const registration = (n: number, overrides: Record<string, unknown> = {}) => relayRegistration(n, `HOSTILE-${++requests}`, overrides);

/** `text` with the bytes FF FE where `XX` stands: what no UTF-8 encoder writes. */
function withInvalidBytes(text: string): Buffer {
  const at = text.indexOf('XX');
  assert.notEqual(at, -1);
  return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(at + 2))]);
}

const fieldsAndCodes = (messages: readonly ReceptionMessage[]) => messages.map((m) => [m.field, m.code]);

interface World {
  readonly db: TestDb;
  readonly hub: TestHub;
  /** 2001's API certificate (20013): the new retailer. */
  readonly api: TestClient;
  readonly sdk: KirikaeClient;
  readonly soap: KirikaeClient;
}

async function withWorld(backend: Backend, fn: (w: World) => Promise<void>): Promise<void> {
  await using db = await backend.open();
  const hub = await startTestHub(db);
  await givenCertificate(db, hub.clock, { participantCode: '20013', usage: 'api' });
  const { cert } = buildCertificate({ participantCode: '20013', usage: 'api' });
  const client = (binding: 'json' | 'soap') => new KirikaeClient({ baseUrl: hub.base, certPem: cert.certPem, keyPem: cert.keyPem, caPem: hub.caPem, binding });
  const sdk = client('json');
  const soap = client('soap');
  try {
    await fn({ db, hub, api: hub.withCert(cert), sdk, soap });
  } finally {
    sdk.close();
    soap.close();
    await hub.close();
  }
}

/** The relays 2001 registered, as IS_20210 lists them. */
async function relaysStored(sdk: KirikaeClient): Promise<number> {
  const list = await sdk.call('IS_20210', {});
  assert.equal(list.result, 'OK', JSON.stringify(list.messages));
  return list.data?.total as number;
}

const postSoap = (client: TestClient, interfaceId: string, body: string | Uint8Array): Promise<TestResponse> =>
  client.post(`/soap/${interfaceId}`, { body, headers: { 'content-type': 'text/xml; charset=utf-8' } });

forEachBackend('what a hostile or careless client got through', (backend) => {
  test('bytes that are not UTF-8 in a customer name are refused naming the field, in JSON and in SOAP, and nothing is stored', () =>
    withWorld(backend, async ({ db, hub, api, sdk }) => {
      const json = withInvalidBytes(JSON.stringify(registration(1, { customerName: '山XX田' })));
      const viaJson = await api.post('/api/v1/IS_20110', { body: json, headers: { 'content-type': 'application/json' } });
      assert.equal(viaJson.json().result, 'NG', viaJson.body);
      assert.deepEqual(fieldsAndCodes(viaJson.json().messages), [['customerName', 'IF_ENCODING_INVALID']]);
      assert.equal(
        viaJson.json().messages[0].text,
        '需要者名（漢字）の値に、UTF-8として正しくないバイト列があります。値を変えずに記録できないため受け付けられません。正しいUTF-8で送信してください。',
      );

      const soap = withInvalidBytes(soapRequest(register, registration(2, { customerName: '山XX田' })));
      const viaSoap = await postSoap(api, 'IS_20110', soap);
      assert.equal(viaSoap.status, 200, 'a field refusal is a response, not a fault');
      assert.match(
        viaSoap.body,
        /<k:result>NG<\/k:result><k:messages><k:message><k:code>IF_ENCODING_INVALID<\/k:code><k:text>[^<]*<\/k:text><k:field>customerName<\/k:field>/,
      );

      assert.equal(await relaysStored(sdk), 0, 'no relay with an altered name');
      const audit = await auditedSoon(db, hub.audit, { action: 'IS_20110' });
      assert.ok(
        audit.entries.every((e) => e.result === 'IF_ENCODING_INVALID'),
        JSON.stringify(audit.entries),
      );
      assert.equal((await sdk.call('IS_20110', registration(3))).result, 'OK', 'a correct registration still goes in');
    }));

  test('emoji and bidirectional controls in names and addresses are refused with codes, in JSON and SOAP alike', () =>
    withWorld(backend, async ({ sdk, soap }) => {
      for (const client of [sdk, soap]) {
        const emoji = await client.call('IS_20110', registration(4, { customerName: '山田😀' }));
        assert.deepEqual(fieldsAndCodes(emoji.messages), [['customerName', 'IF_CHARACTER_NOT_ALLOWED']]);
        assert.match(emoji.messages[0]!.text, /「😀」（U\+1F600）/);
        const bidi = await client.call(
          'IS_20110',
          registration(4, { customerName: '山田\u202e郎太', address: { prefecture: '東京都', city: '千代田区', street: '丸の内\u202e1-1' } }),
        );
        assert.deepEqual(fieldsAndCodes(bidi.messages), [
          ['address.street', 'IF_CONTROL_CHARACTER'],
          ['customerName', 'IF_CONTROL_CHARACTER'],
        ]);
        const kana = await client.call('IS_20110', registration(4, { customerNameKana: 'ヤマダ🙂' }));
        assert.deepEqual(fieldsAndCodes(kana.messages), [['customerNameKana', 'IF_NOT_KANA']]);
      }
      assert.equal(await relaysStored(sdk), 0);
      const carried = await sdk.call('IS_20110', registration(5, { customerName: '髙﨑 ①', customerNameKana: 'ﾀｶｻｷ' }));
      assert.equal(carried.result, 'OK', JSON.stringify(carried.messages));
    }));

  test('the web form refuses the same characters next to the field, and bytes that are not UTF-8 with the code', () =>
    withWorld(backend, async ({ hub, sdk }) => {
      const client = hub.as('bTerminal');
      const login = await client.get('/login');
      assert.equal(
        (await client.post('/login', { form: { _csrf: hiddenField(login.body, '_csrf'), userId: '2001.user', password: TEST_PASSWORD } })).status,
        303,
      );
      const form = async () => {
        const page = await client.get('/relays/new?family=lv');
        return { _csrf: hiddenField(page.body, '_csrf'), requestId: hiddenField(page.body, 'requestId') };
      };
      const fields = (n: number, name: string) => ({
        supplyPointId: tokyoPoint(n),
        contractNumber: `K-${n}`,
        'address.prefecture': '東京都',
        'address.city': '千代田区',
        'address.street': '丸の内一丁目1番1号',
        customerNameKana: 'ヤマダ タロウ',
        customerName: name,
        terminationDate: '2026-04-20',
        oldRetailerCode: '10033',
      });
      for (const name of ['山田😀', '山田\u202e郎太']) {
        const refused = await client.post('/relays/new?family=lv', { form: { ...(await form()), ...fields(6, name) } });
        assert.equal(refused.status, 400, refused.body);
        assert.match(refused.body, /id="f-customerName"[^>]*aria-invalid="true"/);
        assert.match(
          refused.body,
          new RegExp(
            `<span class="code">${name.includes('😀') ? 'IF_CHARACTER_NOT_ALLOWED' : 'IF_CONTROL_CHARACTER'}</span> 需要者名（漢字）に使用できない文字`,
          ),
        );
      }
      // A browser always sends UTF-8; a hand-made post with %FF%FE is refused, naming the field.
      const body = `${new URLSearchParams({ ...(await form()), ...fields(6, '') }).toString().replace('customerName=', 'customerName=%E5%B1%B1%FF%FE')}`;
      const invalid = await client.post('/relays/new?family=lv', {
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      });
      assert.equal(invalid.status, 400, invalid.body);
      assert.match(invalid.body, /IF_ENCODING_INVALID/);
      assert.match(invalid.body, /項目「customerName」の値に、UTF-8として正しくないバイト列があります/);
      assert.equal(await relaysStored(sdk), 0);
      const ok = await client.post('/relays/new?family=lv', { form: { ...(await form()), ...fields(6, '山田 太郎') } });
      assert.equal(ok.status, 303, 'the same form with an ordinary name goes in');
    }));

  test('the CSV row report names the row and column of a value that is not valid in the file’s encoding, or not carried', () =>
    withWorld(backend, async ({ sdk }) => {
      const header =
        'リクエストID,供給地点特定番号,契約番号,住所（都道府県）,住所（市区町村）,住所（町名・番地）,需要者名（カナ）,需要者名（漢字）,廃止年月日,現小売電気事業者コード';
      const row = (n: number, city: string, name: string) =>
        `CSV-H-${n},${tokyoPoint(n)},K-${n},東京都,${city},丸の内1-1,ヤマダ タロウ,${name},2026-04-20,10033`;
      const utf8 = Buffer.concat([
        Buffer.from(`${header}\r\n${row(10, '千代田区', '山田 太郎')}\r\n${row(11, '千代田区', '山田😀')}\r\n`),
        withInvalidBytes(`${row(12, '千代XX区', '山田 太郎')}\r\n`),
      ]);
      const report = await sdk.bulk('IS_20110', utf8);
      assert.equal(report.result, 'NG', JSON.stringify(report));
      assert.deepEqual(
        report.data.rows.map((r) => [r.row, r.result, ...r.messages.map((m) => `${m.field}:${m.code}`)]),
        [
          [2, 'OK'],
          [3, 'NG', 'customerName:IF_CHARACTER_NOT_ALLOWED'],
          [4, 'NG', 'address.city:IF_ENCODING_INVALID'],
        ],
      );
      assert.match(report.data.rows[2]!.messages[0]!.text, /^市区町村の値に、UTF-8として正しくないバイト列があります/);

      // Shift_JIS as Excel writes it, with a byte sequence CP932 does not define (0x85 0x40) in a name.
      const [before, after] = `${header}\r\n${row(13, '千代田区', '山田 太郎')}\r\n${row(14, '千代田区', '山田XX')}\r\n`.split('XX') as [string, string];
      const sjis = Buffer.concat([iconv.encode(before, 'cp932'), Buffer.from([0x85, 0x40]), iconv.encode(after, 'cp932')]);
      const sjisReport = await sdk.bulk('IS_20110', sjis);
      assert.deepEqual(
        sjisReport.data.rows.map((r) => [r.row, r.result, ...r.messages.map((m) => `${m.field}:${m.code}`)]),
        [
          [2, 'OK'],
          [3, 'NG', 'customerName:IF_ENCODING_INVALID'],
        ],
      );
      assert.match(sjisReport.data.rows[1]!.messages[0]!.text, /Shift_JISとして正しくないバイト列/);
      assert.equal(await relaysStored(sdk), 0, 'a file with a refused row files nothing');
    }));

  test('a lax SOAP envelope is refused with a Fault and a code; a SOAP 1.2 client gets VersionMismatch', () =>
    withWorld(backend, async ({ db, hub, api }) => {
      const payload = (ns: string) => `<IS_30110Request${ns}><kind>retailer</kind></IS_30110Request>`;
      const soap11 = (body: string) => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
      const correct = await postSoap(api, 'IS_30110', soap11(payload(' xmlns="urn:kirikae:v1"')));
      assert.equal(correct.status, 200);
      assert.match(correct.body, /<k:result>OK<\/k:result>/, 'the same request in the right namespaces is served');

      const cases: [string, string, string, string][] = [
        ['no namespaces', `<Envelope><Body>${payload('')}</Body></Envelope>`, 'soap:VersionMismatch', 'IF_SOAP_VERSION_MISMATCH'],
        [
          'SOAP 1.2',
          `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>${payload(' xmlns="urn:kirikae:v1"')}</env:Body></env:Envelope>`,
          'soap:VersionMismatch',
          'IF_SOAP_VERSION_MISMATCH',
        ],
        ['payload in no namespace', soap11(payload('')), 'soap:Client', 'IF_SOAP_NAMESPACE'],
        ['payload in urn:evil', soap11(payload(' xmlns="urn:evil"')), 'soap:Client', 'IF_SOAP_NAMESPACE'],
        [
          'a field in urn:evil',
          soap11('<k:IS_30110Request xmlns:k="urn:kirikae:v1"><e:kind xmlns:e="urn:evil">retailer</e:kind></k:IS_30110Request>'),
          'soap:Client',
          'IF_SOAP_NAMESPACE',
        ],
      ];
      for (const [what, xml, faultcode, code] of cases) {
        const res = await postSoap(api, 'IS_30110', xml);
        assert.equal(res.status, 500, `${what}: a Fault travels with HTTP 500 (SOAP 1.1 §6.2)`);
        assert.match(
          res.body,
          new RegExp(
            `^<\\?xml version="1.0" encoding="UTF-8"\\?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>${faultcode}</faultcode>`,
          ),
          what,
        );
        assert.match(res.body, new RegExp(`<k:code>${code}</k:code>`), what);
        assert.doesNotMatch(res.body, /<k:result>/, `${what}: not served`);
      }
      const soap12 = await postSoap(api, 'IS_30110', cases[1]![1]);
      assert.match(soap12.body, /<faultstring xml:lang="ja">SOAP 1\.1 のエンベロープ[^<]*http:\/\/www\.w3\.org\/2003\/05\/soap-envelope/);
      const audit = await auditedSoon(db, hub.audit, { action: 'IS_30110', result: 'IF_SOAP_VERSION_MISMATCH' });
      assert.ok(audit.entries.length >= 1, 'the refusal is audited with its code');
    }));

  test('a JSON key given twice is refused with a code naming it, at any depth, and nothing is filed', () =>
    withWorld(backend, async ({ db, hub, api, sdk }) => {
      const twice = JSON.stringify(registration(20)).replace(
        `"supplyPointId":"${tokyoPoint(20)}"`,
        `"supplyPointId":"${tokyoPoint(20)}","supplyPointId":"${tokyoPoint(21)}"`,
      );
      const res = await api.post('/api/v1/IS_20110', { body: twice, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400);
      assert.deepEqual(res.json(), {
        result: 'NG',
        messages: [
          {
            code: 'IF_JSON_DUPLICATE_KEY',
            field: 'supplyPointId',
            text: 'JSONの項目「supplyPointId」が2回以上指定されています。同じ項目は1回だけ指定してください。',
          },
        ],
      });
      const nested = JSON.stringify(registration(22)).replace('"city":"千代田区"', '"city":"千代田区","city":"港区"');
      const deep = await api.post('/api/v1/IS_20110', { body: nested, headers: { 'content-type': 'application/json' } });
      assert.equal(deep.json().messages[0].field, 'address.city');
      assert.equal(await relaysStored(sdk), 0);
      const audit = await auditedSoon(db, hub.audit, { action: 'IS_20110', result: 'IF_JSON_DUPLICATE_KEY' });
      assert.equal(audit.entries.length, 2, 'audited as the interface’s call, with the code');
    }));

  test('numbers sent as strings are refused in JSON; JSON numbers, SOAP text and the SDK still work', () =>
    withWorld(backend, async ({ hub, api, sdk, soap }) => {
      const call = async (interfaceId: string, body: unknown) => (await api.post(`/api/v1/${interfaceId}`, { json: body })).json();
      for (const [interfaceId, body, field] of [
        ['IS_30110', { page: '2' }, 'page'],
        ['IS_30110', { page: ' 1' }, 'page'],
        ['IS_30110', { pageSize: '５' }, 'pageSize'],
        ['IS_40110', { maxCount: '5' }, 'maxCount'],
      ] as const) {
        const answer = await call(interfaceId, body);
        assert.equal(answer.result, 'NG', JSON.stringify(body));
        assert.deepEqual(fieldsAndCodes(answer.messages), [[field, 'IF_NUMBER_AS_STRING']], JSON.stringify(body));
      }
      assert.equal((await call('IS_30110', { page: 1, pageSize: 5 })).result, 'OK');
      for (const client of [sdk, soap]) {
        const listed = await client.call('IS_30110', { page: 1, pageSize: 1 });
        assert.equal(listed.result, 'OK', JSON.stringify(listed.messages));
        assert.equal(listed.data?.pageSize, 1);
        assert.equal((listed.data!.participants as unknown[]).length, 1);
        assert.equal((await client.call('IS_40110', { maxCount: 5 })).result, 'OK');
      }
      const hubApi = hub.sdk('aApi');
      assert.equal((await hubApi.call('IS_30110', { page: 2, pageSize: 1 })).result, 'OK');
      hubApi.close();
    }));
});
