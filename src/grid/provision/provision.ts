/**
 * The data provision site of the grids, put together: settings from the environment, the schedule's
 * job, and the routes (site.routes.ts). `app.ts` and `kirikae grid serve` call these.
 */
import type { AreaCode } from '../../domain/area.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { log } from '../../platform/log.ts';
import { readSetting } from '../../platform/settings.ts';
import type { GridContext } from '../context.ts';
import { runReportSchedule } from './report-schedule.ts';
import { defaultProvisionSettings, purgeExpiredFiles, runW4Schedule, type ProvisionSettings } from './schedule.ts';
import { runW5Schedule } from './w5-schedule.ts';

export { registerProvisionSite } from './site.routes.ts';

/** KIRIKAE_PPS_CACHE_MB, KIRIKAE_PPS_XML_ENCODING and KIRIKAE_PPS_MISSING_PER_MILLE (platform/settings.ts). */
export function provisionSettingsFromEnv(env: NodeJS.ProcessEnv): ProvisionSettings {
  return {
    ...defaultProvisionSettings,
    cacheBytes: readSetting(env, 'ppsCacheMb') * 1024 * 1024,
    encoding: readSetting(env, 'ppsXmlEncoding'),
    missingPerMille: readSetting(env, 'ppsMissingPerMille'),
  };
}

/** The schedule's queue of an area (whichever process runs the area's grid works it). */
export const ppsQueue = (area: AreaCode) => `grid.pps.${area}`;
/** Every 15 minutes: :15 and :45 make the half-hours' files, 02:00 the settled-usage ones, 05:00 the daily ones, the rest find nothing due. */
export const ppsCron = '*/15 * * * *';

/** Registers the schedule's worker and its 15-minute schedule for each grid. */
export async function schedulePpsWork(jobs: Jobs, grids: Iterable<GridContext>, settings: ProvisionSettings): Promise<void> {
  for (const ctx of grids) {
    await jobs.work(ppsQueue(ctx.area), () => runPpsWork(ctx, settings));
    await jobs.every(ppsQueue(ctx.area), ppsCron);
  }
}

/** What the job does: the files due now (W4 files, the CSV reports), then the rows past retention deleted. */
export async function runPpsWork(ctx: GridContext, settings: ProvisionSettings): Promise<void> {
  await runW4Schedule(ctx, settings);
  await runW5Schedule(ctx, settings);
  await runReportSchedule(ctx);
  const purged = await purgeExpiredFiles(ctx);
  if (purged > 0) log('info', 'pps', `area ${ctx.area}: ${purged} files past retention deleted`);
}
