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
});
