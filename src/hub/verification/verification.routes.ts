/**
 * The verification environment's JSON route for systems: a retailer's own test suite reads its
 * progress through the test scenarios with its API certificate, in the hub's envelope.
 *
 *   GET /api/v1/verification/progress   the caller's scenarios, each step's status and its mismatches
 */
import type { FastifyInstance } from 'fastify';
import { ok } from '../http/api.routes.ts';
import { actorOfRequest, callerOf } from '../http/context.ts';
import type { HubDeps } from '../http/hub-deps.ts';
import { participantProgress } from './verification.queries.ts';

export function registerVerificationApi(app: FastifyInstance, { db }: HubDeps): void {
  app.get('/api/v1/verification/progress', { config: { action: 'verificationProgress' } }, async (request) => {
    const companyCode = callerOf(request).participant.companyCode;
    const progress = await participantProgress(db, actorOfRequest(request), companyCode);
    return ok({
      companyCode,
      passed: progress.filter((p) => p.status === 'passed').length,
      scenarios: progress.map((p) => ({
        id: p.scenario.id,
        title: p.scenario.title,
        status: p.status,
        steps: p.steps.map((s) => ({
          interfaceId: s.step.interfaceId,
          point: s.step.point ?? null,
          expect: s.step.expect,
          note: s.step.note,
          status: s.status,
          mismatches: s.mismatches.map((m) => ({ at: m.call.at.toISOString(), supplyPointId: m.call.supplyPointId, reason: m.reason })),
        })),
      })),
    });
  });
}
