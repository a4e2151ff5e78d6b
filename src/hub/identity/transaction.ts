/**
 * Commands that write take either the database or the caller's open transaction. Given the database
 * they open one transaction for all their writes; given a transaction they write in it, so the
 * caller's "register this and record that" commits or fails as one.
 */
import type { Db, Queryable } from '../../platform/db/db.ts';

export function inTransaction<T>(q: Db | Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return isDb(q) ? q.transaction(fn) : fn(q);
}

function isDb(q: Db | Queryable): q is Db {
  return typeof (q as Partial<Db>).transaction === 'function';
}
