/**
 * The application interfaces at the hub (called from interfaces.routes.ts after validation):
 *
 *   …10 filings     policy `application.file` for the point's area → the outbox: registrations with
 *                   the requests arriving with them (filing-group.ts, group commit), the rest alone
 *                   (fileApplication);
 *                   every application interface of the catalogue, the usage password
 *                   application (IF_10210 / IF_K10210) as much as the wheeling changes
 *   …20 inquiries   the outbox first (the hub answers for an undelivered application, policy
 *                   `application.view` on its filer), then the grid of the application's area,
 *                   found from the hub's own record of the filing: a request ID alone suffices
 *   11110 feed      the grids of every area of the caller, merged under the hub's cursor (feed.ts)
 */
import { areaByDigit, isAreaCode, type AreaCode } from '../../domain/area.ts';
import type { MessageCode } from '../../domain/messages.ts';
import { Refusal } from '../../domain/refusal.ts';
import { interfaces, type InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import type { FieldValues } from '../../interfaces/validate.ts';
import { can, type Actor } from '../policy.ts';
import { mergedFeed } from './feed.ts';
import { fileApplicationInGroup } from './filing-group.ts';
import { findForStatus, type OutboxDeps } from './outbox.commands.ts';

/** Every application interface of the catalogue (…10), its status inquiry (…20) and the feed, with the policy action it needs. */
export const applicationActions: Readonly<Record<string, 'application.file' | 'application.view'>> = Object.fromEntries(
  interfaces
    .filter((def) => def.kind === 'application' || def.kind === 'status' || def.kind === 'feed')
    .map((def) => [def.id, def.kind === 'application' ? 'application.file' : 'application.view'] as const),
);

/** The actor of an API request with the areas its participant is registered in (the policy's area rules read them). */
export function actorWithAreas(actor: Actor, caller: { readonly participant: { readonly areas: readonly string[] } }): Actor {
  return { ...actor, participant: { ...actor.participant, areas: caller.participant.areas } };
}

export interface ApplicationCall {
  readonly actor: Actor;
  /** Asks the area's grid (the interface routes' transport, with their timeout and GRID_UNAVAILABLE). */
  forward(area: AreaCode, body: FieldValues): Promise<InterfaceResponse>;
}

function ng(code: MessageCode, params?: Record<string, string | number>): InterfaceResponse {
  return { result: 'NG', messages: [new Refusal(code, params ? { params } : {}).toDetail()] };
}

/** Why an actor may not act in an area: not registered there (a retailer), or not a retailer at all. */
function refusedIn(actor: Actor, area: string): InterfaceResponse {
  if (actor.participant.kind !== 'retailer') return ng('AUTH_FORBIDDEN');
  return ng('IF_AREA_NOT_REGISTERED', { area: areaByDigit(area.slice(1))?.name ?? area });
}

export async function answerApplicationInterface(
  deps: OutboxDeps,
  call: ApplicationCall,
  def: InterfaceDefinition,
  body: FieldValues,
): Promise<InterfaceResponse> {
  const { actor } = call;
  const companyCode = actor.participant.companyCode;
  if (def.kind === 'application') {
    const area = String(body.supplyPointId).slice(0, 2);
    if (!isAreaCode(area)) return ng('IF_AREA_UNKNOWN');
    if (!can(actor, 'application.file', { area })) return refusedIn(actor, area);
    return fileApplicationInGroup(deps, { companyCode }, { def, body });
  }
  if (def.kind === 'feed') {
    if (actor.participant.kind !== 'retailer') return ng('AUTH_FORBIDDEN');
    const areas = (actor.participant.areas ?? []).filter(isAreaCode);
    if (areas.length === 0) return ng('IF_AREA_UNKNOWN');
    return mergedFeed(deps, companyCode, areas, def, body, call.forward);
  }
  // A status inquiry.
  const known = await findForStatus(deps.db, companyCode, def, body);
  if (known) {
    const { area } = known.registration;
    if (!can(actor, 'application.view', { companyCode: known.registration.companyCode, area })) {
      return ng('OUTBOX_APPLICATION_NOT_FOUND', { applicationNumber: known.registration.applicationNumber });
    }
    return known.answer ?? call.forward(area as AreaCode, known.forwardBody);
  }
  // Not in the outbox. By request ID alone: the hub would have it had this company filed it here.
  if (typeof body.applicationNumber !== 'string' && typeof body.supplyPointId !== 'string' && typeof body.requestId === 'string') {
    return { result: 'NG', messages: [new Refusal('OUTBOX_REQUEST_NOT_FOUND', { field: 'requestId', params: { requestId: body.requestId } }).toDetail()] };
  }
  const area = typeof body.supplyPointId === 'string' ? body.supplyPointId.slice(0, 2) : areaOfApplicationNumber(body);
  if (!area || !isAreaCode(area)) return ng('IF_AREA_UNKNOWN');
  if (!can(actor, 'application.view', { companyCode, area })) return refusedIn(actor, area);
  return call.forward(area, body);
}

/** Application numbers carry the area right after their two-letter prefix (`AP03-…`). */
function areaOfApplicationNumber(body: FieldValues): string | undefined {
  const number = body.applicationNumber;
  if (typeof number !== 'string') return undefined;
  return /^[A-Z]{2}(\d{2})-/.exec(number)?.[1];
}
