/**
 * The mails of the e-mail outbox as the mailbox screen shows them (web/screens/mailbox.screens.ts):
 * a participant's own, newest first, 20 a page; the hub administrator's screen, everyone's.
 * Pending mails are shown too, with their state, so a participant sees a mail waiting for SMTP.
 */
import { Refusal } from '../../domain/refusal.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { authorize, isHubAdmin, type Actor } from '../policy.ts';

export const mailPageSize = 20;

export interface MailListItem {
  readonly id: number;
  readonly companyCode: string;
  readonly to: string;
  readonly subject: string;
  readonly kind: 'single' | 'digest';
  readonly status: 'pending' | 'sent';
  readonly sentVia: 'smtp' | 'mailbox' | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
}

export interface MailDetail extends MailListItem {
  readonly messageId: string;
  readonly body: string;
  readonly attempts: number;
  readonly lastError: string | null;
}

const columns = `id, company_code AS "companyCode", to_address AS "to", subject, kind, status, sent_via AS "sentVia", created_at AS "createdAt", sent_at AS "sentAt"`;

/**
 * One page of mails. `companyCode`: whose; null (everyone's) only for the hub administrator. A
 * participant asking for another's is refused.
 */
export async function listMails(
  q: Queryable,
  actor: Actor,
  companyCode: string | null,
  page: number,
): Promise<{ items: MailListItem[]; total: number; page: number; size: number }> {
  if (companyCode === null) {
    if (!isHubAdmin(actor)) throw new Refusal('AUTH_FORBIDDEN');
  } else {
    authorize(actor, 'mailbox.read', { companyCode });
  }
  const where = companyCode === null ? '' : 'WHERE company_code = $1';
  const params = companyCode === null ? [] : [companyCode];
  const pageNo = Math.max(1, Math.floor(page) || 1);
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.mail_outbox ${where}`, params);
  const { rows } = await q.query<MailListItem>(
    `SELECT ${columns} FROM hub.mail_outbox ${where} ORDER BY id DESC LIMIT ${mailPageSize} OFFSET ${(pageNo - 1) * mailPageSize}`,
    params,
  );
  return { items: rows, total: total.rows[0]!.n, page: pageNo, size: mailPageSize };
}

/** One mail, if the actor may read its participant's mails; otherwise MAIL_NOT_FOUND (nothing said of others' mails). */
export async function getMail(q: Queryable, actor: Actor, id: number): Promise<MailDetail> {
  if (!Number.isSafeInteger(id) || id < 1) throw new Refusal('MAIL_NOT_FOUND');
  const { rows } = await q.query<MailDetail>(
    `SELECT ${columns}, message_id AS "messageId", body, attempts, last_error AS "lastError" FROM hub.mail_outbox WHERE id = $1`,
    [id],
  );
  const mail = rows[0];
  if (!mail) throw new Refusal('MAIL_NOT_FOUND');
  try {
    authorize(actor, 'mailbox.read', { companyCode: mail.companyCode });
  } catch {
    throw new Refusal('MAIL_NOT_FOUND');
  }
  return mail;
}
