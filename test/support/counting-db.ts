/**
 * A database whose statements are counted, for tests of how many a piece of work costs: every query,
 * and a transaction's BEGIN and COMMIT as two.
 */
import type { Db, Queryable } from '../../src/platform/db/db.ts';

export function counting(db: Db): { db: Db; statements: () => number } {
  let n = 0;
  const wrap = <Q extends Queryable>(q: Q): Q =>
    new Proxy(q, {
      get(target, key) {
        if (key === 'query') {
          return (...args: Parameters<Queryable['query']>) => {
            n++;
            return target.query(...args);
          };
        }
        if (key === 'transaction') {
          return <T>(fn: (tx: Queryable) => Promise<T>) => {
            n += 2;
            return (target as unknown as Db).transaction((tx) => fn(wrap(tx)));
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return { db: wrap(db), statements: () => n };
}
