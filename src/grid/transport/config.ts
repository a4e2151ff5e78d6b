/**
 * How the hub reaches each area's grid, from the environment:
 *
 *   KIRIKAE_GRID_<AREA>_URL   e.g. KIRIKAE_GRID_03_URL=https://grid03.example:9443 — that area over
 *                             HTTPS with mutual TLS (a `kirikae grid serve` process or a real
 *                             operator's endpoint); absent: the area's grid runs in this process
 *   KIRIKAE_GRID_TIMEOUT_MS   how long to wait for a grid's answer (default 10000)
 *   KIRIKAE_GRID_USAGE_PASSWORD_CONFIRMATION
 *                             `immediate` or `nextBusinessDay`: when in-process grids examine usage
 *                             password applications (default: immediate in sandbox mode,
 *                             nextBusinessDay in production)
 *
 * `gridTransportFromConfig` builds one `GridTransport` that routes each area to its in-process grid
 * or its HTTPS endpoint. The hub is given that and never knows which it is. In verification mode the
 * in-process endpoints are the grid stub (stub/stub-grid.ts), each in front of its area's reference
 * grid on the environment's own data; the areas with a URL are whatever answers there.
 */
import { areaCodes, type AreaCode } from '../../domain/area.ts';
import type { GridTransport, InterfaceRequest, InterfaceResponse } from '../../interfaces/message.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Mode } from '../../platform/config.ts';
import type { Db } from '../../platform/db/db.ts';
import { usagePasswordConfirmations, type GridOptions, type UsagePasswordConfirmation } from '../context.ts';
import { Grid } from '../grid.ts';
import { HttpsGridTransport, type GridClientTls } from './https.ts';
import { InProcessGridTransport } from './in-process.ts';
import { StubGrid } from '../stub/stub-grid.ts';
import { defaultGridTimeoutMs } from './timeout.ts';

export function gridUrlVariable(area: AreaCode): string {
  return `KIRIKAE_GRID_${area}_URL`;
}

/** The areas configured to be reached over HTTPS, with their base URLs. */
export function gridUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): Map<AreaCode, URL> {
  const urls = new Map<AreaCode, URL>();
  for (const area of areaCodes) {
    const text = env[gridUrlVariable(area)]?.trim();
    if (!text) continue;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new Error(`${gridUrlVariable(area)} must be an https:// URL, not "${text}"`);
    }
    if (url.protocol !== 'https:') throw new Error(`${gridUrlVariable(area)} must be an https:// URL (mutual TLS), not "${text}"`);
    urls.set(area, url);
  }
  return urls;
}

export function gridTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.KIRIKAE_GRID_TIMEOUT_MS?.trim();
  if (!text) return defaultGridTimeoutMs;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`KIRIKAE_GRID_TIMEOUT_MS must be a positive number of milliseconds, not "${text}"`);
  return ms;
}

export function gridOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, mode: Mode = 'sandbox'): GridOptions {
  const text = env.KIRIKAE_GRID_USAGE_PASSWORD_CONFIRMATION?.trim();
  if (!text) return { usagePasswordConfirmation: mode === 'production' ? 'nextBusinessDay' : 'immediate' };
  if (!usagePasswordConfirmations.includes(text as UsagePasswordConfirmation)) {
    throw new Error(`KIRIKAE_GRID_USAGE_PASSWORD_CONFIRMATION must be one of ${usagePasswordConfirmations.join(', ')}, not "${text}"`);
  }
  return { usagePasswordConfirmation: text as UsagePasswordConfirmation };
}

export interface GridTransportConfig {
  readonly db: Db;
  readonly clock: Clock;
  readonly env?: NodeJS.ProcessEnv;
  /** Decides the defaults of `gridOptionsFromEnv`; default sandbox. */
  readonly mode?: Mode;
  /** Options of the in-process grids; default from the environment. */
  readonly options?: GridOptions;
  /**
   * The hub's client certificate towards grids (`ensureHubGridClientTls`); needed only when some
   * area is reached over HTTPS, so a function is called only then.
   */
  readonly clientTls?: GridClientTls | (() => Promise<GridClientTls>);
  readonly timeoutMs?: number;
}

/** One transport for all ten areas, and what it is made of. */
export interface GridRouting extends GridTransport {
  /** The grids running in this process (the areas without a URL). */
  readonly grids: ReadonlyMap<AreaCode, Grid>;
  /** The areas reached over HTTPS. */
  readonly remote: ReadonlyMap<AreaCode, URL>;
  /** `in-process` or the area's URL, for start-up messages. */
  describe(area: AreaCode): string;
  /** Closes kept-alive HTTPS connections. */
  close(): void;
}

export async function gridTransportFromConfig(config: GridTransportConfig): Promise<GridRouting> {
  const env = config.env ?? process.env;
  const remote = gridUrlsFromEnv(env);
  const timeoutMs = config.timeoutMs ?? gridTimeoutFromEnv(env);
  const options = config.options ?? gridOptionsFromEnv(env, config.mode);
  const grids = new Map<AreaCode, Grid>();
  for (const area of areaCodes) {
    if (!remote.has(area)) grids.set(area, new Grid({ area, db: config.db, clock: config.clock, options }));
  }
  const endpoints = config.mode === 'verification' ? [...grids.values()].map((grid) => new StubGrid(grid)) : [...grids.values()];
  const local = new InProcessGridTransport(endpoints, { timeoutMs });
  let https: HttpsGridTransport | undefined;
  if (remote.size > 0) {
    if (!config.clientTls) throw new Error(`areas ${[...remote.keys()].join(', ')} are reached over HTTPS, but no client certificate was given`);
    const tls = typeof config.clientTls === 'function' ? await config.clientTls() : config.clientTls;
    https = new HttpsGridTransport({ urls: Object.fromEntries(remote), tls, timeoutMs });
  }
  return {
    grids,
    remote,
    send(area: AreaCode, request: InterfaceRequest, sendOptions?: { readonly timeoutMs?: number }): Promise<InterfaceResponse> {
      return https && remote.has(area) ? https.send(area, request, sendOptions) : local.send(area, request, sendOptions);
    },
    describe: (area) => remote.get(area)?.href ?? (config.mode === 'verification' ? 'in-process grid stub' : 'in-process'),
    close: () => https?.close(),
  };
}
