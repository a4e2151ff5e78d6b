/**
 * Opening the system's database, for `kirikae start` and the one-off commands alike: PGlite under
 * KIRIKAE_HOME (taking its lock) or DATABASE_URL, then every schema's pending migrations in one
 * transaction. Kept apart from app.ts so that a command does not load the servers it does not run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { allGridMigrations } from '../grid/schema.ts';
import { hubMigrations } from '../hub/schema.ts';
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/db/db.ts';
import { migrate, type AppliedMigration } from '../platform/db/migrate.ts';
import { openDatabase } from '../platform/db/open.ts';
import { log } from '../platform/log.ts';

/** Every schema's migrations: the hub's and the ten grids'. */
export const allMigrations = [hubMigrations, ...allGridMigrations];

/**
 * Opens the database and brings its schemas up to date. `holder` names who opens an embedded
 * database, for the refusal a second opener gets (DB_DATA_DIR_LOCKED).
 */
export async function openMigrated(config: Config, options: { holder?: string } = {}): Promise<{ db: Db; applied: AppliedMigration[] }> {
  // PostgreSQL's initdb, in WebAssembly: the longest silent step of a first start.
  const creating = !config.databaseUrl && !existsSync(join(config.pgliteDir, 'PG_VERSION'));
  const started = performance.now();
  if (creating) log('info', 'db', `creating the embedded database in ${config.pgliteDir} (first start only: this takes a while)…`);
  const db = await openDatabase(config, options);
  try {
    if (creating) log('info', 'db', `created in ${seconds(started)} s; applying the migrations…`);
    const migrating = performance.now();
    const applied = await migrate(db, allMigrations);
    if (applied.length > 0) log('info', 'db', `applied ${applied.length} migrations to ${db.target} in ${seconds(migrating)} s`);
    return { db, applied };
  } catch (error) {
    await db.close();
    throw error;
  }
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
