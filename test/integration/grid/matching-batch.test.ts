/**
 * The matching batch (matching.ts: one statement claims the pairs, fixes their dates, moves both
 * switches and records history and events): what its set-based design could break. Runs at once
 * never match an application twice and never deadlock; switch-ins refused within a batch leave the
 * others matched; a batch that fails part-way leaves nothing written; the history and events it
 * writes (no foreign key checks them since migration 0019) name exactly the applications it moved;
 * execution still finds the matched switch-ins by the (narrowed) due index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { startSecondProcess } from '../../support/second-process.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest, testGridClock } from '../../../src/grid/testing.ts';
import { executeDue, runMatching } from '../../../src/grid/applications/jobs.ts';
import { matchAll } from '../../../src/jobs/due-work.ts';
import type { Db, Queryable } from '../../../src/platform/db/db.ts';

const OLD = '10033';
const NEW = '20013';

type Data = Record<string, any>;
const data = (r: InterfaceResponse): Data => (r.data ?? {}) as Data;

interface Pair {
  readonly supplyPointId: string;
  readonly switchIn: string;
  readonly switchOut: string;
}

/**
 * `count` points, each with a switch-in and a switch-out both waiting (03) for the batch: the
 * switch-out names another new retailer when filed, so the two do not match at once; then it names
 * none (as if corrected), so only the batch can pair them. `switchIn(i)` adds to the i-th switch-in.
 */
async function waitingPairs(db: TestDb, grid: Grid, count: number, switchIn: (i: number) => Data = () => ({})): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const { supplyPointId } = await givenSupplyPoint(db);
    const a = await grid.handle(
      gridRequest('IF_10610', { updateFlag: '1', supplyPointId, customerNameKana: 'ヤマダ', currentRetailerCode: OLD, ...switchIn(i) }, NEW),
    );
    assert.equal(data(a).stage, '03', JSON.stringify(a));
    const b = await grid.handle(gridRequest('IF_10710', { updateFlag: '1', supplyPointId, newRetailerCode: '30013' }, OLD));
    assert.equal(data(b).stage, '03', JSON.stringify(b));
    pairs.push({ supplyPointId, switchIn: data(a).applicationNumber, switchOut: data(b).applicationNumber });
  }
  await db.query(`UPDATE grid_03.application SET body = body - 'newRetailerCode' WHERE kind = 'switchOut' AND stage = '03'`);
  // Filed at one instant (the clock stands still): the switch-ins accepted a second apart, the first
  // the oldest, so that batches take them in the order filed (by acceptance) and not as stored.
  await db.query(
    `UPDATE grid_03.application a SET accepted_at = a.accepted_at - make_interval(secs => ($2::int - x.n)::int)
       FROM unnest($1::text[]) WITH ORDINALITY AS x(number, n) WHERE a.application_number = x.number`,
    [pairs.map((p) => p.switchIn), count],
  );
  return pairs;
}

interface State {
  readonly stage: string;
  readonly matchedWith: string | null;
  readonly effectiveDate: string | null;
  readonly refusalCode: string | null;
  /** Its transitions' events, in order. */
  readonly moves: string[];
  /** Its notification events, in order. */
  readonly events: string[];
}

async function stateOf(db: TestDb, applicationNumber: string): Promise<State> {
  const { rows } = await db.query<State>(
    `SELECT a.stage, a.matched_with AS "matchedWith", a.effective_date AS "effectiveDate", a.refusal_code AS "refusalCode",
            ARRAY(SELECT t.event FROM grid_03.application_transition t WHERE t.application_number = a.application_number ORDER BY t.transition_id) AS moves,
            ARRAY(SELECT e.event FROM grid_03.application_event e WHERE e.application_number = a.application_number ORDER BY e.event_id) AS events
       FROM grid_03.application a WHERE a.application_number = $1`,
    [applicationNumber],
  );
  return rows[0]!;
}

/** Runs the batch until a run comes back empty; the pairs this caller matched. */
async function drain(grid: Grid, limit: number): Promise<number> {
  let matched = 0;
  for (;;) {
    const result = await runMatching(grid, { limit });
    matched += result.matched;
    if (result.matched === 0) return matched;
  }
}

