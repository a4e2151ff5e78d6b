/**
 * The server backend: a pool of connections to PostgreSQL (`DATABASE_URL`).
 */
import pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFromStream } from 'pg-copy-streams';
import type { Db, Queryable, QueryOptions, QueryResult, Subscription } from './db.ts';
import { Refusal } from '../../domain/refusal.ts';

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 1082) return (v: string) => v; // date stays "YYYY-MM-DD"
    if (oid === 20) return (v: string) => Number(v); // int8
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as typeof pg.types;

export async function openPostgres(url: string, options: { max?: number } = {}): Promise<PostgresDb> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types: typeParsers, connectionTimeoutMillis: 5000 });
  // Idle clients can fail (server restart); the pool replaces them, and the next query reports it.
  pool.on('error', () => {});
  const db = new PostgresDb(pool, url);
  try {
    await db.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Refusal('DB_UNREACHABLE', { params: { target: `${db.target}: ${(error as Error).message}` } });
  }
  return db;
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL (unparseable)';
  }
}

export class PostgresDb implements Db {
  readonly backend = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly target: string;
  /** The connection URL, for components that open their own connections (the job queue). */
  readonly url: string;

  constructor(pool: pg.Pool, url: string) {
    this.pool = pool;
    this.url = url;
    this.target = redact(url);
  }

  async query<R>(text: string, values?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    const result = options?.name
      ? await this.pool.query({ name: options.name, text, values: values as unknown[] | undefined })
      : await this.pool.query(text, values as unknown[] | undefined);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  }

  async exec(text: string): Promise<void> {
    await this.pool.query(text);
  }

  async copyFrom(table: string, columns: readonly string[], lines: AsyncIterable<string> | Iterable<string>): Promise<number> {
    const client = await this.pool.connect();
    try {
      return await copy(client, table, columns, lines);
    } finally {
      client.release();
    }
  }

  /** A dedicated connection holds the LISTEN (a pooled one would be handed to others). */
  async listen(channel: string, onNotify: (payload: string) => void, onLost?: (error: Error) => void): Promise<Subscription> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`unsafe channel name: ${channel}`);
    const client = new pg.Client({ connectionString: this.url, application_name: 'kirikae-listen' });
    let closing = false;
    const lost = (error: Error) => {
      if (closing) return;
      closing = true;
      client.end().catch(() => {});
      onLost?.(error);
    };
    client.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    client.on('error', lost);
    client.on('end', () => lost(new Error('listen connection ended')));
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    return {
      close: async () => {
        closing = true;
        await client.end().catch(() => {});
      },
    };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const scoped: Queryable = {
        query: async <R>(text: string, values?: readonly unknown[], options?: QueryOptions) => {
          const result = options?.name
            ? await client.query({ name: options.name, text, values: values as unknown[] | undefined })
            : await client.query(text, values as unknown[] | undefined);
          return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
        },
        exec: async (text: string) => {
          await client.query(text);
        },
        copyFrom: (table, columns, lines) => copy(client, table, columns, lines),
      };
      const result = await fn(scoped);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function copy(client: pg.PoolClient, table: string, columns: readonly string[], lines: AsyncIterable<string> | Iterable<string>): Promise<number> {
  const stream = client.query(copyFromStream(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(lines, { objectMode: false }), stream);
  return Number(stream.rowCount ?? 0);
}
