/**
 * The certificates' background work on the job queue (issue 19), every 5 minutes and right after
 * the sandbox clock moves (jobs/due-work.ts), all of it decided by the clock:
 *
 * - the batch: at each closing time of the weekly schedule, the approved requests are issued;
 * - the expiry notices due (90, 30, 7 days before the end);
 * - the scan of the audit log for suspicious use.
 *
 * Each part is idempotent and safe with several processes (a closing time, a notice and a flag
 * each exist once in the database).
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/db.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { log } from '../../platform/log.ts';
import { readSetting } from '../../platform/settings.ts';
import { sendExpiryNotices } from './expiry.commands.ts';
import { defaultWeeklySchedule, parseIssuanceSchedule, type IssuanceSchedule } from './life.ts';
import { issueDueBatch, type CertificateAuthority } from './request.commands.ts';
import { scanSuspiciousUse, type SuspicionThresholds } from './suspicion.commands.ts';

export const certificateQueue = 'hub.certificates';
export const certificateCron = '*/5 * * * *';

export interface CertificateWorkDeps {
  readonly db: Db;
  readonly clock: Clock;
  /** Absent: no CA in this process (nothing is issued, notices and flags still are). */
  readonly authority?: CertificateAuthority | undefined;
  readonly thresholds?: SuspicionThresholds;
}

export interface CertificateSettings {
  readonly schedule: IssuanceSchedule;
  readonly thresholds: SuspicionThresholds;
}

/**
 * KIRIKAE_CERT_ISSUANCE: `immediate` (the sandbox's default: issued at approval) or closing times
 * of the week in Japan time (production's default `tue 17:00,fri 17:00`, the seed's CA);
 * KIRIKAE_SUSPICION_ADDRESSES and KIRIKAE_SUSPICION_REFUSALS: the thresholds per hour (5 and 20).
 */
export function certificateSettingsFromEnv(env: NodeJS.ProcessEnv, mode: string): CertificateSettings {
  return {
    schedule: parseIssuanceSchedule(readSetting(env, 'certIssuance') ?? (mode === 'production' ? defaultWeeklySchedule : 'immediate')),
    thresholds: { manyAddresses: readSetting(env, 'suspicionAddresses'), refusalBurst: readSetting(env, 'suspicionRefusals') },
  };
}

export async function runCertificateWork(deps: CertificateWorkDeps): Promise<{ issued: number; notices: number; flags: number }> {
  const batch = deps.authority ? await issueDueBatch(deps.db, deps.clock, deps.authority) : { batchAt: null, issued: 0 };
  const notices = await sendExpiryNotices(deps.db, deps.clock);
  const flags = await scanSuspiciousUse(deps.db, deps.clock, deps.thresholds);
  if (batch.issued > 0)
    log('info', 'certificates', `issued ${batch.issued} certificate(s)${batch.batchAt ? ` in the batch closing ${batch.batchAt.toISOString()}` : ''}`);
  if (notices > 0) log('info', 'certificates', `sent ${notices} expiry notice(s)`);
  if (flags > 0) log('warn', 'certificates', `${flags} new flag(s) of suspicious certificate use: see /admin/suspicions/flags`);
  return { issued: batch.issued, notices, flags };
}

export async function startCertificateJobs(jobs: Jobs, deps: CertificateWorkDeps): Promise<void> {
  await jobs.work(certificateQueue, async () => {
    await runCertificateWork(deps);
  });
  await jobs.every(certificateQueue, certificateCron);
}
