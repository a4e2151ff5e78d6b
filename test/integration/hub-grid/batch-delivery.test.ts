import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../../src/grid/transport/config.ts';
import { GridUnavailableError } from '../../../src/interfaces/grid-unavailable.ts';
import type { GridTransport, InterfaceRequest, InterfaceResponse } from '../../../src/interfaces/message.ts';
import { interfaceById } from '../../../src/interfaces/catalogue/catalogue.ts';
import type { AreaCode } from '../../../src/domain/area.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import type { ManualClock } from '../../../src/platform/clock.ts';
import { givenIdentityWorld, testClock } from '../../../src/hub/identity/testing.ts';
import { fileApplications, type OutboxDeps } from '../../../src/hub/applications/outbox.commands.ts';
import { claimBatch, deliverDueBatches, sendBatch } from '../../../src/hub/applications/batch-delivery.ts';
import { insertFiling, selectFilings } from '../../../src/hub/applications/outbox.repository.ts';

type Data = Record<string, any>;
const def = interfaceById('IF_10610')!;

/** The real grids, with every message recorded; `down` fails every call, `noBatches` answers the batch message as an old grid would. */
class RecordingTransport implements GridTransport {
  readonly messages: InterfaceRequest[] = [];
  down = false;
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
    return this.#grids.send(area, request, options);
  }
}

interface World {
  readonly db: TestDb;
  readonly clock: ManualClock;
  readonly transport: RecordingTransport;
  readonly grids: GridTransport;
  readonly deps: OutboxDeps;
  /** Files switch-ins of 1003 (the current retailer given per point) as one bulk file. */
  file(points: readonly { id: string; current: string }[], prefix: string): Promise<string[]>;
}

