/**
 * The data provision sites' lateness on the operations port (HALFHOURLY.md B7): per area and file
 * kind, the files made available over the last 7 days, those of them made after their deadline
 * (each kind's due rule, src/domain/pps-file.ts: a same-day file 60 minutes after its half-hour, the
 * daily file 12:00 the next morning, a monthly settled-usage or special-reading file the end of the
 * 4th business day counting its day, a meter-exchange file when the monthly file covering it is
 * listed), and the latest of them in minutes. Read from each grid's tables at every scrape, so every process that
 * runs a grid shows the same figures (take `max` over processes in Prometheus, never the sum).
 */
import { oncePerScrape, type Metrics } from '../../platform/metrics.ts';
import type { GridContext } from '../context.ts';
import { latenessStats } from './site.repository.ts';

/** The window the lateness gauges look back over. */
export const latenessWindowDays = 7;

export function registerProvisionMetrics(metrics: Metrics, grids: Iterable<GridContext>): void {
  const contexts = [...grids];
  const read = oncePerScrape(async () => {
    const rows: { area: string; kind: string; files: number; late: number; maxLateMinutes: number }[] = [];
    for (const ctx of contexts) {
      for (const s of await latenessStats(ctx.db, ctx.schema, ctx.clock.now(), latenessWindowDays)) rows.push({ area: ctx.area, ...s });
    }
    return rows;
  });
  metrics.gaugeFromScrape('kirikae_pps_files', 'Data provision files made available over the last 7 days, by area and file kind', ['area', 'kind'], async () =>
    (await read()).map((r) => ({ labels: { area: r.area, kind: r.kind }, value: r.files })),
  );
  metrics.gaugeFromScrape(
    'kirikae_pps_files_late',
    'Of those, the files made after their deadline (same-day: 60 min after the half-hour; daily: 12:00 the next day; W5 settled usage: the 4th business day counting the reading day), by area and kind',
    ['area', 'kind'],
    async () => (await read()).map((r) => ({ labels: { area: r.area, kind: r.kind }, value: r.late })),
  );
  metrics.gaugeFromScrape(
    'kirikae_pps_max_late_minutes',
    'The latest of those files, minutes after its deadline (0: none late), by area and kind',
    ['area', 'kind'],
    async () => (await read()).map((r) => ({ labels: { area: r.area, kind: r.kind }, value: r.maxLateMinutes })),
  );
}
