/**
 * The rate limit's shared token buckets of the hub (`hub.rate_bucket`, migration 0007): one
 * statement takes a lease (platform/http/rate-bucket.ts). Every hub process on the database takes
 * from the same row, so the limit holds across processes.
 */
import type { Queryable } from '../../platform/db/db.ts';
import { tableTokenStore } from '../../platform/http/rate-bucket.ts';
import type { TokenStore } from '../../platform/http/rate-limit.ts';

/** The buckets of `db`, as the rate limiter's store. */
export function rateBuckets(db: Queryable): TokenStore {
  return tableTokenStore(db, 'hub', 'rate_bucket');
}
