/**
 * The pull mailbox (IS_40110 peek, IS_40120 acknowledge; rules in notifications.ts): a retailer's
 * system takes its unacknowledged notifications oldest first, under a lease, and acknowledges them.
 *
 * A peek claims the notifications with FOR UPDATE SKIP LOCKED and leases them (real time): while
 * the lease holds no other peek hands them out, so two processes of one retailer polling at once
 * split the notifications between them. Once a lease runs out unacknowledged, the notification is
 * handed out again (to whichever process peeks next). An acknowledged one never again.
 */
import { randomUUID } from 'node:crypto';
import { Refusal } from '../../domain/refusal.ts';
import type { Db } from '../../platform/db/db.ts';
import { defaultLeaseMs, defaultPeekSize, maxPeekSize } from './notifications.ts';
import type { NotificationKind, NotificationRefs } from './notify.ts';

export interface MailboxNotification {
  readonly id: number;
  readonly kind: NotificationKind;
  readonly subject: string;
  readonly text: string;
  readonly refs: NotificationRefs;
  readonly createdAt: Date;
  /** How many peeks handed it out, this one included (more than 1: a redelivery). */
  readonly deliveryCount: number;
}

export interface Peeked {
  /** Acknowledges everything this peek handed out (IS_40120 `peekToken`); absent when nothing was. */
  readonly token: string | undefined;
  readonly leasedUntil: Date | undefined;
  readonly notifications: readonly MailboxNotification[];
  /** Unacknowledged notifications left after these (leased by others or not yet handed out). */
  readonly remaining: number;
}

interface Row {
  id: number;
  kind: NotificationKind;
  subject: string;
  text: string;
  relayNumber: string | null;
  applicationNumber: string | null;
  supplyPointId: string | null;
  createdAt: Date;
  peekCount: number;
}

function toNotification(r: Row): MailboxNotification {
  return {
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    text: r.text,
    refs: {
      ...(r.relayNumber ? { relayNumber: r.relayNumber } : {}),
      ...(r.applicationNumber ? { applicationNumber: r.applicationNumber } : {}),
      ...(r.supplyPointId ? { supplyPointId: r.supplyPointId } : {}),
    },
    createdAt: r.createdAt,
    deliveryCount: r.peekCount,
  };
}

/** Hands out up to `size` of the participant's oldest unacknowledged notifications not leased to another peek. */
export async function peekNotifications(db: Db, companyCode: string, options: { size?: number; leaseMs?: number; now?: Date } = {}): Promise<Peeked> {
  const size = options.size ?? defaultPeekSize;
  if (!Number.isInteger(size) || size < 1 || size > maxPeekSize) throw new Refusal('MAIL_PEEK_SIZE', { field: 'maxCount', params: { max: maxPeekSize } });
  const now = options.now ?? new Date();
  const leasedUntil = new Date(now.getTime() + (options.leaseMs ?? defaultLeaseMs));
  const token = randomUUID();
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<Row>(
      `WITH picked AS (
         SELECT id FROM hub.notification
         WHERE company_code = $1 AND acknowledged_at IS NULL AND (leased_until IS NULL OR leased_until <= $2)
         ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE hub.notification n SET leased_until = $4, lease_token = $5, peek_count = n.peek_count + 1
       FROM picked WHERE n.id = picked.id
       RETURNING n.id, n.kind, n.subject, n.text, n.relay_number AS "relayNumber", n.application_number AS "applicationNumber",
         n.supply_point_id AS "supplyPointId", n.created_at AS "createdAt", n.peek_count AS "peekCount"`,
      [companyCode, now, size, leasedUntil, token],
    );
    rows.sort((a, b) => a.id - b.id);
    const left = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.notification WHERE company_code = $1 AND acknowledged_at IS NULL', [
      companyCode,
    ]);
    return {
      token: rows.length > 0 ? token : undefined,
      leasedUntil: rows.length > 0 ? leasedUntil : undefined,
      notifications: rows.map(toNotification),
      remaining: left.rows[0]!.n - rows.length,
    };
  });
}

/**
 * Acknowledges notifications of the participant, by id and/or by the token of the peek that handed
 * them out (a token acknowledges what that peek still holds: a notification whose lease ran out
 * and that another peek took is that peek's to acknowledge). Acknowledging again is harmless. An id
 * that is not one of the participant's notifications refuses the whole request.
 */
export async function acknowledgeNotifications(
  db: Db,
  companyCode: string,
  request: { ids?: readonly number[]; token?: string },
  at: Date,
): Promise<{ acknowledged: number }> {
  const ids = [...new Set(request.ids ?? [])];
  if (ids.length === 0 && request.token === undefined) throw new Refusal('MAIL_ACK_NOTHING');
  return db.transaction(async (tx) => {
    let acknowledged = 0;
    if (ids.length > 0) {
      const own = await tx.query<{ id: number }>('SELECT id FROM hub.notification WHERE company_code = $1 AND id = ANY($2::bigint[])', [companyCode, ids]);
      const known = new Set(own.rows.map((r) => r.id));
      const unknown = ids.find((id) => !known.has(id));
      if (unknown !== undefined) throw new Refusal('MAIL_NOTIFICATION_UNKNOWN', { field: 'notificationIds', params: { id: unknown } });
      const done = await tx.query(
        'UPDATE hub.notification SET acknowledged_at = $3, leased_until = NULL WHERE company_code = $1 AND id = ANY($2::bigint[]) AND acknowledged_at IS NULL',
        [companyCode, ids, at],
      );
      acknowledged += done.rowCount;
    }
    if (request.token !== undefined) {
      const done = await tx.query(
        'UPDATE hub.notification SET acknowledged_at = $3, leased_until = NULL WHERE company_code = $1 AND lease_token = $2 AND acknowledged_at IS NULL',
        [companyCode, request.token, at],
      );
      acknowledged += done.rowCount;
    }
    return { acknowledged };
  });
}
