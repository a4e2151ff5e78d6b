/**
 * Notifications: the rules, in one place.
 *
 * Every notification (`notify()` in notify.ts) is recorded in the transaction of the change that
 * caused it, and goes two ways:
 *
 * 1. **Pull mailbox** (IS_40110 peek, IS_40120 acknowledge; the Nordic datahub style). A retailer's
 *    system peeks its oldest unacknowledged notifications; a peek leases them for
 *    `leaseMs` (real time) under a peek token, claimed with FOR UPDATE SKIP LOCKED, so two processes
 *    of one retailer polling at once never get the same notification while it is leased. It
 *    acknowledges them by id or by the token; an acknowledged notification is never handed out
 *    again, one never acknowledged is handed out again once its lease has run out.
 *
 * 2. **E-mail** through the mail outbox (`mail_outbox`), to the participant's notification address
 *    (`notification_address`; a participant without one gets no e-mail):
 *    - **Digest rule**: the old retailer's "relay awaiting your decision" notifications
 *      (`relayAwaitingDecision`) are gathered: at most one digest e-mail per participant per
 *      `digestIntervalMs` (business time, default 10 minutes, env KIRIKAE_MAIL_DIGEST_MINUTES),
 *      listing every relay that arrived since the previous digest. The first relay after a quiet
 *      interval is mailed at the next send run (every minute).
 *    - Every other kind (decision, matching complete, completion: to the new retailer) is one
 *      e-mail of its own, queued by `notify()` itself.
 *
 * **Sending once** (mail.ts): a sender claims due rows with FOR UPDATE SKIP LOCKED and writes a
 * claim (token and `claimed_until`, real time) before it talks to the SMTP server, outside any
 * transaction; it then records the outcome — sent, or failed with the next attempt after a back-off —
 * in one transaction, only if its claim still holds. A mail the SMTP server refused or never got
 * stays pending and is tried again: nothing is lost while SMTP is down. The one window left is a
 * crash after the server accepted a mail and before "sent" is committed: the claim runs out and the
 * mail is sent again **with the same Message-ID** (`messageIdOf`, fixed when the row is written), so
 * the receiving side recognises the duplicate. Without an SMTP server (KIRIKAE_SMTP_URL unset) mails
 * go to the built-in mailbox (`mailbox_message`), written in the transaction that marks them sent:
 * there, exactly once.
 */

/** Default time between two digests of one participant (business time). */
export const defaultDigestIntervalMs = 10 * 60_000;
/** How long a peek holds the notifications it handed out (real time). */
export const defaultLeaseMs = 60_000;
/** The most notifications one peek hands out, and the default. */
export const maxPeekSize = 100;
export const defaultPeekSize = 20;
/** Mails claimed by one send run. */
export const sendBatchSize = 50;
/** How long a sender holds the mails it claimed (real time): longer than any SMTP exchange. */
export const sendClaimMs = 2 * 60_000;
/** The domain part of the Message-IDs the hub gives its mails. */
export const messageIdDomain = 'kirikae.hub';

/** Back-off of the n-th failed attempt (1-based): 1, 2, 4, … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1)) * 60_000;
}

/** The stable Message-ID of a mail: one per notification, or one per digest. */
export function messageIdOf(kind: 'notification' | 'digest', id: number | string): string {
  return `<${kind}-${id}@${messageIdDomain}>`;
}

const tokyo = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** A business instant as the Japanese UI shows it: 2026/04/01 09:30 (Asia/Tokyo). */
export function formatTokyo(at: Date): string {
  return tokyo.format(at);
}

/** What a notification is about, shown as lines under its text and kept for look-ups. */
export interface NotificationRefs {
  readonly relayNumber?: string;
  readonly applicationNumber?: string;
  readonly supplyPointId?: string;
}

function refLines(refs: NotificationRefs): string[] {
  const lines: string[] = [];
  if (refs.relayNumber) lines.push(`取次番号: ${refs.relayNumber}`);
  if (refs.applicationNumber) lines.push(`申込番号: ${refs.applicationNumber}`);
  if (refs.supplyPointId) lines.push(`供給地点特定番号: ${refs.supplyPointId}`);
  return lines;
}

const footer = ['', '-- ', 'スイッチング支援システム (kirikae)', 'このメールは送信専用です。お知らせはメールボックス (IS_40110) からも取得できます。'];

/** The body of the e-mail of one notification. */
export function mailBodyOf(n: { text: string; refs: NotificationRefs; createdAt: Date }): string {
  return [n.text, '', ...refLines(n.refs), `通知日時: ${formatTokyo(n.createdAt)}`, ...footer].join('\n');
}

export interface DigestItem {
  readonly subject: string;
  readonly refs: NotificationRefs;
  readonly createdAt: Date;
}

export function digestSubjectOf(count: number): string {
  return `【スイッチング支援システム】判断待ちの廃止取次 ${count}件`;
}

/**
 * Relays a digest lists one by one, at most: a CSV of 100,000 relays makes one digest, and the
 * received list, not an e-mail, is where so many are read.
 */
export const digestListMax = 100;

/** The body of a digest: the relays awaiting the participant's decision since the previous one (the first `digestListMax`). */
export function digestBodyOf(items: readonly DigestItem[]): string {
  return [
    `判断待ちの廃止取次が ${items.length}件 届いています。スイッチング支援システムで内容を確認し、判断を登録してください。`,
    '',
    ...items.slice(0, digestListMax).map((item, i) => `${i + 1}. ${[formatTokyo(item.createdAt), item.subject, ...refLines(item.refs)].join(' / ')}`),
    ...(items.length > digestListMax ? [`ほか ${items.length - digestListMax}件（すべての判断待ちの廃止取次はシステムの受領一覧で確認できます）`] : []),
    ...footer,
  ].join('\n');
}
