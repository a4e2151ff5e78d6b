/**
 * The reference grid operator's system of one area (一般送配電事業者): it answers the IF_ interfaces
 * the hub forwards to it, one `InterfaceRequest` in, one `InterfaceResponse` out, whatever carries
 * them (in this process, or HTTPS from the hub: transport/).
 *
 *   const grid = new Grid({ area: '03', db, clock });
 *   const response = await grid.handle({ interfaceId: 'IF_10110', participantCode: '10033', requestId, body: { supplyPointId } });
 *
 * Dispatch is the table `gridInterfaces`: one handler per interface ID. An interface not in it is
 * answered NG GRID_INTERFACE_UNKNOWN. A handler's `Refusal` becomes an NG response with its code;
 * any other error is the grid failing, and propagates (a transport reports it as the grid being
 * unavailable, the HTTPS server as a 500).
 */
import type { AreaCode } from '../domain/area.ts';
import { isRefusal, Refusal } from '../domain/refusal.ts';
import type { InterfaceRequest, InterfaceResponse } from '../interfaces/message.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/db.ts';
import { ng, resolveGridOptions, type GridContext, type GridOptions, type InterfaceHandler } from './context.ts';
import { applicationHandler } from './applications/application.handler.ts';
import { applicationBatchHandler, applicationBatchInterfaceId } from './applications/batch.handler.ts';
import { applicationFeedHandler } from './applications/feed.handler.ts';
import { applicationEventsHandler, gridEventsInterfaceId } from './applications/events.handler.ts';
import { applicationInterfaceList } from './applications/rules.ts';
import { applicationStatusHandler } from './applications/status.handler.ts';
import { facilityHandler } from './lookup/facility.handler.ts';
import { examineDueUsagePasswordApplications, usagePasswordApplicationHandler, usagePasswordStatusHandler } from './lookup/usage-password.handler.ts';
import { usageHandler } from './lookup/usage.handler.ts';
import { supplyPointSearchHandler } from './lookup/search.handler.ts';
import { webSupplyPointSearchId } from '../interfaces/web-search.ts';
import { gridSchema } from './schema.ts';
import { gridPpsStatsInterfaceId } from '../interfaces/pps-stats.ts';
import { ppsStatsHandler } from './provision/deadlines.ts';

export type { GridOptions } from './context.ts';

/** Interface ID → handler. Later interfaces (applications, relays' grid side) add rows here. */
export const gridInterfaces: Readonly<Record<string, InterfaceHandler>> = {
  IF_10110: facilityHandler('demand'),
  IF_F10110: facilityHandler('fitReceiving'),
  IF_10210: usagePasswordApplicationHandler('LV'),
  IF_K10210: usagePasswordApplicationHandler('HV'),
  IF_10220: usagePasswordStatusHandler('LV'),
  IF_K10220: usagePasswordStatusHandler('HV'),
  IF_10310: usageHandler('LV'),
  IF_K10310: usageHandler('HV'),
  // Wheeling change applications (…10), their status inquiries (…20) and the feed (applications/).
  ...Object.fromEntries(
    applicationInterfaceList.flatMap((i) => [
      [i.interfaceId, applicationHandler(i.interfaceId)],
      [i.interfaceId.replace(/10$/, '20'), applicationStatusHandler(i.interfaceId)],
    ]),
  ),
  IF_11110: applicationFeedHandler('LV'),
  IF_K11110: applicationFeedHandler('HV'),
  IF_F11110: applicationFeedHandler('FIT'),
  // Web only, not in the public catalogue: the area screens' supply point search.
  [webSupplyPointSearchId]: supplyPointSearchHandler,
  // Hub only, not in the public catalogue: the application events the hub notifies retailers of.
  [gridEventsInterfaceId]: applicationEventsHandler,
  // Hub only: many application filings in one message and one transaction.
  [applicationBatchInterfaceId]: applicationBatchHandler,
  // Hub only: the data provision site's deadline watch (figures only).
  [gridPpsStatsInterfaceId]: ppsStatsHandler,
};

/** What a transport or the grid server needs of a grid: its area and a way to answer. */
export interface GridEndpoint {
  readonly area: AreaCode;
  handle(request: InterfaceRequest): Promise<InterfaceResponse>;
}

export interface GridDeps {
  readonly area: AreaCode;
  readonly db: Db;
  readonly clock: Clock;
  readonly options?: GridOptions;
}

export class Grid implements GridEndpoint {
  readonly area: AreaCode;
  readonly #context: GridContext;

  constructor(deps: GridDeps) {
    this.area = deps.area;
    this.#context = { area: deps.area, schema: gridSchema(deps.area), db: deps.db, clock: deps.clock, options: resolveGridOptions(deps.options) };
  }

  /** What the grid's jobs (applications/jobs.ts: runMatching, executeDue) work with. */
  get context(): GridContext {
    return this.#context;
  }

  get options(): GridContext['options'] {
    return this.#context.options;
  }

  async handle(request: InterfaceRequest): Promise<InterfaceResponse> {
    const handler = Object.hasOwn(gridInterfaces, request.interfaceId) ? gridInterfaces[request.interfaceId] : undefined;
    try {
      if (!handler) throw new Refusal('GRID_INTERFACE_UNKNOWN', { params: { interfaceId: String(request.interfaceId) } });
      return await handler(this.#context, request);
    } catch (error) {
      if (isRefusal(error)) return ng([error.toDetail()]);
      throw error;
    }
  }

  /**
   * Decides the applications whose examination day has come (usage password applications under
   * `nextBusinessDay`), up to `limit` per call; returns how many. Status inquiries decide their own
   * application lazily, so this only matters for applications nobody asks about; a job may call it.
   */
  async examineDue(limit = 500): Promise<number> {
    return examineDueUsagePasswordApplications(this.#context, limit);
  }
}
