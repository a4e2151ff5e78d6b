/**
 * The database port: the only way code reaches SQL.
 *
 * One PostgreSQL dialect, two backends: PGlite (PostgreSQL compiled to WebAssembly, in process, the
 * embedded default) and a PostgreSQL server (`DATABASE_URL`). Both answer the same `Queryable`
 * interface, and every repository function takes a `Queryable` as its first argument, so a caller can
 * pass either the database or its own open transaction: "write the application and enqueue its
 * delivery" then commits or fails as one.
 *
 * Values read back are normalised to the same JavaScript types on both backends:
 * `date` → "YYYY-MM-DD" string, `int8`/`bigint` → number, `timestamptz` → Date, `numeric` → string.
 */
export type Row = Record<string, unknown>;

export interface QueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

export interface QueryOptions {
  /**
   * Names the statement so PostgreSQL parses and plans it once per connection and reuses the plan
   * (a prepared statement): for the hottest queries, whose planning costs more than their
   * execution. The same name must always carry the same text. PGlite ignores it.
   */
  readonly name?: string;
}

export interface Queryable {
  query<R = Row>(text: string, values?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>;
  /** Runs several statements without parameters (migrations, DDL). */
  exec(text: string): Promise<void>;
  /**
   * Loads rows with COPY FROM STDIN in PostgreSQL's text format. `lines` yields chunks of
   * complete lines ("a\tb\n"); values must already be escaped with `copyText`.
   */
  copyFrom(table: string, columns: readonly string[], lines: AsyncIterable<string> | Iterable<string>): Promise<number>;
}

/** An open LISTEN: `close()` ends it. */
export interface Subscription {
  close(): Promise<void>;
}

export interface Db extends Queryable {
  readonly backend: 'pglite' | 'postgres';
  /**
   * Subscribes to NOTIFY on `channel`. Notifications sent inside a transaction arrive when it
   * commits, in every process sharing the database. `onLost` is called if the subscription breaks
   * (PostgreSQL connection lost): anything kept on the strength of it must then be dropped.
   */
  listen(channel: string, onNotify: (payload: string) => void, onLost?: (error: Error) => void): Promise<Subscription>;
  /** A human-readable name of where the data lives, without credentials. */
  readonly target: string;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Escapes one value for COPY's text format (`\N` for null). */
/**
 * Runs `fn` in a savepoint of the caller's transaction: if it throws, what it wrote is undone and
 * the transaction goes on (the error is rethrown for the caller to decide). For batches in which one
 * item may fail without taking the others with it.
 */
export async function inSavepoint<T>(tx: Queryable, fn: () => Promise<T>): Promise<T> {
  await tx.query('SAVEPOINT kirikae_item');
  try {
    const result = await fn();
    await tx.query('RELEASE SAVEPOINT kirikae_item');
    return result;
  } catch (error) {
    await tx.query('ROLLBACK TO SAVEPOINT kirikae_item');
    throw error;
  }
}

export function copyText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Quotes an SQL identifier (a schema or table name built at run time). */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe SQL identifier: ${name}`);
  return `"${name}"`;
}
