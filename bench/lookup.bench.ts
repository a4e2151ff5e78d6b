/**
 * Facility look-up latency: with KIRIKAE_BENCH_POINTS points (default 1,000,000) seeded, 10,000
 * look-ups of one supply point by ID through `findFacility`, one after another on the same pool, at
 * random points of all areas; and as the floor, as many `SELECT 1` round trips. Prints the median
 * and 99th percentile of each and the ratio of the medians.
 */
import { areaOf } from '../src/domain/area.ts';
import { ident } from '../src/platform/db/db.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { allGridMigrations, gridSchema } from '../src/grid/schema.ts';
import { findFacility } from '../src/grid/registry/facility.repository.ts';
import { mulberry32 } from '../src/grid/registry/random.ts';
import { seedRegistry } from '../src/grid/seed/seed.ts';
import { areaCodes } from '../src/domain/area.ts';
import { benchPoints, withBenchDatabase } from './support.ts';
import { facilityHubBench } from './facility-hub.bench.ts';
import { hubMigrations } from '../src/hub/schema.ts';

const lookups = 10_000;
/** Untimed calls first, so connections are open and plans and caches warm, as in a running service. */
const warmUp = 500;

export async function lookupBench(points = benchPoints): Promise<void> {
  await withBenchDatabase(async (db) => {
    await migrate(db, allGridMigrations);
    await seedRegistry(db, { points, seed: 1 });
    const ids = await sampleIds(db, points);

    for (const id of ids.slice(0, warmUp)) await findFacility(db, gridSchema(areaOf(id.slice(0, 2)).code), id);
    const lookupMs: number[] = [];
    for (const id of ids) {
      const schema = gridSchema(areaOf(id.slice(0, 2)).code);
      const started = performance.now();
      const facility = await findFacility(db, schema, id);
      lookupMs.push(performance.now() - started);
      if (!facility) throw new Error(`seeded point ${id} not found`);
    }

    for (let i = 0; i < warmUp; i++) await db.query('SELECT 1');
    const pingMs: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const started = performance.now();
      await db.query('SELECT 1');
      pingMs.push(performance.now() - started);
    }

    const [lookupMedian, lookupP99] = [quantile(lookupMs, 0.5), quantile(lookupMs, 0.99)];
    const [pingMedian, pingP99] = [quantile(pingMs, 0.5), quantile(pingMs, 0.99)];
    console.log(
      `lookup: ${ids.length} findFacility by ID at ${points} points: median ${lookupMedian.toFixed(3)} ms, p99 ${lookupP99.toFixed(3)} ms; ` +
        `SELECT 1 round trip median ${pingMedian.toFixed(3)} ms, p99 ${pingP99.toFixed(3)} ms; ` +
        `ratio ${(lookupMedian / pingMedian).toFixed(1)}× (median)`,
    );

    // The same registry, through the hub.
    await migrate(db, [hubMigrations]);
    // Tokyo's low-voltage demand points (the 21st digit is the kind: 1 LV, 2 HV, 3 FIT; see seed/generate.ts).
    await facilityHubBench(
      db,
      ids.filter((id) => id.startsWith('03') && id[20] === '1'),
    );
  });
}

/** `lookups` IDs drawn evenly over all points of all areas, in a fixed random order. */
async function sampleIds(db: Parameters<typeof findFacility>[0], points: number): Promise<string[]> {
  // Sample a little more than needed (Bernoulli sampling varies), then shuffle and cut.
  const percent = Math.min(100, ((lookups * 1.5) / Math.max(points, 1)) * 100);
  const ids: string[] = [];
  for (const area of areaCodes) {
    const { rows } = await db.query<{ id: string }>(
      `SELECT supply_point_id AS id FROM ${ident(gridSchema(area))}.supply_point TABLESAMPLE BERNOULLI ($1) REPEATABLE (1)`,
      [percent],
    );
    ids.push(...rows.map((r) => r.id));
  }
  const random = mulberry32(1);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j] as string, ids[i] as string];
  }
  return ids.slice(0, lookups);
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
