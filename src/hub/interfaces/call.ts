/**
 * Answering one interface call, whatever the channel: the JSON and SOAP routes
 * (interfaces.routes.ts) and the web screens call the same function with the same actor, so a
 * screen can do nothing the API refuses and refuses with the same codes.
 *
 *   validated body → policy → route to the area's grid, the application outbox, or answer at the hub
 *
 * Refusals of the request itself (policy, a grid that cannot be reached) are responses with result
 * NG, as in the real system.
 */
import { areaByDigit, isAreaCode, type AreaCode } from '../../domain/area.ts';
import type { MessageCode } from '../../domain/messages.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import { isGridUnavailable } from '../../interfaces/grid-unavailable.ts';
import type { GridTransport, InterfaceResponse } from '../../interfaces/message.ts';
import type { FieldValues, Validation } from '../../interfaces/validate.ts';
import { can, type Action, type Actor } from '../policy.ts';
import type { Caller } from '../identity/certificate.ts';
import { answerAtHub } from './hub-interfaces.ts';
import type { HubDeps } from '../http/hub-deps.ts';
import { actorWithAreas, applicationActions, answerApplicationInterface } from '../applications/application-interfaces.ts';
import type { DeliveryJobs } from '../applications/outbox.commands.ts';
import { answerMailboxInterface, mailboxActions } from '../notifications/mailbox-interfaces.ts';
import { relayInterfaces } from '../../interfaces/catalogue/relay.ts';
import { answerRelayInterface } from '../relay/relay-interfaces.ts';

export interface InterfaceDeps extends HubDeps {
  readonly transport: GridTransport;
  /** How long a look-up waits for the grid before answering GRID_UNAVAILABLE (not queued). */
  readonly gridTimeoutMs: number;
  /** The job queue the outbox enqueues deliveries on; absent: filings are delivered when filed or scanned. */
  readonly jobs?: DeliveryJobs | undefined;
  /** Rows a bulk CSV may have at most besides its kind's limit (the verification environment's). */
  readonly bulkMaxRows?: number | undefined;
  /** Told of every answered call (the verification environment records them for its test scenarios). */
  readonly observe?: ((call: { companyCode: string; interfaceId: string; body: FieldValues; response: InterfaceResponse }) => Promise<void>) | undefined;
}

/** Who calls, and where the call's audit record collects the supply points it touched. */
export interface InterfaceCall {
  readonly caller: Caller;
  /** The participant on the API; the signed-in user on the web. */
  readonly actor: Actor;
  /** The HTTP request's ID: the envelope's request ID towards the grid for look-ups. */
  readonly requestId: string;
  readonly audit: { supplyPointIds: string[] };
}

/** The actions interfaces need, all about no particular object (the grid checks the point). */
type InterfaceAction = Extract<
  Action,
  'lookup.facility' | 'lookup.usage' | 'participant.list' | 'application.file' | 'application.view' | 'relay.list' | 'mailbox.read'
>;

/** Which policy action each implemented interface needs; an interface not listed is not offered yet. */
const actionOf: Readonly<Record<string, InterfaceAction>> = {
  IF_10110: 'lookup.facility',
  IF_F10110: 'lookup.facility',
  IF_10310: 'lookup.usage',
  IF_K10310: 'lookup.usage',
  IS_30110: 'participant.list',
  // Every application (wheeling changes, usage password), its status inquiry and the feed (hub/applications).
  ...applicationActions,
  // The termination relay, kept at the hub (hub/relay): each relay's own rules are asked there.
  ...Object.fromEntries(relayInterfaces.map((def) => [def.id, 'relay.list'] as const)),
  // The pull mailbox of notifications (hub/notifications): the caller's own.
  ...mailboxActions,
};

/** Whether the hub offers the interface yet (screens list only these). */
export function isOffered(def: InterfaceDefinition): boolean {
  return def.id in actionOf;
}

function ng(code: MessageCode, params?: Record<string, string | number>): InterfaceResponse {
  return { result: 'NG', messages: [new Refusal(code, params ? { params } : {}).toDetail()] };
}

