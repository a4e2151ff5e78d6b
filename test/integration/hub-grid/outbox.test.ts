import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, type TestHub } from '../../support/hub-server.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, type TestPoint } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig, type GridRouting } from '../../../src/grid/transport/config.ts';
import { GridUnavailableError } from '../../../src/interfaces/grid-unavailable.ts';
import type { GridTransport, InterfaceRequest, InterfaceResponse } from '../../../src/interfaces/message.ts';
import type { AreaCode } from '../../../src/domain/area.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { Jobs } from '../../../src/platform/jobs.ts';
import { buildCertificate, givenCertificate, testClock } from '../../../src/hub/identity/testing.ts';
import { KirikaeClient } from '../../../src/sdk/client.ts';
import { claimNextFiling, selectFilings } from '../../../src/hub/applications/outbox.repository.ts';
import { retryDueDeliveries, retryQueue } from '../../../src/hub/applications/outbox.commands.ts';
import { startOutboxJobs } from '../../../src/hub/applications/outbox.jobs.ts';

type Data = Record<string, any>;
const data = (r: InterfaceResponse): Data => (r.data ?? {}) as Data;
const codes = (r: InterfaceResponse): string[] => r.messages.map((m) => m.code);
const minute = 60_000;

/**
 * The real grids behind a switch the test turns: `down` fails every call as an unreachable grid;
 * `loseAnswers` lets the grid act, then loses its answer (a timeout, or the hub dying before it
 * wrote the answer down). Every call that reached a grid is recorded.
 */
class SwitchedTransport implements GridTransport {
  readonly reached: InterfaceRequest[] = [];
  down = false;
  loseAnswers = 0;
  readonly #grids: GridTransport;

  constructor(grids: GridTransport) {
    this.#grids = grids;
  }

  /** Every filing that reached a grid, those of a batch message (GRID_APPLICATION_BATCH) each on its own. */
  get filings(): InterfaceRequest[] {
    return this.reached.flatMap((r) => (r.interfaceId === 'GRID_APPLICATION_BATCH' ? (r.body.filings as InterfaceRequest[]) : [r]));
  }

  async send(area: AreaCode, request: InterfaceRequest, options?: { timeoutMs?: number }): Promise<InterfaceResponse> {
    if (this.down) throw new GridUnavailableError(area, 'unreachable', 'switched off by the test');
    this.reached.push(request);
    const answer = await this.#grids.send(area, request, options);
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      throw new GridUnavailableError(area, 'timeout', 'answer lost by the test');
    }
    return answer;
  }
}

