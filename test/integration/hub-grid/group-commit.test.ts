import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../../src/grid/transport/config.ts';
import { GridUnavailableError } from '../../../src/interfaces/grid-unavailable.ts';
import type { GridTransport, InterfaceRequest, InterfaceResponse } from '../../../src/interfaces/message.ts';
import { interfaceById } from '../../../src/interfaces/catalogue/catalogue.ts';
import type { AreaCode } from '../../../src/domain/area.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import type { ManualClock } from '../../../src/platform/clock.ts';
import { givenIdentityWorld, testClock } from '../../../src/hub/identity/testing.ts';
import { retryDueDeliveries, type OutboxDeps } from '../../../src/hub/applications/outbox.commands.ts';
import { fileApplicationInGroup, groupStatsOf } from '../../../src/hub/applications/filing-group.ts';
import { counting } from '../../support/counting-db.ts';

type Data = Record<string, any>;
const def = interfaceById('IF_10610')!;
const filer = { companyCode: '1003' };

/** The real grids, every message recorded; `down`: unreachable; `loseAnswers`: the grid decides, the answer never comes back. */
class RecordingTransport implements GridTransport {
  readonly messages: InterfaceRequest[] = [];
  down = false;
  loseAnswers = false;
  noBatches = false;
  readonly #grids: GridTransport;
  constructor(grids: GridTransport) {
    this.#grids = grids;
  }
  async send(area: AreaCode, request: InterfaceRequest, options?: { timeoutMs?: number }): Promise<InterfaceResponse> {
    if (this.down) throw new GridUnavailableError(area, 'unreachable', 'switched off by the test');
    this.messages.push(request);
    if (this.noBatches && request.interfaceId === 'GRID_APPLICATION_BATCH') {
      return { result: 'NG', messages: [{ code: 'GRID_INTERFACE_UNKNOWN', text: 'unknown' }] };
    }
    const answer = await this.#grids.send(area, request, options);
    if (this.loseAnswers) throw new GridUnavailableError(area, 'timeout', 'the answer was lost');
    return answer;
  }
}

interface World {
  readonly db: TestDb;
  readonly clock: ManualClock;
  readonly transport: RecordingTransport;
  readonly deps: OutboxDeps;
  readonly hubStatements: () => number;
  readonly gridStatements: () => number;
  points(n: number, retailerCode?: string): Promise<string[]>;
}

const switchIn = (requestId: string, supplyPointId: string, body: Data = {}) => ({
  def,
  body: { requestId, updateFlag: '1', supplyPointId, customerNameKana: 'ヤマダ ハナコ', customerName: '山田 花子', currentRetailerCode: '20013', ...body },
});