forEachBackend('delivery of applications in batches (one grid message, one grid transaction)', (backend) => {
  async function withWorld(fn: (w: World) => Promise<void>) {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    await givenIdentityWorld(db, clock);
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    const transport = new RecordingTransport(grids);
    const deps: OutboxDeps = { db, clock, transport };
    try {
      await fn({
        db,
        clock,
        transport,
        grids,
        deps,
        async file(points, prefix) {
          const outcomes = await fileApplications(
            deps,
            { companyCode: '1003' },
            points.map((p, i) => ({
              def,
              body: {
                requestId: `${prefix}-${i}`,
                updateFlag: '1',
                supplyPointId: p.id,
                customerNameKana: 'ヤマダ ハナコ',
                customerName: '山田 花子',
                currentRetailerCode: p.current,
              },
            })),
          );
          return outcomes.map((o) => (o.ok && o.row ? o.row.applicationNumber : assert.fail(JSON.stringify(o))));
        },
      });
    } finally {
      grids.close();
    }
  }

  const gridRows = async (db: TestDb) =>
    (
      await db.query<{ applicationNumber: string; stage: string; refusalCode: string | null }>(
        `SELECT application_number AS "applicationNumber", stage, refusal_code AS "refusalCode" FROM grid_03.application ORDER BY application_number`,
      )
    ).rows;
  const outboxRows = async (db: TestDb) =>
    (
      await db.query<{ applicationNumber: string; status: string; attempts: number; gridAnswer: InterfaceResponse | null; lastError: string | null }>(
        `SELECT application_number AS "applicationNumber", status, attempts, grid_answer AS "gridAnswer", last_error AS "lastError"
           FROM hub.application_outbox ORDER BY id`,
      )
    ).rows;

  test('a batch in which one application is refused: the others go in, all in one grid message, each answer kept', () =>
    withWorld(async ({ db, transport, deps, file }) => {
      const a = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const own = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '10033' });
      const c = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const numbers = await file(
        [
          { id: a.supplyPointId, current: '20013' },
          { id: own.supplyPointId, current: '10033' },
          { id: c.supplyPointId, current: '20013' },
        ],
        'mixed',
      );
      // A usage password application waits in the same outbox: batches carry wheeling changes only.
      const password = await insertFiling(db, {
        applicationNumber: 'PW03-20261125000001',
        deliveryId: 'PW03-20261125000001',
        companyCode: '1003',
        participantCode: '10033',
        requestId: 'pw-1',
        interfaceId: 'IF_10210',
        updateFlag: '1',
        area: '03',
        supplyPointId: a.supplyPointId,
        body: { requestId: 'pw-1', supplyPointId: a.supplyPointId },
        filedAt: deps.clock.now(),
      });
      assert.deepEqual(await deliverDueBatches(deps), { delivered: 3, pending: 0, batches: 1 });
      assert.deepEqual(
        (transport.messages[0]!.body.filings as InterfaceRequest[]).map((f) => f.interfaceId),
        ['IF_10610', 'IF_10610', 'IF_10610'],
      );
      const [untouched] = await selectFilings(db, password!.applicationNumber);
      assert.deepEqual([untouched?.status, untouched?.attempts], ['pending', 0], 'left to the delivery one by one');
      assert.deepEqual(
        transport.messages.map((m) => m.interfaceId),
        ['GRID_APPLICATION_BATCH'],
        'one message for the three',
      );
      const outbox = (await outboxRows(db)).filter((r) => !r.applicationNumber.startsWith('PW'));
      assert.deepEqual(
        outbox.map((r) => [r.status, r.gridAnswer?.result]),
        [
          ['delivered', 'OK'],
          ['delivered', 'NG'],
          ['delivered', 'OK'],
        ],
      );
      assert.deepEqual(
        outbox[1]!.gridAnswer!.messages.map((m) => m.code),
        ['APP_ALREADY_CURRENT_RETAILER'],
      );
      assert.equal((outbox[0]!.gridAnswer!.data as Data).stage, '03');
      assert.deepEqual(await gridRows(db), [
        { applicationNumber: numbers[0], stage: '03', refusalCode: null },
        { applicationNumber: numbers[1], stage: '09', refusalCode: 'APP_ALREADY_CURRENT_RETAILER' },
        { applicationNumber: numbers[2], stage: '03', refusalCode: null },
      ]);
      assert.deepEqual(await deliverDueBatches(deps), { delivered: 0, pending: 0, batches: 0 }, 'nothing is delivered twice');
    }));

  test('a filing the grid fails on is rolled back alone and answered null; the others of the batch go in', () =>
    withWorld(async ({ db, grids }) => {
      const a = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const b = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const c = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const filing = (id: string, number: string, name = '山田 花子') =>
        gridRequest('IF_10610', {
          updateFlag: '1',
          applicationNumber: number,
          supplyPointId: id,
          customerNameKana: 'ヤマダ',
          customerName: name,
          currentRetailerCode: '20013',
        });
      // U+0000 cannot be stored in jsonb: the database refuses this filing's insert.
      const filings = [
        filing(a.supplyPointId, 'AP03-20261125000101'),
        filing(b.supplyPointId, 'AP03-20261125000102', 'a\u0000b'),
        filing(c.supplyPointId, 'AP03-20261125000103'),
      ];
      const answer = await grids.send('03', { interfaceId: 'GRID_APPLICATION_BATCH', participantCode: 'H0000', requestId: 'batch-1', body: { filings } });
      assert.equal(answer.result, 'OK', JSON.stringify(answer.messages));
      const answers = (answer.data as Data).answers as (InterfaceResponse | null)[];
      assert.deepEqual(
        answers.map((x) => x?.result ?? null),
        ['OK', null, 'OK'],
      );
      assert.deepEqual(
        (await gridRows(db)).map((r) => r.applicationNumber),
        ['AP03-20261125000101', 'AP03-20261125000103'],
        'nothing of the failed filing is written',
      );
      const { rows } = await db.query<{ requestId: string }>(`SELECT request_id AS "requestId" FROM grid_03.application_request ORDER BY request_id`);
      // As sets: the request IDs come from a counter of the process ('test-998' sorts after 'test-1000').
      assert.deepEqual(rows.map((r) => r.requestId).sort(), [filings[0]!.requestId, filings[2]!.requestId].sort());
      // The same batch again: the stored answers, nothing decided twice.
      const again = await grids.send('03', {
        interfaceId: 'GRID_APPLICATION_BATCH',
        participantCode: 'H0000',
        requestId: 'batch-1',
        body: { filings: [filings[0]!, filings[2]!] },
      });
      assert.deepEqual((again.data as Data).answers, [answers[0], answers[2]]);
      assert.equal((await gridRows(db)).length, 2);
    }));

  test('the batch message is the hub’s alone and must carry 1 to 500 filings', () =>
    withWorld(async ({ grids }) => {
      const codes = (r: InterfaceResponse) => r.messages.map((m) => m.code);
      assert.deepEqual(codes(await grids.send('03', gridRequest('GRID_APPLICATION_BATCH', { filings: [] }, '10033'))), ['GRID_BATCH_HUB_ONLY']);
      assert.deepEqual(codes(await grids.send('03', gridRequest('GRID_APPLICATION_BATCH', { filings: [] }, 'H0000'))), ['GRID_BATCH_INVALID']);
      assert.deepEqual(codes(await grids.send('03', gridRequest('GRID_APPLICATION_BATCH', { filings: [{ interfaceId: 'IF_10610' }] }, 'H0000'))), [
        'GRID_BATCH_INVALID',
      ]);
      const tooMany = Array.from({ length: 501 }, (_, i) => gridRequest('IF_10610', { supplyPointId: `03${String(i).padStart(20, '0')}` }));
      assert.deepEqual(codes(await grids.send('03', gridRequest('GRID_APPLICATION_BATCH', { filings: tooMany }, 'H0000'))), ['GRID_BATCH_INVALID']);
    }));

  test('a crash between sending a batch and marking it: after the claim runs out it is sent again, the grid answers from what it stored, nothing is decided twice', () =>
    withWorld(async ({ db, transport, deps, file }) => {
      const a = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const b = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      await file(
        [
          { id: a.supplyPointId, current: '20013' },
          { id: b.supplyPointId, current: '20013' },
        ],
        'crash',
      );
      // Steps 1 and 2, then the hub dies before step 3.
      const claimed = await claimBatch(deps, '03');
      assert.equal(claimed.length, 2);
      const first = await sendBatch(deps, '03', claimed);
      assert.deepEqual(
        first?.map((x) => x?.result),
        ['OK', 'OK'],
      );
      assert.deepEqual(
        (await outboxRows(db)).map((r) => r.status),
        ['pending', 'pending'],
      );
      assert.deepEqual(await deliverDueBatches(deps), { delivered: 0, pending: 0, batches: 0 }, 'held while the claim runs');
      // The claim runs out (the dead hub's lease, in the database's time).
      await db.query(`UPDATE hub.application_outbox SET claimed_until = clock_timestamp() - interval '1 second'`);
      assert.deepEqual(await deliverDueBatches(deps), { delivered: 2, pending: 0, batches: 1 });
      const outbox = await outboxRows(db);
      assert.deepEqual(
        outbox.map((r) => r.gridAnswer),
        first,
        'the first answers are kept',
      );
      assert.deepEqual(
        outbox.map((r) => r.attempts),
        [2, 2],
      );
      assert.equal((await gridRows(db)).length, 2, 'one application each at the grid');
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM grid_03.application_transition');
      assert.equal(rows[0]!.n, 4, 'received and accepted once each');
      assert.equal(transport.messages.length, 2);
    }));

  test('a grid that cannot be reached keeps the whole batch pending with its back-off; a grid without the batch message gets the filings one by one', () =>
    withWorld(async ({ db, clock, transport, deps, file }) => {
      const a = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const b = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      await file(
        [
          { id: a.supplyPointId, current: '20013' },
          { id: b.supplyPointId, current: '20013' },
        ],
        'down',
      );
      transport.down = true;
      assert.deepEqual(await deliverDueBatches(deps), { delivered: 0, pending: 2, batches: 1 });
      const down = await outboxRows(db);
      assert.deepEqual(
        down.map((r) => [r.status, r.attempts]),
        [
          ['pending', 1],
          ['pending', 1],
        ],
      );
      assert.match(down[0]!.lastError ?? '', /switched off/);
      transport.down = false;
      assert.deepEqual(await deliverDueBatches(deps), { delivered: 0, pending: 0, batches: 0 }, 'not due before its back-off');
      clock.advance(60_000);
      transport.noBatches = true;
      assert.deepEqual(await deliverDueBatches(deps), { delivered: 2, pending: 0, batches: 1 });
      assert.deepEqual(
        transport.messages.map((m) => m.interfaceId),
        ['GRID_APPLICATION_BATCH', 'IF_10610', 'IF_10610'],
      );
      assert.deepEqual(
        (await outboxRows(db)).map((r) => [r.status, r.attempts]),
        [
          ['delivered', 2],
          ['delivered', 2],
        ],
      );
      assert.deepEqual(
        (await gridRows(db)).map((r) => r.stage),
        ['03', '03'],
      );
    }));

  test('two batches of one area in flight at once: each point in one lane only, its filings in filing order, every application delivered once', () =>
    withWorld(async ({ db, deps, grids, file }) => {
      // Points of both lanes (the lane of a point is a hash of its ID), four each.
      const points = [];
      const perLane = [0, 0];
      while (perLane[0]! < 4 || perLane[1]! < 4) {
        const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
        const { rows } = await db.query<{ lane: number }>(`SELECT (hashtext($1) & 2147483647) % 2 AS lane`, [p.supplyPointId]);
        if (perLane[rows[0]!.lane]! >= 4) continue;
        perLane[rows[0]!.lane]!++;
        points.push(p);
      }
      // Three points filed twice in a row (the second switch-in must reach the grid second: refused,
      // the first being open), then the others: taken in ID order alone, the first two batches would
      // carry the same three points.
      const first = await file(
        points.slice(0, 3).map((p) => ({ id: p.supplyPointId, current: '20013' })),
        'lanes-a',
      );
      const second = await file(
        points.slice(0, 3).map((p) => ({ id: p.supplyPointId, current: '20013' })),
        'lanes-b',
      );
      await file(
        points.slice(3).map((p) => ({ id: p.supplyPointId, current: '20013' })),
        'lanes-c',
      );
      // Holds the first two batch messages until both are in flight.
      const sent: InterfaceRequest[] = [];
      let inFlight = 0;
      let most = 0;
      let release!: () => void;
      const bothSent = new Promise<void>((resolve) => {
        release = resolve;
      });
      const transport: GridTransport = {
        async send(area, request, options) {
          sent.push(request);
          inFlight++;
          most = Math.max(most, inFlight);
          if (sent.length === 2) release();
          if (sent.length <= 2) await Promise.race([bothSent, new Promise((resolve) => setTimeout(resolve, 5_000))]);
          try {
            return await grids.send(area, request, options);
          } finally {
            inFlight--;
          }
        },
      };
      const outcome = await deliverDueBatches({ ...deps, transport }, { limit: 3, lanes: 2 });
      assert.equal(most, 2, 'two batches of the area in flight at once');
      assert.deepEqual([outcome.delivered, outcome.pending], [11, 0]);
      const pointsOf = (m: InterfaceRequest) => (m.body.filings as InterfaceRequest[]).map((f) => String(f.body.supplyPointId));
      assert.ok(!pointsOf(sent[0]!).some((p) => pointsOf(sent[1]!).includes(p)), 'no point in both batches in flight');
      const deliveredIds = sent.flatMap((m) => (m.body.filings as InterfaceRequest[]).map((f) => f.requestId));
      assert.equal(new Set(deliveredIds).size, deliveredIds.length, 'no filing sent twice');
      const outbox = await outboxRows(db);
      assert.ok(outbox.every((r) => r.status === 'delivered' && r.attempts === 1));
      const answer = (n: string) => outbox.find((r) => r.applicationNumber === n)!.gridAnswer!;
      for (const [k, n] of second.entries()) {
        assert.equal(answer(first[k]!).result, 'OK', 'the first filing of the point decided first');
        assert.deepEqual(
          answer(n).messages.map((m) => m.code),
          ['APP_CONFLICT'],
          'the later one after it',
        );
      }
      assert.equal((await gridRows(db)).length, 11, 'one application each at the grid');
      assert.deepEqual(await deliverDueBatches(deps), { delivered: 0, pending: 0, batches: 0 }, 'nothing is delivered twice');
    }));

  test('a filing held back behind an earlier one of its application is delivered in the same run, after it', () =>
    withWorld(async ({ db, transport, deps, file }) => {
      const a = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const b = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' });
      const [number] = await file([{ id: a.supplyPointId, current: '20013' }], 'held-a');
      // A cancellation of the first filed before the second application: it must wait for the registration.
      await insertFiling(db, {
        applicationNumber: number!,
        deliveryId: `${number}-2`,
        companyCode: '1003',
        participantCode: '10033',
        requestId: 'held-cancel',
        interfaceId: 'IF_10610',
        updateFlag: '3',
        area: '03',
        supplyPointId: a.supplyPointId,
        body: { requestId: 'held-cancel', updateFlag: '3', applicationNumber: number!, supplyPointId: a.supplyPointId },
        filedAt: deps.clock.now(),
      });
      const [other] = await file([{ id: b.supplyPointId, current: '20013' }], 'held-b');
      assert.deepEqual(await deliverDueBatches(deps, { lanes: 1 }), { delivered: 3, pending: 0, batches: 2 });
      assert.deepEqual(
        transport.messages.map((m) => (m.body.filings as InterfaceRequest[]).map((f) => f.requestId)),
        [[number, other], [`${number}-2`]],
        'the cancellation in a batch after its registration',
      );
      assert.deepEqual(
        (await outboxRows(db)).map((r) => r.status),
        ['delivered', 'delivered', 'delivered'],
      );
    }));
});
