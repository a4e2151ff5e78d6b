/**
 * The hub's HTTPS application: the request pipeline of context.ts, wired with the hub's routes.
 */
import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/db.ts';
import { createHttpsServer, defaultBodyLimitBytes, peerFingerprint, sourceAddress, type TlsMaterial } from '../../platform/http/https-server.ts';
import { defaultRateLimit, RateLimiter } from '../../platform/http/rate-limit.ts';
import { log, type Logger } from '../../platform/log.ts';
import type { CertificateAuthority } from '../certificates/request.commands.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { AuditEntry } from '../audit/audit.ts';
import { CallerCache } from '../identity/caller-cache.ts';
import { resolveSession } from '../identity/session.commands.ts';
import type { AuditWriter } from './audit-writer.ts';
import { rateBuckets } from './rate-bucket.repository.ts';
import { channelOf, sendRefusal } from './respond.ts';
import { sessionCookie, clearSessionCookie, checkCsrf } from './web-session.ts';
import { registerWebRoutes } from '../../web/web.routes.ts';
import { parseFormBody } from '../../web/form.ts';
import { readJson } from '../../interfaces/json.ts';
import { registerApiRoutes } from './api.routes.ts';
import './context.ts';
import { GridUnavailableError } from '../../interfaces/grid-unavailable.ts';
import type { GridTransport } from '../../interfaces/message.ts';
import { registerInterfaceRoutes } from '../interfaces/interfaces.routes.ts';
import type { DeliveryJobs } from '../applications/outbox.commands.ts';
import type { ClockControl } from '../clock/clock.commands.ts';
import type { HubDeps } from './hub-deps.ts';
import { registerClockRoutes } from '../clock/clock.routes.ts';
import { registerStatisticsRoutes } from '../statistics/statistics.routes.ts';
import type { AreaCode } from '../../domain/area.ts';

import { callRecorder } from '../verification/verification.queries.ts';
import { verificationBulkMaxRows } from '../bulk/bulk.ts';
import { registerVerificationApi } from '../verification/verification.routes.ts';
import { registerVerificationScreens } from '../../web/screens/verification.screens.ts';
export interface HubServerOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly tls: TlsMaterial;
  readonly audit: AuditWriter<AuditEntry>;
  /**
   * Requests a participant may make per minute, across every hub process on the database (API and
   * web together); default 6,000 (platform/http/rate-limit.ts).
   */
  readonly requestsPerMinute?: number;
  /** How many of them it may make at once; default 200, or the per-minute rate if that is lower. */
  readonly requestBurst?: number;
  /** The time the rate limit refills by: the real time (never the sandbox clock); tests pass a manual clock. */
  readonly rateLimitClock?: Clock;
  /** How the hub reaches the grids; without one, every IF_ call answers GRID_UNAVAILABLE. */
  readonly transport?: GridTransport;
  /** How long a look-up waits for a grid (default 10 s). */
  readonly gridTimeoutMs?: number;
  /** The job queue the application outbox enqueues its deliveries on (hub/applications). */
  readonly jobs?: DeliveryJobs;
  /** The movable sandbox clock (admin API and screen); without one, the clock cannot be moved. */
  readonly clockControl?: ClockControl;
  /** The hub CA and its issuance schedule, for the certificate screens (issue 19). */
  readonly certificates?: CertificateAuthority;
  /** The verification environment: every call recorded for the test scenarios, its screens and banner. */
  readonly verification?: boolean;
  /** Where requests are counted and timed (`/metrics` of the operations port); none: not counted. */
  readonly metrics?: Metrics;
  /** The supply points of an area (the statistics' switching rate); without it the rate is not given. */
  readonly supplyPointCount?: (area: AreaCode) => Promise<number | null>;
  /** Where the request lines go (default the process's logger, scope http). */
  readonly logger?: Logger;
  /**
   * Routes the composition adds to this server, after the hub's own hooks (identity, rate limit,
   * audit): the in-process grids' data provision sites (`/grid/{area}/PPS/`, app.ts).
   */
  readonly extraRoutes?: (app: FastifyInstance) => void;
}

/**
 * 10 s: a facility look-up on the reference grid takes milliseconds; a real operator's system
 * answering in seconds is slow but alive; beyond that the retailer is better told to try again.
 */
export const defaultGridTimeoutMs = 10_000;

const noGrids: GridTransport = {
  send: async (area) => {
    throw new GridUnavailableError(area, 'notConfigured');
  },
};

const stylesheet = readFileSync(new URL('../../web/static/kirikae.css', import.meta.url), 'utf8');

