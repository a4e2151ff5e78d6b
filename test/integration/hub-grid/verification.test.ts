import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, type TestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { bodyFor } from '../../support/verification.ts';
import { areaCodes } from '../../../src/domain/area.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { StubGrid } from '../../../src/grid/stub/stub-grid.ts';
import { countStubApplications, deliveryAttempts } from '../../../src/grid/stub/stub.repository.ts';
import { givenSupplyPoint } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../../src/grid/transport/config.ts';
import { InProcessGridTransport } from '../../../src/grid/transport/in-process.ts';
import { retryDueDeliveries } from '../../../src/hub/applications/outbox.commands.ts';
import { fetchGridEvents } from '../../../src/hub/notifications/grid-events.ts';
import { buildCertificate, givenCertificate, TEST_PASSWORD, testClock } from '../../../src/hub/identity/testing.ts';
import { KirikaeClient as SdkClient } from '../../../src/sdk/client.ts';
import { participantProgress, progressMatrix } from '../../../src/hub/verification/verification.queries.ts';
import { claimDataMode } from '../../../src/hub/verification/verification.repository.ts';
import { systemActor } from '../../../src/hub/policy.ts';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import { designatedId } from '../../../src/interfaces/verification/designated.ts';
import type { KirikaeClient } from '../../../src/sdk/client.ts';
import type { ManualClock } from '../../../src/platform/clock.ts';

type Data = Record<string, any>;
const data = (r: InterfaceResponse): Data => (r.data ?? {}) as Data;
const codes = (r: InterfaceResponse): string[] => r.messages.map((m) => m.code);
const tokyo = (number: string, parameter = 0) => designatedId('03', number, parameter);
let serial = 0;
const nextId = (prefix: string) => `${prefix}-${++serial}`;

/** The delays the stub was asked for; each runs 1/50 of its length (a 5 s delay takes 100 ms). */
const waits: number[] = [];
const scaledWait = (ms: number) => {
  waits.push(ms);
  return new Promise<void>((resolve) => setTimeout(resolve, ms / 50));
};

async function signIn(client: TestClient, userId: string) {
  const form = await client.get('/login');
  const res = await client.post('/login', { form: { _csrf: hiddenField(form.body, '_csrf'), userId, password: TEST_PASSWORD } });
  assert.equal(res.status, 303);
}

