/**
 * The feeds' horizon (grid/applications/feed-horizon.ts): the application feed (IF_11110) and the
 * events the hub reads (GRID_EVENTS) are held back only by transactions that may still write into
 * their own tables, never by other transactions of the server; and a poller giving back each page's
 * cursor still misses no change and sees none twice, however a writer's ID and lock interleave with
 * the changes around it.
 *
 * The writers run on a second connection, in transactions this test keeps open (PostgreSQL: PGlite
 * is one session, where no transaction runs beside the feed's).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import type { Db, Queryable } from '../../../src/platform/db/db.ts';
import { openPostgres } from '../../../src/platform/db/postgres.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { findApplication, moveApplication } from '../../../src/grid/applications/application.repository.ts';
import { givenSupplyPoint, gridRequest, testGridClock } from '../../../src/grid/testing.ts';
import { feedHorizon } from '../../../src/grid/applications/feed-horizon.ts';

const OLD = '10033';
const HUB = 'H000';

type Data = Record<string, any>;
const data = (r: InterfaceResponse): Data => (r.data ?? {}) as Data;

interface OpenTransaction {
  readonly tx: Queryable;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** A transaction of `db` kept open until commit() or rollback(). */
async function openTransaction(db: Db): Promise<OpenTransaction> {
  let end!: (commit: boolean) => void;
  const ended = new Promise<boolean>((resolve) => (end = resolve));
  let opened!: (tx: Queryable) => void;
  const ready = new Promise<Queryable>((resolve) => (opened = resolve));
  const finished = db.transaction(async (tx) => {
    opened(tx);
    if (!(await ended)) throw new Error('rolled back by the test');
  });
  const tx = await Promise.race([ready, finished.then(() => assert.fail('the transaction ended before it opened'))]);
  return {
    tx,
    async commit() {
      end(true);
      await finished;
    },
    async rollback() {
      end(false);
      await finished.catch(() => {});
    },
  };
}

