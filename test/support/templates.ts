/**
 * The migrated test databases' templates, built once per hash of the migrations and cached: a PGlite
 * dump on disk under `node_modules/.cache/kirikae-test/`, a template database `kirikae_tpl_<hash>` on
 * the PostgreSQL server. `npm test` builds them before any test process starts (scripts/test.ts);
 * a test process that finds one missing builds it itself (backends.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Db } from '../../src/platform/db/db.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { openPglite } from '../../src/platform/db/pglite.ts';
import { openPostgres } from '../../src/platform/db/postgres.ts';
import { hubMigrations } from '../../src/hub/schema.ts';
import { allGridMigrations, gridMigrationsDir } from '../../src/grid/schema.ts';

export const serverUrl = process.env.KIRIKAE_TEST_DATABASE_URL || undefined;

/** Every migration set the system has: the hub and the grids of the ten areas. */
const allMigrations = [hubMigrations, ...allGridMigrations];

const root = fileURLToPath(new URL('../../', import.meta.url));
export const cacheDir = join(root, 'node_modules', '.cache', 'kirikae-test');
const resetSql = readFileSync(new URL('./reset.sql', import.meta.url), 'utf8');

const pgliteVersion = JSON.parse(readFileSync(join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version as string;

/** The hash of everything a template is built from: a changed migration makes a new template. */
export const templateKey: string = (() => {
  const hash = createHash('sha256').update(resetSql);
  for (const dir of [hubMigrations.dir, gridMigrationsDir]) {
    for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  }
  return hash.update(pgliteVersion).digest('hex').slice(0, 16);
})();

async function buildTemplate(db: Db): Promise<void> {
  await migrate(db, allMigrations);
  await db.exec(resetSql);
}

// ── PGlite ──────────────────────────────────────────────────────────────────────────────────────

const pgliteTemplates = new Map<string, Promise<Blob>>();

/** A dump of an empty or a migrated PGlite, from the disk cache, made there if missing. */
export function pgliteTemplate(kind: 'empty' | 'migrated'): Promise<Blob> {
  let template = pgliteTemplates.get(kind);
  if (!template) {
    template = (async () => {
      // The empty one depends on PGlite alone; the migrated one on the migrations too.
      const file = join(cacheDir, kind === 'empty' ? `pglite-empty-${pgliteVersion}.tar` : `pglite-migrated-${templateKey}.tar`);
      if (existsSync(file)) return new Blob([readFileSync(file)]);
      const db = kind === 'empty' ? await openPglite(undefined) : await openPglite(undefined, { loadDataDir: await pgliteTemplate('empty') });
      if (kind === 'migrated') await buildTemplate(db);
      const dump = await db.pglite.dumpDataDir('none');
      await db.close();
      mkdirSync(cacheDir, { recursive: true });
      const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
      renameSync(partial, file); // atomic: processes building it at once each write a whole file
      return dump;
    })();
    pgliteTemplates.set(kind, template);
  }
  return template;
}

/** Names this run's databases, so that the runner can drop whatever a crashed process left. */
export const runId = process.env.KIRIKAE_TEST_RUN ?? `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
export const testDatabasePrefix = 'kirikae_test_';
export const postgresTemplateName = `kirikae_tpl_${templateKey}`;

export function databaseUrl(name: string): string {
  if (!serverUrl) throw new Error('KIRIKAE_TEST_DATABASE_URL is not set');
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withServer<T>(fn: (client: pg.Client) => Promise<T>, url = serverUrl): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An arbitrary constant naming "kirikae test template" for pg_advisory_lock. */
const templateLockKey = 4_115_202_612;

let postgresTemplate: Promise<string> | undefined;

/** The migrated template database on the server, made once per migration hash. */
export function ensurePostgresTemplate(): Promise<string> {
  postgresTemplate ??= withServer(async (admin) => {
    const exists = async () => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [postgresTemplateName])).rowCount === 1;
    if (await exists()) return postgresTemplateName;
    await admin.query('SELECT pg_advisory_lock($1)', [templateLockKey]);
    try {
      if (await exists()) return postgresTemplateName;
      const building = `${postgresTemplateName}_${randomBytes(3).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${building} TEMPLATE template0`);
      const db = await openPostgres(databaseUrl(building));
      try {
        await buildTemplate(db);
      } finally {
        await db.close();
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${postgresTemplateName}`);
      return postgresTemplateName;
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [templateLockKey]);
    }
  });
  return postgresTemplate;
}

/** Drops the databases a run left behind (a crashed test process cannot drop its own). */
export async function dropRunDatabases(run: string): Promise<number> {
  if (!serverUrl) return 0;
  return withServer(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${testDatabasePrefix}${run}_%`]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    return rows.length;
  });
}

/**
 * A folder holding an initialised PGlite, cached: a test that starts `kirikae` as a process copies it
 * to `KIRIKAE_HOME/pglite` so that the process opens a database instead of spending 5–20 s on initdb.
 * `empty`: nothing of ours in it (the process runs the migrations, as on a first start); `migrated`:
 * the hub and the ten grids migrated, nothing else (the process still makes its demo data and
 * certificates), for tests about something other than the first start.
 */
export async function pgliteDataDir(kind: 'empty' | 'migrated'): Promise<string> {
  const dir = join(cacheDir, kind === 'empty' ? `pglite-dir-empty-${pgliteVersion}` : `pglite-dir-migrated-${templateKey}`);
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  const building = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const db = await openPglite(building, { loadDataDir: await pgliteTemplate(kind) });
  await db.close();
  try {
    renameSync(building, dir);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another process made it first
  }
  return dir;
}
