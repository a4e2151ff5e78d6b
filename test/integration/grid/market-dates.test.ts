import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AreaCode } from '../../../src/domain/area.ts';
import { participantCodeFor } from '../../../src/domain/participant-code.ts';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { findFacility } from '../../../src/grid/registry/facility.repository.ts';
import { gridMigrations, gridSchema } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest, testGridClock, type PointSpec } from '../../../src/grid/testing.ts';
import { executeDue, runMatching } from '../../../src/grid/applications/jobs.ts';

type Data = Record<string, any>;
const data = (r: InterfaceResponse): Data => (r.data ?? {}) as Data;
const codes = (r: InterfaceResponse): string[] => r.messages.map((m) => m.code);
/** The incumbent of the test points (givenSupplyPoint) and a newcomer, in the area's codes. */
const old = (area: AreaCode) => participantCodeFor(`10${area}`, area);
const newcomer = (area: AreaCode) => participantCodeFor('2001', area);

forEachBackend('market dates: named switching date, matching deadline, move-in dates, reading schedules per area', (backend) => {
  let db: TestDb;
  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03'), gridMigrations('04'), gridMigrations('01')]);
  });
  after(() => db.close());

  function world(area: AreaCode = '03') {
    const clock = testGridClock(); // Wednesday 25 November 2026, 10:00 JST
    return { clock, grid: new Grid({ area, db, clock }) };
  }
  const point = (spec: PointSpec = {}) => givenSupplyPoint(db, spec);
  const switchIn = (grid: Grid, area: AreaCode, supplyPointId: string, body: Data = {}) =>
    grid.handle(
      gridRequest(
        'IF_10610',
        { updateFlag: '1', supplyPointId, customerNameKana: 'ヤマダ ハナコ', customerName: '山田 花子', currentRetailerCode: old(area), ...body },
        newcomer(area),
      ),
    );
  const switchOut = (grid: Grid, area: AreaCode, supplyPointId: string) =>
    grid.handle(gridRequest('IF_10710', { updateFlag: '1', supplyPointId, newRetailerCode: newcomer(area) }, old(area)));
  const status = async (grid: Grid, interfaceId: string, applicationNumber: string, participant: string) =>
    data(await grid.handle(gridRequest(interfaceId, { applicationNumber }, participant)));
  const moveIn = (grid: Grid, supplyPointId: string, body: Data = {}) =>
    grid.handle(
      gridRequest(
        'IF_10410',
        { updateFlag: '1', supplyPointId, customerNameKana: 'スズキ イチロウ', customerName: '鈴木 一郎', customerConsent: '1', ...body },
        '20013',
      ),
    );

  test('a named switching date the lead time no longer allows when the pair matches is refused, never moved; the switch-out waits on', async () => {
    const { clock, grid } = world();
    const p = await point();
    // Filed on Wed 25 Nov: 1 business day + 2 days allows 28 Nov.
    const a = await switchIn(grid, '03', p.supplyPointId, { requestedDate: '2026-11-28' });
    assert.equal(data(a).stage, '03', JSON.stringify(a));
    // The switch-out comes on Thu 26 Nov: matching now allows 29 Nov at the earliest.
    clock.set('2026-11-26T10:00:00+09:00');
    const b = await switchOut(grid, '03', p.supplyPointId);
    assert.equal(data(b).stage, '03');
    const s = await status(grid, 'IF_10620', data(a).applicationNumber, '20013');
    assert.equal(s.stage, '09');
    assert.equal(s.scheduledDate ?? null, null, 'no date was fixed');
    assert.match(s.refusalReason, /2026-11-28.*2026-11-29/);
    const refused = await grid.handle(gridRequest('IF_10620', { applicationNumber: data(a).applicationNumber }, '20013'));
    assert.deepEqual(codes(refused), ['APP_SWITCH_DATE_PASSED']);
    assert.equal((await status(grid, 'IF_10720', data(b).applicationNumber, '10033')).stage, '03');
    // A new switch-in with a date that is still allowed matches the waiting switch-out.
    const again = await switchIn(grid, '03', p.supplyPointId, { requestedDate: '2026-12-15' });
    assert.equal(data(again).stage, '05');
    assert.equal((await status(grid, 'IF_10620', data(again).applicationNumber, '20013')).scheduledDate, '2026-12-15');
  });

  test('a far-future switch-in waits past 8 business days and is refused once its date can no longer be kept', async () => {
    const { clock, grid } = world();
    const p = await point();
    const a = await switchIn(grid, '03', p.supplyPointId, { requestedDate: '2027-02-10' });
    assert.equal(data(a).stage, '03');
    clock.set('2026-12-10T10:00:00+09:00'); // 11 business days later
    await runMatching(grid, { limit: 100 });
    assert.equal((await status(grid, 'IF_10620', data(a).applicationNumber, '20013')).stage, '03', 'still waiting');
    // The last matching day for Wed 10 Feb is Sun 7 Feb (counted from Mon 8 Feb: 9 Feb + 2 days = 10 Feb... 8 Feb + 1 BD = 9 Feb, + 2 = 11 Feb).
    clock.set('2027-02-07T23:00:00+09:00');
    await runMatching(grid, { limit: 100 });
    assert.equal((await status(grid, 'IF_10620', data(a).applicationNumber, '20013')).stage, '03', 'on its last day it still waits');
    clock.set('2027-02-08T09:00:00+09:00');
    const result = await runMatching(grid, { limit: 100 });
    assert.ok(result.expired >= 1);
    const refused = await grid.handle(gridRequest('IF_10620', { applicationNumber: data(a).applicationNumber }, '20013'));
    assert.deepEqual(codes(refused), ['APP_MATCH_DEADLINE_PASSED']);
    const s = data(refused);
    assert.equal(s.stage, '09');
    assert.match(s.refusalReason, /2027-02-10.*2027-02-07/);
  });

  test('a far-future switch-in matches a switch-out that comes weeks later, on its named date', async () => {
    const { clock, grid } = world();
    const p = await point();
    const a = await switchIn(grid, '03', p.supplyPointId, { requestedDate: '2027-02-10' });
    clock.set('2027-01-05T10:00:00+09:00'); // after the year end
    const b = await switchOut(grid, '03', p.supplyPointId);
    assert.equal(data(b).stage, '05');
    assert.equal((await status(grid, 'IF_10620', data(a).applicationNumber, '20013')).scheduledDate, '2027-02-10');
  });

  test('without a named date the switching date is the area’s first reading day after the lead time (Tokyo, Chubu, Hokkaido)', async () => {
    const dateIn = async (area: AreaCode, readingGroup: number) => {
      const { grid } = world(area);
      const p = await point({ area, readingGroup });
      const a = await switchIn(grid, area, p.supplyPointId);
      assert.equal(data(await switchOut(grid, area, p.supplyPointId)).stage, '05');
      return (await status(grid, 'IF_10620', data(a).applicationNumber, newcomer(area))).scheduledDate;
    };
    // Earliest Sat 28 Nov. Tokyo's 01: the 2nd business day of December; Chubu's 01: the 1st; Hokkaido's 05: Saturday 5 December.
    assert.equal(await dateIn('03', 1), '2026-12-02');
    assert.equal(await dateIn('04', 1), '2026-12-01');
    assert.equal(await dateIn('01', 5), '2026-12-05');
  });

  test('a smart meter that cannot be read remotely needs meter work: the longer lead time, completion 08, then readable', async () => {
    const { clock, grid } = world();
    const p = await point({ autoReadingUnavailable: true });
    const early = await switchIn(grid, '03', p.supplyPointId, { requestedDate: '2026-12-08' });
    assert.deepEqual(codes(early), ['APP_DATE_TOO_EARLY']);
    assert.match(early.messages[0]!.text, /2026-12-09/, '8 business days + 2 days from 25 Nov');
    const a = await switchIn(grid, '03', p.supplyPointId, { requestedDate: '2026-12-09' });
    assert.equal(data(await switchOut(grid, '03', p.supplyPointId)).stage, '05');
    clock.set('2026-12-09T08:00:00+09:00');
    await executeDue(grid, { limit: 100 });
    assert.equal((await status(grid, 'IF_10620', data(a).applicationNumber, '20013')).stage, '08');
    const after = (await findFacility(db, gridSchema('03'), p.supplyPointId))!;
    assert.deepEqual(
      after.meters.map((m) => [m.kind, m.autoReadingUnavailable]),
      [['smart', false]],
    );
  });

  test('a move-in at a point left on for the customer may reach 31 days back (遡及再点), and takes effect from that day', async () => {
    const { grid } = world();
    const lit = await point({ kind: 'vacant', vacantStatus: 'discontinuedLit' });
    const tooFar = await moveIn(grid, lit.supplyPointId, { requestedDate: '2026-10-24' });
    assert.deepEqual(codes(tooFar), ['APP_MOVE_IN_TOO_EARLY']);
    assert.match(tooFar.messages[0]!.text, /2026-10-25.*31日前/);
    const back = await moveIn(grid, lit.supplyPointId, { requestedDate: '2026-10-25', moveInTime: '0930' });
    assert.equal(back.result, 'OK', JSON.stringify(back));
    await executeDue(grid, { limit: 100 });
    const after = (await findFacility(db, gridSchema('03'), lit.supplyPointId))!;
    assert.equal(after.status, 'contracted');
    assert.equal(after.tenureSince, '2026-10-25');
  });

  test('a move-in is same-day where the meter reconnects remotely, and waits for meter work where it cannot be read remotely', async () => {
    const { grid } = world();
    const remote = await point({ kind: 'vacant' });
    assert.deepEqual(codes(await moveIn(grid, remote.supplyPointId, { requestedDate: '2026-11-24' })), ['APP_MOVE_IN_TOO_EARLY'], 'not retroactive');
    assert.equal((await moveIn(grid, remote.supplyPointId, { requestedDate: '2026-11-25' })).result, 'OK');
    const unreadable = await point({ kind: 'vacant', autoReadingUnavailable: true });
    const refused = await moveIn(grid, unreadable.supplyPointId, { requestedDate: '2026-11-26' });
    assert.deepEqual(codes(refused), ['APP_MOVE_IN_TOO_EARLY']);
    assert.match(refused.messages[0]!.text, /2026-12-09.*計器工事/);
  });

  test("a move-in without the customer's consent to the wheeling terms, or with an impossible move-in time, is refused", async () => {
    const { grid } = world();
    const p = await point({ kind: 'vacant' });
    assert.deepEqual(codes(await moveIn(grid, p.supplyPointId, { requestedDate: '2026-11-30', customerConsent: undefined })), ['APP_CONSENT_REQUIRED']);
    assert.deepEqual(codes(await moveIn(grid, p.supplyPointId, { requestedDate: '2026-11-30', moveInTime: '2460' })), ['GRID_FIELD_INVALID']);
    const ok = await moveIn(grid, p.supplyPointId, { requestedDate: '2026-11-30', moveInTime: '2359', contractDecisionMethod: '02' });
    assert.equal(ok.result, 'OK', JSON.stringify(ok));
  });
});