export async function buildHubServer(options: HubServerOptions): Promise<FastifyInstance> {
  const { db, clock, audit } = options;
  const app = createHttpsServer({ tls: options.tls, ...(options.logger ? { logger: options.logger } : {}) });
  const callers = new CallerCache(db, clock);
  await callers.start();
  app.addHook('onClose', () => callers.stop());
  app.decorateRequest('caller', undefined);
  app.decorateRequest('session', undefined);
  app.decorateRequest('sessionToken', undefined);
  app.decorateRequest('audit', undefined as never);

  await app.register(cookie);
  // Bodies are read strictly at the codec boundary: bytes that are not UTF-8 are refused, never
  // stored as U+FFFD; a JSON key given twice is refused (interfaces/json.ts, web/form.ts).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    try {
      done(null, readJson(body));
    } catch (error) {
      done(error as Error);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_request, body: Buffer, done) => {
    try {
      done(null, parseFormBody(body));
    } catch (error) {
      done(error as Error);
    }
  });

  // 1. Identity: the certificate must be registered, active, and its participant active.
  app.addHook('onRequest', async (request, reply) => {
    request.audit = { supplyPointIds: [] };
    const fingerprint = peerFingerprint(request);
    if (!fingerprint) return sendRefusal(request, reply, new Refusal('AUTH_TERMINAL_REFUSED'));
    try {
      request.caller = await callers.identify(fingerprint);
    } catch (error) {
      if (isRefusal(error)) {
        // Why, for the operator (the caller is told only AUTH_TERMINAL_REFUSED): expired, suspended, unknown…
        log('warn', 'auth', `client certificate ${fingerprint} from ${sourceAddress(request)} refused: ${String(error.cause ?? error.code)}`);
        return sendRefusal(request, reply, error);
      }
      throw error;
    }
    // A terminal certificate is for a person at the screens, with a user login; systems use the
    // participant's API certificate.
    if (request.caller.certificate.usage !== 'api' && channelOf(request) !== 'web') {
      request.audit.result = 'AUTH_TERMINAL_CERT_FOR_API';
      return sendRefusal(request, reply, new Refusal('AUTH_TERMINAL_CERT_FOR_API'));
    }
  });

  // 2. Rate limit per participant (after identity, so the key is who is calling, not the address),
  //    one token bucket shared by every hub process through the database, spent a lease at a time.
  const perMinute = options.requestsPerMinute ?? defaultRateLimit.perMinute;
  const burst = options.requestBurst ?? Math.min(defaultRateLimit.burst, perMinute);
  const limiter = new RateLimiter(rateBuckets(db), { perMinute, burst }, options.rateLimitClock);
  app.addHook('onClose', () => limiter.settled());
  // 3. Session and CSRF for the web screens, in the same hook (one hook less for every request to
  //    pass through: each costs the API's requests a promise and a turn of the microtask queue).
  app.addHook('preHandler', async (request, reply) => {
    const decision = await limiter.take(request.caller?.participant.companyCode ?? request.ip);
    if (!decision.allowed) {
      reply.header('retry-after', String(decision.retryAfterSeconds));
      request.audit.result = 'HTTP_RATE_LIMITED';
      return sendRefusal(request, reply, new Refusal('HTTP_RATE_LIMITED'));
    }
    if (channelOf(request) !== 'web' || !request.routeOptions.url || request.routeOptions.url.startsWith('/static/')) return;
    return webSession(request, reply);
  });
  const webSession = async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config;
    const token = request.cookies[sessionCookie];
    if (token && request.caller) {
      try {
        request.session = await resolveSession(db, clock, token, request.caller);
        request.sessionToken = token;
        request.audit.userId = request.session.user.userId;
      } catch (error) {
        if (!isRefusal(error)) throw error;
        clearSessionCookie(reply);
        if (!config.public) return redirectToLogin(request, reply, error.code);
      }
    }
    if (config.public) return;
    if (!request.session) return redirectToLogin(request, reply, 'AUTH_SESSION_INVALID', token !== undefined);
    if (request.method === 'POST') checkCsrf(request, request.session.csrfToken);
    if (request.session.session.mustChangePassword && !config.duringPasswordChange) {
      return reply.redirect('/password', 303);
    }
  };

  // 4. Metrics and the request's log line (pino, with its reqId): who, which interface, what result.
  //    No body, no query string, no personal data: the audit log keeps the supply points.
  const requestLine = (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.config?.asset) return;
    const code = resultOf(request, reply);
    const labels = {
      interface:
        request.audit?.action ??
        request.routeOptions.config?.action ??
        (request.routeOptions.url ? `${request.method} ${request.routeOptions.url}` : 'unrouted'),
      binding: bindingOf(request),
      result: code === 'OK' ? ('OK' as const) : ('NG' as const),
      code: code === 'OK' ? '' : code,
    };
    const seconds = reply.elapsedTime / 1000;
    options.metrics?.observeRequest(labels, seconds);
    // The server's logger with the request's ID in the line, as `request.log` (a child logger
    // bound to it) would write it, without making that child for every request (https-server.ts).
    if (!(app.log as Logger).isLevelEnabled('info')) return;
    app.log.info(
      {
        reqId: request.id,
        participant: request.caller?.participant.companyCode ?? null,
        user: userOf(request),
        interface: labels.interface,
        binding: labels.binding,
        status: reply.statusCode,
        result: labels.result,
        ...(labels.code ? { code: labels.code } : {}),
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  };

  // 5. Audit: one record per request, whatever its answer, in this process's journal before the
  //    answer is sent (onSend: from then on it survives the process; audit-writer.ts). A request
  //    ended without an answer going through onSend (its connection closed first) is recorded when
  //    it ends (onResponse); `recorded` keeps it to one record either way.
  const record = (request: FastifyRequest, reply: FastifyReply) => {
    request.audit ??= { supplyPointIds: [] };
    if (request.audit.recorded) return;
    request.audit.recorded = true;
    if (request.audit.action === 'login:attempt') return; // signIn writes its own record
    // The stylesheet and the icon: the same bytes for everyone, asked for by every page view.
    if (request.routeOptions.config?.asset) return;
    audit.add({
      at: clock.now(),
      companyCode: request.caller?.participant.companyCode ?? null,
      userId: userOf(request),
      fingerprint256: request.caller?.certificate.fingerprint256 ?? peerFingerprint(request) ?? null,
      sourceAddress: sourceAddress(request),
      channel: channelOf(request),
      action: request.audit.action ?? request.routeOptions.config?.action ?? `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
      supplyPointIds: request.audit.supplyPointIds ?? [],
      result: resultOf(request, reply),
      requestId: request.id,
    });
  };
  app.addHook('onSend', (request, reply, payload, done) => {
    record(request, reply);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    record(request, reply);
    requestLine(request, reply);
    done();
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (isRefusal(error)) {
      request.audit.result = error.code;
      return sendRefusal(request, reply, error);
    }
    const refusal = refusalOfFrameworkError(error, request.routeOptions.bodyLimit ?? defaultBodyLimitBytes);
    if (refusal) {
      request.audit.result = refusal.code;
      return sendRefusal(request, reply, refusal);
    }
    const requestId = String(request.id);
    request.log.error({ err: error, method: request.method, path: request.url.split('?')[0] }, 'request failed');
    request.audit.result = 'HTTP_INTERNAL';
    return sendRefusal(request, reply, new Refusal('HTTP_INTERNAL', { params: { requestId } }), 500);
  });
  app.setNotFoundHandler(async (request, reply) => {
    request.audit.result = 'HTTP_NOT_FOUND';
    return sendRefusal(request, reply, new Refusal('HTTP_NOT_FOUND'));
  });

  app.get('/static/kirikae.css', { config: { public: true, asset: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );
  // Browsers ask for it on every first visit; there is none, and saying so needs no audit record.
  app.get('/favicon.ico', { config: { public: true, asset: true } }, async (_request, reply) =>
    reply.code(204).header('cache-control', 'public, max-age=86400').send(),
  );

  const deps: HubDeps = { db, clock, clockControl: options.clockControl, certificates: options.certificates, supplyPointCount: options.supplyPointCount };
  // The API and the screens answer interface calls with the same deps (hub/interfaces/call.ts).
  const interfaceDeps = {
    ...deps,
    transport: options.transport ?? noGrids,
    gridTimeoutMs: options.gridTimeoutMs ?? defaultGridTimeoutMs,
    jobs: options.jobs,
    observe: options.verification ? callRecorder(db, clock) : undefined,
    bulkMaxRows: options.verification ? verificationBulkMaxRows : undefined,
  };
  registerWebRoutes(app, deps, interfaceDeps);
  if (options.verification) {
    registerVerificationScreens(app, deps);
    registerVerificationApi(app, deps);
  }
  registerApiRoutes(app, deps);
  registerClockRoutes(app, { db, clockControl: options.clockControl });
  registerStatisticsRoutes(app, deps);
  registerInterfaceRoutes(app, interfaceDeps);
  options.extraRoutes?.(app);
  return app;
}

/** The binding label of a request: json (the API), soap, or web (the screens). */
function bindingOf(request: FastifyRequest): string {
  const channel = channelOf(request);
  return channel === 'api' ? 'json' : channel;
}

function redirectToLogin(request: FastifyRequest, reply: FastifyReply, code: string, tell = true): FastifyReply {
  request.audit.result = code;
  // A first visit, without any session cookie, is no error to show: just the login screen.
  return reply.redirect(tell ? `/login?reason=${encodeURIComponent(code)}` : '/login', 303);
}

function refusalOfFrameworkError(error: FastifyError, bodyLimitBytes: number): Refusal | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Refusal('HTTP_BODY_TOO_LARGE', { params: { limit: `${Math.round((bodyLimitBytes / 1024 / 1024) * 10) / 10} MiB` } });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new Refusal('HTTP_BAD_REQUEST');
    default:
      if (error.statusCode === 429) return new Refusal('HTTP_RATE_LIMITED');
      if (error instanceof SyntaxError || (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)) {
        return new Refusal('HTTP_BAD_REQUEST');
      }
      return undefined;
  }
}

/** A request's result, as its log line and its audit record give it: the route's, else from the HTTP status. */
function resultOf(request: FastifyRequest, reply: FastifyReply): string {
  return request.audit?.result ?? (reply.statusCode < 400 ? 'OK' : `HTTP_${reply.statusCode}`);
}

/** The user a request acted as, as its log line and its audit record give it. */
function userOf(request: FastifyRequest): string | null {
  return request.audit?.userId ?? request.session?.user.userId ?? null;
}