forEachBackend('application outbox through the hub', (backend) => {
  interface World {
    readonly db: TestDb;
    readonly hub: TestHub;
    readonly transport: SwitchedTransport;
    readonly grids: GridRouting;
    /** A point of Tokyo whose current retailer is 2001, for 1003 to switch in. */
    point(): Promise<TestPoint>;
    switchIn(supplyPointId: string, requestId: string, extra?: Data): Promise<InterfaceResponse>;
    gridApplications(supplyPointId: string): Promise<number>;
  }

  async function withWorld(fn: (w: World) => Promise<void>, _options: { jobs?: Jobs } = {}) {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    const transport = new SwitchedTransport(grids);
    const hub = await startTestHub(db, { transport, clock });
    const sdk = hub.sdk('aApi');
    try {
      await fn({
        db,
        hub,
        transport,
        grids,
        point: () => givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' }),
        switchIn: (supplyPointId, requestId, extra = {}) =>
          sdk.call('IF_10610', {
            requestId,
            updateFlag: '1',
            supplyPointId,
            customerNameKana: 'ヤマダ ハナコ',
            customerName: '山田 花子',
            currentRetailerCode: '20013',
            ...extra,
          }),
        gridApplications: async (supplyPointId) =>
          (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.application WHERE supply_point_id = $1`, [supplyPointId])).rows[0]!.n,
      });
    } finally {
      sdk.close();
      await hub.close();
      grids.close();
    }
  }

  test('a switch-in is numbered by the hub, delivered to the grid exactly once, and answered with the grid’s stage', () =>
    withWorld(async (w) => {
      const p = await w.point();
      const answer = await w.switchIn(p.supplyPointId, 'si-0001');
      assert.equal(answer.result, 'OK', JSON.stringify(answer.messages));
      assert.match(data(answer).applicationNumber, /^AP03-20261125\d{6}$/);
      assert.equal(data(answer).stage, '03', 'waiting for matching');
      assert.equal(w.transport.reached.length, 1);
      assert.equal(w.transport.filings.length, 1);
      assert.equal(w.transport.filings[0]!.requestId, data(answer).applicationNumber, 'the delivery requestId is the application number');
      assert.equal(w.transport.filings[0]!.body.applicationNumber, data(answer).applicationNumber);
      assert.equal(w.transport.filings[0]!.participantCode, '10033');
      assert.equal(await w.gridApplications(p.supplyPointId), 1);
      const [row] = await selectFilings(w.db, data(answer).applicationNumber);
      assert.equal(row?.status, 'delivered');
      assert.equal(row?.attempts, 1);

      const status = await w.hub.sdk('aApi').call('IF_10620', { applicationNumber: data(answer).applicationNumber });
      assert.equal(status.result, 'OK', JSON.stringify(status.messages));
      assert.equal(data(status).stage, '03');
      const byRequest = await w.hub.sdk('aApi').call('IF_10620', { requestId: 'si-0001' });
      assert.equal(data(byRequest).applicationNumber, data(answer).applicationNumber, 'asked by requestId alone, no supply point');
      const soap = w.hub.sdk('aApi', 'soap');
      const bySoap = await soap.call('IF_10610', {
        requestId: 'si-0001',
        updateFlag: '1',
        supplyPointId: p.supplyPointId,
        customerNameKana: 'ヤマダ ハナコ',
        customerName: '山田 花子',
        currentRetailerCode: '20013',
      });
      soap.close();
      assert.equal(data(bySoap).applicationNumber, data(answer).applicationNumber, 'the same filing through SOAP: the first answer');
      assert.equal(w.transport.filings.filter((r) => r.interfaceId === 'IF_10610').length, 1, 'delivered once');
    }));

  test('the same request ID twice gives the first answer and the same number, and files nothing twice', () =>
    withWorld(async (w) => {
      const p = await w.point();
      const first = await w.switchIn(p.supplyPointId, 'si-again');
      const second = await w.switchIn(p.supplyPointId, 'si-again');
      assert.deepEqual(second, first);
      const [third, fourth] = await Promise.all([w.switchIn(p.supplyPointId, 'si-race'), w.switchIn(p.supplyPointId, 'si-race')]);
      assert.equal(data(third!).applicationNumber ?? 'NG', data(fourth!).applicationNumber ?? 'NG');
      const rows = await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.application_outbox WHERE request_id IN ('si-again', 'si-race')`);
      assert.equal(rows.rows[0]!.n, 2);
      assert.equal(w.transport.filings.filter((r) => r.requestId === data(first).applicationNumber).length, 1);
      const other = await w.hub
        .sdk('aApi')
        .call('IF_10710', { requestId: 'si-again', updateFlag: '1', supplyPointId: p.supplyPointId, newRetailerCode: '20013' });
      assert.deepEqual(codes(other), ['OUTBOX_REQUEST_ID_REUSED']);
    }));

  test('grid down: accepted as "not yet delivered", asked about at the hub, delivered once after the grid is back', () =>
    withWorld(async (w) => {
      const p = await w.point();
      w.transport.down = true;
      const answer = await w.switchIn(p.supplyPointId, 'si-down');
      assert.equal(answer.result, 'OK');
      assert.deepEqual(codes(answer), ['OUTBOX_NOT_DELIVERED']);
      const number = data(answer).applicationNumber as string;
      assert.match(number, /^AP03-20261125\d{6}$/);
      assert.equal(data(answer).stage, undefined, 'no stage before the grid has it');

      const sdk = w.hub.sdk('aApi');
      for (const asked of [{ applicationNumber: number }, { requestId: 'si-down' }]) {
        const status = await sdk.call('IF_10620', asked);
        assert.equal(status.result, 'OK');
        assert.deepEqual(codes(status), ['OUTBOX_NOT_DELIVERED']);
        assert.equal(data(status).applicationNumber, number);
        assert.equal(data(status).stage, undefined);
        assert.equal(data(status).supplyPointId, p.supplyPointId);
      }
      const wrongKind = await sdk.call('IF_10720', { applicationNumber: number });
      assert.deepEqual(codes(wrongKind), ['GRID_APPLICATION_OTHER_INTERFACE']);
      const retried = await w.switchIn(p.supplyPointId, 'si-down');
      assert.deepEqual(codes(retried), ['OUTBOX_NOT_DELIVERED'], 'a retried request is tried again, still down');
      assert.equal(data(retried).applicationNumber, number);

      // Not due yet: back-off.
      assert.deepEqual(await retryDueDeliveries({ db: w.db, clock: w.hub.clock, transport: w.transport }), { delivered: 0, pending: 0 });
      w.hub.clock.advance(minute);
      assert.deepEqual(await retryDueDeliveries({ db: w.db, clock: w.hub.clock, transport: w.transport }), { delivered: 0, pending: 1 });
      const [failing] = await selectFilings(w.db, number);
      assert.equal(failing?.status, 'pending');
      assert.equal(failing?.attempts, 3);
      assert.match(failing?.lastError ?? '', /unreachable/);

      w.transport.down = false;
      w.hub.clock.advance(10 * minute);
      assert.deepEqual(await retryDueDeliveries({ db: w.db, clock: w.hub.clock, transport: w.transport }), { delivered: 1, pending: 0 });
      assert.deepEqual(await retryDueDeliveries({ db: w.db, clock: w.hub.clock, transport: w.transport }), { delivered: 0, pending: 0 });
      assert.equal(w.transport.reached.length, 1, 'reached the grid once');
      assert.equal(await w.gridApplications(p.supplyPointId), 1);
      const status = await sdk.call('IF_10620', { applicationNumber: number });
      assert.equal(data(status).stage, '03');
      const again = await w.switchIn(p.supplyPointId, 'si-down');
      assert.equal(data(again).stage, '03', 'the retried request now gets the grid’s answer');
      sdk.close();
    }));

  test('a correction filed while its registration is undelivered follows it, in order', () =>
    withWorld(async (w) => {
      const p = await w.point();
      w.transport.down = true;
      const registered = await w.switchIn(p.supplyPointId, 'si-order');
      const number = data(registered).applicationNumber as string;
      const corrected = await w.switchIn(p.supplyPointId, 'si-order-2', { updateFlag: '2', applicationNumber: number, phoneNumber: '0312345678' });
      assert.deepEqual(codes(corrected), ['OUTBOX_NOT_DELIVERED']);
      assert.equal(data(corrected).applicationNumber, number);
      w.transport.down = false;
      w.hub.clock.advance(minute);
      await retryDueDeliveries({ db: w.db, clock: w.hub.clock, transport: w.transport });
      assert.deepEqual(
        w.transport.reached.map((r) => [r.requestId, r.body.updateFlag]),
        [
          [number, '1'],
          [`${number}-2`, '2'],
        ],
      );
      const filings = await selectFilings(w.db, number);
      assert.deepEqual(
        filings.map((f) => [f.status, f.gridAnswer?.result]),
        [
          ['delivered', 'OK'],
          ['delivered', 'OK'],
        ],
      );
      const foreign = await w.hub
        .sdk('aApi')
        .call('IF_10610', { requestId: 'si-x', updateFlag: '3', applicationNumber: 'AP03-20261125999999', supplyPointId: p.supplyPointId });
      assert.deepEqual(codes(foreign), ['OUTBOX_APPLICATION_NOT_FOUND']);
    }));

  test('hub restart mid-delivery: the grid acted but the hub lost the answer; the new process delivers again, filed once', async () => {
    await withWorld(async (w) => {
      const p = await w.point();
      w.transport.loseAnswers = 1;
      const answer = await w.switchIn(p.supplyPointId, 'si-crash');
      assert.deepEqual(codes(answer), ['OUTBOX_NOT_DELIVERED']);
      const number = data(answer).applicationNumber as string;
      assert.equal(await w.gridApplications(p.supplyPointId), 1, 'the grid has it; the hub does not know');

      // A second application whose deliverer died holding it: its claim must run out first.
      const q = await w.point();
      w.transport.down = true;
      const held = await w.switchIn(q.supplyPointId, 'si-held');
      w.transport.down = false;
      const heldNumber = data(held).applicationNumber as string;
      w.hub.clock.advance(minute);

      // The new process: a job queue and the outbox workers, the retry scan triggered as its cron would.
      const jobs = await Jobs.start(w.db, { pollingIntervalSeconds: 0.5 });
      try {
        await startOutboxJobs(jobs, { db: w.db, clock: w.hub.clock, transport: w.transport, jobs });
        assert.ok(await claimNextFiling(w.db, heldNumber, 1500), 'a deliverer of the old process had claimed it when it died');
        await jobs.send(retryQueue, {});
        await until(async () => (await selectFilings(w.db, number))[0]?.status === 'delivered');
        assert.equal((await selectFilings(w.db, heldNumber))[0]?.status, 'pending', 'held by the dead deliverer');
        // The dead deliverer's lease runs out (the database's real time, as in production).
        await until(
          async () =>
            (await w.db.query(`SELECT 1 FROM hub.application_outbox WHERE application_number = $1 AND claimed_until < clock_timestamp()`, [heldNumber])).rows
              .length === 1,
        );
        await jobs.send(retryQueue, {});
        await until(async () => (await selectFilings(w.db, heldNumber))[0]?.status === 'delivered');
      } finally {
        await jobs.stop();
      }
      // Alone, or within a batch message (the retry scan delivers in batches first).
      const deliveries = w.transport.filings;
      assert.equal(deliveries.filter((r) => r.requestId === number).length, 2, 'sent twice');
      assert.equal(await w.gridApplications(p.supplyPointId), 1, 'filed once');
      assert.equal(await w.gridApplications(q.supplyPointId), 1);
      const [row] = await selectFilings(w.db, number);
      assert.equal(row?.gridAnswer?.data?.applicationNumber, number, 'the grid’s first answer');
      const status = await w.hub.sdk('aApi').call('IF_10620', { applicationNumber: number });
      assert.equal(data(status).stage, '03');
    });
  });

  test('the feed of a retailer in two areas merges both grids’ feeds, page by page, missing nothing and repeating nothing', () =>
    withWorld(async (w) => {
      await givenCertificate(w.db, w.hub.clock, { participantCode: '20013', usage: 'api' });
      const { cert } = buildCertificate({ participantCode: '20013', usage: 'api' });
      const b = new KirikaeClient({ baseUrl: w.hub.base, certPem: cert.certPem, keyPem: cert.keyPem, caPem: w.hub.caPem });
      try {
        const file = async (area: '03' | '06', requestId: string) => {
          const p = await givenSupplyPoint(w.db, { area, kind: 'lvSmart', retailerCode: `1003${area.slice(1)}` });
          const answer = await b.call('IF_10610', {
            requestId,
            updateFlag: '1',
            supplyPointId: p.supplyPointId,
            customerNameKana: 'ヤマダ ハナコ',
            customerName: '山田 花子',
            currentRetailerCode: `1003${area.slice(1)}`,
          });
          assert.equal(answer.result, 'OK', JSON.stringify(answer.messages));
          return data(answer).applicationNumber as string;
        };
        const tokyo = await file('03', 'feed-1');
        const kansai = await file('06', 'feed-2');
        // A grid's feed shows a change once no older writer of its tables runs (feed-horizon.ts: no
        // change committed later can slip in before the cursor): poll as a retailer does. Each area's
        // feed is in its own order; across areas a page takes what each grid has let out so far, so
        // Tokyo's change may come after Kansai's when a job of Tokyo's grid was writing meanwhile.
        const seen: string[] = [];
        let since: string | undefined;
        const poll = async (want: number) => {
          const started = Date.now();
          while (seen.length < want) {
            assert.ok(Date.now() - started < 15_000, `feed stuck at ${JSON.stringify(seen)}`);
            const answer = await b.call('IF_11110', { pageSize: 1, ...(since ? { since } : {}) });
            assert.equal(answer.result, 'OK', JSON.stringify(answer.messages));
            const items = (data(answer).items ?? []).map((i: Data) => i.applicationNumber);
            assert.ok(items.length <= 1);
            seen.push(...items);
            since = data(answer).nextCursor;
            if (items.length === 0) await new Promise((r) => setTimeout(r, 100));
          }
        };
        await poll(2);
        assert.deepEqual([...seen].sort(), [tokyo, kansai].sort());
        const idle = await b.call('IF_11110', { since });
        assert.deepEqual(data(idle).items ?? [], []);
        assert.equal(data(idle).nextCursor, since, 'nothing new: the same cursor');
        const later = await file('06', 'feed-3');
        await poll(3);
        assert.deepEqual(seen.slice(2), [later], 'each once, the later change after both');
        const foreign = await w.hub.sdk('aApi').call('IF_11110', { since });
        assert.deepEqual(codes(foreign), ['OUTBOX_CURSOR_INVALID'], 'another retailer’s cursor');
      } finally {
        b.close();
      }
    }));

  test('refuses applications outside the caller’s areas and from non-retailers', () =>
    withWorld(async (w) => {
      const kansai = await givenSupplyPoint(w.db, { area: '06', kind: 'lvSmart', retailerCode: '20016' });
      const answer = await w.switchIn(kansai.supplyPointId, 'si-kansai');
      assert.deepEqual(codes(answer), ['IF_AREA_NOT_REGISTERED']);
      const rows = await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.application_outbox`);
      assert.equal(rows.rows[0]!.n, 0);
      const invalid = await w.switchIn('0312', 'si-bad');
      assert.deepEqual(codes(invalid), ['SPID_LENGTH']);
    }));
});

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
