/**
 * The database backends an integration test runs on: the embedded PGlite, and PostgreSQL when
 * `KIRIKAE_TEST_DATABASE_URL` points at a server. `KIRIKAE_TEST_BACKENDS=pglite` (or `postgres`)
 * narrows a test process to one of them: `npm test` runs the two backends in separate processes,
 * side by side.
 *
 *   forEachBackend('facility look-up', (backend) => {
 *     test('finds a point by ID', async () => {
 *       await using db = await backend.open();   // migrated: hub and the ten grids
 *       ...
 *     });
 *   });
 *
 * Why it is fast. Making a database is the expensive part of an integration test: initdb of a
 * PGlite costs 5–20 s, loading a dump of one 2–3 s, the migrations 1–2 s more. So:
 * - the migrated database is built once, as a **template** cached on disk under
 *   `node_modules/.cache/kirikae-test/`, keyed by the hash of the migrations (a PGlite dump; on
 *   PostgreSQL a template database `kirikae_tpl_<hash>`), and `npm test` builds it before any test
 *   process starts;
 * - a test process keeps the databases its tests have closed and hands them to the next test **reset**
 *   to the template's state (`kirikae_test.reset()`, see reset.sql): truncating a hundred tables
 *   costs milliseconds, a new database seconds.
 * Every test therefore still starts on a database of its own, exactly as the migrations left it.
 * `backend.open({ migrated: false })` gives an empty, unmigrated database (the migration tests).
 *
 * PGlite is a single-process database: a test of "two processes at once" runs on PostgreSQL, where
 * `db.url` lets a second process or pool connect; on PGlite `db.url` is undefined.
 */
import { after, describe } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import type { Db, Subscription } from '../../src/platform/db/db.ts';
import { openPglite, PgliteDb } from '../../src/platform/db/pglite.ts';
import { openPostgres, type PostgresDb } from '../../src/platform/db/postgres.ts';
import { databaseUrl, ensurePostgresTemplate, pgliteTemplate, runId, serverUrl, testDatabasePrefix, withServer } from './templates.ts';

export { serverUrl };

export interface TestDb extends Db, AsyncDisposable {
  /** The connection URL on PostgreSQL (for a second process or pool); undefined on PGlite. */
  readonly url: string | undefined;
}

export interface OpenOptions {
  /** false: an empty database, no schema of ours (default true: hub and the ten grids migrated). */
  readonly migrated?: boolean;
}

export interface Backend {
  readonly name: 'pglite' | 'postgres';
  open(options?: OpenOptions): Promise<TestDb>;
}

/** PGlite instances whose test has ended, reset and ready for the next test of this process. */
const idlePglites: PGlite[] = [];

/** A migrated PGlite of this process's pool: `close()` resets it and gives it back. */
class PooledPgliteDb extends PgliteDb implements TestDb {
  readonly url = undefined;
  readonly #channels = new Set<string>();
  #released = false;

  override async listen(channel: string, onNotify: (payload: string) => void): Promise<Subscription> {
    this.#channels.add(channel);
    return super.listen(channel, onNotify);
  }

  override async close(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const pglite = this.pglite;
    if (pglite.closed) return;
    try {
      for (const channel of this.#channels) await pglite.unlisten(channel);
      await pglite.exec('UNLISTEN *; SELECT pg_advisory_unlock_all(); RESET ALL; DEALLOCATE ALL; DISCARD TEMP;');
      await pglite.query('SELECT kirikae_test.reset()');
      idlePglites.push(pglite);
    } catch {
      await pglite.close().catch(() => {});
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

export const pgliteBackend: Backend = {
  name: 'pglite',
  async open(options = {}) {
    if (options.migrated === false) {
      const db = await openPglite(undefined, { loadDataDir: await pgliteTemplate('empty') });
      return Object.assign(db, { url: undefined, [Symbol.asyncDispose]: () => db.close() });
    }
    const pglite = idlePglites.pop() ?? (await openPglite(undefined, { loadDataDir: await pgliteTemplate('migrated') })).pglite;
    return new PooledPgliteDb(pglite, 'memory://');
  },
};

// ── PostgreSQL ──────────────────────────────────────────────────────────────────────────────────

/** Databases whose test has ended, reset and ready for the next test of this process. */
const idleDatabases: string[] = [];
const ownDatabases = new Set<string>();
let databaseCount = 0;

async function dropDatabase(name: string): Promise<void> {
  ownDatabases.delete(name);
  await withServer((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

async function releaseDatabase(name: string): Promise<void> {
  try {
    // One connection to the database itself: whatever the test left connected (a job queue, a second
    // pool) is cut off first, then the database is reset.
    await withServer(async (client) => {
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      await client.query('SELECT kirikae_test.reset()');
    }, databaseUrl(name));
    idleDatabases.push(name);
  } catch {
    await dropDatabase(name).catch(() => {});
  }
}

export const postgresBackend: Backend = {
  name: 'postgres',
  async open(options = {}) {
    const migrated = options.migrated ?? true;
    let name = migrated ? idleDatabases.pop() : undefined;
    if (!name) {
      name = `${testDatabasePrefix}${runId}_${process.pid}_${++databaseCount}`;
      const template = migrated ? await ensurePostgresTemplate() : 'template0';
      const created = name;
      await withServer((admin) => admin.query(`CREATE DATABASE ${created} TEMPLATE ${template}`));
      ownDatabases.add(name);
    }
    const url = databaseUrl(name);
    const db = await openPostgres(url);
    const held = name;
    const closePool = db.close.bind(db);
    let released: Promise<void> | undefined;
    const close = () => {
      released ??= closePool().then(() => (migrated ? releaseDatabase(held) : dropDatabase(held)));
      return released;
    };
    return Object.assign(db, { url, close, [Symbol.asyncDispose]: close }) as PostgresDb & TestDb;
  },
};

// This process's databases go when its tests are done (the runner also drops what a crash left).
after(async () => {
  await Promise.all([...idlePglites.splice(0)].map((pglite) => pglite.close().catch(() => {})));
  await Promise.all([...ownDatabases].map((name) => dropDatabase(name).catch(() => {})));
});

// ── Choosing ────────────────────────────────────────────────────────────────────────────────────

function chosenBackends(): readonly Backend[] {
  const available = serverUrl ? [pgliteBackend, postgresBackend] : [pgliteBackend];
  const only = process.env.KIRIKAE_TEST_BACKENDS?.split(',').filter(Boolean);
  if (!only || only.length === 0) return available;
  const unknown = only.filter((name) => !available.some((b) => b.name === name));
  if (unknown.length > 0) throw new Error(`KIRIKAE_TEST_BACKENDS names ${unknown.join(', ')}, not available here (is KIRIKAE_TEST_DATABASE_URL set?)`);
  return available.filter((b) => only.includes(b.name));
}

export const backends: readonly Backend[] = chosenBackends();

/** Declares the same suite once per backend, named "<title> [pglite]" etc. */
export function forEachBackend(title: string, body: (backend: Backend) => void): void {
  for (const backend of backends) {
    describe(`${title} [${backend.name}]`, () => body(backend));
  }
}
