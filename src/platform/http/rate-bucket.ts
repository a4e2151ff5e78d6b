/**
 * The rate limit's shared token buckets in a table (the hub's `hub.rate_bucket`, migration 0007; a
 * grid's `pps_rate_bucket`, grid migration 0013): one statement takes a lease. Every process on the
 * database takes from the same row, so the limit holds across processes; on the embedded PGlite
 * there is one process, and the same statement runs there.
 *
 * The table: `bucket_key text PRIMARY KEY, credit bigint, granted integer, refilled_ms bigint`.
 */
import { ident, type Queryable } from '../db/db.ts';
import type { RateLimit, TokenGrant, TokenStore } from './rate-limit.ts';

/** Units of credit in one token: refilling N tokens a minute adds exactly N units a millisecond. */
const unitsPerToken = 60_000;

/**
 * Refills the bucket for the time since it was last refilled (never backwards, never past the
 * burst), then takes up to `want` whole tokens. A bucket seen for the first time starts full.
 * The upsert locks the row, so concurrent takes from several processes see each other's result.
 * The refill's elapsed time is capped at what fills an empty bucket, to keep the product small.
 */
const takeSql = (table: string) => `
INSERT INTO ${table} AS b (bucket_key, credit, granted, refilled_ms)
VALUES ($1, ($4::bigint - least($5::int, $4::int)) * ${unitsPerToken}, least($5::int, $4::int), $2::bigint)
ON CONFLICT (bucket_key) DO UPDATE SET (credit, granted, refilled_ms) = (
  SELECT refilled.credit - taken.granted::bigint * ${unitsPerToken}, taken.granted, greatest(b.refilled_ms, $2::bigint)
  FROM (SELECT least($4::bigint * ${unitsPerToken}, b.credit + least(greatest(0, $2::bigint - b.refilled_ms), $6::bigint) * $3::bigint) AS credit) AS refilled,
  LATERAL (SELECT least($5::bigint, refilled.credit / ${unitsPerToken})::int AS granted) AS taken
)
RETURNING credit, granted`;

/** The buckets of `schema`.`table` on `db`, as the rate limiter's store. */
export function tableTokenStore(db: Queryable, schema: string, table: string): TokenStore {
  const sql = takeSql(`${ident(schema)}.${ident(table)}`);
  const name = `${schema}.${table}.take`;
  return {
    async take(key: string, want: number, nowMs: number, limit: RateLimit): Promise<TokenGrant> {
      const fillMs = Math.ceil((limit.burst * unitsPerToken) / limit.perMinute);
      const { rows } = await db.query<{ credit: number; granted: number }>(sql, [key, nowMs, limit.perMinute, limit.burst, want, fillMs], { name });
      const row = rows[0]!;
      return { granted: row.granted, remaining: Number(row.credit) / unitsPerToken };
    },
  };
}
