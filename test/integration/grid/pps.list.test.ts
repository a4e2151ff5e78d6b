/**
 * The site's screen lists count a receiver's files only up to a cap (`listCountCap`): past it the
 * page says "10,000件以上" and still pages on, so that a receiver with 100,000 files is not counted
 * on every page view (bench "pps list").
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { listCountCap, listFiles } from '../../../src/grid/provision/site.repository.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';

forEachBackend('the site’s lists past the count cap', (backend) => {
  let db: TestDb;
  const now = new Date('2027-01-01T00:00:00+09:00');
  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    // 10,050 same-day files of one receiver (and 5 of another), as the bench writes them.
    await db.query(
      `INSERT INTO grid_03.pps_file (receiver_code, name, kind, target_date, slot, revision, section, sections, points,
         available_at, deadline_at, expires_at, fingerprint, size, sha256, materialized_at)
       SELECT r, 'W41110' || to_char(d, 'YYYYMMDD') || lpad(((s - 1) / 2)::text, 2, '0') || CASE WHEN s % 2 = 0 THEN '30' ELSE '00' END || '00' || lpad(k::text, 4, '0') || '.zip',
              'W41110', d, s, 0, k, 100, 100000, d + make_interval(mins => s * 30 + 15), d + make_interval(mins => s * 30 + 60), d + interval '3650 days',
              'x', 1000, repeat('0', 64), d + make_interval(mins => s * 30 + 20)
         FROM (SELECT '10033' AS r, generate_series(1, 10050) AS i UNION ALL SELECT '20013', generate_series(1, 5)) g,
              LATERAL (SELECT date '2026-06-01' + ((i - 1) / 4800) AS d, ((i - 1) / 100) % 48 + 1 AS s, (i - 1) % 100 AS k) x`,
    );
  });
  after(async () => {
    await db.close();
  });

  test('a page counts up to the cap and says when there are more; a short list is counted exactly', async () => {
    const many = await listFiles(db, 'grid_03', '10033', now, {}, { limit: 20, offset: 0 });
    assert.equal(many.files.length, 20);
    assert.deepEqual({ total: many.total, capped: many.capped }, { total: listCountCap, capped: true });
    const last = await listFiles(db, 'grid_03', '10033', now, {}, { limit: 20, offset: 10_040 });
    assert.equal(last.files.length, 10, 'pages go on past the cap');
    const few = await listFiles(db, 'grid_03', '20013', now, {}, { limit: 20, offset: 0 });
    assert.deepEqual({ n: few.files.length, total: few.total, capped: few.capped }, { n: 5, total: 5, capped: false });
    const filtered = await listFiles(db, 'grid_03', '10033', now, { from: '2026-06-03' as never }, { limit: 20, offset: 0 });
    assert.deepEqual({ total: filtered.total, capped: filtered.capped }, { total: 450, capped: false }, 'filters count exactly under the cap');
  });
});
