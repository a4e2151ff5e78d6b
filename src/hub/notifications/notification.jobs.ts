/**
 * The notifications' background work on the job queue:
 *
 *   hub.notifications   every minute: each area's new application events fetched from its grid and
 *                       turned into notifications (grid-events.ts), then digests gathered and due
 *                       mails sent (mail.ts)
 *
 * It also runs right after the sandbox clock moves (jobs/due-work.ts calls `runNotificationWork`
 * after each area's due work), so a test or a sandbox user sees the mails of a matching at once.
 * Every step claims its rows in the database, so several processes may run it at the same time.
 */
import type { AreaCode } from '../../domain/area.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { fetchAllGridEvents, type GridEventsDeps } from './grid-events.ts';
import { runMailWork, type MailDeps } from './mail.ts';

export const notificationQueue = 'hub.notifications';

export interface NotificationDeps {
  readonly mail: MailDeps;
  readonly events: GridEventsDeps;
  /** The areas whose events are fetched (all ten). */
  readonly areas: readonly AreaCode[];
}

/** Events of the given areas (default: all), then the mail. */
export async function runNotificationWork(deps: NotificationDeps, areas: readonly AreaCode[] = deps.areas): Promise<void> {
  await fetchAllGridEvents(deps.events, areas);
  await runMailWork(deps.mail);
}

export async function startNotificationJobs(jobs: Jobs, deps: NotificationDeps): Promise<void> {
  await jobs.work(notificationQueue, async () => {
    await runNotificationWork(deps);
  });
  await jobs.every(notificationQueue, '* * * * *');
}
