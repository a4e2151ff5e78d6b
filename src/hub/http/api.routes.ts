/**
 * JSON routes for systems (API certificates). The interface catalogue (IF_/IS_ interfaces) comes
 * with its own routes; these are the hub's own resources, in the same envelope:
 * `{ result: "OK" | "NG", messages: [...], data }`.
 */
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/refusal.ts';
import { certificateState, credentialChangesSince } from '../identity/credential-status.queries.ts';
import { listParticipants } from '../identity/participant.commands.ts';
import { authorize } from '../policy.ts';
import { actorOfRequest, callerOf } from './context.ts';
import type { HubDeps } from './hub-deps.ts';

export function ok<T>(data: T) {
  return { result: 'OK' as const, messages: [], data };
}

export function registerApiRoutes(app: FastifyInstance, { db }: HubDeps): void {
  app.get('/api/v1/me', { config: { action: 'me' } }, async (request) => {
    const caller = callerOf(request);
    return ok({ participant: caller.participant, certificate: caller.certificate });
  });

  app.get('/api/v1/participants', { config: { action: 'participantList' } }, async (request) => {
    authorize(actorOfRequest(request), 'participant.list');
    const query = request.query as { page?: string; size?: string };
    const page = await listParticipants(db, {}, { page: Number(query.page) || 1, size: Number(query.size) || 20 });
    return ok({
      total: page.total,
      page: page.page,
      size: page.size,
      participants: page.items.map((p) => ({
        companyCode: p.companyCode,
        participantCodes: p.participantCodes,
        name: p.name,
        kind: p.kind,
        status: p.status,
      })),
    });
  });

  // The suspensions as the grids' data provision sites follow them (identity/credential-status.queries.ts).
  app.get('/api/v1/credential-status', { config: { action: 'credentialStatus' } }, async (request) => {
    authorize(actorOfRequest(request), 'credential.follow');
    const query = request.query as { since?: string; limit?: string; fingerprint?: string };
    if (query.fingerprint !== undefined) {
      const state = await certificateState(db, query.fingerprint);
      if (!state) throw new Refusal('AUTH_CERT_NOT_FOUND', { field: 'fingerprint' });
      return ok(state);
    }
    return ok(await credentialChangesSince(db, Number(query.since ?? 0), Number(query.limit) || undefined));
  });
}
