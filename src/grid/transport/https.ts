/**
 * The hub reaching a grid that runs elsewhere (`kirikae grid serve`, or a real operator's endpoint)
 * over HTTPS with mutual TLS (SYSTEM.md §7). The hub presents its own client certificate
 * (O=H000, OU=api, from the hub CA) and checks the grid's server certificate against the CAs it is
 * given. One call is one POST:
 *
 *   POST {base}/grid/v1/{interfaceId}
 *   x-kirikae-area: 03
 *   content-type: application/json
 *
 *   { "interfaceId", "participantCode", "requestId", "body" }   →   200 { "result", "messages", … }
 *
 * The area header lets one grid process serve several areas on one port. Connections are kept alive
 * and reused (a TLS handshake per look-up would cost more than the look-up). No answer within the
 * timeout, a refused connection or handshake, or an answer that is not an InterfaceResponse: the
 * promise rejects with GridUnavailableError, never with a socket error.
 */
import { Agent, request as httpsRequest } from 'node:https';
import type { AreaCode } from '../../domain/area.ts';
import { GridUnavailableError } from '../../interfaces/grid-unavailable.ts';
import type { GridTransport, InterfaceRequest, InterfaceResponse } from '../../interfaces/message.ts';
import { defaultGridTimeoutMs } from './timeout.ts';

export const gridAreaHeader = 'x-kirikae-area';
export const gridPathPrefix = '/grid/v1/';

/** The hub's side of mutual TLS towards grids. */
export interface GridClientTls {
  readonly keyPem: string;
  readonly certPem: string;
  /** The CAs the grids' server certificates are checked against. */
  readonly caPems: readonly string[];
}

export interface HttpsTransportOptions {
  /** Base URL per area, e.g. `https://grid03.example:9443`. */
  readonly urls: Partial<Readonly<Record<AreaCode, string | URL>>>;
  readonly tls: GridClientTls;
  readonly timeoutMs?: number;
}

/**
 * 4 MiB: the largest answer of the look-ups (13 months and 48 values) is a few KiB; later bulk
 * answers (a retailer's application feed) stay well below this. A grid sending more is broken.
 */
const maxResponseBytes = 4 * 1024 * 1024;

export class HttpsGridTransport implements GridTransport {
  readonly #urls: ReadonlyMap<AreaCode, URL>;
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(options: HttpsTransportOptions) {
    this.#urls = new Map((Object.entries(options.urls) as [AreaCode, string | URL][]).map(([area, url]) => [area, new URL(url)]));
    this.#agent = new Agent({
      keepAlive: true,
      // Enough parallel calls per grid for a busy hub; more wait for a free connection.
      maxSockets: 64,
      key: options.tls.keyPem,
      cert: options.tls.certPem,
      ca: [...options.tls.caPems],
      minVersion: 'TLSv1.2',
    });
    this.#timeoutMs = options.timeoutMs ?? defaultGridTimeoutMs;
  }

  get areas(): AreaCode[] {
    return [...this.#urls.keys()];
  }

  send(area: AreaCode, request: InterfaceRequest, options: { readonly timeoutMs?: number } = {}): Promise<InterfaceResponse> {
    const base = this.#urls.get(area);
    if (!base) return Promise.reject(new GridUnavailableError(area, 'notConfigured', 'no URL for this area'));
    const url = new URL(`${base.pathname.replace(/\/$/, '')}${gridPathPrefix}${encodeURIComponent(request.interfaceId)}`, base);
    const payload = Buffer.from(JSON.stringify(request));
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    return new Promise<InterfaceResponse>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (error: GridUnavailableError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const req = httpsRequest(
        url,
        {
          method: 'POST',
          agent: this.#agent,
          headers: { 'content-type': 'application/json', 'content-length': payload.length, accept: 'application/json', [gridAreaHeader]: area },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxResponseBytes) req.destroy(new GridUnavailableError(area, 'badResponse', 'answer too large'));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            if (settled) return;
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) return fail(new GridUnavailableError(area, 'badResponse', `HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              return fail(new GridUnavailableError(area, 'badResponse', 'answer is not JSON'));
            }
            if (!isInterfaceResponse(parsed)) return fail(new GridUnavailableError(area, 'badResponse', 'answer is not an InterfaceResponse'));
            settled = true;
            clearTimeout(timer);
            resolve(parsed);
          });
          res.on('error', (error) => fail(asUnavailable(area, error)));
        },
      );
      timer = setTimeout(() => {
        const error = new GridUnavailableError(area, 'timeout', `no answer within ${timeoutMs} ms from ${base.origin}`);
        fail(error);
        req.destroy(error);
      }, timeoutMs);
      req.on('error', (error) => fail(asUnavailable(area, error)));
      req.end(payload);
    });
  }

  /**
   * Asks the area's grid server whether it is ready (`GET /grid/v1/health`, mutual TLS): resolves
   * when it answers 200, rejects with GridUnavailableError otherwise (readiness, `/health/ready`).
   */
  probe(area: AreaCode, timeoutMs = 2000): Promise<void> {
    const base = this.#urls.get(area);
    if (!base) return Promise.reject(new GridUnavailableError(area, 'notConfigured', 'no URL for this area'));
    const url = new URL(`${base.pathname.replace(/\/$/, '')}${gridPathPrefix}health`, base);
    return new Promise<void>((resolve, reject) => {
      const req = httpsRequest(url, { method: 'GET', agent: this.#agent, headers: { [gridAreaHeader]: area }, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new GridUnavailableError(area, 'badResponse', `health: HTTP ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new GridUnavailableError(area, 'timeout', `health: no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => reject(error instanceof GridUnavailableError ? error : asUnavailable(area, error)));
      req.end();
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }
}

function asUnavailable(area: AreaCode, error: Error): GridUnavailableError {
  if (error instanceof GridUnavailableError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new GridUnavailableError(area, 'unreachable', code ? `${code}: ${error.message}` : error.message, { cause: error });
}

export function isInterfaceResponse(value: unknown): value is InterfaceResponse {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.result !== 'OK' && v.result !== 'NG') return false;
  if (!Array.isArray(v.messages)) return false;
  for (const m of v.messages) {
    if (typeof m !== 'object' || m === null || typeof m.code !== 'string' || typeof m.text !== 'string') return false;
  }
  if (v.remarks !== undefined && typeof v.remarks !== 'string') return false;
  if (v.data !== undefined && (typeof v.data !== 'object' || v.data === null || Array.isArray(v.data))) return false;
  return true;
}
