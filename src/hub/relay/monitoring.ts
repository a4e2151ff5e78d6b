/**
 * The hub operator's view of the relay (slide 10): how long relays wait for the old retailer's
 * decision, and which retailers do not fetch the relays addressed to them at least once an hour.
 * Figures only: the operator sees no customer data of a relay (policy `relay.monitor`).
 *
 * A fetch is a call of IS_20310 (or its K/F variant), a look at the received list or at one
 * received relay on the screens (relay.commands.ts records it). The hourly check
 * (`checkFetchLapses`: at every full hour, and right after the sandbox clock moves) records a
 * lapse for each retailer that has relays awaiting its decision which arrived more than an hour
 * ago, and has not fetched within the last hour.
 */
import { Refusal } from '../../domain/refusal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { can, type Actor } from '../policy.ts';

export const fetchIntervalMs = 60 * 60_000;

/** Decided relays over this many days make up the wait figures. */
export const waitWindowDays = 30;

export interface RelayWaitFigures {
  readonly companyCode: string;
  readonly name: string;
  /** Relays awaiting its decision now, and since when the oldest waits. */
  readonly awaiting: number;
  readonly oldestAwaitingSince: Date | null;
  /** Relays it decided in the window, and how long they had waited (minutes). */
  readonly decided: number;
  readonly averageWaitMinutes: number | null;
  readonly longestWaitMinutes: number | null;
  readonly lastFetchedAt: Date | null;
  /** It has relays awaiting that arrived over an hour ago, and has not fetched within the hour. */
  readonly fetchOverdue: boolean;
  /** Hours the hourly check found it not fetching, in the window. */
  readonly lapses: number;
}

/** Every retailer that has had relays addressed to it: its waits and fetches, worst first. */
export async function relayWaits(q: Queryable, clock: Clock, actor: Actor): Promise<RelayWaitFigures[]> {
  if (!can(actor, 'relay.monitor')) throw new Refusal('AUTH_FORBIDDEN');
  const now = clock.now();
  const since = new Date(now.getTime() - waitWindowDays * 86_400_000);
  const hourAgo = new Date(now.getTime() - fetchIntervalMs);
  const { rows } = await q.query<{
    company_code: string;
    name: string | null;
    awaiting: number;
    oldest: Date | null;
    oldest_due: Date | null;
    decided: number;
    avg_minutes: string | null;
    max_minutes: string | null;
    fetched_at: Date | null;
    lapses: number;
  }>(
    `WITH olds AS (
       SELECT old_company_code AS company_code FROM hub.relay WHERE status = '01' OR decided_at >= $1 GROUP BY old_company_code
     )
     SELECT o.company_code, p.name,
            (SELECT count(*)::int FROM hub.relay r WHERE r.old_company_code = o.company_code AND r.status = '01') AS awaiting,
            (SELECT min(r.registered_at) FROM hub.relay r WHERE r.old_company_code = o.company_code AND r.status = '01') AS oldest,
            (SELECT min(r.registered_at) FROM hub.relay r WHERE r.old_company_code = o.company_code AND r.status = '01' AND r.registered_at <= $2) AS oldest_due,
            d.decided, d.avg_minutes, d.max_minutes, f.fetched_at,
            (SELECT count(*)::int FROM hub.relay_fetch_lapse l WHERE l.company_code = o.company_code AND l.hour >= $1) AS lapses
       FROM olds o
       LEFT JOIN hub.participant p ON p.company_code = o.company_code
       LEFT JOIN hub.relay_fetch f ON f.company_code = o.company_code
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS decided,
                round(avg(extract(epoch FROM r.decided_at - r.registered_at) / 60)::numeric, 1)::text AS avg_minutes,
                round(max(extract(epoch FROM r.decided_at - r.registered_at) / 60)::numeric, 1)::text AS max_minutes
           FROM hub.relay r WHERE r.old_company_code = o.company_code AND r.decided_at >= $1
       ) d`,
    [since, hourAgo],
  );
  return rows
    .map((r) => ({
      companyCode: r.company_code,
      name: r.name ?? r.company_code,
      awaiting: r.awaiting,
      oldestAwaitingSince: r.oldest,
      decided: r.decided,
      averageWaitMinutes: r.avg_minutes === null ? null : Number(r.avg_minutes),
      longestWaitMinutes: r.max_minutes === null ? null : Number(r.max_minutes),
      lastFetchedAt: r.fetched_at,
      fetchOverdue: r.oldest_due !== null && (r.fetched_at === null || r.fetched_at < hourAgo),
      lapses: r.lapses,
    }))
    .sort((a, b) => Number(b.fetchOverdue) - Number(a.fetchOverdue) || b.awaiting - a.awaiting || a.companyCode.localeCompare(b.companyCode));
}

/**
 * Records, for the hour now running (business time), each retailer not fetching its relays: the
 * hourly check. Idempotent: a second run in the same hour records nothing new. Returns how many
 * retailers it found.
 */
export async function checkFetchLapses(q: Queryable, clock: Clock): Promise<number> {
  const now = clock.now();
  const hour = new Date(Math.floor(now.getTime() / fetchIntervalMs) * fetchIntervalMs);
  const hourAgo = new Date(now.getTime() - fetchIntervalMs);
  const { rowCount } = await q.query(
    `INSERT INTO hub.relay_fetch_lapse (company_code, hour, awaiting, last_fetched_at)
     SELECT r.old_company_code, $1, count(*)::int, max(f.fetched_at)
       FROM hub.relay r LEFT JOIN hub.relay_fetch f ON f.company_code = r.old_company_code
      WHERE r.status = '01'
      GROUP BY r.old_company_code
     HAVING min(r.registered_at) <= $2 AND (max(f.fetched_at) IS NULL OR max(f.fetched_at) < $2)
     ON CONFLICT (company_code, hour) DO NOTHING`,
    [hour, hourAgo],
  );
  return rowCount;
}

export interface FetchLapse {
  readonly companyCode: string;
  readonly name: string;
  readonly hour: Date;
  readonly awaiting: number;
  readonly lastFetchedAt: Date | null;
}

/** The lapses the hourly check recorded, newest first. */
export async function recentFetchLapses(q: Queryable, actor: Actor, limit = 50): Promise<FetchLapse[]> {
  if (!can(actor, 'relay.monitor')) throw new Refusal('AUTH_FORBIDDEN');
  const { rows } = await q.query<{ company_code: string; name: string | null; hour: Date; awaiting: number; last_fetched_at: Date | null }>(
    `SELECT l.company_code, p.name, l.hour, l.awaiting, l.last_fetched_at
       FROM hub.relay_fetch_lapse l LEFT JOIN hub.participant p ON p.company_code = l.company_code
      ORDER BY l.hour DESC, l.company_code LIMIT ${Number(limit)}`,
  );
  return rows.map((r) => ({
    companyCode: r.company_code,
    name: r.name ?? r.company_code,
    hour: r.hour,
    awaiting: r.awaiting,
    lastFetchedAt: r.last_fetched_at,
  }));
}
