/**
 * The outbox rules (STYLE.md 5): how the hub numbers, keeps and delivers the wheeling change
 * applications retailers file (IF_10410 … IF_10910 and their K/F variants).
 *
 * Terms:
 * - filing: one application request (updateFlag 1 register, 2 correct, 3 cancel), one outbox row.
 * - application number: `AP{area}-{yyyymmdd}{6-digit serial}`, given by the hub to a registration;
 *   corrections and cancellations name it. The area follows the two-letter prefix, so the status
 *   inquiry of a number is routed to its area's grid (interfaces.routes.ts).
 * - delivery ID: the envelope's `requestId` towards the grid: the application number for the
 *   registration, `{number}-{n}` for the n-th filing about it. The grid is idempotent by
 *   (participantCode, requestId), so delivering a filing again after a crash changes nothing.
 *
 * Delivery is at least once from the hub and exactly once in effect at the grid. A filing is tried
 * at once (synchronously, with a short timeout, so that a retailer usually gets the grid's answer);
 * if the grid cannot answer, it stays pending and is retried with back-off by the outbox scan
 * (`retryDueDeliveries`: every minute, and right after the sandbox clock moves). Filings of one
 * application are delivered in the order they were filed: a correction never overtakes its
 * registration.
 */
import type { IsoDate } from '../../domain/date.ts';

export const applicationNumberPrefix = 'AP';

/** 6 digits of serial per area and day: a million applications a day in one area is far beyond 2016's peak. */
export const maxSerialPerDay = 999_999;

export function formatApplicationNumber(area: string, day: IsoDate, serial: number): string {
  return `${applicationNumberPrefix}${area}-${day.replaceAll('-', '')}${String(serial).padStart(6, '0')}`;
}

export function deliveryIdOf(applicationNumber: string, filingIndex: number): string {
  return filingIndex === 1 ? applicationNumber : `${applicationNumber}-${filingIndex}`;
}

/**
 * Wait before the next attempt after `attempts` failed ones: 15 s doubled each time, at most 15
 * minutes. A grid restarting is back within the first minutes; one down for hours is tried four
 * times an hour, not hammered. (The scan runs every minute, so the shortest waits round up to it.)
 */
export function retryDelayMs(attempts: number): number {
  return Math.min(15_000 * 2 ** Math.max(0, attempts - 1), 15 * 60_000);
}

/**
 * How long the retailer's request waits for the grid before it is answered "not yet delivered":
 * a reference grid files an application in milliseconds; a slow grid must not hold the retailer.
 */
export const syncDeliveryTimeoutMs = 3_000;

/** Real time a deliverer holds a filing beyond its timeout before another may take it over. */
export const claimMarginMs = 30_000;

/** Filings the outbox scan delivers per run, at most: bounded work per tick (STYLE.md 7). */
export const retryBatchSize = 200;
