/**
 * The composition root: one kirikae process with the hub and the reference grids of all ten areas.
 *
 * Start-up, in order: open the database (PGlite under KIRIKAE_HOME, or DATABASE_URL), apply
 * migrations (one transaction), open the clock (sandbox: movable, production: real), start the job
 * queue, load demo data on the first start of a sandbox, then listen.
 *
 * Only this file (and the CLI) may import both `hub/` and `grid/`: everything else keeps them apart.
 */
import { areaCodes } from './domain/area.ts';
import { allGridMigrations, gridSchema } from './grid/schema.ts';
import { demoSeed, seedRegistry } from './grid/seed/seed.ts';
import { hubMigrations } from './hub/schema.ts';
import { openSystemClock, type SystemClock } from './hub/sandbox-clock.ts';
import type { Config } from './platform/config.ts';
import type { Db } from './platform/db/db.ts';
import { migrate, type AppliedMigration } from './platform/db/migrate.ts';
import { openDatabase } from './platform/db/open.ts';
import { Jobs } from './platform/jobs.ts';
import { log } from './platform/log.ts';
import { startOpsServer, type OpsServer } from './platform/http/ops-server.ts';

export const allMigrations = [hubMigrations, ...allGridMigrations];

export interface System {
  readonly config: Config;
  readonly db: Db;
  readonly clock: SystemClock;
  readonly jobs: Jobs | undefined;
  readonly ops: OpsServer | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Run the job queue's workers and schedules in this process (default true). */
  readonly jobs?: boolean;
  /** Listen on the network (default true; tests and one-shot commands may not). */
  readonly listen?: boolean;
}

/** Opens the database and brings its schemas up to date. */
export async function openMigrated(config: Config): Promise<{ db: Db; applied: AppliedMigration[] }> {
  const db = await openDatabase(config);
  try {
    return { db, applied: await migrate(db, allMigrations) };
  } catch (error) {
    await db.close();
    throw error;
  }
}

export async function startSystem(config: Config, options: StartOptions = {}): Promise<System> {
  const { db, applied } = await openMigrated(config);
  if (applied.length > 0) log('info', 'db', `applied ${applied.length} migrations to ${db.target}`);
  let jobs: Jobs | undefined;
  let ops: OpsServer | undefined;
  const stop = async () => {
    await ops?.close();
    await jobs?.stop();
    await db.close();
  };
  try {
    const clock = await openSystemClock(db, config.mode);
    if (config.mode === 'sandbox') await loadDemoData(db);
    if (options.jobs ?? true) jobs = await Jobs.start(db);
    if (options.listen ?? true) ops = await startOpsServer({ host: config.host, port: config.opsPort, db });
    return { config, db, clock, jobs, ops, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** On the first start of a sandbox, fills the grids with a small synthetic registry. */
async function loadDemoData(db: Db): Promise<void> {
  if (!(await registryIsEmpty(db))) return;
  const started = performance.now();
  const result = await seedRegistry(db, demoSeed);
  log('info', 'demo', `loaded ${result.points} demo supply points in ${Math.round(performance.now() - started)} ms`);
}

async function registryIsEmpty(db: Db): Promise<boolean> {
  for (const area of areaCodes) {
    const { rows } = await db.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${gridSchema(area)}.supply_point) AS any`);
    if (rows[0]?.any) return false;
  }
  return true;
}
