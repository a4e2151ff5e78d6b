/**
 * Document attachments (issue 16): a usage password application and a move-in carry documents in
 * JSON (multipart/form-data), SOAP (multipart/related: SOAP with attachments, MTOM) and the web form;
 * the grid keeps them with the application; too large, wrong type, too many, or on an interface that
 * takes none, they are refused with the same code on every channel and nothing is stored.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, type TestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig, type GridRouting } from '../../../src/grid/transport/config.ts';
import { TEST_PASSWORD, testClock } from '../../../src/hub/identity/testing.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { interfaceById } from '../../../src/interfaces/catalogue/catalogue.ts';
import { soapRequest } from '../../../src/interfaces/soap.ts';
import { maxAttachmentBytes } from '../../../src/interfaces/attachments.ts';

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('本人確認書類（運転免許証の写し）\n%%EOF\n')]);
const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A multipart/form-data body as a browser or fetch would send it. */
async function formData(parts: [name: string, value: string | { name: string; type: string; bytes: Buffer }][]): Promise<{ body: Buffer; type: string }> {
  const form = new FormData();
  for (const [name, value] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([new Uint8Array(value.bytes)], { type: value.type }), value.name);
  }
  const response = new Response(form);
  return { body: Buffer.from(await response.arrayBuffer()), type: response.headers.get('content-type')! };
}

