/**
 * The web-only supply point search (供給地点特定番号検索, SYSTEM.md §3) at the hub: the area screen
 * asks it of the area's grid as the internal message WEB_SUPPLY_POINT_SEARCH (interfaces/web-search.ts),
 * through the same transport as the IF_ interfaces, so a grid in another process answers it too.
 *
 *   policy `supplyPoint.search` (a retailer registered in the area) → the area's grid → the points
 *
 * The audit record of the request names the points the search showed.
 */
import { areaByDigit, areaDigit, type AreaCode } from '../../domain/area.ts';
import { Refusal } from '../../domain/refusal.ts';
import { isGridUnavailable } from '../../interfaces/grid-unavailable.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import { webSupplyPointSearchId, type WebSearchRequest, type WebSearchResult } from '../../interfaces/web-search.ts';
import { actorWithAreas } from '../applications/application-interfaces.ts';
import { can } from '../policy.ts';
import type { InterfaceCall, InterfaceDeps } from './call.ts';

export async function searchSupplyPoints(deps: InterfaceDeps, call: InterfaceCall, area: AreaCode, search: WebSearchRequest): Promise<InterfaceResponse> {
  const actor = actorWithAreas(call.actor, call.caller);
  if (!can(actor, 'supplyPoint.search', { area })) {
    const refusal =
      actor.participant.kind === 'retailer'
        ? new Refusal('IF_AREA_NOT_REGISTERED', { params: { area: areaByDigit(areaDigit(area))?.name ?? area } })
        : new Refusal('AUTH_FORBIDDEN');
    return { result: 'NG', messages: [refusal.toDetail()] };
  }
  let response: InterfaceResponse;
  try {
    response = await deps.transport.send(
      area,
      {
        interfaceId: webSupplyPointSearchId,
        participantCode: `${actor.participant.companyCode}${areaDigit(area)}`,
        requestId: call.requestId,
        body: { ...search },
      },
      { timeoutMs: deps.gridTimeoutMs },
    );
  } catch (error) {
    if (!isGridUnavailable(error)) throw error;
    return { result: 'NG', messages: [new Refusal('GRID_UNAVAILABLE', { params: { area } }).toDetail()] };
  }
  const result = response.data as WebSearchResult | undefined;
  if (response.result === 'OK' && result) call.audit.supplyPointIds = result.points.map((p) => p.supplyPointId);
  return response;
}