/** `db` whose statements containing `marker` are kept (text and values) as they are sent. */
function recording(db: Db, marker: string): { db: Db; seen: { text: string; values: readonly unknown[] }[] } {
  const seen: { text: string; values: readonly unknown[] }[] = [];
  const wrap = <Q extends Queryable>(q: Q): Q =>
    new Proxy(q, {
      get(target, key) {
        if (key === 'query')
          return (text: string, values: readonly unknown[] = [], options?: Parameters<Queryable['query']>[2]) => {
            if (text.includes(marker)) seen.push({ text, values });
            return target.query(text, values, options);
          };
        if (key === 'transaction') return <T>(fn: (tx: Queryable) => Promise<T>) => (target as unknown as Db).transaction((tx) => fn(wrap(tx)));
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return { db: wrap(db), seen };
}

forEachBackend('matching batch: concurrent runs, refusals within a batch, failure part-way', (backend) => {
  test('runs at once (two in this process and, on PostgreSQL, one in another) match every pair once, none twice, without deadlock', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const clock = testGridClock();
    const grid = new Grid({ area: '03', db, clock });
    const pairs = await waitingPairs(db, grid, 30);

    const args = { url: db.url, area: '03', limit: 4, now: clock.now().toISOString() };
    const second = db.url ? await startSecondProcess<{ matched: number }>('drainMatching', args) : undefined;
    const [a, b, c] = await Promise.all([drain(grid, 3), drain(grid, 5), second ? second.result().then((r) => r.matched) : drain(grid, 4)]);
    assert.equal(a + b + c, pairs.length, `${a} + ${b} + ${c} pairs`);

    for (const p of pairs) {
      const i = await stateOf(db, p.switchIn);
      const o = await stateOf(db, p.switchOut);
      assert.deepEqual([i.stage, i.matchedWith, i.moves, i.events], ['05', p.switchOut, ['received', 'accepted', 'matched'], ['matchingComplete']]);
      assert.deepEqual([o.stage, o.matchedWith, o.moves, o.events], ['05', p.switchIn, ['received', 'accepted', 'matched'], ['matchingComplete']]);
      assert.equal(i.effectiveDate, o.effectiveDate, 'one switching date for the pair');
      assert.ok(i.effectiveDate);
    }
  });

  test('switch-ins whose named date has passed are refused in the batch and counted as expired; the others in it match', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const clock = testGridClock(); // Wed 25 Nov: an LV switch matched today may take effect on 28 Nov at the earliest
    const grid = new Grid({ area: '03', db, clock });
    // Every other switch-in names 28 Nov, which matching on 26 Nov no longer allows (29 Nov at the earliest).
    const pairs = await waitingPairs(db, grid, 8, (i) => ({ requestedDate: i % 2 === 0 ? '2026-11-28' : '2026-12-15' }));
    clock.set('2026-11-26T10:00:00+09:00');
    // The refused switch-ins count as expired (refused unmatched, event matchExpired); the call did not use its limit.
    assert.deepEqual(await runMatching(grid, { limit: 100 }), { matched: 4, expired: 4, full: false });

    for (const [n, p] of pairs.entries()) {
      const i = await stateOf(db, p.switchIn);
      const o = await stateOf(db, p.switchOut);
      if (n % 2 === 0) {
        assert.deepEqual([i.stage, i.refusalCode, i.matchedWith, i.effectiveDate], ['09', 'APP_SWITCH_DATE_PASSED', null, null]);
        assert.deepEqual([i.moves, i.events], [['received', 'accepted', 'matchExpired'], ['refused']]);
        assert.deepEqual([o.stage, o.matchedWith, o.moves, o.events], ['03', null, ['received', 'accepted'], []], 'its switch-out keeps waiting');
      } else {
        assert.deepEqual(
          [i.stage, i.matchedWith, i.effectiveDate, i.moves, i.events],
          ['05', p.switchOut, '2026-12-15', ['received', 'accepted', 'matched'], ['matchingComplete']],
        );
        assert.deepEqual(
          [o.stage, o.matchedWith, o.effectiveDate, o.moves, o.events],
          ['05', p.switchIn, '2026-12-15', ['received', 'accepted', 'matched'], ['matchingComplete']],
        );
      }
    }
    // The waiting switch-outs match a new switch-in naming a date still allowed.
    const again = await grid.handle(
      gridRequest(
        'IF_10610',
        { updateFlag: '1', supplyPointId: pairs[0]!.supplyPointId, customerNameKana: 'ヤマダ', currentRetailerCode: OLD, requestedDate: '2026-12-10' },
        NEW,
      ),
    );
    assert.equal(data(again).stage, '05', JSON.stringify(again));
    assert.equal((await stateOf(db, pairs[0]!.switchOut)).matchedWith, data(again).applicationNumber);
  });

  test('a job run goes on past batches that refused switch-ins for a passed date: one run matches every matchable pair and counts the refused as expired', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const clock = testGridClock(); // Wed 25 Nov
    const grid = new Grid({ area: '03', db, clock });
    // The two oldest switch-ins name 28 Nov, which matching on 26 Nov no longer allows: the first
    // call's batches (one of 4, or on PostgreSQL one of 2 a lane) take both, and refuse them.
    const refused = new Set([0, 1]);
    const pairs = await waitingPairs(db, grid, 10, (i) => ({ requestedDate: refused.has(i) ? '2026-11-28' : '2026-12-15' }));
    clock.set('2026-11-26T10:00:00+09:00');

    // The job's loop (jobs/due-work.ts), calls of 4.
    const totals = await matchAll({ grids: [], runMatching, executeDue, limit: 4 }, grid);
    assert.deepEqual(totals, { matched: 8, expired: 2, executed: 0 }, 'every matchable pair in one job run, the refused counted');
    for (const [n, p] of pairs.entries()) {
      const i = await stateOf(db, p.switchIn);
      const o = await stateOf(db, p.switchOut);
      if (refused.has(n)) {
        assert.deepEqual([i.stage, i.refusalCode, o.stage], ['09', 'APP_SWITCH_DATE_PASSED', '03'], `pair ${n}`);
      } else {
        assert.deepEqual([i.stage, i.matchedWith, o.stage, o.matchedWith], ['05', p.switchOut, '05', p.switchIn], `pair ${n}`);
      }
    }
  });

  test('a job run goes on past batches that took switch-ins whose counterparts another transaction holds (PostgreSQL): the others behind them all match in one run', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const clock = testGridClock();
    const grid = new Grid({ area: '03', db, clock });
    const pairs = await waitingPairs(db, grid, 10);
    // PGlite has one connection: no other transaction can hold a row while the job runs.
    if (backend.name !== 'postgres') return;

    // The oldest pair's switch-out held by another transaction: the first batch of its lane takes its
    // switch-in and skips it (and so does every later batch of that lane).
    const held = pairs[0]!;
    const totals = await db.transaction(async (tx) => {
      await tx.query(`SELECT 1 FROM grid_03.application WHERE application_number = $1 FOR UPDATE`, [held.switchOut]);
      return matchAll({ grids: [], runMatching, executeDue, limit: 4 }, grid);
    });
    assert.deepEqual(totals, { matched: 9, expired: 0, executed: 0 }, 'every pair but the held one in one job run');
    for (const p of pairs.slice(1)) assert.equal((await stateOf(db, p.switchIn)).stage, '05');
    assert.deepEqual([(await stateOf(db, held.switchIn)).stage, (await stateOf(db, held.switchOut)).stage], ['03', '03'], 'the held pair waits');
    assert.deepEqual(
      await matchAll({ grids: [], runMatching, executeDue, limit: 4 }, grid),
      { matched: 1, expired: 0, executed: 0 },
      'and matches once released',
    );
  });

  test('a batch that fails part-way (its last write refused by the database, or its commit) leaves nothing written; the next run matches all', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const clock = testGridClock();
    // One lane: every pair in the one batch (lanes, each atomic on its own: the lanes test below).
    const grid = new Grid({ area: '03', db, clock, options: { matchingLanes: 1 } });
    const pairs = await waitingPairs(db, grid, 6);
    const before = await db.query(`SELECT application_number, stage, update_seq FROM grid_03.application ORDER BY application_number`);
    const counts = async () =>
      (
        await db.query<{ transitions: number; events: number }>(
          `SELECT (SELECT count(*)::int FROM grid_03.application_transition) AS transitions, (SELECT count(*)::int FROM grid_03.application_event) AS events`,
        )
      ).rows[0]!;
    const written = await counts();

    // The events are the batch's last write: refuse the one of the fourth pair's switch-out.
    await db.exec(`CREATE FUNCTION grid_03.fail_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.application_number = '${pairs[3]!.switchOut}' THEN RAISE EXCEPTION 'disk full (test)'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_event BEFORE INSERT ON grid_03.application_event FOR EACH ROW EXECUTE FUNCTION grid_03.fail_event();`);
    await assert.rejects(runMatching(grid, { limit: 100 }), /disk full \(test\)/);
    assert.deepEqual((await db.query(`SELECT application_number, stage, update_seq FROM grid_03.application ORDER BY application_number`)).rows, before.rows);
    assert.deepEqual(await counts(), written, 'no transition, no event');

    await db.exec(`DROP TRIGGER fail_event ON grid_03.application_event;`);

    // The statement succeeds and the transaction fails at its commit (a check deferred to then).
    await db.exec(`CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON grid_03.application_event DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION grid_03.fail_event();`);
    await assert.rejects(runMatching(grid, { limit: 100 }), /disk full \(test\)/);
    assert.deepEqual((await db.query(`SELECT application_number, stage, update_seq FROM grid_03.application ORDER BY application_number`)).rows, before.rows);
    assert.deepEqual(await counts(), written, 'no transition, no event');

    await db.exec(`DROP TRIGGER fail_at_commit ON grid_03.application_event; DROP FUNCTION grid_03.fail_event();`);
    assert.deepEqual(await runMatching(grid, { limit: 100 }), { matched: 6, expired: 0, full: false });
    for (const p of pairs) assert.deepEqual((await stateOf(db, p.switchIn)).moves, ['received', 'accepted', 'matched']);
  });

  test('the transitions and events a batch writes name exactly the applications it moved, one of each per application', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const clock = testGridClock();
    // One lane: the first batch of three is the three oldest switch-ins, whatever their points' lanes.
    const grid = new Grid({ area: '03', db, clock, options: { matchingLanes: 1 } });
    const pairs = await waitingPairs(db, grid, 7, (i) => ({ requestedDate: i === 0 ? '2026-11-28' : '2026-12-15' }));
    clock.set('2026-11-26T10:00:00+09:00'); // the first switch-in's named date is refused, its switch-out waits
    const { rows: before } = await db.query<{ transitions: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM grid_03.application_transition) AS transitions, (SELECT count(*)::int FROM grid_03.application_event) AS events`,
    );
    // Batches of three: the first refuses the oldest switch-in and matches two pairs, its whole limit.
    assert.deepEqual(await runMatching(grid, { limit: 3 }), { matched: 2, expired: 1, full: true });
    assert.deepEqual(await drain(grid, 3), 4);

    const { rows: orphans } = await db.query(
      `SELECT application_number FROM grid_03.application_transition t WHERE NOT EXISTS (SELECT FROM grid_03.application a WHERE a.application_number = t.application_number)
       UNION ALL
       SELECT application_number FROM grid_03.application_event e WHERE NOT EXISTS (SELECT FROM grid_03.application a WHERE a.application_number = e.application_number)`,
    );
    assert.deepEqual(orphans, [], 'every transition and event names an application');
    const { rows: written } = await db.query<{ number: string; moves: string[]; events: string[] }>(
      `SELECT a.application_number AS number,
              ARRAY(SELECT t.event FROM grid_03.application_transition t WHERE t.application_number = a.application_number AND t.transition_id > $1 ORDER BY t.transition_id) AS moves,
              ARRAY(SELECT e.event FROM grid_03.application_event e WHERE e.application_number = a.application_number AND e.event_id > $2 ORDER BY e.event_id) AS events
         FROM grid_03.application a ORDER BY a.application_number`,
      [0, 0],
    );
    const expected = new Map<string, { moves: string[]; events: string[] }>();
    for (const [n, p] of pairs.entries()) {
      expected.set(
        p.switchIn,
        n === 0
          ? { moves: ['received', 'accepted', 'matchExpired'], events: ['refused'] }
          : { moves: ['received', 'accepted', 'matched'], events: ['matchingComplete'] },
      );
      expected.set(
        p.switchOut,
        n === 0 ? { moves: ['received', 'accepted'], events: [] } : { moves: ['received', 'accepted', 'matched'], events: ['matchingComplete'] },
      );
    }
    assert.deepEqual(new Map(written.map((w) => [w.number, { moves: w.moves, events: w.events }])), expected);
    const { rows: after } = await db.query<{ transitions: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM grid_03.application_transition) AS transitions, (SELECT count(*)::int FROM grid_03.application_event) AS events`,
    );
    assert.deepEqual(after, [{ transitions: before[0]!.transitions + 13, events: before[0]!.events + 13 }], '12 matched and 1 refused, one of each');
  });

  test('execution reads the matched switch-ins due through the due index and completes each pair', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const clock = testGridClock();
    const grid = new Grid({ area: '03', db, clock });
    const pairs = await waitingPairs(db, grid, 3, () => ({ requestedDate: '2026-12-15' }));
    assert.equal(await drain(grid, 100), 3);

    clock.set('2026-12-15T09:00:00+09:00');
    const recorded = recording(db, 'effective_date <=');
    assert.deepEqual(await executeDue({ db: recorded.db, clock, area: '03' }, { limit: 100 }), { executed: 6 });
    for (const p of pairs) {
      assert.notEqual((await stateOf(db, p.switchIn)).stage, '05');
      assert.notEqual((await stateOf(db, p.switchOut)).stage, '05');
    }
    const claim = recorded.seen[0];
    assert.ok(claim, 'execution claims by effective date');
    const plan = await db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${claim.text}`, claim.values);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /application_due_idx/, plan);
  });

  test('expiry, reading only the two ranges that can be due, refuses every switch past its deadline and no other', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const clock = testGridClock(); // Wed 25 Nov
    const grid = new Grid({ area: '03', db, clock });
    // A named date soon (due by 10 Dec), none (due after 8 business days), a named date far off (not due).
    const named = ['2026-11-28', undefined, '2027-03-01'];
    const pairs = await waitingPairs(db, grid, 3, (i) => (named[i] ? { requestedDate: named[i] } : {}));
    await db.query(`UPDATE grid_03.application SET body = body || '{"newRetailerCode": "30013"}' WHERE kind = 'switchOut'`); // no pair matches
    clock.set('2026-12-10T10:00:00+09:00');
    assert.deepEqual(await runMatching(grid, { limit: 100 }), { matched: 0, expired: 5, full: false });
    assert.deepEqual(await Promise.all(pairs.flatMap((p) => [p.switchIn, p.switchOut]).map(async (n) => (await stateOf(db, n)).refusalCode)), [
      'APP_MATCH_DEADLINE_PASSED',
      'APP_MATCH_EXPIRED',
      'APP_MATCH_EXPIRED',
      'APP_MATCH_EXPIRED',
      null,
      'APP_MATCH_EXPIRED',
    ]);
    assert.equal((await stateOf(db, pairs[2]!.switchIn)).stage, '03', 'the far date waits on');
  });

  test('a batch compresses its WAL full-page images (lz4) in its own transaction only, where the role may; a role that may not matches as before', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const clock = testGridClock();
    const pairs = await waitingPairs(db, new Grid({ area: '03', db, clock }), 4);
    const settingOf = async (q: Queryable) => (await q.query<{ v: string }>(`SELECT current_setting('wal_compression') AS v`)).rows[0]!.v;
    const outside = await settingOf(db);
    /** The batch's grid, `role` (if any) taken in each of its transactions; the setting seen by its matching statement. */
    const batchWith = (role?: string) => {
      const seen: string[] = [];
      const wrap = <Q extends Queryable>(q: Q): Q =>
        new Proxy(q, {
          get(target, key) {
            if (key === 'query')
              return async (text: string, values: readonly unknown[] = [], options?: Parameters<Queryable['query']>[2]) => {
                if (text.startsWith('WITH candidate')) seen.push(await settingOf(target));
                return target.query(text, values, options);
              };
            if (key === 'transaction')
              return <T>(fn: (tx: Queryable) => Promise<T>) =>
                (target as unknown as Db).transaction(async (tx) => {
                  if (role) await tx.query(`SET LOCAL ROLE ${role}`);
                  return fn(wrap(tx));
                });
            const value = Reflect.get(target, key, target);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      // One lane: one batch statement a call to look at.
      return { grid: new Grid({ area: '03', db: wrap(db as Db), clock, options: { matchingLanes: 1 } }), seen };
    };

    const { grid, seen } = batchWith();
    assert.deepEqual(await runMatching(grid, { limit: 2 }), { matched: 2, expired: 0, full: true });
    const { rows: allowed } = await db.query<{ lz4: boolean }>(
      `SELECT 'lz4' = ANY(enumvals) AND has_parameter_privilege('wal_compression', 'SET') AS lz4 FROM pg_settings WHERE name = 'wal_compression'`,
    );
    if (backend.name === 'postgres') assert.equal(allowed[0]!.lz4, true, 'the test server has lz4 and the test role is a superuser');
    assert.deepEqual(seen, [allowed[0]!.lz4 ? 'lz4' : outside], 'compressed within the batch');
    assert.equal(await settingOf(db), outside, 'the connection keeps its own setting after the batch');
    if (backend.name !== 'postgres') return;

    // A role that may not set the parameter: the batch matches, uncompressed, without an error.
    const role = `kirikae_m5_${process.pid}_${Date.now().toString(36)}`;
    await db.exec(`CREATE ROLE ${role}; GRANT USAGE ON SCHEMA grid_03 TO ${role};
      GRANT ALL ON ALL TABLES IN SCHEMA grid_03 TO ${role}; GRANT ALL ON ALL SEQUENCES IN SCHEMA grid_03 TO ${role}`);
    try {
      const plain = batchWith(role);
      assert.deepEqual(await runMatching(plain.grid, { limit: 10 }), { matched: 2, expired: 0, full: false });
      assert.deepEqual(plain.seen, ['off']);
      for (const p of pairs) assert.equal((await stateOf(db, p.switchIn)).stage, '05');
    } finally {
      await db.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });

  test('lanes (PostgreSQL): each lane takes only its share of the points, the lanes run at once on their own backends, every pair matched once with one transition and one event each, none left behind; a failing lane leaves its own batch unwritten', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const clock = testGridClock();
    const pairs = await waitingPairs(db, new Grid({ area: '03', db, clock }), 24);
    const laneOf = async (point: string) => (await db.query<{ lane: number }>(`SELECT (hashtext($1) & 2147483647) % 2 AS lane`, [point])).rows[0]!.lane;
    const lanes = await Promise.all(pairs.map((p) => laneOf(p.supplyPointId)));
    // Lane 1 keeps two pairs its batch can match (the others' switch-outs name another new retailer): the lanes are uneven.
    const aside = pairs.filter((_, i) => lanes[i] === 1).slice(2);
    await db.query(`UPDATE grid_03.application SET body = body || '{"newRetailerCode": "30013"}' WHERE application_number = ANY($1::text[])`, [
      aside.map((p) => p.switchOut),
    ]);
    const matchable = pairs.filter((p) => !aside.includes(p));
    assert.ok(lanes.filter((l) => l === 0).length >= 6 && aside.length > 0, 'lane 0 holds more pairs than lane 1 can match');

    // Every batch statement: its backend, its lane, and a barrier the first round's lanes must pass together.
    const batches: { pid: number; lane: number[] | undefined }[] = [];
    let arrived = 0;
    let together: () => void = () => {};
    const bothArrived = new Promise<void>((resolve) => {
      together = resolve;
    });
    const lanesDb = new Proxy(db as Db, {
      get(target, key) {
        if (key === 'transaction')
          return <T>(fn: (tx: Queryable) => Promise<T>) =>
            target.transaction((tx) =>
              fn({
                ...tx,
                query: async (text: string, values: readonly unknown[] = [], options?: Parameters<Queryable['query']>[2]) => {
                  if (text.startsWith('WITH candidate')) {
                    const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
                    batches.push({ pid: rows[0]!.pid, lane: values[15] as number[] | undefined });
                    if (backend.name === 'postgres' && ++arrived === 2) together();
                    if (backend.name === 'postgres' && arrived <= 2)
                      await Promise.race([
                        bothArrived,
                        new Promise((_, reject) => setTimeout(() => reject(new Error('the lanes ran one after the other')), 10_000)),
                      ]);
                  }
                  return tx.query(text, values, options);
                },
                exec: (t: string) => tx.exec(t),
                copyFrom: tx.copyFrom.bind(tx),
              } as Queryable),
            );
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const grid = new Grid({ area: '03', db: lanesDb, clock });
    // The job's loop (jobs/due-work.ts): calls of 4 pairs until one comes back short.
    const totals = await matchAll({ grids: [], runMatching, executeDue, limit: 4 }, grid);
    assert.equal(totals.matched, matchable.length, 'one job run matched every matchable pair: the short lane left none of the other behind');
    if (backend.name === 'postgres') {
      assert.equal(new Set(batches.slice(0, 2).map((b) => b.pid)).size, 2, 'the first round ran on two backends');
      assert.deepEqual(new Set(batches.map((b) => JSON.stringify(b.lane))), new Set(['[1]', '[0]']), 'every batch was one lane’s');
    } else
      assert.ok(
        batches.every((b) => b.lane === undefined),
        'PGlite: one lane',
      );

    for (const p of pairs) {
      const i = await stateOf(db, p.switchIn);
      const o = await stateOf(db, p.switchOut);
      if (aside.includes(p)) {
        assert.deepEqual([i.stage, o.stage, i.events, o.events], ['03', '03', [], []]);
        continue;
      }
      assert.deepEqual([i.stage, i.matchedWith, i.moves, i.events], ['05', p.switchOut, ['received', 'accepted', 'matched'], ['matchingComplete']]);
      assert.deepEqual([o.stage, o.matchedWith, o.moves, o.events], ['05', p.switchIn, ['received', 'accepted', 'matched'], ['matchingComplete']]);
    }

    // A lane's batch is all or nothing on its own: the lane whose event write fails leaves its pairs waiting, the other's stand.
    if (backend.name !== 'postgres') return;
    const more = await waitingPairs(db, new Grid({ area: '03', db, clock }), 12);
    const moreLanes = await Promise.all(more.map((p) => laneOf(p.supplyPointId)));
    const failing = more.find((_, i) => moreLanes[i] === 1);
    assert.ok(failing && moreLanes.includes(0), 'both lanes hold new pairs');
    await db.exec(`CREATE FUNCTION grid_03.fail_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.application_number = '${failing.switchOut}' THEN RAISE EXCEPTION 'disk full (test)'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_event BEFORE INSERT ON grid_03.application_event FOR EACH ROW EXECUTE FUNCTION grid_03.fail_event();`);
    try {
      await assert.rejects(runMatching(new Grid({ area: '03', db, clock }), { limit: 100 }), /disk full \(test\)/);
    } finally {
      await db.exec(`DROP TRIGGER fail_event ON grid_03.application_event; DROP FUNCTION grid_03.fail_event();`);
    }
    for (const [n, p] of more.entries()) {
      const i = await stateOf(db, p.switchIn);
      assert.deepEqual([i.stage, i.events], moreLanes[n] === 1 ? ['03', []] : ['05', ['matchingComplete']], `lane ${moreLanes[n]}`);
    }
  });
});