/** A multipart/related body: the envelope as root, then one part per file (SwA: Content-Disposition; MTOM: xop root). */
function related(envelope: string, files: { name: string; type: string; bytes: Buffer }[], mtom = false): { body: Buffer; type: string } {
  const boundary = 'MIMEBoundary_kirikae_test';
  const rootType = mtom ? 'application/xop+xml; charset=UTF-8; type="text/xml"' : 'text/xml; charset=UTF-8';
  const chunks: Buffer[] = [
    Buffer.from(`--${boundary}\r\nContent-Type: ${rootType}\r\nContent-Transfer-Encoding: 8bit\r\nContent-ID: <root.message@kirikae>\r\n\r\n${envelope}\r\n`),
  ];
  for (const [i, f] of files.entries()) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: ${f.type}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <file${i}@kirikae>\r\n` +
          `Content-Disposition: attachment; filename="${f.name}"\r\n\r\n`,
      ),
      f.bytes,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const type = `multipart/related; type="${mtom ? 'application/xop+xml' : 'text/xml'}"; boundary="${boundary}"; start="<root.message@kirikae>"${mtom ? '; start-info="text/xml"' : ''}`;
  return { body: Buffer.concat(chunks), type };
}

forEachBackend('attachments of usage password and move-in applications', (backend) => {
  let db: TestDb;
  let hub: TestHub;
  let grids: GridRouting;
  let api: TestClient;
  let web: TestClient;

  before(async () => {
    db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    grids = await gridTransportFromConfig({ db, clock, env: {}, options: { usagePasswordConfirmation: 'immediate' } });
    hub = await startTestHub(db, { transport: grids, clock });
    api = hub.as('aApi');
    web = hub.as('aTerminal');
    const login = await web.get('/login');
    assert.equal((await web.post('/login', { form: { _csrf: hiddenField(login.body, '_csrf'), userId: '1003.user', password: TEST_PASSWORD } })).status, 303);
  });
  after(async () => {
    await hub.close();
    grids.close();
    await db.close();
  });

  const stored = async (applicationNumber: string) =>
    (
      await db.query<{ file_name: string; media_type: string; size: number; sha256: string; content: Uint8Array }>(
        'SELECT file_name, media_type, size, sha256, content FROM grid_03.application_attachment WHERE application_number = $1 ORDER BY seq',
        [applicationNumber],
      )
    ).rows.map((r) => ({ fileName: r.file_name, mediaType: r.media_type, size: Number(r.size), sha256: r.sha256, content: Buffer.from(r.content) }));
  const count = async () => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM grid_03.application_attachment')).rows[0]!.n);

  const passwordBody = (supplyPointId: string, requestId: string) => ({
    requestId,
    supplyPointId,
    customerNameKana: 'ヤマダ ハナコ',
    phoneNumber: '09012345678',
    consentDate: '2026-11-25',
  });
  const moveInBody = (supplyPointId: string, requestId: string) => ({
    requestId,
    updateFlag: '1',
    supplyPointId,
    requestedDate: '2026-11-30',
    customerNameKana: 'スズキ イチロウ',
    customerName: '鈴木 一郎',
    phoneNumber: '0311112222',
    customerConsent: '1',
  });

  test('JSON: a usage password application carries a PDF and a PNG, kept with the application at the grid, byte for byte', async () => {
    const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart' });
    const { body, type } = await formData([
      ['request', JSON.stringify(passwordBody(p.supplyPointId, 'att-json-1'))],
      ['attachment', { name: '本人確認書類.pdf', type: 'application/pdf', bytes: pdf }],
      ['attachment', { name: 'consent.png', type: 'image/png', bytes: png }],
    ]);
    const res = await api.post('/api/v1/IF_10210', { body, headers: { 'content-type': type } });
    const answer = res.json();
    assert.equal(answer.result, 'OK', res.body);
    assert.deepEqual(await stored(answer.data.applicationNumber), [
      { fileName: '本人確認書類.pdf', mediaType: 'application/pdf', size: pdf.length, sha256: sha256(pdf), content: pdf },
      { fileName: 'consent.png', mediaType: 'image/png', size: png.length, sha256: sha256(png), content: png },
    ]);
    // Sent again with the same request ID: the first application, nothing stored twice.
    const again = (await api.post('/api/v1/IF_10210', { body, headers: { 'content-type': type } })).json();
    assert.equal(again.data.applicationNumber, answer.data.applicationNumber);
    assert.equal((await stored(answer.data.applicationNumber)).length, 2);
  });

  test('JSON: wrong type, too large, too many, no request part, or an interface that takes none are refused with their codes; nothing is stored', async () => {
    const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart' });
    const before = await count();
    const call = async (id: string, requestId: string, files: { name: string; type: string; bytes: Buffer }[], request = true) => {
      const { body, type } = await formData([
        ...(request
          ? [['request', JSON.stringify({ ...passwordBody(p.supplyPointId, requestId), ...(id === 'IF_10110' ? {} : {}) })] as [string, string]]
          : []),
        ...files.map((f) => ['attachment', f] as [string, typeof f]),
      ]);
      const res = await api.post(`/api/v1/${id}`, { body, headers: { 'content-type': type } });
      return { status: res.status, messages: res.json().messages.map((m: { code: string; field?: string }) => [m.code, m.field]) };
    };
    assert.deepEqual(await call('IF_10210', 'att-bad-1', [{ name: 'scan.pdf', type: 'application/pdf', bytes: Buffer.from('not a pdf at all') }]), {
      status: 200,
      messages: [['ATTACHMENT_TYPE', 'attachments']],
    });
    assert.deepEqual(await call('IF_10210', 'att-bad-2', [{ name: 'photo.png', type: 'image/jpeg', bytes: png }]), {
      status: 200,
      messages: [['ATTACHMENT_TYPE', 'attachments']],
    });
    const big = Buffer.concat([pdf, Buffer.alloc(maxAttachmentBytes)]);
    assert.deepEqual(await call('IF_10210', 'att-bad-3', [{ name: 'big.pdf', type: 'application/pdf', bytes: big }]), {
      status: 200,
      messages: [['ATTACHMENT_TOO_LARGE', 'attachments']],
    });
    const six = Array.from({ length: 6 }, (_, i) => ({ name: `p${i}.pdf`, type: 'application/pdf', bytes: pdf }));
    assert.deepEqual(await call('IF_10210', 'att-bad-4', six), { status: 200, messages: [['ATTACHMENT_TOO_MANY', 'attachments']] });
    assert.deepEqual(await call('IF_10210', 'att-bad-5', [{ name: 'empty.pdf', type: 'application/pdf', bytes: Buffer.alloc(0) }]), {
      status: 200,
      messages: [['ATTACHMENT_EMPTY', 'attachments']],
    });
    const facility = await formData([
      ['request', JSON.stringify({ supplyPointId: p.supplyPointId })],
      ['attachment', { name: 'a.pdf', type: 'application/pdf', bytes: pdf }],
    ]);
    const refused = (await api.post('/api/v1/IF_10110', { body: facility.body, headers: { 'content-type': facility.type } })).json();
    assert.deepEqual(
      refused.messages.map((m: { code: string }) => m.code),
      ['ATTACHMENT_NOT_ACCEPTED'],
    );
    assert.match(refused.messages[0].text, /IF_10110/);
    const missing = await call('IF_10210', 'att-bad-6', [{ name: 'a.pdf', type: 'application/pdf', bytes: pdf }], false);
    assert.deepEqual(missing, { status: 400, messages: [['ATTACHMENT_REQUEST_PART', undefined]] });
    assert.equal(await count(), before, 'nothing stored');
    const filed = await db.query("SELECT 1 FROM hub.application_outbox WHERE request_id LIKE 'att-bad-%'");
    assert.equal(filed.rows.length, 0, 'nothing filed at the hub either');
  });

  test('SOAP with attachments and MTOM: a move-in carries a JPEG and a PDF; a text file is refused ATTACHMENT_TYPE in the SOAP answer', async () => {
    const def = interfaceById('IF_10410')!;
    const p = await givenSupplyPoint(db, { area: '03', kind: 'vacant' });
    const swa = related(soapRequest(def, moveInBody(p.supplyPointId, 'att-soap-1')), [{ name: 'lease.jpg', type: 'image/jpeg', bytes: jpeg }]);
    const res = await api.post('/soap/IF_10410', { body: swa.body, headers: { 'content-type': swa.type, soapaction: '"urn:kirikae:v1#IF_10410"' } });
    assert.match(res.body, /<k:result>OK<\/k:result>/, res.body);
    const number = /<k:applicationNumber>([^<]+)</.exec(res.body)![1]!;
    assert.deepEqual(
      (await stored(number)).map((a) => [a.fileName, a.mediaType, a.sha256]),
      [['lease.jpg', 'image/jpeg', sha256(jpeg)]],
    );
    const body = (await db.query<{ body: Record<string, unknown> }>('SELECT body FROM grid_03.application WHERE application_number = $1', [number])).rows[0]!
      .body;
    assert.equal(body.attachments, undefined, 'the documents are not among the application’s items');
    assert.equal(body.customerNameKana, 'スズキ イチロウ');

    const p2 = await givenSupplyPoint(db, { area: '03', kind: 'vacant' });
    const mtom = related(soapRequest(def, moveInBody(p2.supplyPointId, 'att-soap-2')), [{ name: 'id.pdf', type: 'application/pdf', bytes: pdf }], true);
    const res2 = await api.post('/soap/IF_10410', { body: mtom.body, headers: { 'content-type': mtom.type } });
    assert.match(res2.body, /<k:result>OK<\/k:result>/, res2.body);
    const number2 = /<k:applicationNumber>([^<]+)</.exec(res2.body)![1]!;
    assert.deepEqual(
      (await stored(number2)).map((a) => a.fileName),
      ['id.pdf'],
    );

    const before = await count();
    const p3 = await givenSupplyPoint(db, { area: '03', kind: 'vacant' });
    const bad = related(soapRequest(def, moveInBody(p3.supplyPointId, 'att-soap-3')), [{ name: 'memo.txt', type: 'text/plain', bytes: Buffer.from('メモ') }]);
    const refused = await api.post('/soap/IF_10410', { body: bad.body, headers: { 'content-type': bad.type } });
    assert.equal(refused.status, 200);
    assert.match(refused.body, /<k:result>NG<\/k:result>.*<k:code>ATTACHMENT_TYPE<\/k:code><k:text>添付ファイル「memo\.txt」の形式は受け付けられません。/s);
    assert.equal(await count(), before);
    const broken = await api.post('/soap/IF_10410', { body: Buffer.from('--x\r\n'), headers: { 'content-type': 'multipart/related; boundary=x' } });
    assert.match(broken.body, /<soap:Fault>.*HTTP_BAD_REQUEST/s);
  });

  test('the SDK sends documents in both bindings (a Japanese file name through SOAP too); a refusal comes back as NG with the code', async () => {
    for (const binding of ['json', 'soap'] as const) {
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart' });
      const sdk = hub.sdk('aApi', binding);
      const answer = await sdk.call('IF_10210', passwordBody(p.supplyPointId, `att-sdk-${binding}`), binding, {
        attachments: [{ fileName: '健康保険証の写し.png', bytes: png }],
      });
      assert.equal(answer.result, 'OK', JSON.stringify(answer.messages));
      assert.deepEqual(
        (await stored(answer.data?.applicationNumber as string)).map((a) => [a.fileName, a.mediaType, a.sha256]),
        [['健康保険証の写し.png', 'image/png', sha256(png)]],
        binding,
      );
      const refused = await sdk.call('IF_10110', { supplyPointId: p.supplyPointId }, binding, { attachments: [{ fileName: 'a.pdf', bytes: pdf }] });
      assert.deepEqual(
        refused.messages.map((m) => m.code),
        ['ATTACHMENT_NOT_ACCEPTED'],
        binding,
      );
      sdk.close();
    }
  });

  test('web form: a move-in with a document; a wrong type is shown with the same code, nothing filed', async () => {
    const form = '/areas/03/lv/if/IF_10410';
    const shown = await web.get(form);
    assert.match(shown.body, /enctype="multipart\/form-data"/);
    assert.match(shown.body, /<input type="file" id="f-attachment" name="attachment" multiple/);
    const p = await givenSupplyPoint(db, { area: '03', kind: 'vacant' });
    const fields = (requestId: string) =>
      Object.entries({ _csrf: hiddenField(shown.body, '_csrf'), ...moveInBody(p.supplyPointId, requestId) }).map(([k, v]) => [k, v] as [string, string]);
    const before = await count();
    const bad = await formData([...fields('att-web-1'), ['attachment', { name: 'photo.gif', type: 'image/gif', bytes: Buffer.from('GIF89a') }]]);
    const refused = await web.post(form, { body: bad.body, headers: { 'content-type': bad.type } });
    assert.equal(refused.status, 400);
    assert.match(refused.body, /ATTACHMENT_TYPE[\s\S]*添付ファイル「photo\.gif」の形式は受け付けられません/);
    assert.equal(await count(), before);

    const good = await formData([...fields('att-web-2'), ['attachment', { name: '賃貸契約書.pdf', type: 'application/pdf', bytes: pdf }]]);
    const filed = await web.post(form, { body: good.body, headers: { 'content-type': good.type } });
    assert.equal(filed.status, 200, filed.body);
    const number = (
      await db.query<{ application_number: string }>('SELECT application_number FROM grid_03.application WHERE supply_point_id = $1', [p.supplyPointId])
    ).rows[0]!.application_number;
    assert.deepEqual(
      (await stored(number)).map((a) => [a.fileName, a.sha256]),
      [['賃貸契約書.pdf', sha256(pdf)]],
    );
    // The list of applications shows it (its query leaves the documents' content out).
    const list = await web.get('/areas/03/lv/applications');
    assert.equal(list.status, 200);
    assert.ok(list.body.includes(number));
  });
});
