/**
 * The e-mail side of notifications (rules in notifications.ts): digests gathered, due mails sent
 * through SMTP (nodemailer) or into the built-in mailbox, each mail once.
 *
 *   gatherDigests   one digest mail per participant whose relays await its decision and whose
 *                   previous digest is at least an interval old
 *   sendDueMail     the due pending mails: claimed, sent, and the outcome recorded
 *   runMailWork     both, repeated while batches come back full (the minute job, and after a clock advance)
 */
import { readSetting } from '../../platform/settings.ts';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import { log } from '../../platform/log.ts';
import { notificationAddressOf } from './address.ts';
import {
  defaultDigestIntervalMs,
  digestBodyOf,
  digestSubjectOf,
  messageIdOf,
  retryDelayMs,
  sendBatchSize,
  sendClaimMs,
  type DigestItem,
} from './notifications.ts';

export interface OutgoingMail {
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Hands one mail to a mail server; resolves once the server accepted it, throws otherwise. */
export interface MailSender {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** The sender address of notification mails (env KIRIKAE_MAIL_FROM). */
export const defaultMailFrom = 'スイッチング支援システム <noreply@kirikae.example>';

/** A sender to the SMTP server of `url` (`smtp://host:25`, `smtps://user:pass@host:465`). */
export function smtpSender(url: string, from: string = defaultMailFrom): MailSender {
  const transport = nodemailer.createTransport(url, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as never);
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, messageId: mail.messageId });
    },
    close() {
      transport.close();
    },
  };
}

/**
 * The mail settings of the environment: KIRIKAE_SMTP_URL (unset: the built-in mailbox),
 * KIRIKAE_MAIL_FROM, KIRIKAE_MAIL_DIGEST_MINUTES (default 10).
 */
export function mailSettingsFromEnv(env: NodeJS.ProcessEnv): { sender: MailSender | undefined; digestIntervalMs: number } {
  const minutes = readSetting(env, 'mailDigestMinutes');
  const url = readSetting(env, 'smtpUrl');
  return { sender: url ? smtpSender(url, readSetting(env, 'mailFrom') ?? defaultMailFrom) : undefined, digestIntervalMs: minutes * 60_000 };
}

export interface MailDeps {
  readonly db: Db;
  /** Business time (the sandbox clock): created, due and sent times. */
  readonly clock: Clock;
  /** Absent: mails go to the built-in mailbox. */
  readonly sender?: MailSender | undefined;
  readonly digestIntervalMs?: number;
  /** Real time, for claims (default: the system clock). */
  readonly realNow?: () => Date;
}

/** One digest per participant due for one; returns how many digests were written. */
export async function gatherDigests(deps: MailDeps): Promise<number> {
  const interval = deps.digestIntervalMs ?? defaultDigestIntervalMs;
  const { rows: companies } = await deps.db.query<{ companyCode: string }>(
    'SELECT DISTINCT company_code AS "companyCode" FROM hub.notification WHERE awaiting_digest ORDER BY 1',
  );
  let written = 0;
  for (const { companyCode } of companies) {
    if (await deps.db.transaction((tx) => gatherDigest(tx, deps.clock.now(), interval, companyCode))) written++;
  }
  return written;
}