forEachBackend('group commit of registrations at the hub (many callers, one statement, one grid message)', (backend) => {
  async function withWorld(fn: (w: World) => Promise<void>) {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    await givenIdentityWorld(db, clock);
    const gridDb = counting(db);
    const hubDb = counting(db);
    const grids = await gridTransportFromConfig({ db: gridDb.db, clock, env: {} });
    const transport = new RecordingTransport(grids);
    try {
      await fn({
        db,
        clock,
        transport,
        deps: { db: hubDb.db, clock, transport },
        hubStatements: hubDb.statements,
        gridStatements: gridDb.statements,
        async points(n, retailerCode = '20013') {
          const ids: string[] = [];
          for (let i = 0; i < n; i++) ids.push((await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode })).supplyPointId);
          return ids;
        },
      });
    } finally {
      grids.close();
    }
  }
  const outbox = async (db: TestDb) =>
    (
      await db.query<{ applicationNumber: string; requestId: string; status: string; attempts: number; claimed: boolean }>(
        `SELECT application_number AS "applicationNumber", request_id AS "requestId", status, attempts, claimed_until IS NOT NULL AS claimed
           FROM hub.application_outbox ORDER BY id`,
      )
    ).rows;
  const gridCount = async (db: TestDb) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM grid_03.application')).rows[0]!.n;

  test('callers arriving together are filed in one statement and one grid message, each answered with its own grid answer (one refused)', () =>
    withWorld(async ({ db, deps, transport, points, hubStatements, gridStatements }) => {
      const ids = await points(19);
      const [own] = await points(1, '10033');
      const filings = [...ids.map((id, i) => switchIn(`g-${i}`, id)), switchIn('g-own', own!, { currentRetailerCode: '10033' })];
      const answers = await Promise.all(filings.map((f) => fileApplicationInGroup(deps, filer, f)));
      assert.deepEqual(
        answers.map((a) => [a.result, (a.data as Data).stage]),
        [...ids.map(() => ['OK', '03']), ['NG', '09']],
      );
      assert.deepEqual(
        answers.at(-1)!.messages.map((m) => m.code),
        ['APP_ALREADY_CURRENT_RETAILER'],
      );
      assert.deepEqual(groupStatsOf(deps), { groups: 1, filings: 20, fellBack: 0 });
      assert.deepEqual(
        transport.messages.map((m) => [m.interfaceId, (m.body.filings as unknown[]).length]),
        [['GRID_APPLICATION_BATCH', 20]],
      );
      // Numbered in arrival order, each answered with its own number, all delivered on their first attempt.
      const rows = await outbox(db);
      assert.deepEqual(
        rows.map((r) => r.applicationNumber),
        filings.map((_, i) => `AP03-20261125${String(i + 1).padStart(6, '0')}`),
      );
      assert.deepEqual(
        answers.map((a) => (a.data as Data).applicationNumber),
        rows.map((r) => r.applicationNumber),
      );
      assert.deepEqual(new Set(rows.map((r) => `${r.status} ${r.attempts} ${r.claimed}`)), new Set(['delivered 1 false']));
      assert.equal(await gridCount(db), 20);
      // The hub: one transaction (numbers, filings) and one statement for the answers; the grid: a few for the batch.
      assert.ok(hubStatements() <= 5, `hub: ${hubStatements()} statements for 20 filings`);
      assert.ok(gridStatements() <= 15, `grid: ${gridStatements()} statements for 20 filings`);
    }));

  test('a caller alone is a group of one: one statement at the hub, one batch message, the same five statements at the grid', () =>
    withWorld(async ({ deps, transport, points, hubStatements, gridStatements }) => {
      const [id] = await points(1);
      const answer = await fileApplicationInGroup(deps, filer, switchIn('alone-0', id!));
      assert.deepEqual([answer.result, (answer.data as Data).stage, (answer.data as Data).applicationNumber], ['OK', '03', 'AP03-20261125000001']);
      assert.deepEqual(
        transport.messages.map((m) => [m.interfaceId, (m.body.filings as unknown[]).length]),
        [['GRID_APPLICATION_BATCH', 1]],
      );
      assert.deepEqual([hubStatements(), gridStatements()], [2, 5]);
    }));

  test('a group with a request ID used before stores nothing and takes no number; each is filed alone, the numbers without a gap', () =>
    withWorld(async ({ db, deps, points }) => {
      const ids = await points(3);
      const first = await fileApplicationInGroup(deps, filer, switchIn('u-0', ids[0]!));
      const [resend, a, b] = await Promise.all([
        fileApplicationInGroup(deps, filer, switchIn('u-0', ids[0]!)),
        fileApplicationInGroup(deps, filer, switchIn('u-1', ids[1]!)),
        fileApplicationInGroup(deps, filer, switchIn('u-2', ids[2]!)),
      ]);
      assert.deepEqual(resend, first);
      assert.deepEqual(groupStatsOf(deps), { groups: 2, filings: 4, fellBack: 1 });
      // Filed alone at once, the two take the next numbers in whichever order they reach the counter.
      assert.deepEqual([a, b].map((x) => (x!.data as Data).applicationNumber).sort(), ['AP03-20261125000002', 'AP03-20261125000003']);
      const { rows } = await db.query<{ last: number }>(`SELECT last_serial AS last FROM hub.application_counter WHERE area = '03'`);
      assert.deepEqual(rows, [{ last: 3 }]);
      assert.equal(await gridCount(db), 3);
    }));

  test('a group that would pass the day’s last number stores nothing; filed alone, the last number is given and the rest refused', () =>
    withWorld(async ({ db, deps, points }) => {
      const ids = await points(3);
      await db.query(`INSERT INTO hub.application_counter (area, day, last_serial) VALUES ('03', '2026-11-25', 999998)`);
      const answers = await Promise.all(ids.map((id, i) => fileApplicationInGroup(deps, filer, switchIn(`x-${i}`, id)).catch((e: Error) => e)));
      assert.equal(groupStatsOf(deps).fellBack, 1);
      const numbered = answers.filter((a) => !(a instanceof Error)).map((a) => ((a as InterfaceResponse).data as Data).applicationNumber);
      assert.deepEqual(numbered, ['AP03-20261125999999']);
      assert.deepEqual(
        answers.filter((a) => a instanceof Error).map((e) => (e as { code?: string }).code),
        ['OUTBOX_NUMBERS_EXHAUSTED', 'OUTBOX_NUMBERS_EXHAUSTED'],
      );
      assert.deepEqual(
        (await outbox(db)).map((r) => r.applicationNumber),
        ['AP03-20261125999999'],
      );
      assert.equal(await gridCount(db), 1);
    }));

  test('a delivery mark lost in a database crash (it does not wait for the disk): delivered again once the claim runs out, the first answer kept, nothing decided twice', () =>
    withWorld(async ({ db, clock, deps, transport, points }) => {
      const ids = await points(2);
      const answers = await Promise.all(ids.map((id, i) => fileApplicationInGroup(deps, filer, switchIn(`m-${i}`, id))));
      // What a crash before the mark reached the disk leaves: pending, held by a claim that has run out.
      await db.query(
        `UPDATE hub.application_outbox SET status = 'pending', grid_answer = NULL, delivered_at = NULL, claimed_until = clock_timestamp() - interval '1 second'`,
      );
      const resent = await fileApplicationInGroup(deps, filer, switchIn('m-0', ids[0]!));
      assert.deepEqual(resent, answers[0], 'a resend delivers it again and gets the first answer');
      clock.advance(60_000);
      assert.deepEqual(await retryDueDeliveries(deps), { delivered: 1, pending: 0 });
      assert.equal(transport.messages.length, 3, 'the group, then each filing once more');
      const { rows: kept } = await db.query<{ answer: InterfaceResponse }>(`SELECT grid_answer AS answer FROM hub.application_outbox ORDER BY id`);
      assert.deepEqual(
        kept.map((r) => r.answer),
        answers,
      );
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM grid_03.application_transition');
      assert.equal(rows[0]!.n, 4, 'received and accepted once each');
      assert.equal(await gridCount(db), 2);
    }));

  test('one failing caller: the group stores nothing and is filed one by one; only that caller fails, and the numbers have no gap', () =>
    withWorld(async ({ db, deps, points }) => {
      const ids = await points(3);
      // U+0000 cannot be stored in jsonb: the database refuses this filing.
      const results = await Promise.allSettled([
        fileApplicationInGroup(deps, filer, switchIn('f-0', ids[0]!)),
        fileApplicationInGroup(deps, filer, switchIn('f-1', ids[1]!, { customerName: 'a\u0000b' })),
        fileApplicationInGroup(deps, filer, switchIn('f-2', ids[2]!)),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.deepEqual(groupStatsOf(deps), { groups: 1, filings: 3, fellBack: 1 });
      const rows = await outbox(db);
      // Filed alone at once, the two take the numbers in whichever order they reach the counter.
      assert.deepEqual(rows.map((r) => [r.requestId, r.status]).sort(), [
        ['f-0', 'delivered'],
        ['f-2', 'delivered'],
      ]);
      assert.deepEqual(rows.map((r) => r.applicationNumber).sort(), ['AP03-20261125000001', 'AP03-20261125000002']);
      assert.equal(await gridCount(db), 2);
    }));

  test('a request ID used before, or twice in one group: answered as alone (the first answer, or refused for other content), filed once', () =>
    withWorld(async ({ db, deps, points }) => {
      const ids = await points(3);
      const first = await fileApplicationInGroup(deps, filer, switchIn('r-0', ids[0]!));
      const [again, other, twiceA, twiceB] = await Promise.all([
        fileApplicationInGroup(deps, filer, switchIn('r-0', ids[0]!)),
        fileApplicationInGroup(deps, filer, switchIn('r-0', ids[1]!)),
        fileApplicationInGroup(deps, filer, switchIn('r-1', ids[2]!)),
        fileApplicationInGroup(deps, filer, switchIn('r-1', ids[2]!)),
      ]);
      assert.deepEqual(again, first, 'a resend gets the first answer');
      assert.deepEqual(
        other!.messages.map((m) => m.code),
        ['OUTBOX_REQUEST_ID_OTHER_CONTENT'],
      );
      assert.equal(twiceA!.result, 'OK');
      assert.deepEqual(twiceB, twiceA);
      assert.deepEqual(
        (await outbox(db)).map((r) => r.requestId),
        ['r-0', 'r-1'],
      );
      assert.equal(await gridCount(db), 2);
    }));

  test('a grid that does not take batches: each filing of the group gets its own message, and the area is remembered', () =>
    withWorld(async ({ db, deps, transport, points }) => {
      const ids = await points(3);
      transport.noBatches = true;
      const answers = await Promise.all(ids.slice(0, 2).map((id, i) => fileApplicationInGroup(deps, filer, switchIn(`n-${i}`, id))));
      assert.deepEqual(
        answers.map((a) => (a.data as Data).stage),
        ['03', '03'],
      );
      const later = await fileApplicationInGroup(deps, filer, switchIn('n-2', ids[2]!));
      assert.equal((later.data as Data).stage, '03');
      assert.deepEqual(
        transport.messages.map((m) => m.interfaceId),
        ['GRID_APPLICATION_BATCH', 'IF_10610', 'IF_10610', 'IF_10610'],
      );
      assert.deepEqual(
        (await outbox(db)).map((r) => [r.status, r.attempts]),
        ids.map(() => ['delivered', 1]),
      );
    }));

  test('the grid unreachable: the group is accepted and answered "not yet delivered", then delivered by the outbox scan exactly once', () =>
    withWorld(async ({ db, clock, deps, transport, points }) => {
      const ids = await points(3);
      transport.down = true;
      const answers = await Promise.all(ids.map((id, i) => fileApplicationInGroup(deps, filer, switchIn(`d-${i}`, id))));
      assert.deepEqual(
        answers.map((a) => [a.result, a.messages.map((m) => m.code)]),
        ids.map(() => ['OK', ['OUTBOX_NOT_DELIVERED']]),
      );
      assert.deepEqual(
        (await outbox(db)).map((r) => [r.status, r.attempts, r.claimed]),
        ids.map(() => ['pending', 1, false]),
      );
      transport.down = false;
      clock.advance(60_000);
      assert.deepEqual(await retryDueDeliveries(deps), { delivered: 3, pending: 0 });
      assert.deepEqual(await retryDueDeliveries(deps), { delivered: 0, pending: 0 });
      assert.equal(await gridCount(db), 3);
    }));

  test('the answer of a group lost after the grid decided it (as if the hub died before keeping it): delivered again later, nothing decided twice', () =>
    withWorld(async ({ db, clock, deps, transport, points }) => {
      const ids = await points(2);
      transport.loseAnswers = true;
      const answers = await Promise.all(ids.map((id, i) => fileApplicationInGroup(deps, filer, switchIn(`l-${i}`, id))));
      assert.deepEqual(
        answers.map((a) => a.messages.map((m) => m.code)),
        [['OUTBOX_NOT_DELIVERED'], ['OUTBOX_NOT_DELIVERED']],
      );
      assert.equal(await gridCount(db), 2, 'the grid decided them');
      transport.loseAnswers = false;
      clock.advance(60_000);
      assert.deepEqual(await retryDueDeliveries(deps), { delivered: 2, pending: 0 });
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM grid_03.application_transition');
      assert.equal(rows[0]!.n, 4, 'received and accepted once each');
      const { rows: kept } = await db.query<{ stage: string }>(`SELECT grid_answer->'data'->>'stage' AS stage FROM hub.application_outbox ORDER BY id`);
      assert.deepEqual(
        kept.map((r) => r.stage),
        ['03', '03'],
      );
    }));
});
