/**
 * Participants' notification addresses (`notification_address`): where their notification e-mails
 * go. A participant without one gets no e-mail; its notifications still enter its pull mailbox.
 */
import type { Queryable } from '../../platform/db/db.ts';

/** Sets the participant's address; `onlyIfMissing` keeps one already set (demo seeding run again). */
export async function setNotificationAddress(
  q: Queryable,
  change: { companyCode: string; email: string; at: Date; by: string; onlyIfMissing?: boolean },
): Promise<void> {
  await q.query(
    `INSERT INTO hub.notification_address (company_code, email, updated_at, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (company_code) DO ${change.onlyIfMissing ? 'NOTHING' : 'UPDATE SET email = EXCLUDED.email, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by'}`,
    [change.companyCode, change.email, change.at, change.by],
  );
}

export async function notificationAddressOf(q: Queryable, companyCode: string): Promise<string | undefined> {
  const { rows } = await q.query<{ email: string }>('SELECT email FROM hub.notification_address WHERE company_code = $1', [companyCode]);
  return rows[0]?.email;
}

/** The demo address of a participant: `1003@retailer.example`, `g003@grid.example`, `h000@hub.example`. */
export function demoNotificationAddress(participant: { companyCode: string; kind: string }): string {
  return `${participant.companyCode.toLowerCase()}@${participant.kind}.example`;
}
