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
 *   KIRIKAE_GRID_MATCHING_LANES
 *                             concurrent transactions a grid's matching job runs in on PostgreSQL
 *                             (default 2; PGlite: 1), applications/jobs.ts `runMatching`
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
import type { GridOptions } from '../context.ts';
import { areaVariable, readSetting, settingsSchema } from '../../platform/settings.ts';
import { Grid } from '../grid.ts';
import { gridSchema } from '../schema.ts';
import { HttpsGridTransport, type GridClientTls } from './https.ts';
import { InProcessGridTransport } from './in-process.ts';
import { StubGrid } from '../stub/stub-grid.ts';

export function gridUrlVariable(area: AreaCode): string {
  return areaVariable(settingsSchema.gridUrls, area);
}

/** The areas configured to be reached over HTTPS, with their base URLs (settings.ts `gridUrls`). */
export function gridUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): Map<AreaCode, URL> {
  return new Map(readSetting(env, 'gridUrls'));
}

export function gridTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return readSetting(env, 'gridTimeoutMs');
}

export function gridOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, mode: Mode = 'sandbox'): GridOptions {
  const chosen = readSetting(env, 'gridUsagePasswordConfirmation');
  return {
    usagePasswordConfirmation: chosen ?? (mode === 'production' ? 'nextBusinessDay' : 'immediate'),
    matchingLanes: readSetting(env, 'gridMatchingLanes'),
  };
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
  /**
   * Whether the area's grid can answer now: an in-process grid's schema is read, a remote one's
   * health is asked over mutual TLS. Rejects with the reason (readiness, `/health/ready`).
   */
  probe(area: AreaCode): Promise<void>;
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
    probe: async (area) => {
      if (https && remote.has(area)) return https.probe(area);
      await config.db.query(`SELECT 1 FROM ${gridSchema(area)}.supply_point LIMIT 1`);
    },
    close: () => https?.close(),
  };
}
