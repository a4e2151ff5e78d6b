/**
 *   POST /api/v1/bulk/{interfaceId}   a CSV file of applications (text/csv, UTF-8 or Shift_JIS);
 *                                     answered with the row report in JSON (bulk.ts)
 *
 * identity (API certificate, hub-server.ts) → size limit → decode and parse → per row: catalogue
 * validation and policy → file all rows in one transaction or none → report → audit.
 */
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/refusal.ts';
import { interfaceById } from '../../interfaces/catalogue/catalogue.ts';
import { actorOfRequest, callerOf } from '../http/context.ts';
import { actorWithAreas } from '../applications/application-interfaces.ts';
import { bulkMaxBytes, fileBulkCsv, type BulkDeps } from './bulk.ts';

export function registerBulkRoutes(app: FastifyInstance, deps: BulkDeps): void {
  // A little above the limit, so that a file just over it is told BULK_TOO_LARGE in the report's words.
  app.addContentTypeParser(
    ['text/csv', 'application/csv', 'application/vnd.ms-excel'],
    { parseAs: 'buffer', bodyLimit: bulkMaxBytes + 64 * 1024 },
    (_request, body, done) => done(null, body),
  );
  app.post('/api/v1/bulk/:interfaceId', async (request, reply) => {
    const id = (request.params as { interfaceId: string }).interfaceId;
    request.audit.action = `bulk:${id}`;
    const def = interfaceById(id);
    if (!def) throw new Refusal('HTTP_NOT_FOUND');
    if (!(request.body instanceof Uint8Array)) throw new Refusal('HTTP_BAD_REQUEST');
    const report = await fileBulkCsv(deps, actorWithAreas(actorOfRequest(request), callerOf(request)), def, request.body);
    request.audit.supplyPointIds = report.data.rows.flatMap((r) => (r.supplyPointId ? [r.supplyPointId] : []));
    if (report.result === 'NG') request.audit.result = report.messages[0]?.code ?? 'NG';
    return reply.type('application/json; charset=utf-8').send(report);
  });
}
