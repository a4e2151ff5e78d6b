/**
 * Loads a synthetic supply point registry into all ten areas: `points` points spread over the areas
 * as the real low-voltage market is (`lvMillions`), deterministic for (points, seed).
 *
 * Replace, never append: seeding a registry that already has points is refused
 * (SEED_REGISTRY_NOT_EMPTY) unless `replace` is set, and then the old registry, with everything that
 * references it (applications and the like, by TRUNCATE … CASCADE), is replaced in the same
 * transaction as the load. Appending would mix two generations whose serials, and so IDs, collide.
 * Either way the whole load is one transaction: a failure leaves the registry as it was.
 *
 * Speed: rows stream as COPY text in chunks (never a million objects in memory), and the next chunk
 * is generated while PostgreSQL ingests the previous one. Keys, foreign keys and secondary indexes
 * are set aside during the load and rebuilt after it (bulk-load.ts); ANALYZE at the end gives the planner
 * real statistics at once instead of after autovacuum gets round to it.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { areaCodes, areas, type AreaCode } from '../../domain/area.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ident, type Db, type Queryable } from '../../platform/db/db.ts';
import { log } from '../../platform/log.ts';
import { gridSchema } from '../schema.ts';
import { withKeysAndIndexesRebuilt } from './bulk-load.ts';
import { openSeededPeriods } from '../registry/supply-period.repository.ts';
import { areaGenerator, customerColumns, meterColumns, supplyPointColumns, type GeneratedChunk } from './generate.ts';

export interface SeedOptions {
  readonly points: number;
  readonly seed: number;
  /** Replace a registry that has points; without it, such a registry is refused. */
  readonly replace?: boolean;
  /** Called after each chunk is loaded. */
  readonly onProgress?: (progress: SeedProgress) => void;
  /**
   * Only these areas (default all ten): an area whose grid has a database of its own
   * (`kirikae grid serve` with KIRIKAE_GRID_<AREA>_DATABASE_URL). Each area's points depend only on
   * the area, `points` and `seed`, so its registry is the one a seed of all areas would give it.
   */
  readonly areas?: readonly AreaCode[];
}

export interface SeedProgress {
  readonly area: AreaCode;
  /** Points loaded so far, over all areas. */
  readonly loaded: number;
  readonly total: number;
}

export interface SeedResult {
  readonly points: number;
  readonly byArea: Readonly<Record<AreaCode, number>>;
}

/** What the app loads on first start in sandbox mode: enough to browse, a second or two on PGlite. */
export const demoSeed = { points: 2_000, seed: 1 } as const;

/**
 * Points per COPY chunk: ~3 MB of text. Large enough that the ~0.3 ms a COPY statement costs is
 * noise; small enough that the chunk being generated and the one being loaded fit in a few MB.
 */
const chunkPoints = 5_000;
/** Points generated between yields to the event loop, so the socket keeps PostgreSQL fed meanwhile. */
const slicePoints = 500;
/** An arbitrary constant naming "kirikae registry seed" for pg_advisory_xact_lock. */
/** The registry load holds this advisory lock; `besideRegistryLoads` takes it shared. */
export const seedLockKey = 4_115_202_612;

/**
 * The first statement of a transaction that reads the registry while a system runs (the data
 * provision site's file schedule): it waits here for a registry load in progress, before it holds any
 * table lock the load's truncation would wait for, so neither ends as a deadlock's victim.
 */
export async function besideRegistryLoads(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [seedLockKey]);
}

/** Every table the seed loads, schema-qualified, in load order within each area. */
export const registryTables = areaCodes.flatMap((a) => ['customer', 'supply_point', 'meter'].map((t) => `${ident(gridSchema(a))}.${t}`));

/** Splits `points` over the areas by their share of LV points (largest remainder, so it adds up). */
export function pointsPerArea(points: number): Record<AreaCode, number> {
  const total = areas.reduce((sum, a) => sum + a.lvMillions, 0);
  const exact = areas.map((a) => ({ code: a.code, exact: (points * a.lvMillions) / total }));
  const counts = Object.fromEntries(exact.map((e) => [e.code, Math.floor(e.exact)])) as Record<AreaCode, number>;
  let rest = points - Object.values(counts).reduce((s, n) => s + n, 0);
  const byRemainder = [...exact].sort((a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)) || a.code.localeCompare(b.code));
  for (const e of byRemainder) {
    if (rest-- <= 0) break;
    counts[e.code]++;
  }
  return counts;
}

