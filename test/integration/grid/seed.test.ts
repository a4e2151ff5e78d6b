import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { areaCodes, areas } from '../../../src/domain/area.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import type { Queryable } from '../../../src/platform/db/db.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { allGridMigrations, gridSchema } from '../../../src/grid/schema.ts';
import { demoSeed, pointsPerArea, seedRegistry } from '../../../src/grid/seed/seed.ts';

/** A fingerprint of every row of every registry table, to compare loads. */
async function fingerprint(q: Queryable): Promise<string> {
  const parts = areaCodes.flatMap((a) =>
    [
      ['customer', 'customer_id'],
      ['supply_point', 'supply_point_id'],
      ['meter', 'meter_number'],
    ].map(([table, key]) => `(SELECT md5(string_agg(t::text, '|' ORDER BY ${key})) FROM ${gridSchema(a)}.${table} t)`),
  );
  const { rows } = await q.query<{ f: string }>(`SELECT md5(concat_ws(',', ${parts.join(', ')})) AS f`);
  return rows[0]?.f ?? '';
}

async function definitions(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ d: string }>(
    `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d FROM pg_constraint
      WHERE connamespace::regnamespace::text LIKE 'grid\\_%'
     UNION ALL
     SELECT indexdef FROM pg_indexes WHERE schemaname LIKE 'grid\\_%'
     ORDER BY 1`,
  );
  return rows.map((r) => r.d);
}

async function count(q: Queryable, area: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${gridSchema(area as '01')}.supply_point`);
  return rows[0]?.n ?? 0;
}

test('points are split over the areas by their share of low-voltage points, adding up exactly', () => {
  const byArea = pointsPerArea(1_000_001);
  assert.equal(
    Object.values(byArea).reduce((s, n) => s + n, 0),
    1_000_001,
  );
  const total = areas.reduce((s, a) => s + a.lvMillions, 0);
  for (const a of areas) assert.ok(Math.abs(byArea[a.code] - (1_000_001 * a.lvMillions) / total) < 1);
});

forEachBackend('seeding the registry', (backend) => {
  let db: TestDb;
  let emptyDefinitions: string[];

  before(async () => {
    db = await backend.open();
    await migrate(db, allGridMigrations);
    emptyDefinitions = await definitions(db);
  });
  after(() => db.close());

  test('refuses a negative or fractional point count or seed', async () => {
    await assert.rejects(seedRegistry(db, { points: -1, seed: 1 }), { code: 'SEED_POINTS_INVALID' });
    await assert.rejects(seedRegistry(db, { points: 1.5, seed: 1 }), { code: 'SEED_POINTS_INVALID' });
    await assert.rejects(seedRegistry(db, { points: 10, seed: -3 }), { code: 'SEED_SEED_INVALID' });
    await assert.rejects(seedRegistry(db, { points: 10, seed: Number.NaN }), { code: 'SEED_SEED_INVALID' });
  });

  test('loads every area with its share of the points and reports progress', async () => {
    const progress: number[] = [];
    const result = await seedRegistry(db, { points: 3_000, seed: 1, onProgress: (p) => progress.push(p.loaded) });
    for (const area of areaCodes) assert.equal(await count(db, area), result.byArea[area]);
    assert.equal(result.byArea['03'], pointsPerArea(3_000)['03']);
    assert.ok(result.byArea['03'] > 1_000 && result.byArea['10'] < 50);
    assert.equal(progress.at(-1), 3_000);
  });

  test('gives every contracted point exactly one open supply period, from its tenure, and vacant points none', async () => {
    const { rows } = await db.query<{ bad: number; contracted: number }>(
      `SELECT count(*) FILTER (WHERE (sp.status = 'contracted') <> (p.n = 1) OR (p.n = 1 AND p.since IS DISTINCT FROM sp.tenure_since))::int AS bad,
              count(*) FILTER (WHERE sp.status = 'contracted')::int AS contracted
         FROM grid_03.supply_point sp
         LEFT JOIN LATERAL (SELECT count(*) AS n, min(from_date) AS since FROM grid_03.supply_period q
                             WHERE q.supply_point_id = sp.supply_point_id AND q.until_date IS NULL) p ON true`,
    );
    assert.ok(Number(rows[0]!.contracted) > 500);
    assert.equal(Number(rows[0]!.bad), 0);
  });

  test('restores every key, foreign key and index it set aside for the load', async () => {
    assert.deepEqual(await definitions(db), emptyDefinitions);
  });

  test('refuses to seed over an existing registry unless asked to replace it', async () => {
    await assert.rejects(seedRegistry(db, { points: 10, seed: 1 }), { code: 'SEED_REGISTRY_NOT_EMPTY' });
    assert.equal(await count(db, '03'), pointsPerArea(3_000)['03']);
  });

  test('the same seed gives identical rows and another seed different ones', async () => {
    const first = await fingerprint(db);
    await seedRegistry(db, { points: 3_000, seed: 1, replace: true });
    assert.equal(await fingerprint(db), first);
    await seedRegistry(db, { points: 3_000, seed: 2, replace: true });
    assert.notEqual(await fingerprint(db), first);
  });

  test('new customers get IDs after the seeded ones', async () => {
    const s = gridSchema('03');
    const { rows } = await db.query<{ customer_id: number }>(
      `INSERT INTO ${s}.customer (name_kanji, name_kana, name_kana_key, prefecture, city, street)
       VALUES ('試験　太郎', 'シケン　タロウ', 'シケンタロウ', '東京都', '世田谷区', '本町1丁目1番1号')
       RETURNING customer_id`,
    );
    // Seeded customer IDs are the points' serials, so none exceeds the area's point count.
    assert.ok((rows[0]?.customer_id as number) > pointsPerArea(3_000)['03']);
  });

  test('replacing with zero points empties the registry', async () => {
    await seedRegistry(db, { points: 0, seed: 1, replace: true });
    for (const area of areaCodes) assert.equal(await count(db, area), 0);
  });

  test("the demo seed loads its points in every area, by the areas' shares (its speed: bench/seed.bench.ts)", async () => {
    const result = await seedRegistry(db, { ...demoSeed, replace: true });
    const expected = pointsPerArea(demoSeed.points);
    for (const area of areaCodes) {
      assert.equal(result.byArea[area], expected[area], `area ${area}`);
      assert.equal(await count(db, area), expected[area], `area ${area} in the registry`);
    }
  });
});
