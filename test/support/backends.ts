/**
 * The database backends a test runs on: the embedded PGlite always, and PostgreSQL when
 * `KIRIKAE_TEST_DATABASE_URL` points at a server. On PostgreSQL every test database is a fresh,
 * uniquely named database that is dropped afterwards, so test files may run in parallel.
 *
 *   forEachBackend('facility look-up', (backend) => {
 *     test('finds a point by ID', async () => {
 *       await using db = await backend.open();
 *       ...
 *     });
 *   });
 */
import { describe } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../../src/platform/db/db.ts';
import { openPglite } from '../../src/platform/db/pglite.ts';
import { openPostgres } from '../../src/platform/db/postgres.ts';

export interface TestDb extends Db, AsyncDisposable {
  /** The connection URL on PostgreSQL (for a second process or pg-boss); undefined on PGlite. */
  readonly url: string | undefined;
}

export interface Backend {
  readonly name: 'pglite' | 'postgres';
  open(): Promise<TestDb>;
}

export const serverUrl = process.env.KIRIKAE_TEST_DATABASE_URL || undefined;

/**
 * A fresh PGlite costs seconds to initialise (initdb in WebAssembly); loading a dump of an empty one
 * takes a fraction of that. Each test process initialises one and copies it for every test.
 */
let emptyPglite: Promise<Blob> | undefined;

function emptyPgliteDump(): Promise<Blob> {
  emptyPglite ??= (async () => {
    const template = await openPglite(undefined);
    const dump = await template.pglite.dumpDataDir('none');
    await template.close();
    return dump;
  })();
  return emptyPglite;
}

export const pgliteBackend: Backend = {
  name: 'pglite',
  async open() {
    const db = await openPglite(undefined, { loadDataDir: await emptyPgliteDump() });
    return Object.assign(db, { url: undefined, [Symbol.asyncDispose]: () => db.close() });
  },
};

export const postgresBackend: Backend = {
  name: 'postgres',
  async open() {
    if (!serverUrl) throw new Error('KIRIKAE_TEST_DATABASE_URL is not set');
    const name = `kirikae_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const db = await openPostgres(url.toString());
    const closePool = db.close.bind(db);
    const close = async () => {
      await closePool();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    };
    return Object.assign(db, { url: url.toString(), close, [Symbol.asyncDispose]: close });
  },
};

export const backends: readonly Backend[] = serverUrl ? [pgliteBackend, postgresBackend] : [pgliteBackend];

/** Declares the same suite once per available backend, named "<title> [pglite]" etc. */
export function forEachBackend(title: string, body: (backend: Backend) => void): void {
  for (const backend of backends) {
    describe(`${title} [${backend.name}]`, () => body(backend));
  }
}
