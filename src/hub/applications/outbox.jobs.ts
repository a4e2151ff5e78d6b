/**
 * The outbox's background work on the job queue:
 *
 *   hub.deliver-application   one job per filing, enqueued in the filing's transaction: delivers the
 *                             application's pending filings (a no-op when the retailer's request
 *                             already did, or while another deliverer holds them)
 *   hub.retry-deliveries      every minute: the outbox scan (`retryDueDeliveries`)
 *   hub.deliver-batches       one job per bulk file, enqueued in its transaction: the due filings
 *                             delivered in batches, many per grid message (batch-delivery.ts)
 *
 * Retries are the outbox's own (`next_attempt_at` in business time, back-off in outbox.ts), not
 * pg-boss's retryLimit: a retry must never run out (pg-boss would fail the job for good and the
 * application would be lost), the retailer sees the attempts and last error of its filing, and a
 * sandbox clock moved forward makes every waiting retry due at once.
 */
import type { Jobs } from '../../platform/jobs.ts';
import { deliverDueBatches, startBatchDeliveryJobs } from './batch-delivery.ts';
import { deliverApplication, deliveryQueue, retryDueDeliveries, retryQueue, type OutboxDeps } from './outbox.commands.ts';

/** Jobs fetched per poll by one worker: applications are delivered one after another. */
const deliveryBatchSize = 10;

export async function startOutboxJobs(jobs: Jobs, deps: OutboxDeps): Promise<void> {
  await jobs.work<{ applicationNumber: string }>(
    deliveryQueue,
    async (batch) => {
      for (const job of batch) await deliverApplication(deps, job.data.applicationNumber);
    },
    deliveryBatchSize,
  );
  await jobs.work(retryQueue, async () => {
    // Many due at once (a bulk file after a grid outage): in batches first, then one by one.
    await deliverDueBatches(deps);
    await retryDueDeliveries(deps);
  });
  await jobs.every(retryQueue, '* * * * *');
  await startBatchDeliveryJobs(jobs, deps);
}
