/**
 * What crosses between the hub and a grid: one request and one response per IF_ interface call,
 * in the glossary's identifiers. The hub validates a retailer's request against the catalogue,
 * then forwards it to the grid of the area the supply point belongs to; the grid answers in the
 * same envelope the retailer finally receives:
 *
 *   { result: "OK" | "NG", messages: [{ code, text, field? }], remarks?, data? }
 *
 * `result` is the link result status (連携成否ステータス), `messages` the reception messages
 * (受付メッセージ), `remarks` the free-text notes (ご連絡事項) of the real system (SYSTEM.md §4).
 */
import type { AreaCode } from '../domain/area.ts';

export interface ReceptionMessage {
  readonly code: string;
  readonly text: string;
  readonly field?: string;
}

export interface InterfaceRequest {
  /** `IF_10110`, `IF_K10210`, … */
  readonly interfaceId: string;
  /** The calling retailer's participant code in the target area (company code + area digit). */
  readonly participantCode: string;
  /** The hub's ID of this call, for the grid's logs and idempotency. */
  readonly requestId: string;
  /** The validated request fields, keyed by glossary identifiers. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface InterfaceResponse {
  readonly result: 'OK' | 'NG';
  readonly messages: readonly ReceptionMessage[];
  readonly remarks?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** How the hub reaches the grid of an area: in this process, or over HTTPS with mutual TLS. */
export interface GridTransport {
  send(area: AreaCode, request: InterfaceRequest, options?: { readonly timeoutMs?: number }): Promise<InterfaceResponse>;
}
