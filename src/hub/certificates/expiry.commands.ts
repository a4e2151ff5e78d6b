/**
 * Expiry (issue 19): the certificates by days left, for a participant's administrator (its own) and
 * for the hub admins (everyone's), and the notices 90, 30 and 7 days before the end, each sent once
 * (hub.certificate_expiry_notice) into the pull mailbox and by mail. A certificate already renewed
 * (a later request names it in `renews` and was issued) gets no more notices: its successor exists.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import type { CertificateStatus, CertificateUsage } from '../identity/certificate.ts';
import { formatTokyo } from '../notifications/notifications.ts';
import { notify } from '../notifications/notify.ts';
import { authorize, isHubAdmin, type Actor } from '../policy.ts';
import { daysLeft, expiryNoticeDays, expiryNoticeDue } from './life.ts';

export interface ExpiringCertificate {
  readonly fingerprint256: string;
  readonly companyCode: string;
  readonly boundCode: string;
  readonly usage: CertificateUsage;
  readonly subjectCn: string;
  readonly notAfter: Date;
  readonly status: CertificateStatus;
  readonly daysLeft: number;
  /** The fingerprint of the certificate issued to replace it, if any. */
  readonly renewedBy: string | null;
}

interface Row {
  fingerprint256: string;
  company_code: string;
  bound_code: string;
  usage: CertificateUsage;
  subject_cn: string;
  not_after: Date;
  status: CertificateStatus;
  renewed_by: string | null;
}

/**
 * Certificates not yet ended by the clock, soonest end first (those ended within the last 30 days
 * too, so that an administrator sees what just stopped working): its own for a participant's
 * administrator, everyone's or one company's for a hub admin.
 */
export async function listByExpiry(q: Queryable, clock: Clock, actor: Actor, filter: { companyCode?: string } = {}): Promise<ExpiringCertificate[]> {
  const companyCode = isHubAdmin(actor) ? filter.companyCode || undefined : actor.participant.companyCode;
  authorize(actor, 'certificate.request', { companyCode: companyCode ?? actor.participant.companyCode });
  const now = clock.now();
  const { rows } = await q.query<Row>(
    `SELECT c.fingerprint256, c.company_code, c.bound_code, c.usage, c.subject_cn, c.not_after, c.status,
            (SELECT r.fingerprint256 FROM hub.certificate_request r
              WHERE r.renews = c.fingerprint256 AND r.status IN ('issued', 'downloaded') ORDER BY r.request_id DESC LIMIT 1) AS renewed_by
       FROM hub.certificate c
      WHERE ($1::text IS NULL OR c.company_code = $1) AND c.not_after > $2::timestamptz - interval '30 days'
      ORDER BY c.not_after, c.fingerprint256 LIMIT 1000`,
    [companyCode ?? null, now],
  );
  return rows.map((r) => ({
    fingerprint256: r.fingerprint256,
    companyCode: r.company_code,
    boundCode: r.bound_code,
    usage: r.usage,
    subjectCn: r.subject_cn,
    notAfter: r.not_after,
    status: r.status,
    daysLeft: daysLeft(r.not_after, now),
    renewedBy: r.renewed_by,
  }));
}

/** Sends the expiry notices due now; returns how many were sent. Idempotent: several processes may run it. */
export async function sendExpiryNotices(db: Db, clock: Clock): Promise<number> {
  const now = clock.now();
  const horizon = Math.max(...expiryNoticeDays);
  const { rows } = await db.query<Row & { notified: number[] }>(
    `SELECT c.fingerprint256, c.company_code, c.bound_code, c.usage, c.subject_cn, c.not_after, c.status,
            ARRAY(SELECT n.days_before FROM hub.certificate_expiry_notice n WHERE n.fingerprint256 = c.fingerprint256) AS notified
       FROM hub.certificate c
      WHERE c.status = 'active' AND c.not_after > $1 AND c.not_after <= $1::timestamptz + make_interval(days => $2)
        AND NOT EXISTS (SELECT 1 FROM hub.certificate_request r WHERE r.renews = c.fingerprint256 AND r.status IN ('issued', 'downloaded'))
      ORDER BY c.not_after`,
    [now, horizon],
  );
  let sent = 0;
  for (const row of rows) {
    const due = expiryNoticeDue(row.not_after, now, row.notified.map(Number));
    if (!due) continue;
    await db.transaction(async (tx) => {
      const claimed = await tx.query(
        `INSERT INTO hub.certificate_expiry_notice (fingerprint256, days_before, notified_at)
         SELECT $1, d, $3 FROM unnest($2::int[]) AS d ON CONFLICT DO NOTHING RETURNING days_before`,
        [row.fingerprint256, due.settles, now],
      );
      // Another process sent it first.
      if (!claimed.rows.some((r) => Number((r as { days_before: number }).days_before) === due.notice)) return;
      const left = daysLeft(row.not_after, now);
      await notify(tx, now, {
        companyCode: row.company_code,
        kind: 'certificateExpiring',
        subject: `証明書の有効期限まで${left}日です（${row.bound_code} ${row.subject_cn}）`,
        text:
          `クライアント証明書（${row.bound_code}、${row.usage === 'api' ? 'API利用' : '画面利用'}「${row.subject_cn}」）の有効期限は ${formatTokyo(row.not_after)} です（残り${left}日）。\n` +
          `フィンガープリント(SHA-256): ${row.fingerprint256}\n` +
          '「証明書」画面から更新を申請してください。新しい証明書は発行後すぐに使え、今の証明書も有効期限まで使えます。',
      });
      sent++;
    });
  }
  return sent;
}
