/**
 * Opens the configured database: PostgreSQL when `DATABASE_URL` is set, else the embedded PGlite
 * under `KIRIKAE_HOME`.
 */
import type { Config } from '../config.ts';
import type { Db } from './db.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'pgliteDir'>): Promise<Db> {
  return config.databaseUrl ? openPostgres(config.databaseUrl) : openPglite(config.pgliteDir);
}
