/**
 * The JSON binding (`POST /api/v1/{interfaceId}`): the request body is the fields object itself,
 * keyed by the glossary identifiers; the response is the envelope of message.ts,
 * `{ result, messages, remarks?, data? }`, whose data holds the interface's response fields.
 *
 *   POST /api/v1/IF_10110   { "supplyPointId": "0300001234567890123456" }
 *   200                     { "result": "OK", "messages": [], "data": { "supplyPointId": "…", … } }
 */
import { Refusal } from '../domain/refusal.ts';
import type { InterfaceDefinition } from './catalogue/types.ts';
import type { InterfaceResponse } from './message.ts';
import { pick } from './present.ts';
import { validateRequest, type FieldValues, type Validation } from './validate.ts';

/**
 * The request, validated. A body still in text (a Buffer or string, when the route did not parse
 * it) is parsed first; text that is not JSON is refused with IF_JSON_MALFORMED.
 */
export function parseJsonRequest(def: InterfaceDefinition, body: unknown): Validation<FieldValues> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      body = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
    } catch {
      return { ok: false, messages: [new Refusal('IF_JSON_MALFORMED').toDetail()] };
    }
  }
  return validateRequest(def, body);
}

/** The response envelope as sent: data as present.ts `pick` gives it (only the defined fields). */
export function jsonResponse(def: InterfaceDefinition, envelope: InterfaceResponse): InterfaceResponse {
  const out: { result: 'OK' | 'NG'; messages: InterfaceResponse['messages']; remarks?: string; data?: FieldValues } = {
    result: envelope.result,
    messages: envelope.messages.map((m) => (m.field === undefined ? { code: m.code, text: m.text } : { code: m.code, text: m.text, field: m.field })),
  };
  if (envelope.remarks !== undefined) out.remarks = envelope.remarks;
  if (envelope.data !== undefined) out.data = pick(def.response, envelope.data);
  return out;
}
