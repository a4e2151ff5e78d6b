import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import { ManualClock } from '../../../src/platform/clock.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { startSecondProcess } from '../../support/second-process.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { findFacility } from '../../../src/grid/registry/facility.repository.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest, testGridClock, type PointSpec } from '../../../src/grid/testing.ts';
import { eventsOf } from '../../../src/grid/applications/application.repository.ts';
import { executeDue, runMatching } from '../../../src/grid/applications/jobs.ts';

const OLD = '10033';
const NEW = '20013';
const dayMs = 86_400_000;

type Data = Record<string, any>;
const data = (r: InterfaceResponse): Data => (r.data ?? {}) as Data;
const codes = (r: InterfaceResponse): string[] => r.messages.map((m) => m.code);

forEachBackend('wheeling change applications (IF_10410 … IF_10910, status, feed, matching, execution)', (backend) => {
  let db: TestDb;
  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03'), gridMigrations('06')]);
  });
  after(() => db.close());

  function world(start?: string) {
    const clock = testGridClock(start); // Wednesday 25 November 2026, 10:00 JST
    const grid = new Grid({ area: '03', db, clock });
    return { clock, grid };
  }
  const point = (spec: PointSpec = {}) => givenSupplyPoint(db, spec);
  const switchIn = (grid: Grid, supplyPointId: string, body: Data = {}, participant = NEW) =>
    grid.handle(
      gridRequest(
        'IF_10610',
        { updateFlag: '1', supplyPointId, customerNameKana: 'ヤマダ ハナコ', customerName: '山田 花子', currentRetailerCode: OLD, ...body },
        participant,
      ),
    );
  const switchOut = (grid: Grid, supplyPointId: string, body: Data = {}, participant = OLD) =>
    grid.handle(gridRequest('IF_10710', { updateFlag: '1', supplyPointId, newRetailerCode: NEW, ...body }, participant));
  const status = (grid: Grid, interfaceId: string, applicationNumber: string, participant = NEW) =>
    grid.handle(gridRequest(interfaceId, { applicationNumber }, participant));
  const retailerOf = async (supplyPointId: string) => (await findFacility(db, 'grid_03', supplyPointId))!;

  test('switch-in then switch-out: matched at once (05), executed on the effective date (06), retailer changed', async () => {
    const { clock, grid } = world();
    const p = await point();
    const a = await switchIn(grid, p.supplyPointId);
    assert.equal(a.result, 'OK', JSON.stringify(a));
    assert.equal(data(a).stage, '03');
    assert.match(data(a).applicationNumber, /^AP03-20261125\d{6}$/);
    const b = await switchOut(grid, p.supplyPointId);
    assert.equal(b.result, 'OK');
    assert.equal(data(b).stage, '05');
    const s = await status(grid, 'IF_10620', data(a).applicationNumber);
    assert.equal(data(s).stage, '05');
    assert.equal(data(s).stageName, 'マッチング完了');
    // LV: 25 Nov + 1 business day + 2 days = 28 Nov; Tokyo's 08 (the 5th number, from the 2nd business day) reads on 8 Dec.
    assert.equal(data(s).scheduledDate, '2026-12-08');
    assert.deepEqual(
      data(s).history.map((h: Data) => h.stage),
      ['01', '03', '05'],
    );

    assert.equal((await executeDue(grid, { limit: 100 })).executed, 0, 'not before the effective date');
    clock.set('2026-12-08T00:30:00+09:00');
    const executed = await executeDue(grid, { limit: 100 });
    assert.ok(executed.executed >= 2);
    assert.equal((await retailerOf(p.supplyPointId)).retailerCode, NEW);
    const done = await status(grid, 'IF_10620', data(a).applicationNumber);
    assert.equal(data(done).stage, '06');
    assert.deepEqual(
      data(done).history.map((h: Data) => h.stage),
      ['01', '03', '05', '06'],
    );
    assert.equal(data(await status(grid, 'IF_10720', data(b).applicationNumber, OLD)).stage, '06');
    const events = await eventsOf(db, 'grid_03', data(a).applicationNumber);
    assert.deepEqual(
      events.map((e) => e.event),
      ['matchingComplete', 'completed'],
    );
    assert.equal((await executeDue(grid, { limit: 100 })).executed, 0, 'executed once');
  });

  test('switch-out first, then switch-in with a requested date: matched, the requested date kept', async () => {
    const { clock, grid } = world();
    const p = await point();
    const b = await switchOut(grid, p.supplyPointId);
    assert.equal(data(b).stage, '03');
    const a = await switchIn(grid, p.supplyPointId, { requestedDate: '2026-12-01' });
    assert.equal(data(a).stage, '05');
    assert.equal(data(await status(grid, 'IF_10620', data(a).applicationNumber)).scheduledDate, '2026-12-01');
    clock.set('2026-12-01T09:00:00+09:00');
    await executeDue(grid, { limit: 100 });
    assert.equal((await retailerOf(p.supplyPointId)).retailerCode, NEW);
  });

  test('the matching batch pairs what arrived without matching (a switch-out naming no new retailer)', async () => {
    const { grid } = world();
    const p = await point();
    const a = await switchIn(grid, p.supplyPointId);
    const b = await switchOut(grid, p.supplyPointId, { newRetailerCode: undefined });
    assert.equal(data(b).stage, '05', 'matched at once: newRetailerCode is optional');
    assert.equal(data(await status(grid, 'IF_10620', data(a).applicationNumber)).stage, '05');
  });

  test('a switch-in without a switch-out is refused after 8 business days', async () => {
    const { clock, grid } = world();
    const p = await point();
    const a = await switchIn(grid, p.supplyPointId);
    clock.set('2026-12-07T10:00:00+09:00'); // 8 business days after 25 Nov: still waiting
    await runMatching(grid, { limit: 100 });
    assert.equal(data(await status(grid, 'IF_10620', data(a).applicationNumber)).stage, '03');
    clock.set('2026-12-08T10:00:00+09:00');
    const result = await runMatching(grid, { limit: 100 });
    assert.ok(result.expired >= 1);
    const s = await status(grid, 'IF_10620', data(a).applicationNumber);
    assert.equal(data(s).stage, '09');
    assert.deepEqual(codes(s), ['APP_MATCH_EXPIRED']);
    assert.match(data(s).refusalReason, /8営業日/);
  });

  test('move-out then move-in of a new resident', async () => {
    const { clock, grid } = world();
    const p = await point();
    const out = await grid.handle(
      gridRequest('IF_10510', { updateFlag: '1', supplyPointId: p.supplyPointId, applicationKind: '01', requestedDate: '2026-11-30' }, OLD),
    );
    assert.equal(out.result, 'OK', JSON.stringify(out));
    assert.equal(data(out).stage, '10');
    const early = await grid.handle(
      gridRequest('IF_10410', { updateFlag: '1', supplyPointId: p.supplyPointId, requestedDate: '2026-12-02', customerNameKana: 'スズキ イチロウ' }, NEW),
    );
    assert.deepEqual(codes(early), ['APP_POINT_CONTRACTED']);
    clock.set('2026-11-30T08:00:00+09:00');
    assert.ok((await executeDue(grid, { limit: 100 })).executed >= 1);
    const vacant = await retailerOf(p.supplyPointId);
    assert.equal(vacant.status, 'discontinued');
    assert.equal(vacant.retailerCode, null);
    assert.equal(data(await status(grid, 'IF_10520', data(out).applicationNumber, OLD)).stage, '06');

    const moveIn = await grid.handle(
      gridRequest(
        'IF_10410',
        {
          updateFlag: '1',
          supplyPointId: p.supplyPointId,
          requestedDate: '2026-12-03',
          customerNameKana: 'スズキ イチロウ',
          customerName: '鈴木 一郎',
          phoneNumber: '03-1111-2222',
          contractAmpere: '40',
          customerConsent: '1',
        },
        NEW,
      ),
    );
    assert.equal(moveIn.result, 'OK', JSON.stringify(moveIn));
    assert.equal(data(moveIn).stage, '10');
    clock.set('2026-12-03T08:00:00+09:00');
    await executeDue(grid, { limit: 100 });
    const after = await retailerOf(p.supplyPointId);
    assert.equal(after.status, 'contracted');
    assert.equal(after.retailerCode, NEW);
    assert.equal(after.customer?.nameKanji, '鈴木 一郎');
    assert.equal(after.tenureSince, '2026-12-03');
    assert.equal(after.contractAmpere, 40);
  });

  test('move-out with removal completes at 08 and leaves the point removed; no move-in after', async () => {
    const { clock, grid } = world();
    const p = await point();
    const early = await grid.handle(
      gridRequest('IF_10510', { updateFlag: '1', supplyPointId: p.supplyPointId, applicationKind: '02', requestedDate: '2026-11-30' }, OLD),
    );
    assert.deepEqual(codes(early), ['APP_DATE_TOO_EARLY'], 'removal is meter work: 8 business days + 2 days');
    const out = await grid.handle(
      gridRequest('IF_10510', { updateFlag: '1', supplyPointId: p.supplyPointId, applicationKind: '02', requestedDate: '2026-12-09' }, OLD),
    );
    assert.equal(out.result, 'OK', JSON.stringify(out));
    clock.set('2026-12-09T08:00:00+09:00');
    await executeDue(grid, { limit: 100 });
    assert.equal(data(await status(grid, 'IF_10520', data(out).applicationNumber, OLD)).stage, '08');
    assert.equal((await retailerOf(p.supplyPointId)).status, 'removed');
    const moveIn = await grid.handle(
      gridRequest('IF_10410', { updateFlag: '1', supplyPointId: p.supplyPointId, requestedDate: '2026-12-20', customerNameKana: 'スズキ' }, NEW),
    );
    assert.deepEqual(codes(moveIn), ['APP_POINT_REMOVED']);
  });

  test('ampere change and customer info change change the point on their date', async () => {
    const { clock, grid } = world();
    const p = await point({ kind: 'lvConventional' });
    const ampere = await grid.handle(
      gridRequest('IF_10910', { updateFlag: '1', supplyPointId: p.supplyPointId, contractAmpere: '60', requestedDate: '2026-12-09' }, OLD),
    );
    assert.equal(ampere.result, 'OK', JSON.stringify(ampere));
    const info = await grid.handle(
      gridRequest(
        'IF_10810',
        { updateFlag: '1', supplyPointId: p.supplyPointId, changeDate: '2026-11-20', customerNameKana: 'サトウ ハナコ', customerName: '佐藤 花子' },
        OLD,
      ),
    );
    assert.equal(info.result, 'OK', JSON.stringify(info));
    await executeDue(grid, { limit: 100 }); // the info change is past due: at once
    assert.equal((await retailerOf(p.supplyPointId)).customer?.nameKanji, '佐藤 花子');
    assert.equal((await retailerOf(p.supplyPointId)).contractAmpere, 40);
    clock.set('2026-12-09T08:00:00+09:00');
    await executeDue(grid, { limit: 100 });
    assert.equal((await retailerOf(p.supplyPointId)).contractAmpere, 60);
    assert.equal(data(await status(grid, 'IF_10920', data(ampere).applicationNumber, OLD)).stage, '08', 'a conventional meter means a visit');
  });

  test('refusal rules', async () => {
    const { grid } = world();
    const refusedWith = async (response: Promise<InterfaceResponse>, code: string) => {
      const r = await response;
      assert.equal(r.result, 'NG', JSON.stringify(r));
      assert.deepEqual(codes(r), [code]);
      if (r.data) assert.equal(data(r).stage, '09');
      return r;
    };
    const lv = await point();
    const hv = await point({ kind: 'hv' });
    const fit = await point({ kind: 'fit' });
    const vacant = await point({ kind: 'vacant' });
    // Families: plain only LV demand, K only HV, F only FIT.
    await refusedWith(switchIn(grid, hv.supplyPointId), 'APP_WRONG_FAMILY_HV');
    await refusedWith(switchIn(grid, fit.supplyPointId), 'APP_WRONG_FAMILY_FIT');
    await refusedWith(
      grid.handle(gridRequest('IF_K10610', { updateFlag: '1', supplyPointId: lv.supplyPointId, currentRetailerCode: OLD, customerNameKana: 'ヤマダ' }, NEW)),
      'APP_WRONG_FAMILY_LV',
    );
    await refusedWith(
      grid.handle(gridRequest('IF_10910', { updateFlag: '1', supplyPointId: fit.supplyPointId, contractAmpere: '40', requestedDate: '2026-12-10' }, OLD)),
      'APP_NOT_FOR_FIT',
    );
    await refusedWith(
      grid.handle(gridRequest('IF_10410', { updateFlag: '1', supplyPointId: hv.supplyPointId, requestedDate: '2026-12-10', customerNameKana: 'ヤマダ' }, NEW)),
      'APP_NOT_FOR_HV',
    );
    // Point states and retailers.
    await refusedWith(
      grid.handle(gridRequest('IF_10410', { updateFlag: '1', supplyPointId: lv.supplyPointId, requestedDate: '2026-12-10', customerNameKana: 'ヤマダ' }, NEW)),
      'APP_POINT_CONTRACTED',
    );
    await refusedWith(switchIn(grid, vacant.supplyPointId), 'APP_POINT_NOT_CONTRACTED');
    await refusedWith(switchIn(grid, lv.supplyPointId, {}, OLD), 'APP_ALREADY_CURRENT_RETAILER');
    await refusedWith(switchIn(grid, lv.supplyPointId, { currentRetailerCode: '30013' }), 'APP_CURRENT_RETAILER_MISMATCH');
    await refusedWith(switchOut(grid, lv.supplyPointId, {}, NEW), 'APP_NOT_CURRENT_RETAILER');
    await refusedWith(switchOut(grid, lv.supplyPointId, { newRetailerCode: OLD }), 'APP_NEW_RETAILER_IS_SELF');
    await refusedWith(
      grid.handle(gridRequest('IF_10510', { updateFlag: '1', supplyPointId: lv.supplyPointId, applicationKind: '01', requestedDate: '2026-12-10' }, NEW)),
      'APP_NOT_CURRENT_RETAILER',
    );
    await refusedWith(
      grid.handle(gridRequest('IF_10810', { updateFlag: '1', supplyPointId: lv.supplyPointId, changeDate: '2026-12-10', phoneNumber: '03-0000-0000' }, NEW)),
      'APP_NOT_CURRENT_RETAILER',
    );
    // Ampere change.
    await refusedWith(
      grid.handle(gridRequest('IF_10910', { updateFlag: '1', supplyPointId: lv.supplyPointId, contractAmpere: '30', requestedDate: '2026-12-10' }, OLD)),
      'APP_AMPERE_INVALID',
    );
    const kyushuGrid = new Grid({ area: '06', db, clock: testGridClock() });
    const chubu = await point({ area: '06' });
    await refusedWith(
      kyushuGrid.handle(
        gridRequest('IF_10910', { updateFlag: '1', supplyPointId: chubu.supplyPointId, contractAmpere: '40', requestedDate: '2026-12-10' }, '10066'),
      ),
      'APP_AMPERE_NOT_IN_AREA',
    );
    // Dates: the standard lead time from today (25 Nov: LV earliest 28 Nov).
    await refusedWith(switchIn(grid, lv.supplyPointId, { requestedDate: '2026-11-27' }), 'APP_DATE_TOO_EARLY');
    await refusedWith(
      grid.handle(gridRequest('IF_10510', { updateFlag: '1', supplyPointId: lv.supplyPointId, applicationKind: '01', requestedDate: '2026-11-26' }, OLD)),
      'APP_DATE_TOO_EARLY',
    );
    await refusedWith(
      grid.handle(gridRequest('IF_K10510', { updateFlag: '1', supplyPointId: hv.supplyPointId, applicationKind: '01', requestedDate: '2026-12-04' }, OLD)),
      'APP_DATE_TOO_EARLY',
    );
    // Conflicts: a second open switch-in, a move-out while a switch is open.
    const first = await switchIn(grid, lv.supplyPointId);
    assert.equal(first.result, 'OK');
    const conflict = await refusedWith(switchIn(grid, lv.supplyPointId, {}, '30013'), 'APP_CONFLICT');
    // The stored reason is the refusal's own text, its parameters filled in.
    const conflictStatus = await status(grid, 'IF_10620', data(conflict).applicationNumber, '30013');
    assert.equal(
      data(conflictStatus).refusalReason,
      `この供給地点には処理中の申込（申込番号 ${data(first).applicationNumber}、スイッチング開始）があるため、この申込はできません。`,
    );
    await refusedWith(
      grid.handle(gridRequest('IF_10510', { updateFlag: '1', supplyPointId: lv.supplyPointId, applicationKind: '01', requestedDate: '2026-12-10' }, OLD)),
      'APP_CONFLICT',
    );
    // A refused application is stored: its status shows 09 with the reason.
    const refused = await switchIn(grid, vacant.supplyPointId);
    const s = await status(grid, 'IF_10620', data(refused).applicationNumber);
    assert.equal(s.result, 'OK');
    assert.equal(data(s).stage, '09');
    assert.deepEqual(codes(s), ['APP_POINT_NOT_CONTRACTED']);
    assert.ok(data(s).refusalReason);
    // Unknown point: stored and refused; another area's: NG, nothing stored.
    const unknown = await switchIn(grid, '0313010000000099999910');
    assert.deepEqual(codes(unknown), ['SPID_NOT_FOUND']);
    const foreign = await switchIn(grid, '0613010000000099999910');
    assert.deepEqual(codes(foreign), ['GRID_SPID_WRONG_AREA']);
    assert.equal(foreign.data, undefined);
  });

  test('status: only the applicant sees it; by requestId; wrong status interface named', async () => {
    const { grid } = world();
    const p = await point();
    const request = gridRequest(
      'IF_10610',
      { updateFlag: '1', requestId: 'retailer-req-1', supplyPointId: p.supplyPointId, customerNameKana: 'ヤマダ', currentRetailerCode: OLD },
      NEW,
    );
    const a = await grid.handle(request);
    assert.equal(data(a).requestId, 'retailer-req-1');
    const other = await status(grid, 'IF_10620', data(a).applicationNumber, '30013');
    assert.deepEqual(codes(other), ['GRID_APPLICATION_NOT_FOUND']);
    const byRequest = await grid.handle(gridRequest('IF_10620', { requestId: 'retailer-req-1', supplyPointId: p.supplyPointId }, NEW));
    assert.equal(data(byRequest).applicationNumber, data(a).applicationNumber);
    const wrong = await status(grid, 'IF_10720', data(a).applicationNumber);
    assert.deepEqual(codes(wrong), ['GRID_APPLICATION_OTHER_INTERFACE']);
  });

  test('correction and cancellation while in progress, not after matching', async () => {
    const { grid } = world();
    const p = await point();
    const a = await switchIn(grid, p.supplyPointId);
    const number = data(a).applicationNumber;
    const corrected = await grid.handle(
      gridRequest(
        'IF_10610',
        {
          updateFlag: '2',
          applicationNumber: number,
          supplyPointId: p.supplyPointId,
          customerNameKana: 'ヤマダ',
          currentRetailerCode: OLD,
          requestedDate: '2026-12-15',
        },
        NEW,
      ),
    );
    assert.equal(corrected.result, 'OK', JSON.stringify(corrected));
    assert.equal(data(corrected).stage, '03');
    const badCorrection = await grid.handle(
      gridRequest(
        'IF_10610',
        {
          updateFlag: '2',
          applicationNumber: number,
          supplyPointId: p.supplyPointId,
          customerNameKana: 'ヤマダ',
          currentRetailerCode: OLD,
          requestedDate: '2026-11-26',
        },
        NEW,
      ),
    );
    assert.deepEqual(codes(badCorrection), ['APP_DATE_TOO_EARLY']);
    assert.equal(data(await status(grid, 'IF_10620', number)).stage, '03', 'a refused correction leaves the application as it was');
    const notMine = await grid.handle(gridRequest('IF_10610', { updateFlag: '3', applicationNumber: number, supplyPointId: p.supplyPointId }, '30013'));
    assert.deepEqual(codes(notMine), ['GRID_APPLICATION_NOT_FOUND']);
    const b = await switchOut(grid, p.supplyPointId);
    assert.equal(data(b).stage, '05');
    const s = await status(grid, 'IF_10620', number);
    assert.equal(data(s).scheduledDate, '2026-12-15', 'the corrected date');
    assert.deepEqual(
      data(s).history.map((h: Data) => h.stage),
      ['01', '03', '03', '05'],
    );
    const late = await grid.handle(gridRequest('IF_10610', { updateFlag: '3', applicationNumber: number, supplyPointId: p.supplyPointId }, NEW));
    assert.deepEqual(codes(late), ['APP_NOT_CANCELLABLE']);
    const lateCorrection = await grid.handle(
      gridRequest(
        'IF_10610',
        { updateFlag: '2', applicationNumber: number, supplyPointId: p.supplyPointId, customerNameKana: 'ヤマダ', currentRetailerCode: OLD },
        NEW,
      ),
    );
    assert.deepEqual(codes(lateCorrection), ['APP_NOT_CORRECTABLE']);

    const q = await point();
    const c = await switchIn(grid, q.supplyPointId);
    const cancelled = await grid.handle(
      gridRequest('IF_10610', { updateFlag: '3', applicationNumber: data(c).applicationNumber, supplyPointId: q.supplyPointId }, NEW),
    );
    assert.equal(cancelled.result, 'OK', JSON.stringify(cancelled));
    assert.equal(data(cancelled).stage, '09');
    const cs = await status(grid, 'IF_10620', data(c).applicationNumber);
    assert.deepEqual(codes(cs), ['APP_CANCELLED']);
    // Cancelled: it no longer holds the point; another switch-in may come.
    assert.equal((await switchIn(grid, q.supplyPointId, {}, '30013')).result, 'OK');
  });

  test("a redelivered request returns the first answer and changes nothing; the hub's number is kept", async () => {
    const { grid } = world();
    const p = await point();
    const request = {
      ...gridRequest(
        'IF_10610',
        { updateFlag: '1', supplyPointId: p.supplyPointId, customerNameKana: 'ヤマダ', currentRetailerCode: OLD, applicationNumber: 'AP03-20261125000777' },
        NEW,
      ),
      requestId: 'AP03-20261125000777',
    };
    const first = await grid.handle(request);
    assert.equal(data(first).applicationNumber, 'AP03-20261125000777');
    const again = await grid.handle(request);
    assert.deepEqual(again, first);
    const both = await Promise.all([grid.handle(request), grid.handle(request)]);
    assert.deepEqual(both, [first, first]);
    // A refusal is answered the same way again, even when the point has changed meanwhile.
    const refusedRequest = gridRequest('IF_10710', { updateFlag: '1', supplyPointId: p.supplyPointId, newRetailerCode: NEW }, '30013');
    const refused = await grid.handle(refusedRequest);
    assert.deepEqual(await grid.handle(refusedRequest), refused);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.application WHERE supply_point_id = $1 AND kind = 'switchIn'`, [
      p.supplyPointId,
    ]);
    assert.equal(rows[0]!.n, 1);
  });

  test("the feed pages through the caller's applications without gaps or repeats", async () => {
    const { grid } = world();
    const feedParticipant = '40013';
    const numbers: string[] = [];
    for (let i = 0; i < 7; i++) {
      const p = await point();
      numbers.push(data(await switchIn(grid, p.supplyPointId, {}, feedParticipant)).applicationNumber);
    }
    // A page shows only changes below the horizon (older than every transaction still writing the
    // feed's tables): a change may show a moment late, never out of order. Poll until `count` arrive.
    async function drain(since: string | undefined, count: number): Promise<{ items: Data[]; cursor: string | undefined }> {
      const items: Data[] = [];
      let cursor = since;
      // By time, not by attempts: a writer of the feed's tables on a busy machine may hold the horizon
      // for a while.
      for (const until = Date.now() + 60_000; Date.now() < until && items.length < count; ) {
        const r = await grid.handle(gridRequest('IF_11110', { pageSize: 3, ...(cursor ? { since: cursor } : {}) }, feedParticipant));
        assert.equal(r.result, 'OK', JSON.stringify(r));
        items.push(...data(r).items);
        cursor = data(r).nextCursor;
        if (data(r).more === '0' && items.length < count) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return { items, cursor };
    }
    const first = await drain(undefined, numbers.length);
    assert.deepEqual(
      first.items.map((i) => i.applicationNumber),
      numbers,
    );
    const cursor = first.cursor;
    // Nothing new: an empty page, the same cursor.
    const empty = await grid.handle(gridRequest('IF_11110', { since: cursor }, feedParticipant));
    assert.deepEqual(data(empty).items, []);
    assert.equal(data(empty).nextCursor, cursor);
    // One changes (cancelled): it comes again, once; nothing else does.
    const p = await point();
    const last = await switchIn(grid, p.supplyPointId, {}, feedParticipant);
    await grid.handle(
      gridRequest(
        'IF_10610',
        {
          updateFlag: '3',
          applicationNumber: numbers[2],
          supplyPointId: (await db.query<{ s: string }>(`SELECT supply_point_id AS s FROM grid_03.application WHERE application_number = $1`, [numbers[2]]))
            .rows[0]!.s,
        },
        feedParticipant,
      ),
    );
    const next = await drain(cursor, 2);
    assert.deepEqual(
      next.items.map((i) => [i.applicationNumber, i.stage]),
      [
        [data(last).applicationNumber, '03'],
        [numbers[2], '09'],
      ],
    );
    const after = await grid.handle(gridRequest('IF_11110', { since: next.cursor }, feedParticipant));
    assert.deepEqual(data(after).items, [], 'nothing twice');
    // Others' applications and other families are not in it.
    const hvFeed = await grid.handle(gridRequest('IF_K11110', {}, feedParticipant));
    assert.deepEqual(data(hvFeed).items, []);
    const bad = await grid.handle(gridRequest('IF_11110', { since: 'yesterday' }, feedParticipant));
    assert.deepEqual(codes(bad), ['APP_CURSOR_INVALID']);
  });

  test('HV (K) and FIT (F) switches match and execute with their lead times', async () => {
    const { clock, grid } = world();
    const hv = await point({ kind: 'hv' });
    const a = await grid.handle(
      gridRequest('IF_K10610', { updateFlag: '1', supplyPointId: hv.supplyPointId, customerNameKana: 'カブシキガイシャ', currentRetailerCode: OLD }, NEW),
    );
    assert.equal(a.result, 'OK', JSON.stringify(a));
    const b = await grid.handle(gridRequest('IF_K10710', { updateFlag: '1', supplyPointId: hv.supplyPointId, newRetailerCode: NEW }, OLD));
    assert.equal(data(b).stage, '05');
    const date = data(await status(grid, 'IF_K10620', data(a).applicationNumber)).scheduledDate;
    assert.ok(date >= '2026-12-07', date); // 8 business days after 25 Nov
    const fit = await point({ kind: 'fit' });
    const f = await grid.handle(
      gridRequest('IF_F10610', { updateFlag: '1', supplyPointId: fit.supplyPointId, generatorNameKana: 'タイヨウ', currentRetailerCode: OLD }, NEW),
    );
    assert.equal(f.result, 'OK', JSON.stringify(f));
    assert.equal(data(await grid.handle(gridRequest('IF_F10710', { updateFlag: '1', supplyPointId: fit.supplyPointId }, OLD))).stage, '05');
    clock.set(new Date(Date.parse(`${date}T00:00:00+09:00`) + 40 * dayMs));
    await executeDue(grid, { limit: 1000 });
    assert.equal((await retailerOf(hv.supplyPointId)).retailerCode, NEW);
    assert.equal((await retailerOf(fit.supplyPointId)).retailerCode, NEW);
  });
});

forEachBackend('application jobs are bounded and single-winner', (backend) => {
  test('the batch matches pending pairs once, in bounded batches; two runs at once never match a pair twice', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const clock = new ManualClock('2026-11-25T10:00:00+09:00');
    const grid = new Grid({ area: '03', db, clock });
    const pairs = 12;
    for (let i = 0; i < pairs; i++) {
      const p = await givenSupplyPoint(db);
      // Both waiting (03): the switch-out names another new retailer, so they do not match at once;
      // then it names none, as if corrected, and only the batch can pair them.
      await grid.handle(
        gridRequest('IF_10610', { updateFlag: '1', supplyPointId: p.supplyPointId, customerNameKana: 'ヤマダ', currentRetailerCode: OLD }, NEW),
      );
      await grid.handle(gridRequest('IF_10710', { updateFlag: '1', supplyPointId: p.supplyPointId, newRetailerCode: '30013' }, OLD));
    }
    await db.query(`UPDATE grid_03.application SET body = body - 'newRetailerCode' WHERE kind = 'switchOut'`);
    const { rows: waiting } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.application WHERE stage = '03'`);
    assert.equal(waiting[0]!.n, pairs * 2);
    assert.deepEqual(await runMatching(grid, { limit: 5 }), { matched: 5, expired: 0, full: true }, 'bounded');

    // Two runs at once: on PostgreSQL the second in another process; PGlite is a single-process
    // database, so there both share this process.
    const args = { url: db.url, area: '03', limit: 100, now: clock.now().toISOString() };
    const second = db.url ? await startSecondProcess<{ matched: number }>('drainMatching', args) : undefined;
    const results = await Promise.all([runMatching(grid, { limit: 100 }), second ? second.result() : runMatching(grid, { limit: 100 })]);
    assert.equal(results[0].matched + results[1].matched, pairs - 5);
    const { rows: transitions } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.application_transition WHERE to_stage = '05'`);
    assert.equal(transitions[0]!.n, pairs * 2, 'each application matched exactly once');
    const { rows: events } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.application_event WHERE event = 'matchingComplete'`);
    assert.equal(events[0]!.n, pairs * 2);

    clock.set('2026-12-20T10:00:00+09:00');
    {
      // Two execution runs at once, each bounded to 4 switch-ins (each with its switch-out: at most 8
      // applications a run): both take full batches of their own, and no application is executed by
      // both (every completion is one transition).
      const args = { url: db.url, area: '03', limit: 4, now: clock.now().toISOString() };
      const second = db.url ? await startSecondProcess<{ executed: number }>('executeDue', args) : undefined;
      const results = await Promise.all([executeDue(grid, { limit: 4 }), second ? second.result() : executeDue(grid, { limit: 4 })]);
      assert.deepEqual(results, [{ executed: 8 }, { executed: 8 }], 'each run a full batch of 4 pairs');
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.application_transition WHERE to_stage = '06'`);
      assert.equal(rows[0]!.n, 16, 'sixteen applications executed, none twice');
    }
    while ((await executeDue(grid, { limit: 4 })).executed > 0);
    const { rows: complete } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.application_transition WHERE to_stage = '06'`);
    assert.equal(complete[0]!.n, pairs * 2, 'each executed exactly once');
    const { rows: retailers } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.supply_point WHERE retailer_code = $1`, [NEW]);
    assert.equal(retailers[0]!.n, pairs);
  });
});
