/**
 * How a refusal leaves the hub: the same code and Japanese text in every channel (STYLE.md 9).
 *
 * - `api`  (`/api/…`):  JSON envelope `{ result: "NG", messages: [{ code, text, field? }] }`
 * - `soap` (`/soap/…`): a SOAP 1.1 Fault whose faultstring is the text and whose detail has the code
 * - `web`  (everything else): an HTML page with the message
 *
 * The HTTP status says what kind of refusal it is; the code says exactly which.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MessageCode } from '../../domain/messages.ts';
import type { Refusal } from '../../domain/refusal.ts';
import { soapFault } from '../../interfaces/soap.ts';
import { errorPage } from '../../web/layout.ts';

export type Channel = 'api' | 'soap' | 'web';

export function channelOf(request: FastifyRequest): Channel {
  const path = request.url;
  if (path.startsWith('/soap')) return 'soap';
  if (path.startsWith('/api/')) return 'api';
  return 'web';
}

const statusByCode: Partial<Record<MessageCode, number>> = {
  AUTH_TERMINAL_REFUSED: 403,
  AUTH_FORBIDDEN: 403,
  AUTH_TERMINAL_CERT_FOR_API: 403,
  HTTP_CSRF: 403,
  AUTH_SESSION_INVALID: 401,
  AUTH_SESSION_EXPIRED: 401,
  AUTH_SESSION_CERT_MISMATCH: 401,
  AUTH_LOGIN_FAILED: 401,
  AUTH_LOCKED: 401,
  AUTH_USER_SUSPENDED: 403,
  AUTH_PASSWORD_CHANGE_REQUIRED: 403,
  HTTP_RATE_LIMITED: 429,
  HTTP_NOT_FOUND: 404,
  HTTP_BODY_TOO_LARGE: 413,
  NOTICE_NOT_FOUND: 404,
  MAIL_NOT_FOUND: 404,
  CERT_REQUEST_NOT_FOUND: 404,
  CERT_FLAG_NOT_FOUND: 404,
  CERT_ALREADY_DOWNLOADED: 410,
};

export function httpStatusOf(code: MessageCode): number {
  return statusByCode[code] ?? 400;
}

export function sendRefusal(request: FastifyRequest, reply: FastifyReply, refusal: Refusal, status = httpStatusOf(refusal.code)): FastifyReply {
  const channel = channelOf(request);
  reply.code(status);
  if (channel === 'soap') {
    return reply.type('text/xml; charset=utf-8').send(soapFault(refusal.code, refusal.text, status >= 500 ? 'soap:Server' : 'soap:Client'));
  }
  if (channel === 'api' || !acceptsHtml(request)) {
    return reply.type('application/json; charset=utf-8').send({ result: 'NG', messages: [refusal.toDetail()] });
  }
  return reply.type('text/html; charset=utf-8').send(errorPage(refusal).value);
}

function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept === '' || accept.includes('text/html') || accept.includes('*/*');
}