forEachBackend("the feeds' horizon: only writers of the feed's own tables hold it back", (backend) => {
  const onPostgres = backend.name === 'postgres';
  const skip = onPostgres ? false : 'PGlite is one session: no transaction runs beside the feed';
  let db: TestDb;
  let other: Db;
  before(async () => {
    db = await backend.open();
    if (db.url) other = await openPostgres(db.url);
  });
  after(async () => {
    await other?.close();
    await db.close();
  });

  const clock = testGridClock();
  const grid = () => new Grid({ area: '03', db, clock });
  let participantSerial = 0;
  /** A retailer of its own (company code 4 digits + area 3) for each test: its feed holds only the test's applications. */
  const retailer = () => `${String(5000 + ++participantSerial)}3`;
  const switchIn = async (participant: string) => {
    const p = await givenSupplyPoint(db);
    const r = await grid().handle(
      gridRequest(
        'IF_10610',
        { updateFlag: '1', supplyPointId: p.supplyPointId, customerNameKana: 'ヤマダ ハナコ', customerName: '山田 花子', currentRetailerCode: OLD },
        participant,
      ),
    );
    assert.equal(r.result, 'OK', JSON.stringify(r));
    return { number: data(r).applicationNumber as string, supplyPointId: p.supplyPointId };
  };
  const feed = async (participant: string, since?: string) => {
    const r = await grid().handle(gridRequest('IF_11110', since ? { since } : {}, participant));
    assert.equal(r.result, 'OK', JSON.stringify(r));
    return { numbers: (data(r).items as Data[]).map((i) => `${i.applicationNumber}:${i.stage}`), cursor: data(r).nextCursor as string };
  };
  const events = async (since: string) => {
    const r = await grid().handle(gridRequest('GRID_EVENTS', { since }, HUB));
    assert.equal(r.result, 'OK', JSON.stringify(r));
    return {
      events: (data(r).events as Data[]).map((e) => `${e.applicationNumber}:${e.event}`),
      cursor: data(r).nextCursor as string,
      heldBack: data(r).heldBack as boolean,
    };
  };
  /** The newest cursor of the events: the position after every event now published. */
  const eventsEnd = async () => {
    let cursor = '0-0';
    for (;;) {
      const page = await events(cursor);
      if (page.events.length === 0) return cursor;
      cursor = page.cursor;
    }
  };
  /** Cancels through the interface (03 → 09, a `cancelled` event). */
  const cancel = async (participant: string, application: { number: string; supplyPointId: string }) => {
    const r = await grid().handle(
      gridRequest('IF_10610', { updateFlag: '3', applicationNumber: application.number, supplyPointId: application.supplyPointId }, participant),
    );
    assert.equal(r.result, 'OK', JSON.stringify(r));
  };
  /** Cancels (03 → 09, a `cancelled` event) in the caller's transaction, as the stage machine does. */
  const cancelIn = async (tx: Queryable, number: string) => {
    const application = await findApplication(tx, 'grid_03', number, { forUpdate: true });
    assert.ok(application, number);
    await moveApplication(tx, 'grid_03', application, { type: 'cancelled' }, 'test', clock.now());
  };

  test('a long transaction that writes other tables (another grid, the registry) holds back neither the feed nor the events', { skip }, async () => {
    const who = retailer();
    const start = await feed(who);
    const eventStart = await eventsEnd();
    // Another grid's registry and this grid's: transaction IDs older than every change below.
    const long = await openTransaction(other);
    try {
      await givenSupplyPoint(long.tx, { area: '06' });
      await givenSupplyPoint(long.tx);
      const a = await switchIn(who);
      const b = await switchIn(who);
      await cancel(who, b);
      const page = await feed(who, start.cursor);
      assert.deepEqual(page.numbers, [`${a.number}:03`, `${b.number}:09`], 'in the feed at once');
      const seen = await events(eventStart);
      assert.deepEqual(seen.events, [`${b.number}:cancelled`], 'in the events at once');
      assert.equal(seen.heldBack, false);
    } finally {
      await long.rollback();
    }
  });

  test('a transaction writing applications holds the feed back until it commits; then its change comes after the cursor, once', { skip }, async () => {
    const who = retailer();
    const old = await switchIn(who);
    const first = await feed(who);
    assert.deepEqual(first.numbers, [`${old.number}:03`]);
    const eventStart = await eventsEnd();

    const writer = await openTransaction(other);
    await cancelIn(writer.tx, old.number); // an ID and the lock on application and application_event
    const later = await switchIn(who);
    const laterCancelled = await switchIn(who);
    await cancel(who, laterCancelled); // an event after the writer's
    const held = await feed(who, first.cursor);
    assert.deepEqual(held.numbers, [], 'the later changes wait for the older writer');
    assert.equal(held.cursor, first.cursor);
    const heldEvents = await events(eventStart);
    assert.deepEqual(heldEvents.events, []);
    assert.equal(heldEvents.heldBack, true, 'the hub is told to ask again');

    await writer.commit();
    const after = await feed(who, first.cursor);
    assert.deepEqual(after.numbers, [`${old.number}:09`, `${later.number}:03`, `${laterCancelled.number}:09`]);
    assert.deepEqual((await feed(who, after.cursor)).numbers, [], 'nothing twice');
    const afterEvents = await events(eventStart);
    assert.deepEqual(afterEvents.events, [`${old.number}:cancelled`, `${laterCancelled.number}:cancelled`]);
    assert.equal(afterEvents.heldBack, false);
    assert.deepEqual((await events(afterEvents.cursor)).events, [], 'no event twice');
  });

  test('a transaction whose ID is older than a published change, writing applications afterwards: its change still comes after the cursor', {
    skip,
  }, async () => {
    const who = retailer();
    const old = await switchIn(who);
    const start = await feed(who);
    const eventStart = await eventsEnd();

    // The writer gets its ID first: a registry write, then the application locked FOR UPDATE (a row
    // lock, an ID, no write lock on the table yet), as the stage machine reads before it moves.
    const writer = await openTransaction(other);
    try {
      await givenSupplyPoint(writer.tx);
      const locked = await findApplication(writer.tx, 'grid_03', old.number, { forUpdate: true });
      assert.ok(locked);
      // Published past the writer's ID: the writer holds no write lock on the feed's tables.
      const later = await switchIn(who);
      const laterCancelled = await switchIn(who);
      await cancel(who, laterCancelled);
      const published = await feed(who, start.cursor);
      assert.deepEqual(published.numbers, [`${later.number}:03`, `${laterCancelled.number}:09`]);
      const publishedEvents = await events(eventStart);
      assert.deepEqual(publishedEvents.events, [`${laterCancelled.number}:cancelled`]);

      await moveApplication(writer.tx, 'grid_03', locked, { type: 'cancelled' }, 'test', clock.now());
      await writer.commit();
      const after = await feed(who, published.cursor);
      assert.deepEqual(after.numbers, [`${old.number}:09`], 'the late writer is after the cursor already given out');
      assert.deepEqual((await feed(who, after.cursor)).numbers, []);
      const afterEvents = await events(publishedEvents.cursor);
      assert.deepEqual(afterEvents.events, [`${old.number}:cancelled`]);
      assert.equal(afterEvents.heldBack, false);
    } finally {
      await writer.rollback();
    }
  });

  test('a transaction that holds the write lock but has no ID yet holds nothing back; what it writes later comes after the cursor', { skip }, async () => {
    const who = retailer();
    const old = await switchIn(who);
    const start = await feed(who);

    const writer = await openTransaction(other);
    try {
      await writer.tx.query('LOCK TABLE grid_03.application, grid_03.application_event IN ROW EXCLUSIVE MODE');
      const { rows } = await writer.tx.query<{ id: string | null; locks: number }>(
        `SELECT pg_current_xact_id_if_assigned()::text AS id,
           (SELECT count(*)::int FROM pg_locks WHERE pid = pg_backend_pid() AND mode = 'RowExclusiveLock'
              AND relation IN ('grid_03.application'::regclass, 'grid_03.application_event'::regclass)) AS locks`,
      );
      assert.deepEqual(rows[0], { id: null, locks: 2 }, 'the lock, no transaction ID');
      const later = await switchIn(who);
      const published = await feed(who, start.cursor);
      assert.deepEqual(published.numbers, [`${later.number}:03`], 'not held back');

      await cancelIn(writer.tx, old.number);
      await writer.commit();
      const after = await feed(who, published.cursor);
      assert.deepEqual(after.numbers, [`${old.number}:09`]);
      assert.deepEqual((await feed(who, after.cursor)).numbers, []);
    } finally {
      await writer.rollback();
    }
  });

  test('a writer of applications in another grid holds back neither this grid’s feed nor its events', { skip }, async () => {
    const who = retailer();
    const start = await feed(who);
    const eventStart = await eventsEnd();
    const elsewhere = await switchIn(who);
    const writer = await openTransaction(other);
    try {
      await writer.tx.query('LOCK TABLE grid_06.application, grid_06.application_event IN ROW EXCLUSIVE MODE');
      await givenSupplyPoint(writer.tx, { area: '06' }); // an ID
      const a = await switchIn(who);
      await cancel(who, a);
      assert.deepEqual((await feed(who, start.cursor)).numbers, [`${elsewhere.number}:03`, `${a.number}:09`]);
      const seen = await events(eventStart);
      assert.deepEqual(seen.events, [`${a.number}:cancelled`]);
      assert.equal(seen.heldBack, false);
    } finally {
      await writer.rollback();
    }
  });

  test('writers interleaving at random with a poller: every change is seen, none twice, each event once', { skip }, async () => {
    const who = retailer();
    const start = await feed(who);
    const eventStart = await eventsEnd();
    let seed = 20261203;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pause = (ms = 15) => new Promise((resolve) => setTimeout(resolve, Math.floor(random() * ms)));
    const applications: { number: string; supplyPointId: string }[] = [];
    for (let i = 0; i < 24; i++) applications.push(await switchIn(who));
    const seen = new Map<string, string[]>();
    const seenEvents: string[] = [];
    let cursor = start.cursor;
    let eventCursor = eventStart;
    const poll = async () => {
      for (;;) {
        const r = await grid().handle(gridRequest('IF_11110', { since: cursor, pageSize: '3' }, who));
        for (const item of data(r).items as Data[]) seen.set(item.applicationNumber, [...(seen.get(item.applicationNumber) ?? []), item.stage]);
        cursor = data(r).nextCursor;
        if (data(r).more !== '1') break;
      }
      const e = await grid().handle(gridRequest('GRID_EVENTS', { since: eventCursor, limit: 2 }, HUB));
      seenEvents.push(...(data(e).events as Data[]).map((x) => `${x.applicationNumber}:${x.event}`));
      eventCursor = data(e).nextCursor;
    };
    // Three writers on the second connection's pool, each cancelling its share in transactions that
    // take their ID before their first write into the feed's tables (always: the row locked FOR
    // UPDATE; half of them earlier still) and dawdle between statements; this connection files new
    // applications meanwhile; the poller never stops.
    let writing = true;
    const writers = [0, 1, 2].map(async (w) => {
      for (const application of applications.filter((_, i) => i % 3 === w)) {
        await other.transaction(async (tx) => {
          if (random() < 0.5) await tx.query('SELECT pg_current_xact_id()'); // an ID first, as a write of another table gives
          await pause();
          const row = await findApplication(tx, 'grid_03', application.number, { forUpdate: true });
          await pause(40); // an ID, no write lock on the feed's tables yet: the window a bare ID as stamp falls into
          await moveApplication(tx, 'grid_03', row!, { type: 'cancelled' }, 'test', clock.now());
          await pause();
        });
      }
    });
    const filed: { number: string }[] = [];
    const filing = (async () => {
      for (let i = 0; i < 8; i++) {
        filed.push(await switchIn(who));
        await pause();
      }
    })();
    const polling = (async () => {
      while (writing) {
        await poll();
        await pause();
      }
    })();
    await Promise.all([...writers, filing]);
    writing = false;
    await polling;
    // Everything has committed: poll until a poll brings nothing new (a writer still holding the
    // horizon back would only delay this, never lose a change).
    for (let i = 0; i < 100; i++) {
      const before = JSON.stringify([[...seen], seenEvents]);
      await poll();
      if (JSON.stringify([[...seen], seenEvents]) === before) break;
    }
    for (const application of applications) {
      const stages = seen.get(application.number) ?? [];
      assert.equal(stages.at(-1), '09', `${application.number}: its last change seen (${stages.join(' ')})`);
      assert.equal(new Set(stages).size, stages.length, `${application.number}: no change twice (${stages.join(' ')})`);
    }
    for (const application of filed) assert.deepEqual(seen.get(application.number), ['03'], application.number);
    assert.deepEqual(seenEvents.toSorted(), applications.map((a) => `${a.number}:cancelled`).toSorted(), 'each event once');
  });

  test('an INSERT that leaves the stamp out (a hand-written data fix) is stamped by the columns’ defaults, past every change published before it', {
    skip,
  }, async () => {
    const old = await openTransaction(other);
    try {
      // This transaction takes its ID first; another one writes and commits after it.
      const { rows: mine } = await old.tx.query<{ id: string }>(`SELECT pg_current_xact_id()::text AS id`);
      const { rows: later } = await db.query<{ id: string }>(
        `INSERT INTO grid_03.application_event (application_number, participant_code, event, stage, at)
         VALUES ('AP03-DEFAULT-1', $1, 'cancelled', '09', now()) RETURNING xid::text AS id`,
        [HUB],
      );
      const { rows } = await old.tx.query<{ stamp: string; defaults: string[] }>(
        `WITH written AS (INSERT INTO grid_03.application_event (application_number, participant_code, event, stage, at)
                          VALUES ('AP03-DEFAULT-2', $1, 'cancelled', '09', now()) RETURNING xid)
         SELECT (SELECT xid::text FROM written) AS stamp,
                ARRAY(SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
                       WHERE (d.adrelid, a.attname) IN (('grid_03.application'::regclass, 'update_xid'), ('grid_03.application_event'::regclass, 'xid'),
                                                        ('grid_03.stub_application'::regclass, 'update_xid'), ('grid_03.stub_application_event'::regclass, 'xid'))) AS defaults`,
        [HUB],
      );
      // The bare transaction ID would have put the row before the later one, behind a cursor that passed it.
      assert.ok(BigInt(rows[0]!.stamp) > BigInt(mine[0]!.id), `stamp ${rows[0]!.stamp}, own ID ${mine[0]!.id}`);
      assert.ok(BigInt(rows[0]!.stamp) >= BigInt(later[0]!.id), `stamp ${rows[0]!.stamp}, the later change's ${later[0]!.id}`);
      assert.equal(rows[0]!.defaults.length, 4);
      for (const d of rows[0]!.defaults) assert.match(d, /^GREATEST\(pg_current_xact_id\(\), .*pg_snapshot_xmax\(pg_current_snapshot\(\)\).* - 1\)/);
    } finally {
      await old.rollback();
      await db.query(`DELETE FROM grid_03.application_event WHERE application_number = 'AP03-DEFAULT-1'`);
    }
  });

  test("the horizon: the snapshot's xmax, or the ID of a transaction that holds the write lock on the feed's tables", async () => {
    const horizon = (tables: string[]) => `SELECT ${feedHorizon('grid_03', tables)}::text AS h, pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`;
    // On a PostgreSQL server shared with other tests, a transaction of another database that ends
    // between the snapshot and the reading of pg_locks lowers one reading: read again.
    const settle = async (q: Queryable, sql: string, want: (r: { h: string; xmax: string }) => string) => {
      let row = { h: '', xmax: '' };
      for (let i = 0; i < 20; i++) {
        row = (await q.query<{ h: string; xmax: string }>(sql)).rows[0]!;
        if (row.h === want(row)) break;
      }
      return row;
    };
    const quiet = await settle(db, horizon(['application']), (r) => r.xmax);
    assert.equal(quiet.h, quiet.xmax, `nothing writes: the snapshot's xmax (${JSON.stringify(quiet)})`);
    await db.transaction(async (tx) => {
      await tx.query('LOCK TABLE grid_03.application IN ROW EXCLUSIVE MODE');
      const noId = await settle(tx, horizon(['application']), (r) => r.xmax);
      assert.equal(noId.h, noId.xmax, 'the lock without an ID holds nothing back');
      const { rows } = await tx.query<{ id: string }>('SELECT pg_current_xact_id()::text AS id');
      const id = rows[0]!.id;
      // The snapshot's xmax is past the ID only once a younger transaction has ended (PostgreSQL).
      if (other) await other.query('SELECT pg_current_xact_id()');
      const own = await settle(tx, horizon(['application']), () => id);
      assert.equal(own.h, id, `the lock with an ID: that ID (${JSON.stringify(own)})`);
      if (other) assert.ok(BigInt(own.xmax) > BigInt(id), JSON.stringify(own));
      const otherTable = await settle(tx, horizon(['application_event']), (r) => r.xmax);
      assert.equal(otherTable.h, otherTable.xmax, 'a lock on another table is no writer of this one');
    });
  });
});
