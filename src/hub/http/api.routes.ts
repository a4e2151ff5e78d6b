/**
 * JSON routes for systems (API certificates). The interface catalogue (IF_/IS_ interfaces) comes
 * with its own routes; these are the hub's own resources, in the same envelope:
 * `{ result: "OK" | "NG", messages: [...], data }`.
 */
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/refusal.ts';
import { certificateState, credentialChangesSince } from '../identity/credential-status.queries.ts';
import { nextIdentityChange } from '../identity/caller-cache.ts';
import { listParticipants } from '../identity/participant.commands.ts';
import { authorize } from '../policy.ts';
import { actorOfRequest, callerOf } from './context.ts';
import type { HubDeps } from './hub-deps.ts';

/** The longest long poll: below the idle timeouts of the proxies and load balancers usually in between. */
export const maxCredentialWaitSeconds = 30;
/** A long poll looks again this often even without a change seen (a process whose NOTIFY subscription is down). */
const credentialRecheckMs = 1000;

export function ok<T>(data: T) {
  return { result: 'OK' as const, messages: [], data };
}

export function registerApiRoutes(app: FastifyInstance, { db }: HubDeps): void {
  // Long polls waiting now: answered (with what there is) when the server closes, not held until their end.
  const polls = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const poll of polls) poll.abort();
  });
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
    const query = request.query as { since?: string; limit?: string; fingerprint?: string; wait?: string };
    if (query.fingerprint !== undefined) {
      const state = await certificateState(db, query.fingerprint);
      if (!state) throw new Refusal('AUTH_CERT_NOT_FOUND', { field: 'fingerprint' });
      return ok(state);
    }
    const since = Number(query.since ?? 0);
    const limit = Number(query.limit) || undefined;
    // `wait=S` (a long poll, at most maxCredentialWaitSeconds): with nothing new, answer at the next
    // change (this process's, or NOTIFY from another) or after S seconds with no changes.
    const wait = Math.min(Math.max(Math.trunc(Number(query.wait) || 0), 0), maxCredentialWaitSeconds);
    const deadline = Date.now() + wait * 1000;
    let answer = await credentialChangesSince(db, since, limit);
    if (answer.changes.length > 0 || wait === 0) return ok(answer);
    // The wait ends early when the caller goes away or the server closes.
    const ended = new AbortController();
    const end = () => ended.abort();
    request.raw.socket.once('close', end);
    polls.add(ended);
    try {
      while (answer.changes.length === 0 && Date.now() < deadline && !ended.signal.aborted) {
        await nextIdentityChange(Math.min(deadline - Date.now(), credentialRecheckMs), ended.signal);
        if (ended.signal.aborted) break;
        answer = await credentialChangesSince(db, since, limit);
      }
    } finally {
      polls.delete(ended);
      request.raw.socket.off('close', end);
    }
    return ok(answer);
  });
}
