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
 * - request content: what a filing asks, by which its request ID is judged when used again: the
 *   interface and the validated body, the hub's application number of a registration left out.
 *   The same request ID with the same content is a resend (answered with the first answer); with
 *   other content it is refused (`OUTBOX_REQUEST_ID_OTHER_CONTENT`, or `OUTBOX_REQUEST_ID_REUSED`
 *   for another interface), so a second application never disappears behind the first one's answer.
 *
 * Delivery is at least once from the hub and exactly once in effect at the grid. A filing is tried
 * at once (synchronously, with a short timeout, so that a retailer usually gets the grid's answer);
 * if the grid cannot answer, it stays pending and is retried with back-off by the outbox scan
 * (`retryDueDeliveries`: every minute, and right after the sandbox clock moves). Filings of one
 * application are delivered in the order they were filed: a correction never overtakes its
 * registration.
 */
import { createHash } from 'node:crypto';
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

/**
 * The update flag of a filing: `1` register, `2` correct, `3` cancel. Interfaces without the field
 * (the usage password application IF_10210 / IF_K10210) only ever register.
 */
export function updateFlagOf(body: Readonly<Record<string, unknown>>): '1' | '2' | '3' {
  const flag = body.updateFlag;
  return flag === '2' || flag === '3' ? flag : '1';
}

/** JSON with every object's keys in order and absent (undefined) values left out: one text per content. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The digest of a filing's request content (see "request content" above): SHA-256 of the interface
 * ID and the canonical JSON of the body. A registration's `applicationNumber` is the hub's (stored
 * with the filing), never the retailer's, so it is no part of what was asked. Equal for the same
 * request whether it came as JSON, SOAP, a web form or a CSV row, and for a body read back from the
 * outbox (jsonb keeps values, not key order).
 */
export function requestContentDigest(interfaceId: string, body: Readonly<Record<string, unknown>>): string {
  const { applicationNumber, ...rest } = body;
  const asked = updateFlagOf(body) === '1' ? rest : { ...rest, applicationNumber };
  return createHash('sha256').update(interfaceId).update('\0').update(canonicalJson(asked)).digest('base64url');
}
