/**
 * The switching statistics for systems of the OCCTO role (the hub operator's API certificate):
 *
 *   GET /api/v1/statistics/switching?from=2026-01&to=2026-12          the envelope, data as below
 *   GET /api/v1/statistics/switching?from=…&to=…&format=csv           the same as CSV (UTF-8, BOM)
 *
 * `from`/`to` are months (YYYY-MM, Japan), default the twelve months to this one.
 */
import type { FastifyInstance } from 'fastify';
import { actorOfRequest } from '../http/context.ts';
import type { HubDeps } from '../http/hub-deps.ts';
import { ok } from '../http/api.routes.ts';
import { statisticsCsv, switchingStatistics } from './statistics.queries.ts';

export function registerStatisticsRoutes(app: FastifyInstance, deps: HubDeps): void {
  app.get('/api/v1/statistics/switching', { config: { action: 'statistics' } }, async (request, reply) => {
    const query = request.query as { from?: string; to?: string; format?: string };
    const stats = await switchingStatistics(deps.db, actorOfRequest(request), deps.clock.now(), query, deps.supplyPointCount);
    if (query.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="switching-${stats.from}-${stats.to}.csv"`)
        .send(statisticsCsv(stats));
    }
    return ok(stats);
  });
}
