/**
 * Suspicious use (slide 46: 「広域機関…が…不正アクセスと疑わしい状況を把握した場合」), found by the
 * hub in its own audit log, per registered certificate and hour (by the clock):
 *
 *   many_addresses  one certificate used from `manyAddresses` or more source addresses in an hour
 *   refusal_burst   `refusalBurst` or more refusals of identity (AUTH_…) for one certificate in an hour
 *   outside_hours   a terminal certificate used outside its participant's declared hours (if declared)
 *
 * Each finding is one flag (certificate, rule, hour), raised once; the hub admins see the open ones
 * and suspend the certificate in one click (which resolves every open flag of it) or dismiss one.
 * Suspending goes through suspension.commands.ts like any other: at once, sessions ended, audited.
 */
import { Refusal } from '../../domain/refusal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import type { StatusChangeResult } from '../identity/suspension.commands.ts';
import { setCertificateStatus } from '../identity/suspension.commands.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { authorize, type Actor } from '../policy.ts';
import { checkTerminalHours } from './life.ts';
import { normalizeCompanyCode } from '../identity/participant.ts';

export type SuspicionRule = 'many_addresses' | 'refusal_burst' | 'outside_hours';

export interface SuspicionThresholds {
  readonly manyAddresses: number;
  readonly refusalBurst: number;
}

export const defaultSuspicionThresholds: SuspicionThresholds = { manyAddresses: 5, refusalBurst: 20 };

export interface SuspicionFlag {
  readonly flagId: number;
  readonly fingerprint256: string;
  readonly companyCode: string;
  readonly rule: SuspicionRule;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  readonly observed: number;
  readonly detail: string;
  readonly raisedAt: Date;
  readonly status: 'open' | 'suspended' | 'dismissed';
  readonly certificateStatus: string;
}

const HOUR_MS = 3_600_000;

/**
 * Looks at the audit log of the current and the previous hour and raises the flags not raised yet.
 * Returns the flags raised now. Idempotent: a flag exists once per certificate, rule and hour.
 */
export async function scanSuspiciousUse(db: Db | Queryable, clock: Clock, thresholds: SuspicionThresholds = defaultSuspicionThresholds): Promise<number> {
  const now = clock.now();
  const from = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - HOUR_MS);
  const hour = `to_timestamp(floor(extract(epoch FROM a.at) / 3600) * 3600)`;
  const common = `FROM hub.audit_log a JOIN hub.certificate c ON c.fingerprint256 = a.fingerprint256
                  WHERE a.at >= $1 AND a.at <= $2 AND a.fingerprint256 IS NOT NULL`;
  const insert = `INSERT INTO hub.suspicion_flag (fingerprint256, company_code, rule, window_start, window_end, observed, detail, raised_at)`;
  const conflict = 'ON CONFLICT (fingerprint256, rule, window_start) DO NOTHING RETURNING flag_id';
  const many = await db.query(
    `${insert}
     SELECT a.fingerprint256, c.company_code, 'many_addresses', ${hour}, ${hour} + interval '1 hour', count(DISTINCT a.source_address)::int,
            string_agg(DISTINCT coalesce(a.source_address, '?'), ' '), $2
       ${common}
      GROUP BY a.fingerprint256, c.company_code, ${hour}
     HAVING count(DISTINCT a.source_address) >= $3
     ${conflict}`,
    [from, now, thresholds.manyAddresses],
  );
  const burst = await db.query(
    `${insert}
     SELECT a.fingerprint256, c.company_code, 'refusal_burst', ${hour}, ${hour} + interval '1 hour', count(*)::int,
            string_agg(DISTINCT a.result, ' '), $2
       ${common} AND a.result LIKE 'AUTH\\_%'
      GROUP BY a.fingerprint256, c.company_code, ${hour}
     HAVING count(*) >= $3
     ${conflict}`,
    [from, now, thresholds.refusalBurst],
  );
  // Hours in Japan: UTC + 9, no daylight saving time.
  const localHour = `extract(hour FROM (a.at AT TIME ZONE 'UTC') + interval '9 hours')`;
  const outside = await db.query(
    `${insert}
     SELECT a.fingerprint256, c.company_code, 'outside_hours', ${hour}, ${hour} + interval '1 hour', count(*)::int,
            min(p.terminal_hours_from) || '〜' || min(p.terminal_hours_to) || '時の外: ' || string_agg(DISTINCT a.action, ' '), $2
       FROM hub.audit_log a
       JOIN hub.certificate c ON c.fingerprint256 = a.fingerprint256
       JOIN hub.participant p ON p.company_code = c.company_code
      WHERE a.at >= $1 AND a.at <= $2 AND c.usage = 'terminal' AND p.terminal_hours_from IS NOT NULL
        AND NOT (${localHour} >= p.terminal_hours_from AND ${localHour} < p.terminal_hours_to)
      GROUP BY a.fingerprint256, c.company_code, ${hour}
     ${conflict}`,
    [from, now],
  );
  return many.rows.length + burst.rows.length + outside.rows.length;
}

