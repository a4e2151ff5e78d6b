/**
 * The browser side of a web session: an HttpOnly, Secure, SameSite=Strict cookie holding the
 * session token (the hub keeps only its hash), and CSRF tokens on every form.
 *
 * - Signed-in forms carry the session's CSRF token in a hidden `_csrf` field; every POST is refused
 *   without the right one (HTTP_CSRF).
 * - The login form has no session yet: it uses a double-submit token, a random value set in a
 *   cookie when the form is shown and repeated in the form.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Refusal } from '../../domain/refusal.ts';

export const sessionCookie = 'kirikae_session';
export const loginCsrfCookie = 'kirikae_login';

const cookieOptions = { httpOnly: true, secure: true, sameSite: 'strict', path: '/' } as const;

export function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(sessionCookie, token, cookieOptions);
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(sessionCookie, cookieOptions);
}

/** A new double-submit token for the login form, also set as a cookie. */
export function issueLoginCsrf(reply: FastifyReply): string {
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(loginCsrfCookie, token, cookieOptions);
  return token;
}

export function checkLoginCsrf(request: FastifyRequest): void {
  checkCsrf(request, request.cookies[loginCsrfCookie]);
}

/** Refuses a POST whose `_csrf` field does not match `expected`. */
export function checkCsrf(request: FastifyRequest, expected: string | undefined): void {
  const body = request.body as Record<string, unknown> | undefined;
  const given = typeof body?._csrf === 'string' ? body._csrf : request.headers['x-csrf-token'];
  if (!expected || typeof given !== 'string' || !sameString(given, expected)) throw new Refusal('HTTP_CSRF');
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
