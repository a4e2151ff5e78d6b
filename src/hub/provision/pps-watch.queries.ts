/**
 * The hub administrators' deadline watch of the grids' data provision sites (HALFHOURLY.md B7): the
 * hub asks each area's grid for its figures (the internal message GRID_PPS_STATS) over whatever
 * transport reaches it; the data never passes through the hub, the figures do. A grid that does not
 * answer is shown as such. Policy `pps.monitor` (hub administrators, the hub's operator system).
 */
import { areaCodes, type AreaCode } from '../../domain/area.ts';
import { hubCompanyCode } from '../../domain/participant-code.ts';
import type { IsoDate } from '../../domain/date.ts';
import { isGridUnavailable } from '../../interfaces/grid-unavailable.ts';
import { gridPpsStatsInterfaceId, type PpsStatsAnswer } from '../../interfaces/pps-stats.ts';
import type { GridTransport } from '../../interfaces/message.ts';
import { authorize, type Actor } from '../policy.ts';

export type AreaPpsWatch =
  | ({ readonly area: AreaCode; readonly status: 'ok' } & PpsStatsAnswer)
  | { readonly area: AreaCode; readonly status: 'unavailable' | 'refused'; readonly reason: string };

export async function ppsDeadlineWatch(
  deps: { transport: GridTransport; gridTimeoutMs: number },
  actor: Actor,
  options: { date?: IsoDate; areas?: readonly AreaCode[] } = {},
): Promise<AreaPpsWatch[]> {
  authorize(actor, 'pps.monitor');
  return Promise.all(
    (options.areas ?? areaCodes).map(async (area): Promise<AreaPpsWatch> => {
      try {
        const answer = await deps.transport.send(
          area,
          {
            interfaceId: gridPpsStatsInterfaceId,
            participantCode: hubCompanyCode,
            requestId: `pps-stats-${area}`,
            body: options.date ? { date: options.date } : {},
          },
          { timeoutMs: deps.gridTimeoutMs },
        );
        if (answer.result !== 'OK') return { area, status: 'refused', reason: answer.messages.map((m) => `${m.code} ${m.text}`).join(' ') };
        const data = answer.data as unknown as PpsStatsAnswer;
        return { area, status: 'ok', date: data.date, now: data.now, kinds: data.kinds };
      } catch (error) {
        if (isGridUnavailable(error)) return { area, status: 'unavailable', reason: error.message };
        throw error;
      }
    }),
  );
}
