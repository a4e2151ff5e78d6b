/**
 * The interfaces of the catalogue, in both bindings, through the same pipeline:
 *
 *   POST /api/v1/{interfaceId}   JSON: the request fields; answered with the envelope
 *   POST /soap/{interfaceId}     SOAP 1.1; answered in kind
 *   GET  /api/v1/openapi.json    the API repository (slide 22): OpenAPI 3.1
 *   GET  /soap?wsdl              WSDL 1.1 with the XSD of every message
 *
 * identity (hub-server.ts) → codec (validate from the catalogue) → policy → route to the area's
 * grid or answer at the hub → present in the caller's binding → audit (with the supply point).
 *
 * Refusals of the request itself (validation, policy, a grid that cannot be reached) are normal
 * responses with result NG, as in the real system; transport and authentication failures are
 * HTTP errors (and SOAP faults).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { areaByDigit, isAreaCode, type AreaCode } from '../../domain/area.ts';
import type { MessageCode } from '../../domain/messages.ts';
import { Refusal } from '../../domain/refusal.ts';
import { interfaceById, type InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import { isGridUnavailable } from '../../interfaces/grid-unavailable.ts';
import { jsonResponse, parseJsonRequest } from '../../interfaces/json.ts';
import type { GridTransport, InterfaceResponse } from '../../interfaces/message.ts';
import { openApiDocument } from '../../interfaces/openapi.ts';
import { parseSoapRequest, soapResponse } from '../../interfaces/soap.ts';
import type { FieldValues } from '../../interfaces/validate.ts';
import { wsdlDocument } from '../../interfaces/wsdl.ts';
import { can, type Action } from '../policy.ts';
import { callerOf, actorOfRequest } from '../http/context.ts';
import { answerAtHub } from './hub-interfaces.ts';
import type { HubDeps } from '../http/hub-server.ts';
import { actorWithAreas, applicationActions, answerApplicationInterface } from '../applications/application-interfaces.ts';
import type { DeliveryJobs } from '../applications/outbox.commands.ts';
import { registerBulkRoutes } from '../applications/bulk.routes.ts';

export interface InterfaceDeps extends HubDeps {
  readonly transport: GridTransport;
  /** How long a look-up waits for the grid before answering GRID_UNAVAILABLE (not queued). */
  readonly gridTimeoutMs: number;
  /** The job queue the outbox enqueues deliveries on; absent: filings are delivered when filed or scanned. */
  readonly jobs?: DeliveryJobs | undefined;
}

/** Which policy action each implemented interface needs; an interface not listed is not offered yet. */
const actionOf: Readonly<Record<string, InterfaceAction>> = {
  IF_10110: 'lookup.facility',
  IF_F10110: 'lookup.facility',
  IF_10210: 'lookup.usage',
  IF_K10210: 'lookup.usage',
  IF_10220: 'lookup.usage',
  IF_K10220: 'lookup.usage',
  IF_10310: 'lookup.usage',
  IF_K10310: 'lookup.usage',
  IS_30110: 'participant.list',
  // Wheeling change applications, their status inquiries and the feed (hub/applications).
  ...applicationActions,
};

type Binding = 'json' | 'soap';

/** The actions interfaces need, all about no particular object (the grid checks the point). */
type InterfaceAction = Extract<Action, 'lookup.facility' | 'lookup.usage' | 'participant.list' | 'application.file' | 'application.view'>;

export function registerInterfaceRoutes(app: FastifyInstance, deps: InterfaceDeps): void {
  // SOAP bodies arrive as text; the XML parser (interfaces/xml.ts) enforces its own limits.
  app.addContentTypeParser(['text/xml', 'application/soap+xml', 'application/xml'], { parseAs: 'string', bodyLimit: 512 * 1024 }, (_request, body, done) =>
    done(null, body),
  );

  app.get('/api/v1/openapi.json', { config: { action: 'apiRepository' } }, async (request) =>
    openApiDocument({ serverUrl: `https://${request.headers.host ?? 'localhost'}` }),
  );
  app.get('/soap', { config: { action: 'apiRepository' } }, async (request, reply) => {
    if (!('wsdl' in (request.query as object))) throw new Refusal('HTTP_NOT_FOUND');
    return reply.type('text/xml; charset=utf-8').send(wsdlDocument(`https://${request.headers.host ?? 'localhost'}`));
  });

  const handle = (binding: Binding) => async (request: FastifyRequest, reply: FastifyReply) => {
    const id = (request.params as { interfaceId: string }).interfaceId;
    request.audit.action = id;
    const def = interfaceById(id);
    if (!def) throw new Refusal('HTTP_NOT_FOUND');
    const parsed = binding === 'json' ? parseJsonRequest(def, request.body) : parseSoapRequest(def, request.body as string);
    const response = parsed.ok ? await answer(deps, request, def, parsed.value) : { result: 'NG' as const, messages: parsed.messages };
    if (response.result === 'NG') request.audit.result = response.messages[0]?.code ?? 'NG';
    if (binding === 'soap') return reply.type('text/xml; charset=utf-8').send(soapResponse(def, response));
    return reply.type('application/json; charset=utf-8').send(jsonResponse(def, response));
  };
  app.post('/api/v1/:interfaceId', handle('json'));
  app.post('/soap/:interfaceId', handle('soap'));
  registerBulkRoutes(app, deps);
}

function ng(code: MessageCode, params?: Record<string, string | number>): InterfaceResponse {
  return { result: 'NG', messages: [new Refusal(code, params ? { params } : {}).toDetail()] };
}

async function answer(deps: InterfaceDeps, request: FastifyRequest, def: InterfaceDefinition, body: FieldValues): Promise<InterfaceResponse> {
  const action = actionOf[def.id];
  if (!action) return ng('IF_NOT_OFFERED', { interfaceId: def.id });
  const actor = actorOfRequest(request);
  const supplyPointId = typeof body.supplyPointId === 'string' ? body.supplyPointId : undefined;
  if (supplyPointId) request.audit.supplyPointIds = [supplyPointId];
  if (action === 'application.file' || action === 'application.view') {
    const caller = callerOf(request);
    return answerApplicationInterface(deps, { actor: actorWithAreas(actor, caller), forward: (area, forwarded) => forward(deps, caller.participant.companyCode, area, def, forwarded, String(request.id)) }, def, body);
  }
  if (!can(actor, action)) return ng('AUTH_FORBIDDEN');
  if (def.direction === 'hub') return answerAtHub(deps, def, body);

  const area = supplyPointId ? supplyPointId.slice(0, 2) : areaOfApplicationNumber(body);
  if (!area || !isAreaCode(area)) return ng('IF_AREA_UNKNOWN');
  const caller = callerOf(request);
  if (caller.participant.kind !== 'hub' && !caller.participant.areas.includes(area)) {
    return ng('IF_AREA_NOT_REGISTERED', { area: areaByDigit(area.slice(1))?.name ?? area });
  }
  return forward(deps, caller.participant.companyCode, area, def, body, String(request.id));
}

/** Asks the area's grid; a grid that cannot answer is GRID_UNAVAILABLE (the retailer may ask again). */
async function forward(deps: InterfaceDeps, companyCode: string, area: AreaCode, def: InterfaceDefinition, body: FieldValues, requestId: string): Promise<InterfaceResponse> {
  try {
    return await deps.transport.send(area, { interfaceId: def.id, participantCode: `${companyCode}${area.slice(1)}`, requestId, body }, { timeoutMs: deps.gridTimeoutMs });
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
