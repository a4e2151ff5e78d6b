/**
 * The embedded transport: the hub calls the grids of this process directly. Requests and responses
 * are copied on the way as JSON would carry them over HTTPS (json-copy.ts: what a JSON round trip
 * gives, without the text), so that what works in process works across processes (no Date or
 * undefined that JSON would change), and neither side holds the other's objects.
 *
 * A grid that does not answer within the timeout, or fails with an error that is not a refusal
 * (those are NG responses already), rejects with GridUnavailableError.
 */
import type { AreaCode } from '../../domain/area.ts';
import { GridUnavailableError } from '../../interfaces/grid-unavailable.ts';
import type { GridTransport, InterfaceRequest, InterfaceResponse } from '../../interfaces/message.ts';
import type { GridEndpoint } from '../grid.ts';
import { jsonCopy } from './json-copy.ts';
import { defaultGridTimeoutMs, withTimeout } from './timeout.ts';

export interface InProcessTransportOptions {
  /** Default for calls that do not give their own; `defaultGridTimeoutMs` when absent. */
  readonly timeoutMs?: number;
}

export class InProcessGridTransport implements GridTransport {
  readonly #grids: ReadonlyMap<AreaCode, GridEndpoint>;
  readonly #timeoutMs: number;

  constructor(grids: Iterable<GridEndpoint>, options: InProcessTransportOptions = {}) {
    this.#grids = new Map([...grids].map((g) => [g.area, g]));
    this.#timeoutMs = options.timeoutMs ?? defaultGridTimeoutMs;
  }

  get areas(): AreaCode[] {
    return [...this.#grids.keys()];
  }

  async send(area: AreaCode, request: InterfaceRequest, options: { readonly timeoutMs?: number } = {}): Promise<InterfaceResponse> {
    const grid = this.#grids.get(area);
    if (!grid) throw new GridUnavailableError(area, 'notConfigured', 'no grid for this area in this process');
    const handled = grid.handle(jsonCopy(request)).then(jsonCopy, (error: unknown) => {
      throw new GridUnavailableError(area, 'error', (error as Error)?.message, { cause: error });
    });
    return withTimeout(area, options.timeoutMs ?? this.#timeoutMs, handled);
  }
}
