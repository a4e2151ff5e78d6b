/**
 * `notify()`: the one way hub code tells a participant something (rules in notifications.ts).
 *
 * It writes in the caller's transaction, so a notification exists exactly when the change that
 * caused it was committed: the notification enters the participant's pull mailbox (IS_40110 /
 * IS_40120) and, by e-mail, the mail outbox — at once as one mail of its own, or, for a relay
 * awaiting the old retailer's decision, marked for the participant's next digest.
 */
import type { Queryable } from '../../platform/db/db.ts';
import { notificationAddressOf } from './address.ts';
import { mailBodyOf, messageIdOf, type NotificationRefs } from './notifications.ts';

export type { NotificationRefs };

export type NotificationKind =
  | 'relayAwaitingDecision'
  | 'relayDecided'
  | 'matchingComplete'
  | 'applicationCompleted'
  // The certificates' life (issue 19, hub/certificates).
  | 'certificateIssued'
  | 'certificateRequestRefused'
  | 'certificateExpiring'
  | 'credentialSuspended';

export const notificationKinds: readonly NotificationKind[] = [
  'relayAwaitingDecision',
  'relayDecided',
  'matchingComplete',
  'applicationCompleted',
  'certificateIssued',
  'certificateRequestRefused',
  'certificateExpiring',
  'credentialSuspended',
];

export interface NewNotification {
  readonly companyCode: string;
  readonly kind: NotificationKind;
  readonly subject: string;
  readonly text: string;
  readonly refs?: NotificationRefs;
}

/** The kinds whose e-mails are gathered into a digest per participant and interval. */
export function isDigestKind(kind: NotificationKind): boolean {
  return kind === 'relayAwaitingDecision';
}

/** Records a notification in the caller's transaction: it enters the participant's pull mailbox and the e-mail outbox together with the change that caused it. */
export async function notify(tx: Queryable, at: Date, notification: NewNotification): Promise<void> {
  const { companyCode, kind, subject, text, refs = {} } = notification;
  const digest = isDigestKind(kind);
  const inserted = await tx.query<{ id: number }>(
    `INSERT INTO hub.notification (company_code, kind, subject, text, relay_number, application_number, supply_point_id, created_at, awaiting_digest)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [companyCode, kind, subject, text, refs.relayNumber ?? null, refs.applicationNumber ?? null, refs.supplyPointId ?? null, at, digest],
  );
  if (digest) return;
  const id = inserted.rows[0]!.id;
  const to = await notificationAddressOf(tx, companyCode);
  if (to === undefined) return;
  const mail = await tx.query<{ id: number }>(
    `INSERT INTO hub.mail_outbox (company_code, message_id, to_address, subject, body, kind, created_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, 'single', $6, $6) RETURNING id`,
    [companyCode, messageIdOf('notification', id), to, subject, mailBodyOf({ text, refs, createdAt: at }), at],
  );
  await tx.query('UPDATE hub.notification SET mail_id = $2 WHERE id = $1', [id, mail.rows[0]!.id]);
}

/**
 * Records many notifications at once in the caller's transaction (a CSV file of relays): the
 * digest kinds with one INSERT, each other one as `notify` does.
 */
export async function notifyAll(tx: Queryable, at: Date, notifications: readonly NewNotification[]): Promise<void> {
  const digests = notifications.filter((n) => isDigestKind(n.kind));
  for (let start = 0; start < digests.length; start += 5_000) {
    const chunk = digests.slice(start, start + 5_000);
    await tx.query(
      `INSERT INTO hub.notification (company_code, kind, subject, text, relay_number, application_number, supply_point_id, created_at, awaiting_digest)
       SELECT c, k, s, t, r, a, p, $1, true
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(c, k, s, t, r, a, p)`,
      [
        at,
        chunk.map((n) => n.companyCode),
        chunk.map((n) => n.kind),
        chunk.map((n) => n.subject),
        chunk.map((n) => n.text),
        chunk.map((n) => n.refs?.relayNumber ?? null),
        chunk.map((n) => n.refs?.applicationNumber ?? null),
        chunk.map((n) => n.refs?.supplyPointId ?? null),
      ],
    );
  }
  for (const notification of notifications) if (!isDigestKind(notification.kind)) await notify(tx, at, notification);
}
