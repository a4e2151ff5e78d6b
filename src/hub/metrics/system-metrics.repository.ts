/**
 * The hub's state an operator watches, read from the database at each Prometheus scrape: the
 * application outbox's backlog, relays awaiting decision, the mail queue. The same figures from
 * every hub process on the database (README "Metrics").
 */
import type { Queryable } from '../../platform/db/db.ts';

export interface OutboxBacklog {
  readonly area: string;
  readonly pending: number;
  /** Business time since the oldest undelivered filing was filed (0 when none). */
  readonly oldestSeconds: number;
}

export async function outboxBacklog(db: Queryable, now: Date): Promise<OutboxBacklog[]> {
  const { rows } = await db.query<{ area: string; pending: string; oldest: number | null }>(
    `SELECT area, count(*)::text AS pending, EXTRACT(EPOCH FROM ($1::timestamptz - min(filed_at)))::float8 AS oldest
       FROM hub.application_outbox WHERE status = 'pending' GROUP BY area ORDER BY area`,
    [now],
  );
  return rows.map((row) => ({ area: row.area, pending: Number(row.pending), oldestSeconds: Math.max(0, row.oldest ?? 0) }));
}

export interface RelaysAwaiting {
  readonly family: string;
  readonly waiting: number;
  /** Business time since the oldest relay awaiting decision was registered (0 when none). */
  readonly longestSeconds: number;
}

export async function relaysAwaiting(db: Queryable, now: Date): Promise<RelaysAwaiting[]> {
  const { rows } = await db.query<{ family: string; waiting: string; longest: number | null }>(
    `SELECT family, count(*)::text AS waiting, EXTRACT(EPOCH FROM ($1::timestamptz - min(registered_at)))::float8 AS longest
       FROM hub.relay WHERE status = '01' GROUP BY family ORDER BY family`,
    [now],
  );
  return rows.map((row) => ({ family: row.family, waiting: Number(row.waiting), longestSeconds: Math.max(0, row.longest ?? 0) }));
}

export interface MailQueue {
  readonly pending: number;
  /** Pending mails whose last attempt failed. */
  readonly failing: number;
  /** Business time since the oldest pending mail was created (0 when none). */
  readonly oldestSeconds: number;
}

export async function mailQueue(db: Queryable, now: Date): Promise<MailQueue> {
  const { rows } = await db.query<{ pending: string; failing: string; oldest: number | null }>(
    `SELECT count(*)::text AS pending, count(*) FILTER (WHERE attempts > 0)::text AS failing,
            EXTRACT(EPOCH FROM ($1::timestamptz - min(created_at)))::float8 AS oldest
       FROM hub.mail_outbox WHERE status = 'pending'`,
    [now],
  );
  const row = rows[0];
  return { pending: Number(row?.pending ?? 0), failing: Number(row?.failing ?? 0), oldestSeconds: Math.max(0, row?.oldest ?? 0) };
}