forEachBackend('verification environment: the grid stub through the hub', (backend) => {
  let db: TestDb;
  let hub: TestHub;
  let clock: ManualClock;
  let json: KirikaeClient;
  let soap: KirikaeClient;
  let transport: InProcessGridTransport;

  before(async () => {
    db = await backend.open();
    clock = testClock('2026-11-25T10:00:00+09:00');
    const stubs = areaCodes.map((area) => new StubGrid(new Grid({ area, db, clock }), { wait: scaledWait }));
    transport = new InProcessGridTransport(stubs);
    hub = await startTestHub(db, { clock, transport, gridTimeoutMs: 1_000, verification: true });
    json = hub.sdk('aApi');
    soap = hub.sdk('aApi', 'soap');
  });
  after(async () => {
    await hub?.close();
    await db?.[Symbol.asyncDispose]();
  });

  const file = (client: KirikaeClient, interfaceId: string, point: string, extra: Record<string, unknown> = {}) =>
    client.call(interfaceId, bodyFor(interfaceId, point, nextId('VR'), extra));
  const status = (client: KirikaeClient, interfaceId: string, applicationNumber: string) =>
    client.call(interfaceId.replace(/10$/, '20'), { applicationNumber });

  /** Each family's interfaces with an NG of their own, and the code each designated ID gives. */
  const refusals: readonly [string, string, string][] = [
    ['IF_10110', '0101', 'SPID_NOT_FOUND'],
    ['IF_10110', '0102', 'GRID_FACILITY_NOT_FOR_HV'],
    ['IF_F10110', '0104', 'GRID_POINT_NOT_FIT'],
    ['IF_10210', '0114', 'GRID_POINT_VACANT'],
    ['IF_K10210', '0111', 'GRID_POINT_IS_LV'],
    ['IF_10310', '0120', 'GRID_USAGE_PASSWORD_WRONG'],
    ['IF_K10310', '0121', 'GRID_USAGE_PASSWORD_EXPIRED'],
    ['IF_10410', '0134', 'APP_POINT_CONTRACTED'],
    ['IF_F10410', '0135', 'APP_POINT_REMOVED'],
    ['IF_10510', '0137', 'APP_NOT_CURRENT_RETAILER'],
    ['IF_K10510', '0131', 'APP_WRONG_FAMILY_LV'],
    ['IF_F10510', '0136', 'APP_POINT_NOT_CONTRACTED'],
    ['IF_10610', '0139', 'APP_CURRENT_RETAILER_MISMATCH'],
    ['IF_K10610', '0141', 'APP_CONFLICT'],
    ['IF_F10610', '0131', 'APP_WRONG_FAMILY_LV'],
    ['IF_10610', '0132', 'APP_WRONG_FAMILY_FIT'],
    ['IF_10710', '0140', 'APP_NEW_RETAILER_IS_SELF'],
    ['IF_K10710', '0133', 'APP_POINT_EHV'],
    ['IF_F10710', '0130', 'APP_WRONG_FAMILY_HV'],
    ['IF_10810', '0141', 'APP_CONFLICT'],
    ['IF_K10810', '0136', 'APP_POINT_NOT_CONTRACTED'],
    ['IF_F10810', '0137', 'APP_NOT_CURRENT_RETAILER'],
    ['IF_10910', '0143', 'APP_AMPERE_NOT_IN_AREA'],
  ];

  for (const binding of ['json', 'soap'] as const) {
    test(`every family's designated refusals come back NG with the reference grid's code, over mutual TLS in ${binding}`, async () => {
      const client = binding === 'json' ? json : soap;
      for (const [interfaceId, number, code] of refusals) {
        const answer = await file(client, interfaceId, tokyo(number));
        assert.equal(answer.result, 'NG', `${interfaceId} ${number}`);
        assert.deepEqual(codes(answer), [code], `${interfaceId} ${number}`);
      }
    });
  }

  test('a refused filing is kept at 09 and its status inquiry says why; a refusal names its field', async () => {
    const refused = await file(json, 'IF_10610', tokyo('0139'), { currentRetailerCode: '30013' });
    assert.equal(refused.messages[0]!.field, 'currentRetailerCode');
    assert.match(refused.messages[0]!.text, /30013/);
    const number = data(refused).applicationNumber as string;
    const asked = await status(json, 'IF_10610', number);
    assert.equal(data(asked).stage, '09');
    assert.deepEqual(codes(asked), ['APP_CURRENT_RETAILER_MISMATCH']);
  });

  test('a designated ID on an interface it does not apply to is refused VERIFY_NOT_APPLICABLE, naming those it does', async () => {
    const answer = await file(json, 'IF_10110', tokyo('0139'));
    assert.equal(answer.result, 'NG');
    assert.deepEqual(codes(answer), ['VERIFY_NOT_APPLICABLE']);
    assert.match(answer.messages[0]!.text, /IF_10610/);
    assert.doesNotMatch(answer.messages[0]!.text, /IF_10710/);
  });

  test('accepted then refused at the named stage on the next status inquiry (switch at 03, others at 10, usage password at 01)', async () => {
    for (const [interfaceId, number, accepted, code] of [
      ['IF_10610', '0201', '03', 'APP_MATCH_EXPIRED'],
      ['IF_10910', '0202', '10', 'VERIFY_REFUSED_AT_STAGE'],
      ['IF_10210', '0203', '01', 'GRID_IDENTITY_NAME_MISMATCH'],
    ] as const) {
      const filed = await file(soap, interfaceId, tokyo(number));
      assert.equal(filed.result, 'OK', interfaceId);
      assert.equal(data(filed).stage, accepted, interfaceId);
      const asked = await status(soap, interfaceId, data(filed).applicationNumber);
      assert.equal(data(asked).stage, '09', interfaceId);
      assert.deepEqual(codes(asked), [code], interfaceId);
      if (code === 'VERIFY_REFUSED_AT_STAGE') assert.match(asked.messages[0]!.text, /工程10（処理中）/);
    }
  });

  test('a switch matched at once answers 05, one never matched stays 03, meter work completes 08', async () => {
    const matched = await file(json, 'IF_10610', tokyo('0302'));
    assert.equal(data(matched).stage, '05');
    assert.equal(data(await status(json, 'IF_10610', data(matched).applicationNumber)).stage, '06');

    const waiting = await file(json, 'IF_10710', tokyo('0301'));
    for (let i = 0; i < 3; i++) assert.equal(data(await status(json, 'IF_10710', data(waiting).applicationNumber)).stage, '03');

    const meter = await file(json, 'IF_K10610', tokyo('0402'));
    const stages = [data(meter).stage];
    for (let i = 0; i < 3; i++) stages.push(data(await status(json, 'IF_K10610', data(meter).applicationNumber)).stage);
    assert.deepEqual(stages, ['03', '05', '08', '08']);
    const history = data(await status(json, 'IF_K10610', data(meter).applicationNumber)).history as Data[];
    assert.deepEqual(
      history.map((h) => h.stage),
      ['03', '05', '08'],
    );
  });

  test("the stub's applications are in the application feed (IF_11110) at each stage, and the hub notifies their matching and completion", async () => {
    const matched = await file(json, 'IF_10610', tokyo('0302'));
    const number = data(matched).applicationNumber as string;
    const refused = await file(soap, 'IF_10510', tokyo('0136'));
    assert.equal(data(refused).stage, '09');
    const password = await file(json, 'IF_10210', tokyo('0401'));
    assert.equal(password.result, 'OK');

    /**
     * The whole feed from the start, pages of 50, until `done` holds (or 20 s passed): a feed only
     * shows changes of transactions older than every running one, cluster-wide, so on a shared
     * PostgreSQL server another database's open transaction may hold a change back for a moment.
     */
    const readFeed = async (done: (items: Data[]) => boolean): Promise<Data[]> => {
      const until = Date.now() + 20_000;
      for (;;) {
        const items: Data[] = [];
        let since: string | undefined;
        for (let more = true; more; ) {
          const page = await json.call('IF_11110', { pageSize: 50, ...(since ? { since } : {}) });
          assert.equal(page.result, 'OK', codes(page).join());
          items.push(...(data(page).items as Data[]));
          since = data(page).nextCursor as string;
          more = data(page).more === '1';
        }
        if (done(items) || Date.now() > until) return items;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const stagesOf = (items: Data[], applicationNumber: string) => items.filter((i) => i.applicationNumber === applicationNumber).map((i) => i.stage);

    const before = await readFeed((items) => stagesOf(items, number).length > 0 && stagesOf(items, data(refused).applicationNumber).length > 0);
    assert.deepEqual(stagesOf(before, number), ['05'], 'the switch, matched at once');
    assert.deepEqual(stagesOf(before, data(refused).applicationNumber), ['09'], 'a refusal at once, kept at 09 as the reference grid keeps it');
    const item = before.find((i) => i.applicationNumber === number)!;
    assert.equal(item.supplyPointId, tokyo('0302'));
    assert.equal(item.stageName, 'マッチング完了');
    assert.equal(
      before.some((i) => i.applicationNumber === data(password).applicationNumber),
      false,
      'usage password applications are not in the feed (nor are the reference grid’s)',
    );

    assert.equal(data(await status(json, 'IF_10610', number)).stage, '06');
    const after = await readFeed((items) => stagesOf(items, number).includes('06'));
    assert.deepEqual(stagesOf(after, number), ['06'], 'the change moved it to the end of the feed, once');

    const totals = { events: 0, notified: 0 };
    const until = Date.now() + 20_000;
    for (;;) {
      const got = await fetchGridEvents({ db, clock, transport }, '03');
      totals.events += got.events;
      totals.notified += got.notified;
      const { rows } = await db.query<{ kind: string }>('SELECT kind FROM hub.notification WHERE company_code = $1 AND application_number = $2 ORDER BY id', [
        '1003',
        number,
      ]);
      if (rows.length >= 2 || Date.now() > until) {
        assert.deepEqual(
          rows.map((r) => r.kind),
          ['matchingComplete', 'applicationCompleted'],
          'the new retailer is notified of the stub switch as of a reference grid switch',
        );
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const { rows: others } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.notification WHERE application_number = $1', [
      data(refused).applicationNumber,
    ]);
    assert.equal(others[0]!.n, 0, 'a refused move-out gives an event but no notification (only switch-ins are notified)');
    assert.ok(totals.events >= 3, `events read: ${totals.events}`);
  });

  test('a usage password application completes and shows its password once, by request ID as well', async () => {
    const requestId = nextId('UPW');
    const filed = await json.call('IF_10210', bodyFor('IF_10210', tokyo('0401'), requestId));
    assert.equal(data(filed).stage, '01');
    const issued = await json.call('IF_10220', { requestId });
    assert.equal(data(issued).stage, '06');
    assert.match(String(data(issued).usagePassword), /^[A-HJ-NP-Z2-9]{12}$/);
    assert.deepEqual(codes(issued), ['GRID_USAGE_PASSWORD_ISSUED']);
    const again = await json.call('IF_10220', { applicationNumber: data(filed).applicationNumber });
    assert.equal(data(again).usagePassword, undefined);
    assert.deepEqual(codes(again), ['GRID_USAGE_PASSWORD_SHOWN']);
  });

  test('corrections and cancellations: a stub application is corrected or cancelled while open; 0146/0147 refuse them', async () => {
    const filed = await file(json, 'IF_10610', tokyo('0301'));
    const number = data(filed).applicationNumber as string;
    const cancelled = await file(json, 'IF_10610', tokyo('0301'), { updateFlag: '3', applicationNumber: number });
    assert.equal(cancelled.result, 'OK');
    assert.equal(data(cancelled).stage, '09');
    assert.deepEqual(codes(await status(json, 'IF_10610', number)), ['APP_CANCELLED']);
    const refused = await file(json, 'IF_10610', tokyo('0146'), { updateFlag: '2', applicationNumber: number });
    assert.deepEqual(codes(refused), ['APP_NOT_CORRECTABLE']);
    const onRegistration = await file(json, 'IF_10610', tokyo('0146'));
    assert.deepEqual(codes(onRegistration), ['VERIFY_NOT_APPLICABLE']);
  });

  test('delay: the stub answers after N seconds; longer than the hub waits, the retailer is told GRID_UNAVAILABLE', async () => {
    waits.length = 0;
    const late = await file(json, 'IF_10110', tokyo('9001', 5));
    assert.deepEqual(waits, [5_000]);
    assert.deepEqual(codes(late), ['SPID_NOT_FOUND'], 'answered by the reference grid after the delay');
    const tooLate = await file(json, 'IF_10110', tokyo('9001', 100));
    assert.deepEqual(codes(tooLate), ['GRID_UNAVAILABLE']);
  });

  test("time-out: a look-up on 9002 is answered GRID_UNAVAILABLE after the hub's timeout", async () => {
    const started = performance.now();
    const answer = await file(soap, 'IF_10110', tokyo('9002'));
    assert.deepEqual(codes(answer), ['GRID_UNAVAILABLE']);
    assert.ok(performance.now() - started >= 900);
  });

  test('failure after the hub accepted: the outbox retries until the stub takes the filing, which it stores exactly once', async () => {
    const point = tokyo('9003', 2);
    const filed = await file(json, 'IF_10610', point);
    assert.equal(filed.result, 'OK');
    assert.deepEqual(codes(filed), ['OUTBOX_NOT_DELIVERED']);
    const number = data(filed).applicationNumber as string;
    const deps = { db, clock, transport: new InProcessGridTransport(areaCodes.map((area) => new StubGrid(new Grid({ area, db, clock })))) };
    clock.advance(60_000);
    await retryDueDeliveries(deps);
    assert.equal(await countStubApplications(db, 'grid_03', point), 0, 'the second delivery failed too');
    clock.advance(60_000);
    await retryDueDeliveries(deps);
    assert.equal(await countStubApplications(db, 'grid_03', point), 1);
    assert.equal(await deliveryAttempts(db, 'grid_03', '10033', number), 3);
    clock.advance(15 * 60_000);
    await retryDueDeliveries(deps);
    assert.equal(await deliveryAttempts(db, 'grid_03', '10033', number), 3, 'delivered: never sent again');
    assert.equal(data(await status(json, 'IF_10610', number)).stage, '05', 'accepted at 03; the first inquiry moves it on');
  });

  test('answer twice: the stub stores the filing but its first answer is lost; the redelivery gets the same answer, one application', async () => {
    const point = tokyo('9004');
    // JSON: the SDK's SOAP binding cannot read the hub's not-delivered answer (its data has no stage).
    const filed = await file(json, 'IF_10810', point);
    assert.deepEqual(codes(filed), ['OUTBOX_NOT_DELIVERED']);
    const number = data(filed).applicationNumber as string;
    assert.equal(await countStubApplications(db, 'grid_03', point), 1, 'stored on the first delivery');
    clock.advance(60_000);
    await retryDueDeliveries({ db, clock, transport: new InProcessGridTransport(areaCodes.map((area) => new StubGrid(new Grid({ area, db, clock })))) });
    assert.equal(await deliveryAttempts(db, 'grid_03', '10033', number), 2);
    assert.equal(await countStubApplications(db, 'grid_03', point), 1);
    const asked = await status(soap, 'IF_10810', number);
    assert.equal(asked.result, 'OK');
    assert.equal(data(asked).stage, '06', 'accepted at 10 once; the first inquiry completes it');
    assert.deepEqual(
      (data(asked).history as Data[]).map((h) => h.stage),
      ['10', '06'],
    );
  });

  test("an ordinary supply point is answered by the reference grid on the environment's data", async () => {
    const point = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
    const answer = await file(json, 'IF_10110', point.supplyPointId);
    assert.equal(answer.result, 'OK');
    assert.equal(data(answer).supplyPointId, point.supplyPointId);
  });

  test("scenario progress: 1003 runs one scenario right and one wrong; its page and the admin's matrix and CSV say so", async () => {
    const client = json;
    const lv = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
    for (const [point, code] of [
      [lv.supplyPointId, undefined],
      [tokyo('0101'), 'SPID_NOT_FOUND'],
      [tokyo('0102'), 'GRID_FACILITY_NOT_FOR_HV'],
      [tokyo('0103'), 'GRID_POINT_IS_FIT'],
    ] as const) {
      const answer = await client.call('IF_10110', { supplyPointId: point });
      assert.deepEqual(codes(answer), code ? [code] : []);
    }
    // Wrong: the scenario asks for a FIT point; an ordinary demand point answers NG.
    await client.call('IF_F10110', { supplyPointId: lv.supplyPointId });

    const progress = await participantProgress(db, systemActor, '1003');
    const byId = new Map(progress.map((p) => [p.scenario.id, p]));
    assert.equal(byId.get('LV-10110')!.status, 'passed');
    const fit = byId.get('FIT-F10110')!;
    assert.equal(fit.status, 'failed');
    assert.equal(fit.steps[0]!.status, 'mismatched');
    assert.match(fit.steps[0]!.mismatches[0]!.reason, /期待: OK \/ 応答: NG GRID_POINT_NOT_FIT/);
    assert.equal(fit.steps[1]!.status, 'notRun');
    assert.equal(byId.get('HUB-30110')!.status, 'notStarted');

    const matrix = await progressMatrix(db, systemActor);
    const a003 = matrix.find((r) => r.companyCode === '1003')!;
    assert.ok(a003.passed >= 2);
    assert.ok(matrix.find((r) => r.companyCode === '2001')!.statuses.every((s) => s === 'notStarted'));

    const admin = hub.as('hubTerminal');
    await signIn(admin, 'h000.admin');
    const page = await admin.get('/admin/verification');
    assert.equal(page.status, 200);
    assert.match(page.body, /class="env-banner"/);
    assert.match(page.body, /LV-10110/);
    const csv = await admin.get('/admin/verification.csv');
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    const header = lines[0]!.split(',');
    const row = lines.find((l) => l.startsWith('1003,'))!.split(',');
    assert.equal(row[header.indexOf('LV-10110')], '合格');
    assert.equal(row[header.indexOf('FIT-F10110')], '不一致あり');
    assert.equal(row[header.indexOf('HUB-30110')], '未実施');

    const retailer = hub.as('aTerminal');
    await signIn(retailer, '1003.user');
    assert.equal((await retailer.get('/admin/verification.csv')).status, 403);
    const own = await retailer.get('/verification/progress?participant=2001');
    assert.match(own.body, /テストシナリオの進捗（1003）/, 'a retailer sees its own progress only');
    assert.match(own.body, /期待: OK \/ 応答: NG GRID_POINT_NOT_FIT/);
    const api = await hub.as('aApi').get('/api/v1/verification/progress');
    assert.equal(api.status, 200);
    const fitApi = (JSON.parse(api.body).data.scenarios as Data[]).find((s) => s.id === 'FIT-F10110')!;
    assert.equal(fitApi.status, 'failed');
    assert.match(fitApi.steps[0].mismatches[0].reason, /GRID_POINT_NOT_FIT/);
    const table = await retailer.get('/verification?area=06');
    assert.match(table.body, /0699990101000000000000/);
  });

  test("the catalogue's abnormal steps of the hub interfaces, feeds and status inquiries, and the mailbox's and relay decision's happy paths, answer as expected", async () => {
    // Two abnormal scenarios whole, ending with a status inquiry naming no application (a request ID never filed).
    assert.deepEqual(codes(await file(json, 'IF_10210', tokyo('0114'))), ['GRID_POINT_VACANT']);
    const later = await file(json, 'IF_10210', tokyo('0203'));
    assert.equal(data(await status(json, 'IF_10210', data(later).applicationNumber)).stage, '09');
    assert.deepEqual(codes(await json.call('IF_10220', { requestId: nextId('NONE') })), ['OUTBOX_REQUEST_NOT_FOUND']);
    assert.deepEqual(codes(await soap.call('IF_K10610', bodyFor('IF_K10610', tokyo('0141'), nextId('VR')))), ['APP_CONFLICT']);
    const expired = await file(soap, 'IF_K10610', tokyo('0201'));
    assert.equal(data(await status(soap, 'IF_K10610', data(expired).applicationNumber)).stage, '09');
    assert.deepEqual(codes(await soap.call('IF_K10620', { requestId: nextId('NONE') })), ['OUTBOX_REQUEST_NOT_FOUND']);
    assert.equal((await soap.call('IF_K11110', {})).result, 'OK');
    assert.deepEqual(codes(await soap.call('IF_K11110', { since: 'X' })), ['OUTBOX_CURSOR_INVALID']);
    const relay = {
      requestId: nextId('RL'),
      updateFlag: '1',
      supplyPointId: tokyo('0401'),
      contractNumber: 'A-123456',
      address: { prefecture: '東京都', city: '千代田区', street: '丸の内一丁目1番1号' },
      customerNameKana: 'ヤマダ ハナコ',
      customerName: '山田 花子',
      terminationDate: '2026-12-10',
    };
    assert.deepEqual(codes(await json.call('IS_20110', { ...relay, oldRetailerCode: '10033' })), ['RELAY_OLD_RETAILER_IS_SELF']);
    assert.deepEqual(codes(await json.call('IS_20210', { page: 0 })), ['IF_OUT_OF_RANGE']);
    assert.deepEqual(codes(await json.call('IS_20310', { page: 0 })), ['IF_OUT_OF_RANGE']);
    assert.deepEqual(codes(await json.call('IS_30110', { pageSize: 101 })), ['IF_OUT_OF_RANGE']);

    // A relay addressed to 1003 by another retailer (2001's API certificate, as DEMO.md gives it), then 1003 decides it.
    await givenCertificate(db, clock, { participantCode: '20013', usage: 'api' });
    const { cert } = buildCertificate({ participantCode: '20013', usage: 'api' });
    const b = new SdkClient({ baseUrl: hub.base, certPem: cert.certPem, keyPem: cert.keyPem, caPem: hub.caPem });
    const registered = await b.call('IS_20110', { ...relay, requestId: nextId('RL'), oldRetailerCode: '10033' });
    b.close();
    assert.equal(registered.result, 'OK', codes(registered).join());
    assert.equal((await json.call('IS_20310', {})).result, 'OK');
    const decided = await json.call('IS_20410', {
      requestId: nextId('DC'),
      relayNumber: data(registered).relayNumber,
      decision: '01',
      decidingPersonName: '佐藤',
    });
    assert.equal(decided.result, 'OK', codes(decided).join());

    // The mailbox: a switch matched at once is notified; 1003 peeks it and acknowledges by the peek token.
    const matched = await file(json, 'IF_10610', tokyo('0302'));
    assert.equal(data(matched).stage, '05');
    let peek: InterfaceResponse | undefined;
    for (const until = Date.now() + 20_000; Date.now() < until; ) {
      await fetchGridEvents({ db, clock, transport }, '03');
      peek = await json.call('IS_40110', { maxCount: 100 });
      if ((data(peek).notifications as Data[] | undefined)?.some((n) => n.applicationNumber === data(matched).applicationNumber)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(data(peek!).peekToken, JSON.stringify(data(peek!)));
    assert.equal((await json.call('IS_40120', { peekToken: data(peek!).peekToken })).result, 'OK');
    assert.deepEqual(codes(await json.call('IS_40110', { maxCount: 0 })), ['IF_OUT_OF_RANGE']);

    const progress = new Map((await participantProgress(db, systemActor, '1003')).map((p) => [p.scenario.id, p]));
    const stepsOf = (id: string) => progress.get(id)!.steps.map((st) => st.status);
    for (const id of ['LV-RELAY-NG', 'LV-RELAY-DECIDE', 'HUB-30110-NG', 'HUB-MAILBOX-ACK'])
      assert.equal(progress.get(id)!.status, 'passed', `${id}: ${stepsOf(id).join()}`);
    for (const id of ['HV-K11110', 'LV-10210-NG', 'HV-K10610-NG']) assert.equal(progress.get(id)!.status, 'passed', `${id}: ${stepsOf(id).join()}`);
  });

  test('a bulk CSV of more than 100 rows is refused VERIFY_BULK_TOO_MANY_ROWS (slide 20: no high load), nothing filed; 100 rows are taken', async () => {
    const csv = (rows: number) =>
      [
        'requestId,supplyPointId,customerNameKana,customerName,currentRetailerCode',
        ...Array.from({ length: rows }, () => `${nextId('BK')},${tokyo('0401')},ヤマダ タロウ,山田 太郎,20013`),
      ].join('\r\n');
    const outbox = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.application_outbox')).rows[0]!.n;
    const before = await outbox();
    const refused = await json.bulk('IF_10610', new TextEncoder().encode(csv(101)));
    assert.equal(refused.result, 'NG');
    assert.deepEqual(
      refused.messages.map((m) => m.code),
      ['VERIFY_BULK_TOO_MANY_ROWS'],
    );
    assert.match(refused.messages[0]!.text, /100行以内/);
    assert.equal(await outbox(), before, 'nothing filed');
    // 100 rows pass the limit (and are judged row by row: here one point named twice refuses the file as a whole).
    const judged = await json.bulk('IF_10610', new TextEncoder().encode(csv(100)));
    assert.ok(!judged.messages.some((m) => m.code === 'VERIFY_BULK_TOO_MANY_ROWS'), JSON.stringify(judged.messages));
    assert.equal(judged.data.rows.length, 100);
  });

  test('the data belongs to the mode it was first started in', async () => {
    await using other = await backend.open();
    assert.equal(await claimDataMode(other, 'verification', new Date()), 'verification');
    assert.equal(await claimDataMode(other, 'sandbox', new Date()), 'verification');
  });

  test('gridTransportFromConfig puts the stub in front of every in-process grid in verification mode only', async () => {
    const stub = await gridTransportFromConfig({ db, clock, env: {}, mode: 'verification' });
    const reference = await gridTransportFromConfig({ db, clock, env: {}, mode: 'sandbox' });
    assert.equal(stub.describe('03'), 'in-process grid stub');
    const request = { interfaceId: 'IF_10110', participantCode: '10033', requestId: 'T1', body: { supplyPointId: tokyo('0102') } };
    assert.deepEqual(codes(await stub.send('03', request)), ['GRID_FACILITY_NOT_FOR_HV']);
    assert.deepEqual(codes(await reference.send('03', request)), ['SPID_NOT_FOUND']);
  });
});
