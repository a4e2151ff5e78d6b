/**
 * A grid that could not answer: not reachable, too slow, or answering something that is not an
 * `InterfaceResponse`. Every `GridTransport` rejects with this error (never with a socket or TLS
 * error of its own), so the hub has one thing to catch and map to an NG `GRID_UNAVAILABLE`
 * response, whatever the transport:
 *
 *   try { response = await transport.send(area, request); }
 *   catch (error) { if (isGridUnavailable(error)) return ng('GRID_UNAVAILABLE', { area }); throw error; }
 *
 * A grid that answers NG has answered: that is a response, not this error.
 *
 * Note for the hub: after a `timeout` the grid may still have acted on the request (an application
 * may have been accepted). Resending with the same `requestId` is safe: the grid's write interfaces
 * are idempotent by (participantCode, requestId).
 */
import type { AreaCode } from '../domain/area.ts';

export type GridUnavailableReason =
  /** No answer within the timeout. */
  | 'timeout'
  /** No connection: refused, reset, DNS, or the TLS handshake failed. */
  | 'unreachable'
  /** An answer that is not a well-formed InterfaceResponse (HTTP error status, bad JSON). */
  | 'badResponse'
  /** The grid failed while handling the request (an internal error on its side). */
  | 'error'
  /** This transport has no grid for the area. */
  | 'notConfigured';

export class GridUnavailableError extends Error {
  readonly area: AreaCode;
  readonly reason: GridUnavailableReason;

  constructor(area: AreaCode, reason: GridUnavailableReason, detail?: string, options?: { cause?: unknown }) {
    super(`grid ${area} unavailable (${reason})${detail ? `: ${detail}` : ''}`, options);
    this.name = 'GridUnavailableError';
    this.area = area;
    this.reason = reason;
  }
}

export function isGridUnavailable(error: unknown): error is GridUnavailableError {
  return error instanceof GridUnavailableError;
}
