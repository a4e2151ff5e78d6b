/**
 * Grid application events → notifications of the new retailer (slide 11).
 *
 * The grids record their application events in their own schemas and may run in other processes
 * (`kirikae grid serve`), so the hub asks each area's grid for them through the grid transport
 * (GRID_EVENTS, hub only; grid/applications/events.handler.ts), after the cursor it keeps per area
 * (`grid_event_cursor`). The notifications of a page and the cursor past it are written in one
 * transaction, and only if the cursor is still the one the page was asked from: two processes
 * fetching at once never notify twice, and a crash before the commit fetches the page again.
 *
 * Who is notified: the applicant of a switch-in (the new retailer) when matching completed (05)
 * and when the switch was completed (06, or 08 with meter work). Switch-out applicants (the old
 * retailer) and other application kinds are not.
 */
import type { AreaCode } from '../../domain/area.ts';
import type { GridTransport } from '../../interfaces/message.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/db.ts';
import { log } from '../../platform/log.ts';
import { notify, type NewNotification } from './notify.ts';

/** The hub's internal request to a grid for its application events (not in the public catalogue). */
export const gridEventsInterfaceId = 'GRID_EVENTS';
/** The hub's participant code towards the grids. */
const hubCaller = 'H000';
/** Events asked per page. */
export const gridEventsPageSize = 500;

export interface GridEventsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly transport: GridTransport;
}

interface GridEvent {
  readonly eventId: number;
  readonly applicationNumber: string;
  readonly participantCode: string;
  readonly event: string;
  readonly stage: string;
  readonly stageName: string;
  readonly kind: string;
  readonly supplyPointId: string;
}

/** The notification an event gives, or none. */
export function notificationOfEvent(e: GridEvent): NewNotification | undefined {
  if (e.kind !== 'switchIn') return undefined;
  const companyCode = e.participantCode.slice(0, 4);
  const refs = { applicationNumber: e.applicationNumber, supplyPointId: e.supplyPointId };
  if (e.event === 'matchingComplete') {
    return {
      companyCode,
      kind: 'matchingComplete',
      subject: `【スイッチング支援システム】マッチング完了のお知らせ（${e.applicationNumber}）`,
      text: `スイッチング開始申込（申込番号 ${e.applicationNumber}、供給地点特定番号 ${e.supplyPointId}）は、現小売電気事業者のスイッチング廃止申込とのマッチングが完了しました（受付工程: ${e.stageName}）。`,
      refs,
    };
  }
  if (e.event === 'completed') {
    return {
      companyCode,
      kind: 'applicationCompleted',
      subject: `【スイッチング支援システム】スイッチング完了のお知らせ（${e.applicationNumber}）`,
      text: `スイッチング開始申込（申込番号 ${e.applicationNumber}、供給地点特定番号 ${e.supplyPointId}）の切替が完了しました（受付工程: ${e.stageName}）。`,
      refs,
    };
  }
  return undefined;
}

async function cursorOf(db: Db, area: AreaCode): Promise<string> {
  const { rows } = await db.query<{ position: string }>('SELECT position FROM hub.grid_event_cursor WHERE area = $1', [area]);
  return rows[0]?.position ?? '0-0';
}

/**
 * Fetches one area's new events, page after page (at most `maxPages`), and notifies; returns how
 * many events were read and notifications written, and whether the grid holds newer events back (a
 * writer of its events still running). A grid that cannot answer is left for the next run.
 */
export async function fetchGridEvents(
  deps: GridEventsDeps,
  area: AreaCode,
  options: { maxPages?: number } = {},
): Promise<{ events: number; notified: number; heldBack: boolean }> {
  const totals = { events: 0, notified: 0, heldBack: false };
  for (let page = 0; page < (options.maxPages ?? 20); page++) {
    const since = await cursorOf(deps.db, area);
    const answer = await deps.transport.send(area, {
      interfaceId: gridEventsInterfaceId,
      participantCode: hubCaller,
      requestId: `events-${area}-${since}`,
      body: { since, limit: gridEventsPageSize },
    });
    if (answer.result !== 'OK') throw new Error(`area ${area}: GRID_EVENTS answered NG: ${answer.messages.map((m) => m.code).join(', ')}`);
    const data = answer.data as { events: GridEvent[]; nextCursor: string; more: boolean; heldBack?: boolean };
    totals.heldBack = data.heldBack === true;
    if (data.nextCursor === since) break;
    const notified = await deps.db.transaction(async (tx) => {
      await tx.query('INSERT INTO hub.grid_event_cursor (area, position, updated_at) VALUES ($1, $2, $3) ON CONFLICT (area) DO NOTHING', [
        area,
        '0-0',
        deps.clock.now(),
      ]);
      const current = await tx.query<{ position: string }>('SELECT position FROM hub.grid_event_cursor WHERE area = $1 FOR UPDATE', [area]);
      // Another process wrote this page first.
      if (current.rows[0]!.position !== since) return undefined;
      const at = deps.clock.now();
      let count = 0;
      for (const event of data.events) {
        const notification = notificationOfEvent(event);
        if (!notification) continue;
        await notify(tx, at, notification);
        count++;
      }
      await tx.query('UPDATE hub.grid_event_cursor SET position = $2, updated_at = $3 WHERE area = $1', [area, data.nextCursor, at]);
      return count;
    });
    if (notified === undefined) break;
    totals.events += data.events.length;
    totals.notified += notified;
    if (!data.more) break;
  }
  return totals;
}

/** Every area in turn; an area whose grid cannot answer now is logged and tried at the next run. */
export async function fetchAllGridEvents(deps: GridEventsDeps, areas: readonly AreaCode[]): Promise<{ events: number; notified: number }> {
  const totals = { events: 0, notified: 0 };
  for (const area of areas) {
    try {
      const result = await fetchGridEvents(deps, area);
      totals.events += result.events;
      totals.notified += result.notified;
    } catch (error) {
      log('warn', 'notifications', `area ${area}: application events not fetched: ${(error as Error).message}`);
    }
  }
  return totals;
}
