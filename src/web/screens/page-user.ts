import type { FastifyRequest } from 'fastify';
import { callerOf, sessionOf } from '../../hub/http/context.ts';
import type { PageUser } from '../layout.ts';

/** Who is signed in, for the page header. */
export function pageUser(request: FastifyRequest): PageUser {
  const session = sessionOf(request);
  return { userId: session.user.userId, name: session.user.name, participantName: callerOf(request).participant.name };
}

/** Header options of a signed-in page. */
export function signedIn(request: FastifyRequest, title: string) {
  return { title, user: pageUser(request), csrfToken: sessionOf(request).csrfToken };
}
