/**
 * The data provision site of the grids, put together: settings from the environment, the schedule's
 * job, and the routes (site.routes.ts). `app.ts` and `kirikae grid serve` call these.
 */
import type { AreaCode } from '../../domain/area.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { log } from '../../platform/log.ts';
import type { GridContext } from '../context.ts';
import { defaultProvisionSettings, purgeExpiredFiles, runW4Schedule, type ProvisionSettings } from './schedule.ts';
import type { XmlEncoding } from './w4-xml.ts';

export { registerProvisionSite } from './site.routes.ts';

/**
 * KIRIKAE_PPS_CACHE_MB (default 1024): bytes of files kept; KIRIKAE_PPS_XML_ENCODING: Shift_JIS
 * (default) or UTF-8; KIRIKAE_PPS_MISSING_PER_MILLE: LV half-hours not collected in time (default 0).
 */
export function provisionSettingsFromEnv(env: NodeJS.ProcessEnv): ProvisionSettings {
  const cacheMb = env.KIRIKAE_PPS_CACHE_MB === undefined ? 1024 : Number(env.KIRIKAE_PPS_CACHE_MB);
  if (!Number.isFinite(cacheMb) || cacheMb < 0) throw new TypeError(`KIRIKAE_PPS_CACHE_MB must be a number of megabytes, not "${env.KIRIKAE_PPS_CACHE_MB}"`);
  const encoding = (env.KIRIKAE_PPS_XML_ENCODING ?? 'Shift_JIS') as XmlEncoding;
  if (encoding !== 'Shift_JIS' && encoding !== 'UTF-8') throw new TypeError(`KIRIKAE_PPS_XML_ENCODING must be Shift_JIS or UTF-8, not "${encoding}"`);
  const missing = env.KIRIKAE_PPS_MISSING_PER_MILLE === undefined ? 0 : Number(env.KIRIKAE_PPS_MISSING_PER_MILLE);
  if (!Number.isInteger(missing) || missing < 0 || missing > 1000) throw new TypeError('KIRIKAE_PPS_MISSING_PER_MILLE must be an integer 0–1000');
  return { ...defaultProvisionSettings, cacheBytes: cacheMb * 1024 * 1024, encoding, missingPerMille: missing };
}

/** The schedule's queue of an area (whichever process runs the area's grid works it). */
export const ppsQueue = (area: AreaCode) => `grid.pps.${area}`;
/** Every 15 minutes: :15 and :45 make the half-hours' files, 05:00 the daily ones, the rest find nothing due. */
export const ppsCron = '*/15 * * * *';

/** Registers the schedule's worker and its 15-minute schedule for each grid. */
export async function schedulePpsWork(jobs: Jobs, grids: Iterable<GridContext>, settings: ProvisionSettings): Promise<void> {
  for (const ctx of grids) {
    await jobs.work(ppsQueue(ctx.area), () => runPpsWork(ctx, settings));
    await jobs.every(ppsQueue(ctx.area), ppsCron);
  }
}

/** What the job does: the files due now, then the rows past retention deleted. */
export async function runPpsWork(ctx: GridContext, settings: ProvisionSettings): Promise<void> {
  await runW4Schedule(ctx, settings);
  const purged = await purgeExpiredFiles(ctx);
  if (purged > 0) log('info', 'pps', `area ${ctx.area}: ${purged} files past retention deleted`);
}
