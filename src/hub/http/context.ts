/**
 * What the hub knows about a request once the pipeline has run (STYLE.md 2):
 *
 *   TLS handshake (trusted CA, valid now) → identity (registered, active certificate of an active
 *   participant: `caller`) → rate limit (per participant) → session (web: signed-in user, CSRF) →
 *   route: validate → policy → command → present → audit (every request, before its answer is sent).
 *
 * Routes read these from the request; none looks at raw certificates or cookies itself.
 */
import type { FastifyRequest } from 'fastify';
import { Refusal } from '../../domain/refusal.ts';
import type { Caller } from '../identity/certificate.ts';
import type { ResolvedSession } from '../identity/session.commands.ts';
import { actorOf, type Actor } from '../policy.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | undefined;
    session: ResolvedSession | undefined;
    /** The session token from the cookie (to end it on logout). */
    sessionToken: string | undefined;
    /** Filled by routes for the audit record. */
    audit: {
      action?: string;
      supplyPointIds: string[];
      result?: string;
      userId?: string | null;
      /** Set once the request's audit record is written (hub-server.ts, hook 5): one record a request. */
      recorded?: boolean;
    };
  }
  interface FastifyContextConfig {
    /** The interface ID or screen name recorded in the audit log. */
    action?: string;
    /** Web routes that need no signed-in user (the login form). */
    public?: boolean;
    /** Web routes allowed while the password must be changed. */
    duringPasswordChange?: boolean;
    /** Static assets (stylesheet, icon): served to any identified caller, not audited. */
    asset?: boolean;
  }
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Refusal('AUTH_TERMINAL_REFUSED');
  return request.caller;
}

export function sessionOf(request: FastifyRequest): ResolvedSession {
  if (!request.session) throw new Refusal('AUTH_SESSION_INVALID');
  return request.session;
}

/** The actor of the request: the signed-in user on the web, the participant itself on the API. */
export function actorOfRequest(request: FastifyRequest): Actor {
  return request.session ? request.session.actor : actorOf(callerOf(request));
}
