/**
 * GRID_PPS_STATS, the internal message by which the hub asks a grid for its data provision site's
 * deadline figures (HALFHOURLY.md B7): the grid answers it (grid/provision/deadlines.ts), the hub
 * shows it to its administrators (hub/provision/pps-watch.queries.ts). Figures only, never data.
 */
export const gridPpsStatsInterfaceId = 'GRID_PPS_STATS';

/** One file kind's figures for one day of deadlines. */
export interface PpsDeadlineFigures {
  readonly kind: string;
  readonly title: string;
  /** The due rule in words. */
  readonly rule: string;
  readonly due: number;
  readonly onTime: number;
  readonly late: number;
  readonly maxLateMinutes: number;
  /** Targets past their deadline and not made yet. */
  readonly missing: number;
  /** The earliest deadline among them (ISO), or null. */
  readonly oldestMissingDeadline: string | null;
}

/** The grid's answer: the day of deadlines (JST), the grid's clock when read (ISO), each kind's figures. */
export interface PpsStatsAnswer {
  readonly date: string;
  readonly now: string;
  readonly kinds: readonly PpsDeadlineFigures[];
}
