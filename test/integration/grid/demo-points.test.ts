import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AreaCode } from '../../../src/domain/area.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { demoSeed, seedRegistry } from '../../../src/grid/seed/seed.ts';
import { gridRequest, testGridClock } from '../../../src/grid/testing.ts';
import { demoPointsMarkdown, demoSupplyPoints, type AreaDemoPoints } from '../../../src/grid/lookup/demo-points.ts';

forEachBackend('demo supply points for DEMO.md', (backend) => {
  let db: TestDb;
  let byArea: AreaDemoPoints[];
  const clock = testGridClock();

  before(async () => {
    db = await backend.open();
    await migrate(db, allGridMigrations);
    await seedRegistry(db, demoSeed);
    byArea = await demoSupplyPoints(db, clock);
  });
  after(() => db.close());

  test('lists every area, and in the larger ones points of every kind', () => {
    assert.deepEqual(
      byArea.map((a) => a.area),
      ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'],
    );
    const tokyo = byArea.find((a) => a.area === '03')!;
    assert.equal(tokyo.areaName, '東京');
    const kinds = new Set(tokyo.points.map((p) => p.kind));
    for (const kind of ['lvSmart', 'lvConventional', 'lvNewCustomer', 'hv', 'fitReceiving', 'vacant']) assert.ok(kinds.has(kind as never), kind);
    for (const area of byArea) for (const p of area.points) assert.ok(p.supplyPointId.startsWith(area.area));
  });

  test("the listed identity is what the grid accepts: a usage password, then the customer's usage", async () => {
    for (const areaCode of ['03', '06'] as AreaCode[]) {
      const grid = new Grid({ area: areaCode, db, clock });
      const points = byArea.find((a) => a.area === areaCode)!.points;
      for (const p of points.filter((x) => x.kind === 'lvSmart' || x.kind === 'lvNewCustomer' || x.kind === 'hv')) {
        const [apply, status, usage] = p.kind === 'hv' ? ['IF_K10210', 'IF_K10220', 'IF_K10310'] : ['IF_10210', 'IF_10220', 'IF_10310'];
        const applied = await grid.handle(
          gridRequest(apply!, { supplyPointId: p.supplyPointId, customerNameKana: p.customerNameKana, phoneNumber: p.phone, consentDate: '2026-11-20' }),
        );
        assert.equal(applied.result, 'OK', `${p.kind} ${p.supplyPointId}: ${JSON.stringify(applied.messages)}`);
        const shown = await grid.handle(gridRequest(status!, { applicationNumber: (applied.data as Record<string, any>).applicationNumber }));
        const response = await grid.handle(
          gridRequest(usage!, { supplyPointId: p.supplyPointId, usagePassword: (shown.data as Record<string, any>).usagePassword }),
        );
        assert.equal(response.result, 'OK');
        const withheld = response.messages.some((m) => m.code === 'GRID_USAGE_WITHHELD');
        assert.equal(withheld, p.kind === 'lvNewCustomer', `${p.kind}: ${JSON.stringify(response.messages)}`);
      }
    }
  });

  test('vacant points refuse a usage password; FIT points answer IF_F10110', async () => {
    const grid = new Grid({ area: '03', db, clock });
    const points = byArea.find((a) => a.area === '03')!.points;
    const vacant = points.find((p) => p.kind === 'vacant')!;
    assert.equal(vacant.customerNameKana, null);
    const refused = await grid.handle(
      gridRequest('IF_10210', { supplyPointId: vacant.supplyPointId, customerNameKana: 'ヤマダ', phoneNumber: '0', consentDate: '2026-11-20' }),
    );
    assert.equal(refused.messages[0]?.code, 'GRID_POINT_VACANT');
    const fit = points.find((p) => p.kind === 'fitReceiving')!;
    assert.equal((await grid.handle(gridRequest('IF_F10110', { supplyPointId: fit.supplyPointId }))).result, 'OK');
  });

  test('the markdown section has a table per area', () => {
    const markdown = demoPointsMarkdown(byArea);
    assert.match(markdown, /^## Supply points to try the look-ups with/);
    assert.match(markdown, /### 03 東京\n\n\| kind \| supply point ID/);
    const tokyoSmart = byArea.find((a) => a.area === '03')!.points.find((p) => p.kind === 'lvSmart')!;
    assert.ok(markdown.includes(`| ${tokyoSmart.supplyPointId} | ${tokyoSmart.retailerCode} `));
    assert.ok(markdown.includes(`| ${tokyoSmart.customerNameKana} | ${tokyoSmart.customerName} | ${tokyoSmart.phone} |`));
    assert.match(demoPointsMarkdown([{ area: '10', areaName: '沖縄', points: [] }]), /no points/);
  });
});
