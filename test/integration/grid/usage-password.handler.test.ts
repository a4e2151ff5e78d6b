import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest, testGridClock, type PointSpec } from '../../../src/grid/testing.ts';

const dayMs = 86_400_000;

forEachBackend('usage password application (IF_10210, IF_K10210) and status (IF_10220, IF_K10220)', (backend) => {
  let db: TestDb;
  const clock = testGridClock(); // Wednesday 25 November 2026, 10:00 JST
  let grid: Grid;

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    grid = new Grid({ area: '03', db, clock });
  });
  after(() => db.close());

  const identity = { customerNameKana: 'ヤマダ ハナコ', phoneNumber: '090-1234-5678', consentDate: '2026-11-24' };

  async function apply(spec: PointSpec = {}, body: Record<string, unknown> = {}, options: { interfaceId?: string; participantCode?: string; on?: Grid } = {}) {
    const point = await givenSupplyPoint(db, spec);
    const request = gridRequest(options.interfaceId ?? 'IF_10210', { supplyPointId: point.supplyPointId, ...identity, ...body }, options.participantCode);
    return { point, request, response: await (options.on ?? grid).handle(request) };
  }

  const status = (applicationNumber: string, participantCode = '10033', interfaceId = 'IF_10220', on = grid) =>
    on.handle(gridRequest(interfaceId, { applicationNumber }, participantCode));

  test('accepts, confirms at once, then shows the password once in the status response', async () => {
    const { point, response } = await apply();
    assert.equal(response.result, 'OK');
    const data = response.data as Record<string, any>;
    assert.match(data.applicationNumber, /^UP03-20261125\d{5}$/);
    assert.equal(data.stage, '06');
    assert.equal(data.stageName, '処理完了');
    assert.deepEqual(Object.keys(data), ['applicationNumber', 'requestId', 'stage', 'stageName', 'receivedAt']);
    assert.equal(data.receivedAt, '2026-11-25T01:00:00.000Z');
    assert.equal(data.usagePassword, undefined, 'the password comes with the status inquiry');
    assert.match(response.remarks ?? '', /IF_10220/);

    const first = await status(data.applicationNumber);
    assert.equal(first.result, 'OK');
    const shown = first.data as Record<string, any>;
    assert.match(shown.usagePassword, /^[A-HJ-NP-Z2-9]{12}$/);
    assert.equal(shown.passwordValidUntil, '2026-12-24');
    assert.equal(shown.applicationKind, '08');
    assert.equal(shown.supplyPointId, point.supplyPointId);
    assert.equal(shown.stageDate, '2026-11-25');
    assert.equal(shown.refusalReason, null);
    assert.deepEqual(
      shown.history.map((h: any) => [h.stage, h.stageName, h.stageDate]),
      [
        ['01', '受付済', '2026-11-25'],
        ['06', '処理完了', '2026-11-25'],
      ],
    );
    assert.equal(first.messages[0]?.code, 'GRID_USAGE_PASSWORD_ISSUED');

    const again = await status(data.applicationNumber);
    const later = again.data as Record<string, any>;
    assert.equal(later.usagePassword, undefined, 'stored hashed: never shown twice');
    assert.equal(later.passwordValidUntil, '2026-12-24');
    assert.equal(again.messages[0]?.code, 'GRID_USAGE_PASSWORD_SHOWN');
    assert.match(again.messages[0]?.text ?? '', /2026-11-25 10:00に通知済み/);

    const { rows } = await db.query<{ password_hash: string }>(`SELECT password_hash FROM grid_03.usage_password_application WHERE application_number = $1`, [
      data.applicationNumber,
    ]);
    assert.notEqual(rows[0]?.password_hash, shown.usagePassword);
    assert.ok(!JSON.stringify(rows).includes(shown.usagePassword));
  });

  test("a shorter validity asked for is the password's; more than a month, or a past day, is refused", async () => {
    const { response } = await apply({}, { validUntil: '2026-12-05' });
    assert.equal(response.result, 'OK', JSON.stringify(response.messages));
    const shown = (await status((response.data as Record<string, any>).applicationNumber)).data as Record<string, any>;
    assert.equal(shown.passwordValidUntil, '2026-12-05');
    const usage = await grid.handle(gridRequest('IF_10310', { supplyPointId: shown.supplyPointId, usagePassword: shown.usagePassword }));
    assert.equal((usage.data as Record<string, any>).passwordValidUntil, '2026-12-05');
    const longest = await apply({}, { validUntil: '2026-12-24' });
    assert.equal(longest.response.result, 'OK', 'a month is the most: the day before the same date next month');
    for (const validUntil of ['2026-12-25', '2026-11-24']) {
      const refused = await apply({}, { validUntil });
      assert.deepEqual(
        refused.response.messages.map((m) => [m.code, m.field]),
        [['GRID_USAGE_PASSWORD_VALIDITY_INVALID', 'validUntil']],
        validUntil,
      );
    }
  });

  test('numbers applications of the day in order', async () => {
    const a = (await apply()).response.data as Record<string, any>;
    const b = (await apply()).response.data as Record<string, any>;
    assert.equal(Number(b.applicationNumber.slice(-5)), Number(a.applicationNumber.slice(-5)) + 1);
  });

  test('a repeated request ID answers with the first application, not a second one', async () => {
    const { point, request, response } = await apply();
    const repeat = await grid.handle({ ...request, body: { ...request.body } });
    assert.deepEqual(repeat, response);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM grid_03.usage_password_application WHERE supply_point_id = $1`, [
      point.supplyPointId,
    ]);
    assert.equal(rows[0]?.n, 1);
  });

  test("the retailer's requestId in the body is the idempotency key, and finds the application in a status inquiry", async () => {
    const { request, response } = await apply({}, { requestId: 'retailer-key-1' });
    const number = (response.data as Record<string, any>).applicationNumber;
    assert.equal((response.data as Record<string, any>).requestId, 'retailer-key-1');
    const retried = await grid.handle({ ...request, requestId: 'another-hub-call-id' });
    assert.equal((retried.data as Record<string, any>).applicationNumber, number);
    const byRequest = await grid.handle(gridRequest('IF_10220', { requestId: 'retailer-key-1' }));
    assert.equal((byRequest.data as Record<string, any>).applicationNumber, number);
    const withPoint = await grid.handle(gridRequest('IF_10220', { requestId: 'retailer-key-1', supplyPointId: request.body.supplyPointId }));
    assert.equal((withPoint.data as Record<string, any>).applicationNumber, number);
    const otherPoint = await grid.handle(gridRequest('IF_10220', { requestId: 'retailer-key-1', supplyPointId: '0313010000000099999910' }));
    assert.equal(otherPoint.messages[0]?.code, 'GRID_APPLICATION_NOT_FOUND_BY_REQUEST');
    const othersKey = await grid.handle(gridRequest('IF_10220', { requestId: 'retailer-key-1' }, '20013'));
    assert.equal(othersKey.messages[0]?.code, 'GRID_APPLICATION_NOT_FOUND_BY_REQUEST');
    assert.equal((await grid.handle(gridRequest('IF_10220', {}))).messages[0]?.code, 'GRID_FIELD_REQUIRED');
  });

  test("the address may come as the catalogue's group of prefecture, city, street and building", async () => {
    const address = { prefecture: '東京都', city: '千代田区', street: '本町２－１４－３', building: 'コーポ本町203' };
    const { response } = await apply({}, { phoneNumber: undefined, address });
    assert.equal((response.data as Record<string, any>).stage, '06');
    const elsewhere = await apply({}, { phoneNumber: undefined, address: { ...address, street: '本町2-14-30' } });
    assert.equal(elsewhere.response.messages[0]?.code, 'GRID_IDENTITY_CONTACT_MISMATCH');
  });

  test('an address that contains the registered street identifies the customer without a phone number', async () => {
    const { response } = await apply({}, { phoneNumber: undefined, address: '東京都千代田区本町２－１４－３' });
    assert.equal(response.result, 'OK');
    assert.equal((response.data as Record<string, any>).stage, '06');
  });

  test('refuses, with stage 09 and the reason, when the kana name is not the customer', async () => {
    const { response } = await apply({}, { customerNameKana: 'サトウ ハナコ' });
    assert.equal(response.result, 'NG');
    assert.equal(response.messages[0]?.code, 'GRID_IDENTITY_NAME_MISMATCH');
    const data = response.data as Record<string, any>;
    assert.equal(data.stage, '09');
    assert.equal(data.stageName, '不受付');
    const later = await status(data.applicationNumber);
    assert.equal(later.result, 'OK');
    const refused = later.data as Record<string, any>;
    assert.equal(refused.stage, '09');
    assert.equal(refused.usagePassword, undefined);
    assert.equal(refused.passwordValidUntil, null);
    assert.match(refused.refusalReason, /需要者名（カナ）/);
    assert.equal(later.messages[0]?.code, 'GRID_IDENTITY_NAME_MISMATCH');
  });

  test('refuses when the name is right but the phone number is not, and no address matches', async () => {
    const { response } = await apply({}, { phoneNumber: '03-0000-0000' });
    assert.equal(response.result, 'NG');
    assert.equal(response.messages[0]?.code, 'GRID_IDENTITY_CONTACT_MISMATCH');
    assert.equal((response.data as Record<string, any>).stage, '09');
  });

  test('refuses a vacant point at once, storing nothing', async () => {
    const { point, response } = await apply({ kind: 'vacant' });
    assert.equal(response.result, 'NG');
    assert.deepEqual(
      response.messages.map((m) => m.code),
      ['GRID_POINT_VACANT'],
    );
    assert.equal(response.data, undefined);
    const { rows } = await db.query(`SELECT 1 FROM grid_03.usage_password_application WHERE supply_point_id = $1`, [point.supplyPointId]);
    assert.equal(rows.length, 0);
  });

  test('refuses input that cannot be examined: no phone or address, consent in the future, no name', async () => {
    assert.equal((await apply({}, { phoneNumber: '' })).response.messages[0]?.code, 'GRID_IDENTITY_CONTACT_REQUIRED');
    assert.equal((await apply({}, { consentDate: '2026-11-26' })).response.messages[0]?.code, 'GRID_CONSENT_DATE_FUTURE');
    assert.equal((await apply({}, { consentDate: '2026-02-30' })).response.messages[0]?.code, 'DATE_INVALID');
    const missing = (await apply({}, { customerNameKana: ' ' })).response.messages[0];
    assert.equal(missing?.code, 'GRID_FIELD_REQUIRED');
    assert.equal(missing?.field, 'customerNameKana');
  });

  test('refuses an unknown point and one of another area', async () => {
    const unknown = await grid.handle(gridRequest('IF_10210', { supplyPointId: '0313010000000099999910', ...identity }));
    assert.equal(unknown.messages[0]?.code, 'SPID_NOT_FOUND');
    const foreign = await grid.handle(gridRequest('IF_10210', { supplyPointId: '0613010000000099999910', ...identity }));
    assert.equal(foreign.messages[0]?.code, 'GRID_SPID_WRONG_AREA');
  });

  test('refuses a FIT receiving point: usage inquiry is not for LV FIT', async () => {
    assert.equal((await apply({ kind: 'fit' })).response.messages[0]?.code, 'GRID_USAGE_NOT_FOR_FIT');
  });

  test('HV points apply through IF_K10210 and ask through IF_K10220; the LV interfaces point them there', async () => {
    const lv = await apply({ kind: 'hv' });
    assert.equal(lv.response.messages[0]?.code, 'GRID_POINT_IS_HV');
    assert.match(lv.response.messages[0]?.text ?? '', /IF_K10210/);
    const { response } = await apply({ kind: 'hv' }, {}, { interfaceId: 'IF_K10210' });
    assert.equal(response.result, 'OK');
    const number = (response.data as Record<string, any>).applicationNumber;
    const wrongFamily = await status(number, '10033', 'IF_10220');
    assert.equal(wrongFamily.messages[0]?.code, 'GRID_APPLICATION_OTHER_INTERFACE');
    const right = await status(number, '10033', 'IF_K10220');
    assert.match((right.data as Record<string, any>).usagePassword, /^[A-Z2-9]{12}$/);
    assert.equal((await apply({ kind: 'lvSmart' }, {}, { interfaceId: 'IF_K10210' })).response.messages[0]?.code, 'GRID_POINT_IS_LV');
    assert.equal((await apply({ kind: 'ehv' }, {}, { interfaceId: 'IF_K10210' })).response.messages[0]?.code, 'GRID_POINT_IS_EHV');
  });

  test("only the applicant sees its application: another retailer's inquiry finds nothing", async () => {
    const { response } = await apply({}, {}, { participantCode: '20013' });
    const number = (response.data as Record<string, any>).applicationNumber;
    const other = await status(number, '10033');
    assert.equal(other.result, 'NG');
    assert.equal(other.messages[0]?.code, 'GRID_APPLICATION_NOT_FOUND');
    assert.equal(other.data, undefined);
    assert.equal((await status('UP03-2026112599999')).messages[0]?.code, 'GRID_APPLICATION_NOT_FOUND');
    const own = await status(number, '20013');
    assert.equal(own.result, 'OK');
  });

  test('under nextBusinessDay, an application waits until the next business day has begun by the clock', async () => {
    const friday = testGridClock('2026-11-27T16:00:00+09:00');
    const deferred = new Grid({ area: '03', db, clock: friday, options: { usagePasswordConfirmation: 'nextBusinessDay' } });
    const { response } = await apply({}, {}, { on: deferred });
    assert.equal(response.result, 'OK');
    const data = response.data as Record<string, any>;
    assert.equal(data.stage, '01');
    assert.equal(data.stageName, '受付済');
    assert.equal(response.messages[0]?.code, 'GRID_USAGE_PASSWORD_PENDING');
    assert.match(response.messages[0]?.text ?? '', /2026-11-30以降/); // Monday

    friday.advance(dayMs); // Saturday
    const saturday = await status(data.applicationNumber, '10033', 'IF_10220', deferred);
    assert.equal((saturday.data as Record<string, any>).stage, '01');
    assert.equal((saturday.data as Record<string, any>).usagePassword, undefined);

    friday.set('2026-11-30T00:00:00+09:00'); // Monday begins
    const monday = await status(data.applicationNumber, '10033', 'IF_10220', deferred);
    const decided = monday.data as Record<string, any>;
    assert.equal(decided.stage, '06');
    assert.match(decided.usagePassword, /^[A-Z2-9]{12}$/);
    assert.equal(decided.passwordValidUntil, '2026-12-29');
    assert.deepEqual(
      decided.history.map((h: any) => [h.stage, h.stageDate]),
      [
        ['01', '2026-11-27'],
        ['06', '2026-11-30'],
      ],
    );
  });

  test('under nextBusinessDay, the examination finds a mismatch the next business day, and a batch decides unasked applications', async () => {
    const clock2 = testGridClock('2026-11-25T18:00:00+09:00');
    const deferred = new Grid({ area: '03', db, clock: clock2, options: { usagePasswordConfirmation: 'nextBusinessDay' } });
    const wrong = (await apply({}, { customerNameKana: 'スズキ イチロウ' }, { on: deferred })).response;
    assert.equal(wrong.result, 'OK', 'accepted: examined later');
    const unasked = (await apply({}, {}, { on: deferred })).response;
    assert.equal(await deferred.examineDue(), 0, 'nothing due before Thursday');
    clock2.set('2026-11-26T09:00:00+09:00');
    assert.ok((await deferred.examineDue()) >= 2);
    const wrongStatus = await status((wrong.data as Record<string, any>).applicationNumber, '10033', 'IF_10220', deferred);
    assert.equal((wrongStatus.data as Record<string, any>).stage, '09');
    assert.equal(wrongStatus.messages[0]?.code, 'GRID_IDENTITY_NAME_MISMATCH');
    const { rows } = await db.query<{ stage: string }>(`SELECT stage FROM grid_03.usage_password_application WHERE application_number = $1`, [
      (unasked.data as Record<string, any>).applicationNumber,
    ]);
    assert.equal(rows[0]?.stage, '06');
  });

  test('two status inquiries at once issue one password, shown to one of them', async () => {
    const { response } = await apply();
    const number = (response.data as Record<string, any>).applicationNumber;
    const answers = await Promise.all([status(number), status(number), status(number)]);
    const shown = answers.filter((a) => (a.data as Record<string, any>).usagePassword !== undefined);
    assert.equal(shown.length, 1);
    assert.equal(answers.filter((a) => a.messages[0]?.code === 'GRID_USAGE_PASSWORD_SHOWN').length, 2);
  });
});
