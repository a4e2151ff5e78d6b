/**
 * What every interface handler of a grid is given: the area it serves, that area's schema, the
 * database, the clock and the grid's options. A handler reads the request, answers it, and refuses
 * by throwing a `Refusal`, which the grid turns into an NG response (grid.ts).
 */
import type { AreaCode } from '../domain/area.ts';
import { tokyoDate, type IsoDate } from '../domain/date.ts';
import type { InterfaceRequest, InterfaceResponse, ReceptionMessage } from '../interfaces/message.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/db.ts';
import { defaultMatchingLanes } from '../platform/settings.ts';

/**
 * When a usage password application is examined (SYSTEM.md §5: "in principle by the next business
 * day, sooner when confirmed"):
 * - `immediate`: at once, while the application is accepted (the sandbox default, so a retailer
 *   developing against the reference grid need not wait a day);
 * - `nextBusinessDay`: once the business day after the day of acceptance has begun by the clock,
 *   on the applicant's next status inquiry (or by `Grid.examineDue`, for a batch).
 */
export type UsagePasswordConfirmation = 'immediate' | 'nextBusinessDay';

export const usagePasswordConfirmations: readonly UsagePasswordConfirmation[] = ['immediate', 'nextBusinessDay'];

export interface GridOptions {
  readonly usagePasswordConfirmation?: UsagePasswordConfirmation;
  /** Concurrent transactions a matching call runs in on PostgreSQL (jobs.ts `runMatching`); default `defaultMatchingLanes` (platform/settings.ts: 2). */
  readonly matchingLanes?: number;
}

export interface ResolvedGridOptions {
  readonly usagePasswordConfirmation: UsagePasswordConfirmation;
  readonly matchingLanes: number;
}

export function resolveGridOptions(options: GridOptions = {}): ResolvedGridOptions {
  return { usagePasswordConfirmation: options.usagePasswordConfirmation ?? 'immediate', matchingLanes: options.matchingLanes ?? defaultMatchingLanes };
}

export interface GridContext {
  readonly area: AreaCode;
  /** `grid_NN`: every query of this grid names it, and no other. */
  readonly schema: string;
  readonly db: Db;
  readonly clock: Clock;
  readonly options: ResolvedGridOptions;
}

/** The business date in Japan now, by the grid's clock. */
export function today(ctx: GridContext): IsoDate {
  return tokyoDate(ctx.clock.now());
}

export type InterfaceHandler = (ctx: GridContext, request: InterfaceRequest) => Promise<InterfaceResponse>;

type Data = Readonly<Record<string, unknown>>;

export function ok(data: Data, messages: readonly ReceptionMessage[] = [], remarks?: string): InterfaceResponse {
  return remarks === undefined ? { result: 'OK', messages, data } : { result: 'OK', messages, remarks, data };
}

export function ng(messages: readonly ReceptionMessage[], data?: Data): InterfaceResponse {
  return data === undefined ? { result: 'NG', messages } : { result: 'NG', messages, data };
}