/** The flags, open ones first, newest first. Hub admins only. */
export async function listFlags(q: Queryable, actor: Actor, filter: { open?: boolean } = {}): Promise<SuspicionFlag[]> {
  authorize(actor, 'certificate.decide');
  const { rows } = await q.query<{
    flag_id: string | number;
    fingerprint256: string;
    company_code: string;
    rule: SuspicionRule;
    window_start: Date;
    window_end: Date;
    observed: number;
    detail: string;
    raised_at: Date;
    status: SuspicionFlag['status'];
    certificate_status: string;
  }>(
    `SELECT f.*, c.status AS certificate_status FROM hub.suspicion_flag f JOIN hub.certificate c ON c.fingerprint256 = f.fingerprint256
      WHERE ($1::boolean IS NOT TRUE OR f.status = 'open')
      ORDER BY (f.status = 'open') DESC, f.raised_at DESC, f.flag_id DESC LIMIT 500`,
    [filter.open ?? null],
  );
  return rows.map((r) => ({
    flagId: Number(r.flag_id),
    fingerprint256: r.fingerprint256,
    companyCode: r.company_code,
    rule: r.rule,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    observed: Number(r.observed),
    detail: r.detail,
    raisedAt: r.raised_at,
    status: r.status,
    certificateStatus: r.certificate_status,
  }));
}

/**
 * One click: the flagged certificate is suspended at once (sessions ended, every hub process told),
 * and every open flag of it is resolved as `suspended`, in one transaction.
 */
export async function suspendFlagged(db: Db, clock: Clock, actor: Actor, flagId: number): Promise<StatusChangeResult> {
  authorize(actor, 'certificate.decide');
  const now = clock.now();
  const by = actor.user?.userId ?? actor.participant.companyCode;
  return db.transaction(async (tx) => {
    const flag = await openFlag(tx, flagId);
    const reasonText = `不正利用の疑い（番号 ${flag.flag_id}、${ruleLabels[flag.rule]}）による停止`;
    const result = await setCertificateStatus(tx, clock, actor, flag.fingerprint256, { status: 'suspended', reason: reasonText });
    await tx.query(`UPDATE hub.suspicion_flag SET status = 'suspended', resolved_at = $2, resolved_by = $3 WHERE fingerprint256 = $1 AND status = 'open'`, [
      flag.fingerprint256,
      now,
      by,
    ]);
    await recordAudit(tx, {
      at: now,
      companyCode: flag.company_code,
      userId: by,
      fingerprint256: flag.fingerprint256,
      sourceAddress: null,
      channel: 'web',
      action: 'suspicionSuspend',
      result: 'OK',
    });
    return result;
  });
}

/** The hub admin looked and found nothing wrong. */
export async function dismissFlag(db: Db, clock: Clock, actor: Actor, flagId: number): Promise<void> {
  authorize(actor, 'certificate.decide');
  const now = clock.now();
  const by = actor.user?.userId ?? actor.participant.companyCode;
  await db.transaction(async (tx) => {
    const flag = await openFlag(tx, flagId);
    await tx.query(`UPDATE hub.suspicion_flag SET status = 'dismissed', resolved_at = $2, resolved_by = $3 WHERE flag_id = $1`, [flag.flag_id, now, by]);
    await recordAudit(tx, {
      at: now,
      companyCode: flag.company_code,
      userId: by,
      fingerprint256: flag.fingerprint256,
      sourceAddress: null,
      channel: 'web',
      action: 'suspicionDismiss',
      result: 'OK',
    });
  });
}

async function openFlag(tx: Queryable, flagId: number) {
  const { rows } = Number.isSafeInteger(flagId)
    ? await tx.query<{ flag_id: string | number; fingerprint256: string; company_code: string; rule: SuspicionRule }>(
        `SELECT flag_id, fingerprint256, company_code, rule FROM hub.suspicion_flag WHERE flag_id = $1 AND status = 'open' FOR UPDATE`,
        [flagId],
      )
    : { rows: [] };
  const flag = rows[0];
  if (!flag) throw new Refusal('CERT_FLAG_NOT_FOUND', { params: { flagId: String(flagId) } });
  return flag;
}

export const ruleLabels: Record<SuspicionRule, string> = {
  many_addresses: '多数の接続元',
  refusal_burst: '認証拒否の集中',
  outside_hours: '利用時間帯外の利用',
};

/** A participant's administrator (or a hub admin) declares the hours its terminals are used; null clears them. */
export async function setTerminalHours(db: Db | Queryable, actor: Actor, companyCode: string, hours: { from: number; to: number } | null): Promise<void> {
  const code = normalizeCompanyCode(companyCode);
  authorize(actor, 'certificate.request', { companyCode: code });
  const checked = hours ? checkTerminalHours(hours.from, hours.to) : null;
  await db.query('UPDATE hub.participant SET terminal_hours_from = $2, terminal_hours_to = $3 WHERE company_code = $1', [
    code,
    checked?.from ?? null,
    checked?.to ?? null,
  ]);
}

export async function terminalHoursOf(q: Queryable, companyCode: string): Promise<{ from: number; to: number } | null> {
  const { rows } = await q.query<{ f: number | null; t: number | null }>(
    'SELECT terminal_hours_from AS f, terminal_hours_to AS t FROM hub.participant WHERE company_code = $1',
    [companyCode],
  );
  const r = rows[0];
  return r && r.f !== null && r.t !== null ? { from: Number(r.f), to: Number(r.t) } : null;
}
