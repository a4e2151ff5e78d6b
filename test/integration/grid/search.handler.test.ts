import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { webSearchLimit, webSupplyPointSearchId } from '../../../src/interfaces/web-search.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest, testGridClock } from '../../../src/grid/testing.ts';

forEachBackend('web-only supply point search (WEB_SUPPLY_POINT_SEARCH)', (backend) => {
  let db: TestDb;
  let grid: Grid;

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    grid = new Grid({ area: '03', db, clock: testGridClock() });
  });
  after(() => db.close());

  const search = async (body: Record<string, unknown>) => grid.handle(gridRequest(webSupplyPointSearchId, body));
  const ids = (response: Awaited<ReturnType<typeof search>>) => ((response.data?.points ?? []) as { supplyPointId: string }[]).map((p) => p.supplyPointId);
  const moveTo = (id: string, city: string, street: string) =>
    db.query(`UPDATE grid_03.supply_point SET city = $2, street = $3 WHERE supply_point_id = $1`, [id, city, street]);

  test('finds points by a prefix of the address, from the prefecture or from the city, full-width digits typed', async () => {
    const a = await givenSupplyPoint(db, { kind: 'lvSmart' });
    const b = await givenSupplyPoint(db, { kind: 'lvConventional' });
    const fit = await givenSupplyPoint(db, { kind: 'fit' });
    await moveTo(a.supplyPointId, '検索市', '緑町1丁目2番3号');
    await moveTo(b.supplyPointId, '検索市', '緑町1丁目9番1号');
    await moveTo(fit.supplyPointId, '検索市', '緑町1丁目2番4号');

    const byPrefecture = await search({ by: 'address', query: '東京都検索市緑町１丁目', family: 'LV' });
    assert.equal(byPrefecture.result, 'OK', JSON.stringify(byPrefecture.messages));
    assert.deepEqual(ids(byPrefecture), [a.supplyPointId, b.supplyPointId]);
    assert.equal(byPrefecture.data?.more, '0');
    const point = (byPrefecture.data!.points as Record<string, unknown>[])[0]!;
    assert.deepEqual(
      Object.keys(point),
      ['supplyPointId', 'status', 'address', 'discontinuationMethod', 'contractType', 'servicePoleNumber', 'meterNumbers'],
      'the columns of slide 26; no customer name, no retailer',
    );
    assert.equal(point.contractType, 'lighting');
    assert.equal(point.discontinuationMethod, null, 'contracted');
    assert.equal(point.servicePoleNumber, '本町幹12支3');
    assert.equal((point.meterNumbers as string[]).length, 1);
    assert.match((point.meterNumbers as string[])[0]!, /^1\d{9}$/);
    assert.deepEqual(ids(await search({ by: 'address', query: '検索市 緑町1丁目2番', family: 'LV' })), [a.supplyPointId]);
    assert.deepEqual(ids(await search({ by: 'address', query: '検索市緑町', family: 'FIT' })), [fit.supplyPointId], 'only the family’s points');
    assert.deepEqual(ids(await search({ by: 'address', query: '検索市緑町%', family: 'LV' })), [], 'LIKE wildcards are literal');
  });

  test('finds points by the customer’s name in kana, normalised (hiragana, half-width, spaces)', async () => {
    const p = await givenSupplyPoint(db, { kind: 'lvSmart', customer: { nameKana: 'ケンサク　ジロウ', nameKanji: '検索　次郎' } });
    for (const query of ['けんさく じろう', 'ｹﾝｻｸ', 'ケンサク　ジ']) {
      const found = await search({ by: 'nameKana', query, family: 'LV' });
      assert.deepEqual(ids(found), [p.supplyPointId], query);
    }
  });

  test('at most the limit, with more = 1 when there were more', async () => {
    for (let i = 0; i <= webSearchLimit; i++) {
      const p = await givenSupplyPoint(db, { kind: 'lvSmart' });
      await moveTo(p.supplyPointId, '多数市', `本町${i}番`);
    }
    const found = await search({ by: 'address', query: '多数市', family: 'LV' });
    assert.equal(ids(found).length, webSearchLimit);
    assert.equal(found.data?.more, '1');
  });

  test('refuses an empty or one-character query, an unknown method or family, with stable codes', async () => {
    const code = async (body: Record<string, unknown>) => (await search(body)).messages.map((m) => [m.code, m.field]);
    assert.deepEqual(await code({ by: 'address', query: '  ', family: 'LV' }), [['WEB_SEARCH_QUERY_REQUIRED', 'query']]);
    assert.deepEqual(await code({ by: 'address', family: 'LV' }), [['WEB_SEARCH_QUERY_REQUIRED', 'query']]);
    assert.deepEqual(await code({ by: 'nameKana', query: 'ケ', family: 'LV' }), [['WEB_SEARCH_QUERY_TOO_SHORT', 'query']]);
    assert.deepEqual(await code({ by: 'phone', query: '0312345678', family: 'LV' }), [['WEB_SEARCH_BY_INVALID', 'by']]);
    assert.deepEqual(await code({ by: 'address', query: '東京都', family: 'EHV' }), [['WEB_SEARCH_FAMILY_INVALID', 'family']]);
  });
});