export async function seedRegistry(db: Db, options: SeedOptions): Promise<SeedResult> {
  const { points, seed } = options;
  if (!Number.isSafeInteger(points) || points < 0) throw new Refusal('SEED_POINTS_INVALID', { field: 'points' });
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Refusal('SEED_SEED_INVALID', { field: 'seed' });
  const only = options.areas ?? areaCodes;
  const byArea = Object.fromEntries(Object.entries(pointsPerArea(points)).map(([area, n]) => [area, only.includes(area as AreaCode) ? n : 0])) as Record<
    AreaCode,
    number
  >;
  const tables = registryTables.filter((table) => only.some((area) => table.startsWith(`${ident(gridSchema(area))}.`)));
  // The load takes every registry table's strongest lock (truncation, keys and indexes rebuilt) while
  // a running system's jobs may hold weaker ones on some of them: PostgreSQL may end the load as a
  // deadlock's victim. It was one transaction, so nothing of it remains, and it is tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [seedLockKey]);
        await clearRegistry(tx, options.replace ?? false, only, tables);
        await withKeysAndIndexesRebuilt(tx, tables, () => loadAreas(tx, byArea, seed, options.onProgress));
        await finishRegistry(tx, only);
      });
      return { points, byArea };
    } catch (error) {
      if ((error as { code?: string }).code !== deadlockDetected || attempt >= seedAttempts) throw error;
      log('warn', 'seed', `the registry load met a deadlock with the running system and was rolled back; trying again (${attempt}/${seedAttempts - 1})`);
    }
  }
}

/** PostgreSQL's SQLSTATE for a transaction ended to break a deadlock. */
const deadlockDetected = '40P01';
const seedAttempts = 4;

/** Refuses a registry with points unless replacing; when replacing, empties every area. */
async function clearRegistry(tx: Queryable, replace: boolean, areas: readonly AreaCode[], tables: readonly string[]): Promise<void> {
  const counts = areas.map((a) => `(SELECT count(*) FROM ${ident(gridSchema(a))}.supply_point)`).join(' + ');
  const { rows } = await tx.query<{ n: number }>(`SELECT (${counts})::int8 AS n`);
  const existing = rows[0]?.n ?? 0;
  if (existing === 0) return;
  if (!replace) throw new Refusal('SEED_REGISTRY_NOT_EMPTY', { field: 'replace', params: { count: existing } });
  await tx.exec(`TRUNCATE ${tables.join(', ')} CASCADE`);
}

/** Loads chunk after chunk, area after area, generating each chunk while the previous one loads. */
async function loadAreas(tx: Queryable, byArea: Readonly<Record<AreaCode, number>>, seed: number, onProgress: SeedOptions['onProgress']): Promise<void> {
  const total = Object.values(byArea).reduce((sum, n) => sum + n, 0);
  let loaded = 0;
  let inFlight: Promise<void> = Promise.resolve();
  for (const area of areaCodes) {
    const s = ident(gridSchema(area));
    const generate = areaGenerator(area, seed);
    for (let done = 0; done < byArea[area]; ) {
      const n = Math.min(chunkPoints, byArea[area] - done);
      const chunk = await generateYielding(generate, n);
      await inFlight;
      inFlight = copyChunk(tx, s, chunk).then(() => {
        loaded += n;
        onProgress?.({ area, loaded, total });
      });
      // Observed at the next `await inFlight`; this only keeps Node from calling it unhandled meanwhile.
      inFlight.catch(() => {});
      done += n;
    }
  }
  await inFlight;
}

/**
 * Moves the customer ID sequence past the loaded IDs, and gathers planner statistics for the columns
 * queries select and join on: all columns would take four times as long (names and addresses are
 * long texts) and tell the planner nothing it uses; autovacuum fills in the rest later.
 */
export async function finishRegistry(tx: Queryable, areas: readonly AreaCode[] = areaCodes): Promise<void> {
  for (const area of areas) {
    const s = ident(gridSchema(area));
    // Each contracted point's retailer of record, from its tenure (HALFHOURLY.md B2).
    await openSeededPeriods(tx, gridSchema(area));
    await tx.exec(`
      SELECT setval(pg_get_serial_sequence('${s}.customer', 'customer_id'),
                    GREATEST((SELECT max(customer_id) FROM ${s}.customer), 1),
                    (SELECT max(customer_id) IS NOT NULL FROM ${s}.customer));
      ANALYZE ${s}.customer (customer_id, name_kana_key),
              ${s}.supply_point (supply_point_id, customer_id, status, voltage_class, retailer_code, reading_group),
              ${s}.meter (meter_number, supply_point_id, kind);`);
  }
}

/** Generates `count` points in slices, letting pending I/O (the previous chunk's COPY) run between. */
async function generateYielding(generate: (count: number) => GeneratedChunk, count: number): Promise<GeneratedChunk> {
  const customers: string[] = [];
  const supplyPoints: string[] = [];
  const meters: string[] = [];
  for (let done = 0; done < count; done += slicePoints) {
    const slice = generate(Math.min(slicePoints, count - done));
    customers.push(slice.customers);
    supplyPoints.push(slice.supplyPoints);
    meters.push(slice.meters);
    await yieldToEventLoop();
  }
  return { points: count, customers: customers.join(''), supplyPoints: supplyPoints.join(''), meters: meters.join('') };
}

/** Customers before supply points before meters, the order their references run. `s`: the quoted schema. */
async function copyChunk(q: Queryable, s: string, chunk: GeneratedChunk): Promise<void> {
  if (chunk.customers) await q.copyFrom(`${s}.customer`, customerColumns, [chunk.customers]);
  if (chunk.supplyPoints) await q.copyFrom(`${s}.supply_point`, supplyPointColumns, [chunk.supplyPoints]);
  if (chunk.meters) await q.copyFrom(`${s}.meter`, meterColumns, [chunk.meters]);
}