async function gatherDigest(tx: Queryable, at: Date, intervalMs: number, companyCode: string): Promise<boolean> {
  // One gatherer per participant at a time, in every process: the interval check and the insert
  // must not interleave.
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('kirikae.mail-digest'), hashtext($1))`, [companyCode]);
  const last = await tx.query<{ at: Date | null }>(`SELECT max(created_at) AS at FROM hub.mail_outbox WHERE company_code = $1 AND kind = 'digest'`, [
    companyCode,
  ]);
  const lastAt = last.rows[0]?.at;
  if (lastAt && at.getTime() - lastAt.getTime() < intervalMs) return false;
  const { rows } = await tx.query<{
    id: number;
    subject: string;
    relayNumber: string | null;
    applicationNumber: string | null;
    supplyPointId: string | null;
    createdAt: Date;
  }>(
    `SELECT id, subject, relay_number AS "relayNumber", application_number AS "applicationNumber", supply_point_id AS "supplyPointId", created_at AS "createdAt"
     FROM hub.notification WHERE company_code = $1 AND awaiting_digest ORDER BY id FOR UPDATE`,
    [companyCode],
  );
  if (rows.length === 0) return false;
  const ids = rows.map((r) => r.id);
  const to = await notificationAddressOf(tx, companyCode);
  if (to === undefined) {
    // No address: nothing to mail; the notifications stay in the pull mailbox.
    await tx.query('UPDATE hub.notification SET awaiting_digest = false WHERE id = ANY($1::bigint[])', [ids]);
    return false;
  }
  const items: DigestItem[] = rows.map((r) => ({
    subject: r.subject,
    createdAt: r.createdAt,
    refs: {
      ...(r.relayNumber ? { relayNumber: r.relayNumber } : {}),
      ...(r.applicationNumber ? { applicationNumber: r.applicationNumber } : {}),
      ...(r.supplyPointId ? { supplyPointId: r.supplyPointId } : {}),
    },
  }));
  // The first notification of a digest is in no other digest: its ID names the digest for good.
  const mail = await tx.query<{ id: number }>(
    `INSERT INTO hub.mail_outbox (company_code, message_id, to_address, subject, body, kind, created_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, 'digest', $6, $6) RETURNING id`,
    [companyCode, messageIdOf('digest', ids[0]!), to, digestSubjectOf(items.length), digestBodyOf(items), at],
  );
  await tx.query('UPDATE hub.notification SET awaiting_digest = false, mail_id = $2 WHERE id = ANY($1::bigint[])', [ids, mail.rows[0]!.id]);
  return true;
}

interface ClaimedMail {
  readonly id: number;
  readonly companyCode: string;
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly attempts: number;
}

const claimedColumns = `id, company_code AS "companyCode", message_id AS "messageId", to_address AS "to", subject, body AS "text", attempts`;

/** The due pending mails nobody holds, oldest first, locked until the end of `tx`. */
async function lockDue(tx: Queryable, at: Date, realNow: Date, limit: number): Promise<ClaimedMail[]> {
  const { rows } = await tx.query<ClaimedMail>(
    `SELECT ${claimedColumns} FROM hub.mail_outbox
     WHERE status = 'pending' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $2)
     ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`,
    [at, realNow, limit],
  );
  return rows;
}

export interface SendResult {
  sent: number;
  failed: number;
}

/**
 * Sends up to `limit` due mails. With an SMTP sender: claim (one transaction), send (no transaction
 * open), record each outcome under the claim (one transaction each). Without: each claimed mail is
 * written into the built-in mailbox and marked sent in the claiming transaction.
 */
export async function sendDueMail(deps: MailDeps, limit = sendBatchSize): Promise<SendResult> {
  const realNow = deps.realNow ?? (() => new Date());
  const sender = deps.sender;
  if (!sender) {
    return deps.db.transaction(async (tx) => {
      const at = deps.clock.now();
      const mails = await lockDue(tx, at, realNow(), limit);
      for (const mail of mails) {
        await tx.query(
          `INSERT INTO hub.mailbox_message (mail_id, company_code, message_id, to_address, subject, body, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [mail.id, mail.companyCode, mail.messageId, mail.to, mail.subject, mail.text, at],
        );
        await tx.query(
          `UPDATE hub.mail_outbox SET status = 'sent', sent_via = 'mailbox', sent_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1`,
          [mail.id, at],
        );
      }
      return { sent: mails.length, failed: 0 };
    });
  }
  const token = randomUUID();
  const claimed = await deps.db.transaction(async (tx) => {
    const mails = await lockDue(tx, deps.clock.now(), realNow(), limit);
    if (mails.length > 0) {
      await tx.query('UPDATE hub.mail_outbox SET claimed_until = $2, claim_token = $3, attempts = attempts + 1 WHERE id = ANY($1::bigint[])', [
        mails.map((m) => m.id),
        new Date(realNow().getTime() + sendClaimMs),
        token,
      ]);
    }
    return mails;
  });
  const result: SendResult = { sent: 0, failed: 0 };
  for (const mail of claimed) {
    try {
      await sender.send(mail);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result.failed++;
      const at = deps.clock.now();
      await deps.db.query(
        `UPDATE hub.mail_outbox SET claimed_until = NULL, claim_token = NULL, last_error = $3, next_attempt_at = $4
         WHERE id = $1 AND claim_token = $2 AND status = 'pending'`,
        [mail.id, token, message.slice(0, 500), new Date(at.getTime() + retryDelayMs(mail.attempts + 1))],
      );
      log('warn', 'mail', `mail ${mail.messageId} to ${mail.companyCode} not sent (attempt ${mail.attempts + 1}): ${message}`);
      continue;
    }
    result.sent++;
    const marked = await deps.db.query(
      `UPDATE hub.mail_outbox SET status = 'sent', sent_via = 'smtp', sent_at = $3, claimed_until = NULL, claim_token = NULL, last_error = NULL
       WHERE id = $1 AND claim_token = $2 AND status = 'pending'`,
      [mail.id, token, deps.clock.now()],
    );
    if (marked.rowCount === 0)
      log('warn', 'mail', `mail ${mail.messageId} was sent after its claim ran out; another sender may send it again with the same Message-ID`);
  }
  return result;
}

/** Digests, then every due mail, batch after batch while batches come back full (at most 20). */
export async function runMailWork(deps: MailDeps): Promise<SendResult & { digests: number }> {
  const digests = await gatherDigests(deps);
  const total = { sent: 0, failed: 0, digests };
  for (let run = 0; run < 20; run++) {
    const result = await sendDueMail(deps);
    total.sent += result.sent;
    total.failed += result.failed;
    if (result.sent + result.failed < sendBatchSize) break;
  }
  if (total.sent + total.failed + digests > 0) log('info', 'mail', `${digests} digests gathered, ${total.sent} mails sent, ${total.failed} failed`);
  return total;
}