/** Answers a validated request. */
export async function callInterface(deps: InterfaceDeps, call: InterfaceCall, def: InterfaceDefinition, body: FieldValues): Promise<InterfaceResponse> {
  const response = await answer(deps, call, def, body);
  await deps.observe?.({ companyCode: call.caller.participant.companyCode, interfaceId: def.id, body, response });
  return response;
}

/**
 * Answers a request as the input checks left it: a valid one through `callInterface`, a refused one
 * with the checks' messages. The observer hears of both (the verification environment records input
 * check refusals as answers too: a retailer's handling of them is an abnormal path to exercise);
 * of a refused request only its supply point ID, when it is one.
 */
export async function answerChecked(
  deps: InterfaceDeps,
  call: InterfaceCall,
  def: InterfaceDefinition,
  checked: Validation<FieldValues>,
  raw?: unknown,
): Promise<InterfaceResponse> {
  if (checked.ok) return callInterface(deps, call, def, checked.value);
  const response: InterfaceResponse = { result: 'NG', messages: checked.messages };
  const point = raw !== null && typeof raw === 'object' ? (raw as { supplyPointId?: unknown }).supplyPointId : undefined;
  const body: FieldValues = typeof point === 'string' && /^\d{22}$/.test(point) ? { supplyPointId: point } : {};
  await deps.observe?.({ companyCode: call.caller.participant.companyCode, interfaceId: def.id, body, response });
  return response;
}

async function answer(deps: InterfaceDeps, call: InterfaceCall, def: InterfaceDefinition, body: FieldValues): Promise<InterfaceResponse> {
  const action = actionOf[def.id];
  if (!action) return ng('IF_NOT_OFFERED', { interfaceId: def.id });
  const { actor, caller } = call;
  const supplyPointId = typeof body.supplyPointId === 'string' ? body.supplyPointId : undefined;
  if (supplyPointId) call.audit.supplyPointIds = [supplyPointId];
  const forwardAs = (area: AreaCode, forwarded: FieldValues) => forward(deps, caller.participant.companyCode, area, def, forwarded, call.requestId);
  if (action === 'application.file' || action === 'application.view') {
    return answerApplicationInterface(deps, { actor: actorWithAreas(actor, caller), forward: forwardAs }, def, body);
  }
  if (action === 'mailbox.read') return answerMailboxInterface(deps, actor, def, body);
  if (!can(actor, action)) return ng('AUTH_FORBIDDEN');
  if (def.kind === 'relay') return answerRelayInterface(deps, { actor: actorWithAreas(actor, caller), audit: call.audit }, def, body);
  if (def.direction === 'hub') return answerAtHub(deps, def, body);

  const area = supplyPointId ? supplyPointId.slice(0, 2) : areaOfApplicationNumber(body);
  if (!area || !isAreaCode(area)) return ng('IF_AREA_UNKNOWN');
  if (caller.participant.kind !== 'hub' && !caller.participant.areas.includes(area)) {
    return ng('IF_AREA_NOT_REGISTERED', { area: areaByDigit(area.slice(1))?.name ?? area });
  }
  return forwardAs(area, body);
}

/** Asks the area's grid; a grid that cannot answer is GRID_UNAVAILABLE (the retailer may ask again). */
async function forward(
  deps: InterfaceDeps,
  companyCode: string,
  area: AreaCode,
  def: InterfaceDefinition,
  body: FieldValues,
  requestId: string,
): Promise<InterfaceResponse> {
  try {
    return await deps.transport.send(
      area,
      { interfaceId: def.id, participantCode: `${companyCode}${area.slice(1)}`, requestId, body },
      { timeoutMs: deps.gridTimeoutMs },
    );
  } catch (error) {
    if (isGridUnavailable(error)) return ng('GRID_UNAVAILABLE', { area });
    throw error;
  }
}

/**
 * Status inquiries name an application number, not a supply point. Application numbers of the
 * reference grid carry the area right after their two-letter prefix (`UP03-…`).
 */
function areaOfApplicationNumber(body: FieldValues): AreaCode | undefined {
  const number = body.applicationNumber;
  if (typeof number !== 'string') return undefined;
  const match = /^[A-Z]{2}(\d{2})-/.exec(number);
  return match && isAreaCode(match[1]!) ? match[1] : undefined;
}
