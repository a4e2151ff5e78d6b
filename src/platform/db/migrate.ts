/**
 * Numbered SQL migrations, frozen in time: `0001_name.sql`, `0002_name.sql`, … in a folder per side.
 *
 * The hub owns the `hub` schema; the reference grid of each area owns `grid_01` … `grid_10`, all
 * built from the same grid migrations. A migration file names its tables without a schema; it runs
 * with `search_path` set to the schema it is applied to. Each schema keeps its own ledger
 * (`schema_migration`) with a checksum, so an applied migration that was edited is refused.
 *
 * All pending migrations of one run are applied in one transaction, under an advisory lock so that
 * processes starting together do not race: a migration that fails leaves the database exactly as
 * it was before the run.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Refusal } from '../../domain/refusal.ts';
import { ident, type Db, type Queryable } from './db.ts';

export interface MigrationSet {
  /** The schema the migrations build and live in. */
  readonly schema: string;
  /** The folder holding the numbered `.sql` files. */
  readonly dir: string;
}

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface AppliedMigration {
  readonly schema: string;
  readonly version: number;
  readonly name: string;
}

/** An arbitrary constant naming "kirikae migrations" for pg_advisory_xact_lock. */
const migrationLockKey = 4_115_202_611;

export function readMigrations(dir: string): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  // Numbers rise; gaps are allowed (parallel branches are given ranges of numbers), a number twice is not.
  return files.map((file, index) => {
    const version = Number(file.slice(0, 4));
    const before = index === 0 ? 0 : Number(files[index - 1]!.slice(0, 4));
    if (version <= before) throw new Error(`migration ${join(dir, file)}: number ${version} used twice or below 1`);
    const sql = readFileSync(join(dir, file), 'utf8');
    return { version, name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

/** Applies every pending migration of every set in one transaction; returns what it applied. */
export async function migrate(db: Db, sets: readonly MigrationSet[]): Promise<AppliedMigration[]> {
  const planned = sets.map((set) => ({ set, migrations: readMigrations(set.dir) }));
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
    const applied: AppliedMigration[] = [];
    for (const { set, migrations } of planned) {
      applied.push(...(await migrateSchema(tx, set.schema, migrations)));
    }
    return applied;
  });
}

async function migrateSchema(tx: Queryable, schema: string, migrations: readonly Migration[]): Promise<AppliedMigration[]> {
  const s = ident(schema);
  await tx.exec(`
    CREATE SCHEMA IF NOT EXISTS ${s};
    CREATE TABLE IF NOT EXISTS ${s}.schema_migration (
      version int PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    );`);
  const { rows } = await tx.query<{ version: number; name: string; checksum: string }>(
    `SELECT version, name, checksum FROM ${s}.schema_migration ORDER BY version`,
  );
  const done = new Map(rows.map((r) => [r.version, r]));
  const applied: AppliedMigration[] = [];
  for (const migration of migrations) {
    const previous = done.get(migration.version);
    if (previous) {
      if (previous.checksum !== migration.checksum) {
        throw new Refusal('DB_MIGRATION_CHANGED', { params: { migration: `${schema}/${migration.name}` } });
      }
      continue;
    }
    try {
      await tx.exec(`SET LOCAL search_path TO ${s}, public`);
      await tx.exec(migration.sql);
      await tx.exec('RESET search_path');
    } catch (error) {
      const refusal = new Refusal('DB_MIGRATION_FAILED', { params: { migration: `${schema}/${migration.name}` } });
      throw Object.assign(refusal, { cause: error, message: `${refusal.message} (${(error as Error).message})` });
    }
    await tx.query(`INSERT INTO ${s}.schema_migration (version, name, checksum) VALUES ($1, $2, $3)`, [migration.version, migration.name, migration.checksum]);
    applied.push({ schema, version: migration.version, name: migration.name });
  }
  return applied;
}
