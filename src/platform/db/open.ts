/**
 * Opens the configured database: PostgreSQL when `DATABASE_URL` is set, else the embedded PGlite
 * under `KIRIKAE_HOME` (one process at a time: see data-lock.ts).
 */
import type { Config } from '../config.ts';
import type { Db } from './db.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export interface OpenOptions {
  /** Who opens the embedded folder (its lock names the holder to a refused second opener). */
  readonly holder?: string;
}

export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'pgliteDir'>, options: OpenOptions = {}): Promise<Db> {
  return config.databaseUrl ? openPostgres(config.databaseUrl) : openPglite(config.pgliteDir, options);
}
