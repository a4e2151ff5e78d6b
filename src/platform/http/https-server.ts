/**
 * The hub's HTTPS server with mutual TLS (SYSTEM.md §7): every connection must present a client
 * certificate issued by a trusted CA and valid now, or the TLS handshake itself fails. What the
 * handshake cannot know — whether the certificate is registered, suspended, or bound to a suspended
 * participant — the hub checks on every request (see hub/http/identity.ts).
 *
 * Also here, for every response: hardened headers, a request size limit, and timeouts.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';
import { randomUUID } from 'node:crypto';
import type { Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { scopedLogger, type Logger } from '../log.ts';

export interface TlsMaterial {
  readonly keyPem: string;
  readonly certPem: string;
  /** The CAs whose client certificates are accepted. */
  readonly caPems: readonly string[];
}

export interface HttpsServerOptions {
  readonly tls: TlsMaterial;
  /** Largest request body accepted; larger ones get 413 before they are read whole. */
  readonly bodyLimitBytes?: number;
  /**
   * The logger this server's lines go to (default the process's): Fastify's request lines with the
   * request ID under scope `http`, refused handshakes under scope `tls`.
   */
  readonly logger?: Logger;
}

/**
 * 1 MiB: the largest SOAP message of the catalogue is a few KiB; bulk CSV uploads (up to the
 * thousands of rows a retailer registers at once) have their own, larger limit on their route.
 */
export const defaultBodyLimitBytes = 1024 * 1024;

/** The parts of the TLS settings that can change while the server runs (`replaceTls`). */
function secureContextOf(tls: TlsMaterial) {
  return { key: tls.keyPem, cert: tls.certPem, ca: [...tls.caPems], minVersion: 'TLSv1.2' as const };
}

/** New key, certificate and trusted CAs for the handshakes from now on; open connections keep theirs. */
export function replaceTls(app: FastifyInstance, tls: TlsMaterial): void {
  (app.server as HttpsServer).setSecureContext(secureContextOf(tls));
}

export function createHttpsServer(options: HttpsServerOptions): FastifyInstance {
  const app = Fastify({
    https: {
      ...secureContextOf(options.tls),
      requestCert: true,
      // Verified all the same: the 'secureConnection' listener below closes what did not verify, saying why.
      rejectUnauthorized: false,
    },
    bodyLimit: options.bodyLimitBytes ?? defaultBodyLimitBytes,
    // A client that opens a connection and sends nothing is dropped after 30 s.
    requestTimeout: 30_000,
    keepAliveTimeout: 65_000,
    // Fastify's own logger is pino: each request's `request.log` carries its `reqId`. The one line
    // per request is written by the hub's onResponse hook (with participant and interface).
    loggerInstance: (options.logger ? options.logger.child({ scope: 'http' }) : scopedLogger('http')) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    // A request ID that means something outside this process (shown to users with internal errors).
    genReqId: () => randomUUID(),
    // `request.log` made when a request first logs through it, not for every request.
    childLoggerFactory: (logger, bindings, childOptions) => new LazyChildLogger(logger, bindings, childOptions) as unknown as FastifyBaseLogger,
  });
  // A handshake whose client certificate does not verify (expired, not yet valid, not from a
  // trusted CA, none at all) is closed before a byte of HTTP is read, with one clear log line. Node
  // would close it silently with `rejectUnauthorized: true` (no event says why), so the server
  // verifies as before but decides here, first of all listeners; `peerFingerprint` refuses an
  // unauthorized socket too, should one ever get this far.
  const tlsLog = options.logger ? options.logger.child({ scope: 'tls' }) : scopedLogger('tls');
  app.server.prependListener('secureConnection', (socket: TLSSocket) => {
    if (socket.authorized) return;
    let presented = '';
    try {
      const cert = socket.getPeerCertificate(false);
      if (cert && Object.keys(cert).length > 0) {
        presented = ` certificate ${cert.fingerprint256?.replace(/:/g, '').toLowerCase() ?? '?'} (O=${cert.subject?.O ?? '?'}, OU=${cert.subject?.OU ?? '?'}, valid ${cert.valid_from} to ${cert.valid_to})`;
      }
    } catch {
      // Nothing more to say than the reason.
    }
    tlsLog.warn(`handshake from ${socket.remoteAddress ?? 'unknown'} refused: ${handshakeReason(String(socket.authorizationError ?? 'unknown'))}${presented}`);
    socket.destroy();
  });
  app.server.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
    tlsLog.warn(`handshake from ${socket.remoteAddress ?? 'unknown'} failed: ${error.code ?? 'TLS error'}: ${error.message}`);
  });
  // A callback hook, not an async one: it does nothing that waits, and an async hook costs every
  // request a promise and a turn of the microtask queue.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(hardenedHeaders);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  return app;
}

/** On every response. */
const hardenedHeaders = {
  'strict-transport-security': 'max-age=31536000',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
} as const;

/**
 * A request's logger (`request.log`, bound to its `reqId`) that makes its pino child only when a
 * line goes through it: most requests log nothing through it (the hub writes each request's line
 * with the server's logger, reqId in the line), and a child per request cost the hub ≈ 1.5 % of its
 * CPU a look-up. A line below the level makes no child either.
 */
export class LazyChildLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #logger(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  get level(): string {
    return (this.#child ?? this.#parent).level;
  }
  set level(level: string) {
    this.#logger().level = level;
  }

  /** A line at `level`: through the child, made now if the line is to be written at all. */
  #write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', args: unknown[]): void {
    if (this.#child === undefined && !(this.#parent as Logger).isLevelEnabled(level)) return;
    (this.#logger()[level] as (...a: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options);
  }
}

/** What a certificate verification error (node's `authorizationError`) means, in words an operator reads in the log. */
export function handshakeReason(code: string): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'client certificate expired (CERT_HAS_EXPIRED)';
    case 'CERT_NOT_YET_VALID':
      return 'client certificate not yet valid (CERT_NOT_YET_VALID)';
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return `client certificate not issued by a trusted CA (${code})`;
    default:
      return code.includes('did not present') || code === 'unknown' ? 'no valid client certificate presented' : `client certificate refused (${code})`;
  }
}

/**
 * The SHA-256 fingerprint of the client certificate (lowercase hex, no colons), if any. A
 * connection's certificate cannot change after the handshake, and `getPeerCertificate` builds a
 * whole object from it on every call (it was the largest single cost of a keep-alive request), so
 * the fingerprint is kept per connection.
 */
const fingerprints = new WeakMap<object, string | undefined>();

export function peerFingerprint(request: FastifyRequest): string | undefined {
  const socket = request.raw.socket as TLSSocket;
  if (fingerprints.has(socket)) return fingerprints.get(socket);
  let fingerprint: string | undefined;
  if (typeof socket.getPeerCertificate === 'function' && socket.authorized === true) {
    const cert = socket.getPeerCertificate(false);
    if (cert?.fingerprint256) fingerprint = cert.fingerprint256.replace(/:/g, '').toLowerCase();
  }
  fingerprints.set(socket, fingerprint);
  return fingerprint;
}

/** The address the request came from. */
export function sourceAddress(request: FastifyRequest): string {
  return request.raw.socket.remoteAddress ?? 'unknown';
}
