/**
 * The hub's metrics on top of the process's (platform/metrics.ts): the outbox backlog per area,
 * relays awaiting decision, the mail queue (read at each scrape), and every grid call's outcome.
 */
import { isGridUnavailable } from '../../interfaces/grid-unavailable.ts';
import type { GridTransport } from '../../interfaces/message.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/db.ts';
import { oncePerScrape, type Metrics } from '../../platform/metrics.ts';
import type { AuditBacklog } from '../http/audit-writer.ts';
import { mailQueue, outboxBacklog, relaysAwaiting } from './system-metrics.repository.ts';

export function registerHubMetrics(metrics: Metrics, db: Db, clock: Clock): void {
  const backlog = oncePerScrape(() => outboxBacklog(db, clock.now()));
  const relays = oncePerScrape(() => relaysAwaiting(db, clock.now()));
  const mail = oncePerScrape(() => mailQueue(db, clock.now()));
  metrics.gaugeFromScrape('kirikae_outbox_pending', 'Applications filed at the hub and not yet delivered to their grid, by area', ['area'], async () =>
    (await backlog()).map((row) => ({ labels: { area: row.area }, value: row.pending })),
  );
  metrics.gaugeFromScrape(
    'kirikae_outbox_oldest_pending_seconds',
    'Age (business time) of the oldest application not yet delivered to its grid, by area',
    ['area'],
    async () => (await backlog()).map((row) => ({ labels: { area: row.area }, value: row.oldestSeconds })),
  );
  metrics.gaugeFromScrape(
    'kirikae_relays_awaiting_decision',
    'Switching termination relays awaiting the old retailer’s decision, by family',
    ['family'],
    async () => (await relays()).map((row) => ({ labels: { family: row.family }, value: row.waiting })),
  );
  metrics.gaugeFromScrape(
    'kirikae_relays_longest_wait_seconds',
    'How long (business time) the oldest relay awaiting decision has waited, by family',
    ['family'],
    async () => (await relays()).map((row) => ({ labels: { family: row.family }, value: row.longestSeconds })),
  );
  metrics.gaugeFromScrape(
    'kirikae_mail_queue',
    'Notification e-mails not yet sent (state pending), and of them those whose last attempt failed (failing)',
    ['state'],
    async () => {
      const queue = await mail();
      return [
        { labels: { state: 'pending' }, value: queue.pending },
        { labels: { state: 'failing' }, value: queue.failing },
      ];
    },
  );
  metrics.gaugeFromScrape('kirikae_mail_oldest_pending_seconds', 'Age (business time) of the oldest e-mail not yet sent', [], async () => [
    { labels: {}, value: (await mail()).oldestSeconds },
  ]);
}

/**
 * This process's audit records not yet in the database (hub/http/audit-writer.ts), read at each
 * scrape: per process (sum the records and bytes over hubs, take the max of the age).
 */
export function registerAuditMetrics(metrics: Metrics, audit: { backlog(): AuditBacklog }): void {
  metrics.gaugeFromScrape('kirikae_audit_backlog_records', "Audit records of this process's requests not yet in the database", [], async () => [
    { labels: {}, value: audit.backlog().records },
  ]);
  metrics.gaugeFromScrape(
    'kirikae_audit_backlog_journal_bytes',
    "Bytes of this process's audit journal (KIRIKAE_HOME/audit-journal) not yet in the database",
    [],
    async () => [{ labels: {}, value: audit.backlog().journalBytes }],
  );
  metrics.gaugeFromScrape(
    'kirikae_audit_backlog_oldest_seconds',
    'How long the oldest audit record of this process not yet in the database has waited (0 when none waits)',
    [],
    async () => [{ labels: {}, value: audit.backlog().oldestSeconds }],
  );
}

/** The transport, with each call's outcome counted (kirikae_grid_calls_total, kirikae_grid_up). */
export function observedTransport<T extends GridTransport>(transport: T, metrics: Metrics): T {
  const send: GridTransport['send'] = async (area, request, options) => {
    try {
      const response = await transport.send(area, request, options);
      metrics.observeGrid(area, 'ok');
      return response;
    } catch (error) {
      metrics.observeGrid(area, isGridUnavailable(error) ? error.reason : 'error');
      throw error;
    }
  };
  return Object.assign(Object.create(transport) as T, { send });
}
