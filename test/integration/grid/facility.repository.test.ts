import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeKana } from '../../../src/domain/kana.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { allGridMigrations, gridSchema } from '../../../src/grid/schema.ts';
import { seedRegistry } from '../../../src/grid/seed/seed.ts';
import { parseIsoDate } from '../../../src/domain/date.ts';
import { readingSchedule } from '../../../src/domain/reading-day.ts';
import { countSupplyPoints, findByCustomerKana, findFacility } from '../../../src/grid/registry/facility.repository.ts';
import { monthlyUsage, readingMonths } from '../../../src/grid/registry/usage.ts';

const tokyo = gridSchema('03');

forEachBackend('facility look-up', (backend) => {
  let db: TestDb;

  before(async () => {
    db = await backend.open();
    await migrate(db, allGridMigrations);
    await seedRegistry(db, { points: 4_000, seed: 11 });
  });
  after(() => db.close());

  async function anId(where: string): Promise<string> {
    const { rows } = await db.query<{ id: string }>(`SELECT supply_point_id AS id FROM ${tokyo}.supply_point WHERE ${where} ORDER BY supply_point_id LIMIT 1`);
    assert.ok(rows[0], `no point where ${where}`);
    return rows[0].id;
  }

  test('finds a contracted household by supply point ID, with its customer and meter', async () => {
    const id = await anId(`status = 'contracted' AND usage_profile = 'household' AND contract_ampere IS NOT NULL`);
    const facility = await findFacility(db, tokyo, id);
    assert.ok(facility);
    assert.equal(facility.supplyPointId, id);
    assert.equal(facility.voltageClass, 'LV');
    assert.equal(facility.contractType, 'lighting');
    assert.ok([10, 15, 20, 30, 40, 50, 60].includes(facility.contractAmpere as number));
    assert.match(facility.retailerCode as string, /^[A-Z0-9]{4}3$/);
    assert.ok(facility.customer && facility.customer.nameKana.length > 0);
    assert.ok(facility.tenureSince && facility.tenureSince < '2026-10-01');
    assert.equal(facility.meters.length, 1);
    assert.match(facility.meters[0]?.installedOn as string, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(readingSchedule('03', 'LV').has(facility.readingGroup), true, "one of Tokyo's schedule numbers");
    assert.equal(facility.usageProfile.kind, 'household');

    const months = monthlyUsage(facility, readingMonths(readingSchedule('03', 'LV'), facility.readingGroup, parseIsoDate('2026-11-28')));
    assert.equal(months.length, 13);
    for (const month of months) assert.ok(month.kWh > 0, `${month.month}: ${month.kWh} kWh`);
  });

  test('an unknown supply point ID gives undefined', async () => {
    assert.equal(await findFacility(db, tokyo, '0300000000000000000000'), undefined);
  });

  test('a vacant point has no retailer, customer or tenure', async () => {
    const facility = await findFacility(db, tokyo, await anId(`status IN ('discontinued', 'discontinuedLit')`));
    assert.ok(facility);
    assert.equal(facility.retailerCode, null);
    assert.equal(facility.customer, null);
    assert.equal(facility.tenureSince, null);
  });

  test('a high-voltage point has a kW contract and a smart meter', async () => {
    const facility = await findFacility(db, tokyo, await anId(`voltage_class = 'HV'`));
    assert.ok(facility);
    assert.equal(facility.contractType, 'highVoltage');
    assert.equal(typeof facility.contractKw, 'number');
    assert.equal(facility.contractAmpere, null);
    assert.equal(facility.meters[0]?.kind, 'smart');
  });

  test('a FIT receiving point has no contract type and a solar profile', async () => {
    const facility = await findFacility(db, tokyo, await anId('fit_receiving'));
    assert.ok(facility);
    assert.equal(facility.contractType, null);
    assert.equal(facility.usageProfile.kind, 'solar');
  });

  test('counts the points of an area', async () => {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${tokyo}.supply_point`);
    assert.equal(await countSupplyPoints(db, tokyo), rows[0]?.n);
  });

  test('finds points by a kana prefix of the customer name, through the kana index', async () => {
    const { rows } = await db.query<{ name_kana: string }>(`SELECT name_kana FROM ${tokyo}.customer ORDER BY customer_id LIMIT 1`);
    const surname = (rows[0]!.name_kana as string).split('\u3000')[0] as string;
    const prefix = normalizeKana(surname);
    const matches = await findByCustomerKana(db, tokyo, prefix, 20);
    assert.ok(matches.length > 0);
    for (const m of matches) assert.ok(normalizeKana(m.nameKana).startsWith(prefix), m.nameKana);

    const plan = await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off');
      const { rows: lines } = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT customer_id FROM ${tokyo}.customer WHERE name_kana_key LIKE $1`, [
        `${prefix}%`,
      ]);
      return lines.map((l) => l['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /customer_name_kana_key_idx/);
  });
});
