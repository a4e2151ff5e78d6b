/**
 * Seeding speed: `seedRegistry` of KIRIKAE_BENCH_POINTS points (default 1,000,000) into PostgreSQL,
 * against a plain COPY of the very same rows, generated beforehand into files, into the same freshly
 * migrated tables with the same database work around it (keys and indexes rebuilt after the load,
 * statistics gathered). The ratio is the share of raw COPY throughput the seed keeps while generating
 * its rows on the fly. Targets: under 60 s for a million points on 2 cores; ratio ≥ 0.30.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { areaCodes, type AreaCode } from '../src/domain/area.ts';
import { ident } from '../src/platform/db/db.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { allGridMigrations, gridSchema } from '../src/grid/schema.ts';
import { withKeysAndIndexesRebuilt } from '../src/grid/seed/bulk-load.ts';
import { areaGenerator, customerColumns, meterColumns, supplyPointColumns } from '../src/grid/seed/generate.ts';
import { finishRegistry, pointsPerArea, registryTables, seedRegistry } from '../src/grid/seed/seed.ts';
import { benchPoints, perSecond, seconds, withBenchDatabase } from './support.ts';

const seed = 1;
const tables = [
  ['customer', customerColumns],
  ['supply_point', supplyPointColumns],
  ['meter', meterColumns],
] as const;

export async function seedBench(points = benchPoints): Promise<void> {
  const seedMs = await withBenchDatabase(async (db) => {
    await migrate(db, allGridMigrations);
    const started = performance.now();
    await seedRegistry(db, { points, seed });
    return performance.now() - started;
  });

  const dir = mkdtempSync(join(tmpdir(), 'kirikae-seed-bench-'));
  try {
    const rows = writeRows(dir, points);
    const rawMs = await withBenchDatabase(async (db) => {
      await migrate(db, allGridMigrations);
      const started = performance.now();
      await db.transaction(async (tx) => {
        await withKeysAndIndexesRebuilt(tx, registryTables, async () => {
          for (const area of areaCodes) {
            for (const [table, columns] of tables) {
              const text = createReadStream(file(dir, area, table), { encoding: 'utf8', highWaterMark: 1 << 20 });
              await tx.copyFrom(`${ident(gridSchema(area))}.${table}`, columns, text);
            }
          }
        });
        await finishRegistry(tx);
      });
      return performance.now() - started;
    });
    console.log(
      `seed: ${points} points in ${seconds(seedMs)} s = ${perSecond(points, seedMs)} points/s (target < 60 s at 1000000); ` +
        `raw COPY of the same ${rows} rows in ${seconds(rawMs)} s = ${perSecond(rows, rawMs)} rows/s, ${perSecond(points, rawMs)} points/s; ` +
        `ratio ${(rawMs / seedMs).toFixed(2)} (target ≥ 0.30)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function file(dir: string, area: AreaCode, table: string): string {
  return join(dir, `${area}.${table}.copy`);
}

/** Generates the seed's rows into one COPY file per area and table; returns how many rows. */
function writeRows(dir: string, points: number): number {
  const byArea = pointsPerArea(points);
  let rows = 0;
  for (const area of areaCodes) {
    for (const [table] of tables) writeFileSync(file(dir, area, table), '');
    const generate = areaGenerator(area, seed);
    for (let done = 0; done < byArea[area]; done += 10_000) {
      const chunk = generate(Math.min(10_000, byArea[area] - done));
      appendFileSync(file(dir, area, 'customer'), chunk.customers);
      appendFileSync(file(dir, area, 'supply_point'), chunk.supplyPoints);
      appendFileSync(file(dir, area, 'meter'), chunk.meters);
      rows += lines(chunk.customers) + lines(chunk.supplyPoints) + lines(chunk.meters);
    }
  }
  return rows;
}

function lines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
