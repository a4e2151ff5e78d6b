/**
 * The embedded backend: PGlite, one PostgreSQL session in this process, data in a local folder
 * (or in memory for tests). PGlite runs one statement at a time; its own queue orders callers.
 * A folder is opened by one process at a time: its lock (data-lock.ts) is taken before PGlite
 * touches a file and released when the database is closed.
 */
import { PGlite, types } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import { lockDataDir, type DataLock } from './data-lock.ts';
import type { Db, Queryable, QueryResult, Subscription } from './db.ts';

const parsers = {
  [types.DATE]: (v: string) => v,
  [types.INT8]: (v: string) => Number(v),
};

export interface OpenPgliteOptions {
  readonly loadDataDir?: Blob;
  /** Who opens a data folder, for the refusal a second opener gets (e.g. "kirikae seed"). */
  readonly holder?: string;
}

export async function openPglite(dataDir: string | undefined, options: OpenPgliteOptions = {}): Promise<PgliteDb> {
  const { holder, ...pgliteOptions } = options;
  const lock = dataDir ? lockDataDir(dataDir, holder ?? `node, PID ${process.pid}`) : undefined;
  try {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const pg = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...pgliteOptions, parsers });
    return new PgliteDb(pg, dataDir ?? 'memory://', lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

export class PgliteDb implements Db {
  readonly backend = 'pglite' as const;
  readonly pglite: PGlite;
  readonly target: string;
  /** The lock of the data folder (none in memory). */
  readonly lock: DataLock | undefined;

  constructor(pglite: PGlite, target: string, lock?: DataLock) {
    this.pglite = pglite;
    this.target = `PGlite ${target}`;
    this.lock = lock;
  }

  query<R>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
    return run<R>(this.pglite, text, values);
  }

  async exec(text: string): Promise<void> {
    await this.pglite.exec(text);
  }

  copyFrom(table: string, columns: readonly string[], lines: AsyncIterable<string> | Iterable<string>): Promise<number> {
    return copy(this.pglite, table, columns, lines);
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<Subscription> {
    // One session, in this process: a subscription cannot be lost short of closing the database.
    const unlisten = await this.pglite.listen(channel, onNotify);
    return { close: () => unlisten() };
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pglite.transaction(async (tx) => {
      const scoped: Queryable = {
        query: <R>(text: string, values?: readonly unknown[]) => run<R>(tx, text, values),
        exec: async (text: string) => {
          await tx.exec(text);
        },
        copyFrom: (table, columns, lines) => copy(tx, table, columns, lines),
      };
      return fn(scoped);
    });
  }

  async close(): Promise<void> {
    try {
      if (!this.pglite.closed) await this.pglite.close();
    } finally {
      this.lock?.release();
    }
  }
}

interface PgliteQueryable {
  query<R>(text: string, values?: unknown[], options?: { blob?: Blob }): Promise<{ rows: R[]; affectedRows?: number }>;
}

async function run<R>(pg: PgliteQueryable, text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
  const result = await pg.query<R>(text, values ? [...values] : []);
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
}

/** Rows per COPY statement: PGlite takes the data as one Blob, so large loads go in slices. */
const copySliceBytes = 32 * 1024 * 1024;

async function copy(pg: PgliteQueryable, table: string, columns: readonly string[], lines: AsyncIterable<string> | Iterable<string>): Promise<number> {
  const statement = `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`;
  let total = 0;
  let parts: string[] = [];
  let size = 0;
  const flush = async () => {
    if (parts.length === 0) return;
    const result = await pg.query(statement, [], { blob: new Blob(parts) });
    total += result.affectedRows ?? 0;
    parts = [];
    size = 0;
  };
  for await (const chunk of lines) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= copySliceBytes) await flush();
  }
  await flush();
  return total;
}
