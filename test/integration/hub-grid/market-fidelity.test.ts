/**
 * The market-fidelity refusals through the hub (issue 16): the same code in JSON, SOAP and the web
 * form — a move-in without the customer's consent, a move-in dated further back than allowed, and a
 * switch-in whose named date could no longer be kept at matching (seen in the status inquiry).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, type TestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { runMatching } from '../../../src/grid/applications/jobs.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig, type GridRouting } from '../../../src/grid/transport/config.ts';
import { TEST_PASSWORD, testClock } from '../../../src/hub/identity/testing.ts';
import type { ManualClock } from '../../../src/platform/clock.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';

forEachBackend('market fidelity through the hub: the same codes in JSON, SOAP and the web form', (backend) => {
  let db: TestDb;
  let hub: TestHub;
  let grids: GridRouting;
  let clock: ManualClock;
  let web: TestClient;

  before(async () => {
    db = await backend.open();
    await migrate(db, allGridMigrations);
    clock = testClock('2026-11-25T10:00:00+09:00');
    grids = await gridTransportFromConfig({ db, clock, env: {} });
    hub = await startTestHub(db, { transport: grids, clock });
    web = hub.as('aTerminal');
    const login = await web.get('/login');
    assert.equal((await web.post('/login', { form: { _csrf: hiddenField(login.body, '_csrf'), userId: '1003.user', password: TEST_PASSWORD } })).status, 303);
  });
  after(async () => {
    await hub.close();
    grids.close();
    await db.close();
  });

  const moveInBody = (supplyPointId: string, requestId: string, extra: Record<string, string> = {}) => ({
    requestId,
    updateFlag: '1',
    supplyPointId,
    requestedDate: '2026-11-30',
    customerNameKana: 'スズキ イチロウ',
    customerName: '鈴木 一郎',
    phoneNumber: '0311112222',
    ...extra,
  });

  test("a move-in without the customer's consent is refused APP_CONSENT_REQUIRED in JSON, SOAP and on the form", async () => {
    const p = await givenSupplyPoint(db, { area: '03', kind: 'vacant' });
    for (const binding of ['json', 'soap'] as const) {
      const sdk = hub.sdk('aApi', binding);
      const answer = await sdk.call('IF_10410', moveInBody(p.supplyPointId, `consent-${binding}`));
      sdk.close();
      assert.equal(answer.result, 'NG', binding);
      assert.deepEqual(
        answer.messages.map((m) => m.code),
        ['APP_CONSENT_REQUIRED'],
        binding,
      );
    }
    const form = '/areas/03/lv/if/IF_10410';
    const shown = await web.get(form);
    assert.equal(shown.status, 200);
    for (const id of ['moveInTime', 'contractDecisionMethod', 'customerConsent']) assert.ok(shown.body.includes(`name="${id}"`), `the form has ${id}`);
    const posted = await web.post(form, {
      form: { _csrf: hiddenField(shown.body, '_csrf'), ...moveInBody(p.supplyPointId, hiddenField(shown.body, 'requestId')) },
    });
    assert.match(posted.body, /APP_CONSENT_REQUIRED/);
    const sdk = hub.sdk('aApi', 'json');
    const ok = await sdk.call(
      'IF_10410',
      moveInBody(p.supplyPointId, 'consent-given', { customerConsent: '1', moveInTime: '0900', contractDecisionMethod: '01' }),
    );
    sdk.close();
    assert.equal(ok.result, 'OK', JSON.stringify(ok.messages));
  });

  test('a move-in dated further back than the point allows is refused APP_MOVE_IN_TOO_EARLY in JSON and SOAP; 31 days back at a point left on is accepted', async () => {
    const remote = await givenSupplyPoint(db, { area: '03', kind: 'vacant' });
    for (const binding of ['json', 'soap'] as const) {
      const sdk = hub.sdk('aApi', binding);
      const answer = await sdk.call('IF_10410', moveInBody(remote.supplyPointId, `back-${binding}`, { customerConsent: '1', requestedDate: '2026-11-20' }));
      sdk.close();
      assert.deepEqual(
        answer.messages.map((m) => m.code),
        ['APP_MOVE_IN_TOO_EARLY'],
        binding,
      );
    }
    const form = '/areas/03/lv/if/IF_10410';
    const shown = await web.get(form);
    const posted = await web.post(form, {
      form: {
        _csrf: hiddenField(shown.body, '_csrf'),
        ...moveInBody(remote.supplyPointId, hiddenField(shown.body, 'requestId'), { customerConsent: '1', requestedDate: '2026-11-20' }),
      },
    });
    assert.match(posted.body, /APP_MOVE_IN_TOO_EARLY/);
    const lit = await givenSupplyPoint(db, { area: '03', kind: 'vacant', vacantStatus: 'discontinuedLit' });
    const sdk = hub.sdk('aApi', 'soap');
    const back = await sdk.call('IF_10410', moveInBody(lit.supplyPointId, 'back-lit', { customerConsent: '1', requestedDate: '2026-10-25' }));
    sdk.close();
    assert.equal(back.result, 'OK', JSON.stringify(back.messages));
  });

  test('a usage password validity beyond a month is refused GRID_USAGE_PASSWORD_VALIDITY_INVALID in JSON, SOAP and on the form', async () => {
    const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart' });
    const body = (requestId: string) => ({
      requestId,
      supplyPointId: p.supplyPointId,
      customerNameKana: 'ヤマダ ハナコ',
      phoneNumber: '09012345678',
      consentDate: '2026-11-25',
      validUntil: '2026-12-25',
    });
    for (const binding of ['json', 'soap'] as const) {
      const sdk = hub.sdk('aApi', binding);
      const answer = await sdk.call('IF_10210', body(`validity-${binding}`));
      sdk.close();
      assert.deepEqual(
        answer.messages.map((m) => [m.code, m.field]),
        [['GRID_USAGE_PASSWORD_VALIDITY_INVALID', 'validUntil']],
        binding,
      );
    }
    const form = '/areas/03/lv/if/IF_10210';
    const shown = await web.get(form);
    assert.ok(shown.body.includes('name="validUntil"'));
    const posted = await web.post(form, { form: { _csrf: hiddenField(shown.body, '_csrf'), ...body(hiddenField(shown.body, 'requestId')) } });
    assert.match(posted.body, /GRID_USAGE_PASSWORD_VALIDITY_INVALID/);
  });

  test('a switch-in whose named date the lead time no longer allows at matching shows APP_SWITCH_DATE_PASSED in JSON and SOAP', async () => {
    const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
    const json = hub.sdk('aApi', 'json');
    const filed = await json.call('IF_10610', {
      requestId: 'named-date-1',
      updateFlag: '1',
      supplyPointId: p.supplyPointId,
      customerNameKana: 'ヤマダ ハナコ',
      customerName: '山田 花子',
      currentRetailerCode: '20013',
      requestedDate: '2026-11-28',
    });
    assert.equal(filed.result, 'OK', JSON.stringify(filed.messages));
    const applicationNumber = filed.data?.applicationNumber as string;
    // The old retailer's switch-out reaches the grid the next day: 28 Nov can no longer be kept.
    clock.set('2026-11-26T10:00:00+09:00');
    const grid = new Grid({ area: '03', db, clock });
    const out = await grid.handle(
      gridRequest('IF_10710', { updateFlag: '1', supplyPointId: p.supplyPointId, newRetailerCode: '10033', applicationNumber: 'AP03-20261126900001' }, '20013'),
    );
    assert.equal(out.result, 'OK');
    const soap = hub.sdk('aApi', 'soap');
    for (const sdk of [json, soap]) {
      const status = await sdk.call('IF_10620', { applicationNumber });
      assert.equal(status.data?.stage, '09');
      assert.deepEqual(
        status.messages.map((m) => m.code),
        ['APP_SWITCH_DATE_PASSED'],
      );
    }
    json.close();
    soap.close();
    // On the screen (a new session: the clock moved a day), the application's detail shows the same code.
    const again = hub.as('aTerminal');
    const login = await again.get('/login');
    assert.equal((await again.post('/login', { form: { _csrf: hiddenField(login.body, '_csrf'), userId: '1003.user', password: TEST_PASSWORD } })).status, 303);
    const detail = await again.get(`/areas/03/lv/applications/${applicationNumber}`);
    assert.equal(detail.status, 200, detail.body);
    assert.match(detail.body, /APP_SWITCH_DATE_PASSED/);
  });

  test('a far-future switch-in whose counterpart never came shows APP_MATCH_DEADLINE_PASSED in JSON and SOAP after its last matching day', async () => {
    const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
    const json = hub.sdk('aApi', 'json');
    const soap = hub.sdk('aApi', 'soap');
    const filed = await soap.call('IF_10610', {
      requestId: 'far-future-1',
      updateFlag: '1',
      supplyPointId: p.supplyPointId,
      customerNameKana: 'ヤマダ ハナコ',
      customerName: '山田 花子',
      currentRetailerCode: '20013',
      requestedDate: '2027-02-10',
    });
    assert.equal(filed.result, 'OK', JSON.stringify(filed.messages));
    const applicationNumber = filed.data?.applicationNumber as string;
    clock.set('2027-02-07T20:00:00+09:00'); // its last matching day: still waiting
    await runMatching({ db, clock, area: '03' }, { limit: 100 });
    assert.equal((await json.call('IF_10620', { applicationNumber })).data?.stage, '03');
    clock.set('2027-02-08T09:00:00+09:00');
    await runMatching({ db, clock, area: '03' }, { limit: 100 });
    for (const sdk of [json, soap]) {
      const status = await sdk.call('IF_10620', { applicationNumber });
      assert.equal(status.data?.stage, '09');
      assert.deepEqual(
        status.messages.map((m) => m.code),
        ['APP_MATCH_DEADLINE_PASSED'],
      );
    }
    json.close();
    soap.close();
  });

  test('the far-future switch-in refused at its deadline shows APP_MATCH_DEADLINE_PASSED on its web page too; a 30-minute range over 31 days is GRID_USAGE_RANGE_TOO_LONG in JSON and SOAP', async () => {
    const [refused] = (
      await db.query<{ application_number: string }>("SELECT application_number FROM hub.application_outbox WHERE request_id = 'far-future-1'")
    ).rows;
    assert.ok(refused);
    const again = hub.as('aTerminal');
    const login = await again.get('/login');
    assert.equal((await again.post('/login', { form: { _csrf: hiddenField(login.body, '_csrf'), userId: '1003.user', password: TEST_PASSWORD } })).status, 303);
    const detail = await again.get(`/areas/03/lv/applications/${refused.application_number}`);
    assert.equal(detail.status, 200, detail.body);
    assert.match(detail.body, /APP_MATCH_DEADLINE_PASSED/);

    const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart' });
    const json = hub.sdk('aApi', 'json');
    const soap = hub.sdk('aApi', 'soap');
    const applied = await json.call('IF_10210', {
      requestId: 'range-pw',
      supplyPointId: p.supplyPointId,
      customerNameKana: 'ヤマダ ハナコ',
      phoneNumber: '09012345678',
      consentDate: '2027-02-08',
    });
    assert.equal(applied.result, 'OK', JSON.stringify(applied.messages));
    const status = await json.call('IF_10220', { applicationNumber: applied.data?.applicationNumber as string });
    const usagePassword = status.data?.usagePassword as string;
    assert.ok(usagePassword, JSON.stringify(status));
    for (const sdk of [json, soap]) {
      const answer = await sdk.call('IF_10310', { supplyPointId: p.supplyPointId, usagePassword, halfHourlyDate: '2027-01-01', halfHourlyTo: '2027-02-01' });
      assert.deepEqual(
        answer.messages.map((m) => m.code),
        ['GRID_USAGE_RANGE_TOO_LONG'],
      );
    }
    json.close();
    soap.close();
  });
});
