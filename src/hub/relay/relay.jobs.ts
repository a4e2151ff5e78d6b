/**
 * The relay's background work on the job queue:
 *
 *   hub.relay-fetch-check   at every full hour (Asia/Tokyo): the hourly check of monitoring.ts,
 *                           recording each retailer that has relays awaiting its decision and did
 *                           not fetch them within the hour (slide 10)
 *
 * It also runs right after the sandbox clock moves (jobs/due-work.ts), so the check is testable
 * without waiting an hour. The check is idempotent per retailer and hour: several processes may
 * run it at the same time.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/db.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { log } from '../../platform/log.ts';
import { checkFetchLapses } from './monitoring.ts';

export const fetchCheckQueue = 'hub.relay-fetch-check';
export const fetchCheckCron = '0 * * * *';

/** The hourly check once; logs the retailers it found not fetching. */
export async function runFetchCheck(db: Db, clock: Clock): Promise<number> {
  const found = await checkFetchLapses(db, clock);
  if (found > 0) log('warn', 'relay', `${found} retailer(s) with relays awaiting their decision did not fetch them within the hour`);
  return found;
}

export async function startRelayJobs(jobs: Jobs, deps: { readonly db: Db; readonly clock: Clock }): Promise<void> {
  await jobs.work(fetchCheckQueue, async () => {
    await runFetchCheck(deps.db, deps.clock);
  });
  await jobs.every(fetchCheckQueue, fetchCheckCron);
}
