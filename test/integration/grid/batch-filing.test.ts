import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InterfaceRequest, InterfaceResponse } from '../../../src/interfaces/message.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, testGridClock } from '../../../src/grid/testing.ts';
import { counting } from '../../support/counting-db.ts';

const OLD = '10033';
const NEW = '20013';
const OTHER = '30013';
type Data = Record<string, any>;

const batch = (filings: readonly InterfaceRequest[], requestId = `batch-${Math.random()}`): InterfaceRequest => ({
  interfaceId: 'GRID_APPLICATION_BATCH',
  participantCode: 'H0000',
  requestId,
  body: { filings },
});
const answersOf = (r: InterfaceResponse) => {
  assert.equal(r.result, 'OK', JSON.stringify(r.messages));
  return (r.data as Data).answers as (InterfaceResponse | null)[];
};

forEachBackend('a batch of registrations filed set-based at the grid (GRID_APPLICATION_BATCH)', (backend) => {
  let db: TestDb;
  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
  });
  after(() => db.close());

  /**
   * One of every case, under its own serials and request IDs (`run`): accepted, matched at once
   * with a waiting switch-out, refused by a rule (current retailer, date past the lead time, a
   * conflict), a switch-out and an info change, and a point named twice (register and cancel).
   */
  async function scenario(grid: Grid, run: number) {
    const labels = new Map<string, string>();
    const point = async (label: string, retailerCode: string) => {
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode });
      labels.set(p.supplyPointId, `point:${label}`);
      return p.supplyPointId;
    };
    let serial = 0;
    const number = (label: string) => {
      const n = `AP03-20261125${run}${String(++serial).padStart(5, '0')}`;
      labels.set(n, `number:${label}`);
      return n;
    };
    const request = (label: string, interfaceId: string, participantCode: string, body: Data): InterfaceRequest => {
      const requestId = `r${run}-${label}`;
      labels.set(requestId, `request:${label}`);
      return { interfaceId, participantCode, requestId, body: { requestId: `retailer-${requestId}`, ...body } };
    };
    const switchIn = (label: string, supplyPointId: string, body: Data = {}, participant = NEW, applicationNumber = number(label)) =>
      request(label, 'IF_10610', participant, {
        updateFlag: '1',
        applicationNumber,
        supplyPointId,
        customerNameKana: 'ヤマダ ハナコ',
        customerName: '山田 花子',
        currentRetailerCode: OLD,
        ...body,
      });

    const accepted = await point('accepted', OLD);
    const matched = await point('matched', OLD);
    const current = await point('current', NEW);
    const early = await point('early', OLD);
    const conflict = await point('conflict', OLD);
    const twice = await point('twice', OLD);
    const out = await point('out', OLD);
    const info = await point('info', OLD);
    // Waiting before the batch: a switch-out (its counterpart comes in the batch) and another retailer's switch-in.
    const before = [
      request('waitingOut', 'IF_10710', OLD, { updateFlag: '1', applicationNumber: number('waitingOut'), supplyPointId: matched, newRetailerCode: NEW }),
      switchIn('waitingIn', conflict, {}, OTHER),
    ];
    for (const r of before) assert.equal((await grid.handle(r)).result, 'OK');
    const twiceNumber = number('twice');
    const filings = [
      switchIn('accepted', accepted),
      switchIn('matched', matched),
      switchIn('current', current, { currentRetailerCode: NEW }),
      switchIn('early', early, { requestedDate: '2026-11-26' }),
      switchIn('conflict', conflict),
      switchIn('twice', twice, {}, NEW, twiceNumber),
      request('twiceCancel', 'IF_10610', NEW, {
        updateFlag: '3',
        applicationNumber: twiceNumber,
        supplyPointId: twice,
        customerNameKana: 'ヤマダ ハナコ',
        currentRetailerCode: OLD,
      }),
      request('out', 'IF_10710', OLD, { updateFlag: '1', applicationNumber: number('out'), supplyPointId: out }),
      request('info', 'IF_10810', OLD, {
        updateFlag: '1',
        applicationNumber: number('info'),
        supplyPointId: info,
        changeDate: '2026-12-01',
        phoneNumber: '0312345678',
      }),
    ];
    return { labels, filings };
  }

  /** Everything the grid wrote for these labels, with IDs, serials and request IDs replaced by the labels. */
  async function written(labels: Map<string, string>) {
    const keys = [...labels.keys()];
    const numbers = keys.filter((k) => k.startsWith('AP03-'));
    const normal = (value: unknown) => {
      let text = JSON.stringify(value);
      for (const [key, label] of labels) text = text.replaceAll(key, label);
      return JSON.parse(text);
    };
    const q = async (sql: string, values: unknown[]) => normal((await db.query(sql, values)).rows);
    return {
      applications: await q(
        `SELECT application_number, participant_code, request_id, retailer_request_id, interface_id, kind, application_kind, supply_point_id,
                stage, stage_at, requested_date, effective_date, meter_work, body, refusal_code, refusal_text, matched_with, accepted_at, updated_at
           FROM grid_03.application WHERE application_number = ANY($1) ORDER BY supply_point_id, accepted_at, application_number`,
        [numbers],
      ),
      transitions: await q(
        `SELECT application_number, from_stage, to_stage, event, cause, at FROM grid_03.application_transition
          WHERE application_number = ANY($1) ORDER BY application_number, transition_id`,
        [numbers],
      ),
      events: await q(
        `SELECT application_number, participant_code, event, stage, at FROM grid_03.application_event
          WHERE application_number = ANY($1) ORDER BY application_number, event_id`,
        [numbers],
      ),
      answers: await q(
        `SELECT participant_code, request_id, application_number, response, at FROM grid_03.application_request
          WHERE request_id = ANY($1) ORDER BY request_id`,
        [keys],
      ),
    };
  }

  test('the same rows, history, events and answers as the filings decided one by one, in far fewer statements', async () => {
    const clock = testGridClock();
    const counted = counting(db);
    const grid = new Grid({ area: '03', db: counted.db, clock });

    const one = await scenario(grid, 1);
    const alone: InterfaceResponse[] = [];
    const before1 = counted.statements();
    // One by one, in the batch's order of decision (by point).
    const byPoint = [...one.filings].sort((a, b) => (String(a.body.supplyPointId) < String(b.body.supplyPointId) ? -1 : 1));
    for (const f of byPoint) alone.push(await grid.handle(f));
    const aloneStatements = counted.statements() - before1;

    const two = await scenario(grid, 2);
    const before2 = counted.statements();
    const answers = answersOf(await grid.handle(batch(two.filings)));
    const batchStatements = counted.statements() - before2;

    const expected = await written(one.labels);
    const actual = await written(two.labels);
    assert.deepEqual(actual.applications, expected.applications);
    assert.deepEqual(actual.transitions, expected.transitions);
    assert.deepEqual(actual.events, expected.events);
    assert.deepEqual(actual.answers, expected.answers);

    const normal = (labels: Map<string, string>, r: unknown) => {
      let text = JSON.stringify(r);
      for (const [key, label] of labels) text = text.replaceAll(key, label);
      return JSON.parse(text);
    };
    const byRequest = new Map(byPoint.map((f, i) => [f.requestId.replace(/^r1-/, ''), normal(one.labels, alone[i])]));
    for (const [i, f] of two.filings.entries()) {
      assert.deepEqual(normal(two.labels, answers[i]), byRequest.get(f.requestId.replace(/^r2-/, '')), f.requestId);
    }

    // What each case came to (so the comparison above is not of two equal mistakes).
    const stage = (r: InterfaceResponse | null | undefined) => [r?.result, (r?.data as Data | undefined)?.stage, r?.messages.map((m) => m.code)];
    assert.deepEqual(answers.map(stage), [
      ['OK', '03', []],
      ['OK', '05', []],
      ['NG', '09', ['APP_ALREADY_CURRENT_RETAILER']],
      ['NG', '09', ['APP_DATE_TOO_EARLY']],
      ['NG', '09', ['APP_CONFLICT']],
      ['OK', '03', []],
      ['OK', '09', []],
      ['OK', '03', []],
      ['OK', '10', []],
    ]);
    assert.ok(batchStatements * 3 < aloneStatements, `batch ${batchStatements} statements, one by one ${aloneStatements}`);
  });

  test('the statements of a batch do not grow with its registrations', async () => {
    const clock = testGridClock();
    const counted = counting(db);
    const grid = new Grid({ area: '03', db: counted.db, clock });
    let serial = 0;
    const registrations = async (n: number) => {
      const filings: InterfaceRequest[] = [];
      for (let i = 0; i < n; i++) {
        const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: OLD });
        const number = `AP03-20261125${String(500_000 + ++serial)}`;
        filings.push({
          interfaceId: 'IF_10610',
          participantCode: NEW,
          requestId: `size-${serial}`,
          body: { updateFlag: '1', applicationNumber: number, supplyPointId: p.supplyPointId, customerNameKana: 'ヤマダ', currentRetailerCode: OLD },
        });
      }
      const start = counted.statements();
      const answers = answersOf(await grid.handle(batch(filings)));
      assert.deepEqual(new Set(answers.map((a) => (a?.data as Data | undefined)?.stage)), new Set(['03']));
      return counted.statements() - start;
    };
    const small = await registrations(3);
    const large = await registrations(60);
    assert.equal(large, small, `3 registrations: ${small} statements; 60: ${large}`);
    // BEGIN, the points locked, their open applications and the stored answers read, the batch written, COMMIT.
    assert.equal(small, 5);
  });

  test('the same batch delivered twice at once (a redelivery racing the first): decided once, both answered the same', async () => {
    const clock = testGridClock();
    const grid = new Grid({ area: '03', db, clock });
    const filings: InterfaceRequest[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: OLD });
      filings.push({
        interfaceId: 'IF_10610',
        participantCode: NEW,
        requestId: `twice-${i}`,
        body: {
          updateFlag: '1',
          applicationNumber: `AP03-20261125${600_000 + i}`,
          supplyPointId: p.supplyPointId,
          customerNameKana: 'ヤマダ',
          currentRetailerCode: OLD,
        },
      });
    }
    const [a, b] = await Promise.all([grid.handle(batch(filings)), grid.handle(batch(filings))]);
    assert.deepEqual(answersOf(a), answersOf(b));
    assert.deepEqual(
      answersOf(a).map((x) => (x?.data as Data | undefined)?.stage),
      ['03', '03', '03', '03', '03'],
    );
    const { rows } = await db.query<{ applications: number; transitions: number; answers: number }>(
      `SELECT count(*)::int AS applications,
              (SELECT count(*)::int FROM grid_03.application_transition WHERE cause LIKE 'twice-%') AS transitions,
              (SELECT count(*)::int FROM grid_03.application_request WHERE request_id LIKE 'twice-%') AS answers
         FROM grid_03.application WHERE request_id LIKE 'twice-%'`,
    );
    assert.deepEqual(rows, [{ applications: 5, transitions: 10, answers: 5 }]);
  });

  test('two batches at once naming the same points in opposite orders: no deadlock, each pair matched exactly once', async () => {
    const clock = testGridClock();
    const grid = new Grid({ area: '03', db, clock });
    const points: string[] = [];
    for (let i = 0; i < 12; i++) points.push((await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: OLD })).supplyPointId);
    const ins = points.map((p, i) => ({
      interfaceId: 'IF_10610',
      participantCode: NEW,
      requestId: `both-in-${i}`,
      body: { updateFlag: '1', applicationNumber: `AP03-20261125${700_000 + i}`, supplyPointId: p, customerNameKana: 'ヤマダ', currentRetailerCode: OLD },
    }));
    const outs = points
      .map((p, i) => ({
        interfaceId: 'IF_10710',
        participantCode: OLD,
        requestId: `both-out-${i}`,
        body: { updateFlag: '1', applicationNumber: `AP03-20261125${800_000 + i}`, supplyPointId: p },
      }))
      .reverse();
    const [a, b] = await Promise.all([grid.handle(batch(ins)), grid.handle(batch(outs))]);
    const stages = [...answersOf(a), ...answersOf(b)].map((x) => (x?.data as Data | undefined)?.stage);
    // The later batch of each point finds the counterpart waiting and matches it: 05 for those, 03 for the earlier.
    assert.equal(stages.filter((s) => s === '05').length, 12, stages.join());
    assert.equal(stages.filter((s) => s === '03').length, 12, stages.join());
    const { rows } = await db.query<{ stage: string; n: number }>(
      `SELECT a.stage, count(*)::int AS n FROM grid_03.application a WHERE a.supply_point_id = ANY($1) GROUP BY a.stage`,
      [points],
    );
    assert.deepEqual(rows, [{ stage: '05', n: 24 }]);
    const { rows: matched } = await db.query<{ n: number; events: number }>(
      `SELECT count(*)::int AS n, (SELECT count(*)::int FROM grid_03.application_event e JOIN grid_03.application a USING (application_number)
                                    WHERE a.supply_point_id = ANY($1) AND e.event = 'matchingComplete') AS events
         FROM grid_03.application_transition t JOIN grid_03.application a USING (application_number)
        WHERE a.supply_point_id = ANY($1) AND t.to_stage = '05'`,
      [points],
    );
    assert.deepEqual(matched, [{ n: 24, events: 24 }]);
  });
});
