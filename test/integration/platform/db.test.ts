import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { copyText } from '../../../src/platform/db/db.ts';

forEachBackend('database port', (backend) => {
  test('reads dates as YYYY-MM-DD, bigints as numbers and timestamps as Dates on every backend', async () => {
    await using db = await backend.open();
    const { rows } = await db.query<{ d: string; n: number; t: Date }>(
      `SELECT DATE '2026-04-01' AS d, 9007199254740991::int8 AS n, TIMESTAMPTZ '2026-04-01T00:00:00+09:00' AS t`,
    );
    assert.deepEqual(rows[0], { d: '2026-04-01', n: 9007199254740991, t: new Date('2026-03-31T15:00:00Z') });
  });

  test('a transaction that throws leaves nothing behind', async () => {
    await using db = await backend.open();
    await db.exec('CREATE TABLE t (v text)');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1)', ['half-written']);
        throw new Error('refused midway');
      }),
      /refused midway/,
    );
    await db.transaction(async (tx) => tx.query('INSERT INTO t VALUES ($1)', ['whole']));
    const { rows } = await db.query<{ v: string }>('SELECT v FROM t');
    assert.deepEqual(rows, [{ v: 'whole' }]);
  });

  test('copies rows in with escaping of tabs, newlines, backslashes and nulls', async () => {
    await using db = await backend.open();
    await db.exec('CREATE TABLE c (a text, b text)');
    const values = [
      ['tab\there', 'line\nbreak'],
      ['back\\slash', null],
    ] as const;
    const lines = values.map(([a, b]) => `${copyText(a)}\t${copyText(b)}\n`);
    assert.equal(await db.copyFrom('c', ['a', 'b'], lines), 2);
    const { rows } = await db.query<{ a: string; b: string | null }>('SELECT a, b FROM c ORDER BY a DESC');
    assert.deepEqual(
      rows.map((r) => [r.a, r.b]),
      values,
    );
  });

  test('copy inside a transaction is rolled back with it', async () => {
    await using db = await backend.open();
    await db.exec('CREATE TABLE c (a int)');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.copyFrom('c', ['a'], ['1\n2\n']);
        throw new Error('abort');
      }),
    );
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM c');
    assert.equal(rows[0]!.n, 0);
  });

  test("a transaction's first statement runs inside it (BEGIN goes with it), and so do statements sent at once", async () => {
    await using db = await backend.open();
    await db.exec('CREATE TABLE f (v int)');
    const ids = await db.transaction(async (tx) => {
      // Three at once at the start: the first goes with BEGIN, the others wait for it.
      const first = await Promise.all([
        tx.query<{ id: string }>('SELECT pg_current_xact_id()::text AS id'),
        tx.query('INSERT INTO f VALUES (1)'),
        tx.query<{ id: string }>('SELECT pg_current_xact_id()::text AS id'),
      ]);
      const last = await tx.query<{ id: string }>('SELECT pg_current_xact_id()::text AS id');
      return [first[0].rows[0]!.id, first[2].rows[0]!.id, last.rows[0]!.id];
    });
    assert.equal(new Set(ids).size, 1, `one transaction: ${ids.join(', ')}`);
    // The statement sent with BEGIN is undone with the transaction.
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO f VALUES (2)');
        throw new Error('abort');
      }),
      /abort/,
    );
    const { rows } = await db.query<{ v: number }>('SELECT v FROM f ORDER BY v');
    assert.deepEqual(rows, [{ v: 1 }]);
  });

  test("a transaction whose first statement fails rejects with that statement's error, and its connection serves the next", async () => {
    await using db = await backend.open();
    await db.exec('CREATE TABLE g (v int PRIMARY KEY)');
    await db.exec('INSERT INTO g VALUES (1)');
    for (let round = 0; round < 12; round++) {
      // More rounds than the pool has connections: each failed one must leave its connection clean.
      await assert.rejects(
        db.transaction((tx) => tx.query('INSERT INTO g VALUES (1)')),
        /duplicate key/,
      );
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO g VALUES ($1)', [round + 10]);
        await tx.query('INSERT INTO g VALUES ($1)', [round + 100]);
      });
    }
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM g');
    assert.equal(rows[0]!.n, 1 + 24);
    // A transaction that sends nothing commits nothing and leaves no connection in a transaction.
    assert.equal(await db.transaction(async () => 'nothing'), 'nothing');
    const { rows: open } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    assert.equal(open[0]!.n, 0);
  });
});
