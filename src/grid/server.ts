/**
 * A grid running as its own process (`kirikae grid serve`): an HTTPS server with mutual TLS that
 * answers the hub's POSTs (transport/https.ts) with the grids of one or more areas.
 *
 * Only the hub may call: the TLS handshake already requires a client certificate from a trusted CA,
 * and every request is then refused (403, AUTH_TERMINAL_REFUSED) unless its certificate is the hub's
 * — one of `allowedFingerprints` when given, else any certificate binding the hub's participant code
 * (`O=H000`, `OU=api`). A retailer's certificate from the same CA does not pass.
 *
 * With `provision`, the areas' data provision sites are served too (`/grid/{area}/PPS/…`), where
 * retailers' certificates registered with the grid are let in (provision/site.routes.ts).
 *
 * Routes: `POST /grid/v1/{interfaceId}` (area from the `x-kirikae-area` header, or the only area
 * served), `GET /grid/v1/health`. Answers are always the envelope `{ result, messages, … }`; an
 * NG for a request the server could not take (wrong area, malformed envelope) comes with a 4xx
 * status, which the hub's transport reports as a bad answer.
 */
import { hubCompanyCode } from '../domain/participant-code.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import type { AreaCode } from '../domain/area.ts';
import type { MessageCode } from '../domain/messages.ts';
import { Refusal } from '../domain/refusal.ts';
import type { InterfaceRequest, InterfaceResponse } from '../interfaces/message.ts';
import { createHttpsServer, type TlsMaterial } from '../platform/http/https-server.ts';
import { log } from '../platform/log.ts';
import { describeCert } from '../platform/pki/identity.ts';
import type { GridEndpoint } from './grid.ts';
import { gridAreaHeader } from './transport/https.ts';
import { registerProvisionSite, type ProvisionSiteOptions } from './provision/site.routes.ts';
import { maxAttachmentsTotalBytes } from '../interfaces/attachments.ts';

/** The hub operator's participant code (OCCTO, SYSTEM.md §2): the only caller of a grid. */
export const hubParticipantCode = hubCompanyCode;

export interface GridServerOptions {
  readonly grids: Iterable<GridEndpoint>;
  readonly tls: TlsMaterial;
  /** SHA-256 fingerprints (hex, no colons) of the client certificates allowed; when given, only these. */
  readonly allowedFingerprints?: readonly string[];
  /** Without fingerprints: the participant code an `api` client certificate must bind. Default H000. */
  readonly allowedParticipantCode?: string;
  /** Checked by `GET /grid/v1/health` (each area's database): a failure answers 503. */
  readonly ready?: () => Promise<void>;
  /**
   * The data provision sites of these areas (`/grid/{area}/PPS/…`, HALFHOURLY.md B1): retailers'
   * certificates registered with the grid are let in there, and only there.
   */
  readonly provision?: Pick<ProvisionSiteOptions, 'grids' | 'settings' | 'rateLimit' | 'verification' | 'credentials'>;
}

/** A delivery with the most attachments: 10 MiB as base64 (4/3), the request, the envelope. */
export const gridRequestBodyLimitBytes = Math.ceil((maxAttachmentsTotalBytes * 4) / 3) + 2 * 1024 * 1024;

export function createGridServer(options: GridServerOptions): FastifyInstance {
  const grids = new Map<AreaCode, GridEndpoint>([...options.grids].map((g) => [g.area, g]));
  const fingerprints = options.allowedFingerprints ? new Set(options.allowedFingerprints.map((f) => f.replace(/:/g, '').toLowerCase())) : undefined;
  const participantCode = options.allowedParticipantCode ?? hubParticipantCode;
  const app = createHttpsServer({ tls: options.tls });

  app.addHook('onRequest', async (request, reply) => {
    // The data provision site checks its callers itself, against the grid's own registry.
    if (options.provision && /^\/grid\/\d{2}\/PPS\//.test(request.url)) return;
    if (!isHub(request, fingerprints, participantCode)) return refuse(reply, 403, 'AUTH_TERMINAL_REFUSED');
  });
  if (options.provision) registerProvisionSite(app, { trustedCaPems: options.tls.caPems, ...options.provision });

  app.get('/grid/v1/health', async (_request, reply) => {
    try {
      await options.ready?.();
      return { status: 'ok', areas: [...grids.keys()] };
    } catch (error) {
      log('warn', 'grid', `not ready: ${(error as Error).message}`);
      return reply.code(503).send({ status: 'unavailable', areas: [...grids.keys()] });
    }
  });

  // Applications may carry up to 10 MiB of attachments, base64 in the JSON (interfaces/attachments.ts).
  app.post<{ Params: { interfaceId: string } }>('/grid/v1/:interfaceId', { bodyLimit: gridRequestBodyLimitBytes }, async (request, reply) => {
    const header = request.headers[gridAreaHeader];
    const area = typeof header === 'string' ? header : grids.size === 1 ? [...grids.keys()][0] : undefined;
    const grid = area === undefined ? undefined : grids.get(area as AreaCode);
    if (!grid) return refuse(reply, 404, 'GRID_AREA_NOT_SERVED', { area: String(area ?? '') });
    const envelope = request.body as Partial<Record<keyof InterfaceRequest, unknown>> | undefined;
    if (
      typeof envelope !== 'object' ||
      envelope === null ||
      typeof envelope.participantCode !== 'string' ||
      typeof envelope.requestId !== 'string' ||
      typeof envelope.body !== 'object' ||
      envelope.body === null ||
      Array.isArray(envelope.body)
    ) {
      return refuse(reply, 400, 'HTTP_BAD_REQUEST');
    }
    const response: InterfaceResponse = await grid.handle({
      interfaceId: request.params.interfaceId,
      participantCode: envelope.participantCode,
      requestId: envelope.requestId,
      body: envelope.body as Record<string, unknown>,
    });
    return response;
  });

  app.setNotFoundHandler((_request, reply) => refuse(reply, 404, 'HTTP_NOT_FOUND'));
  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return refuse(reply, 413, 'HTTP_BODY_TOO_LARGE', { limit: '1 MiB' });
    if (status < 500) return refuse(reply, status, 'HTTP_BAD_REQUEST');
    log('error', 'grid', `request ${request.id} failed: ${error.message}`);
    return refuse(reply, 500, 'HTTP_INTERNAL', { requestId: request.id });
  });
  return app;
}

function isHub(request: FastifyRequest, fingerprints: ReadonlySet<string> | undefined, participantCode: string): boolean {
  const socket = request.raw.socket as TLSSocket;
  // The TLS layer closes unverified connections (platform/http/https-server.ts); asked again here all the same.
  if (typeof socket.getPeerCertificate !== 'function' || socket.authorized !== true) return false;
  const peer = socket.getPeerCertificate(false);
  if (!peer?.raw) return false;
  const cert = describeCert(peer.raw);
  if (fingerprints) return fingerprints.has(cert.fingerprint256);
  return cert.participantCode === participantCode && cert.usage === 'api';
}

function refuse(reply: FastifyReply, status: number, code: MessageCode, params?: Record<string, string>): FastifyReply {
  const message = new Refusal(code, params ? { params } : {}).toDetail();
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ result: 'NG', messages: [message] });
}
