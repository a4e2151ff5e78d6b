/**
 * The JSON binding (`POST /api/v1/{interfaceId}`): the request body is the fields object itself,
 * keyed by the glossary identifiers; the response is the envelope of message.ts,
 * `{ result, messages, remarks?, data? }`, whose data holds the interface's response fields.
 *
 *   POST /api/v1/IF_10110   { "supplyPointId": "0300001234567890123456" }
 *   200                     { "result": "OK", "messages": [], "data": { "supplyPointId": "…", … } }
 *
 * Numbers are JSON numbers (`"page": 2`, not `"page": "2"`, which validation refuses), keys occur
 * once per object, and the body is UTF-8 (readJson).
 */
import { Refusal } from '../domain/refusal.ts';
import type { InterfaceDefinition } from './catalogue/types.ts';
import type { InterfaceResponse } from './message.ts';
import { pick } from './present.ts';
import { replacement, replacingUtf8, strictUtf8, UndecodableText } from './undecodable.ts';
import { validateRequest, type FieldValues, type Validation } from './validate.ts';

/**
 * The request, validated. A body still in bytes or text (when the route did not parse it) is read
 * with readJson first; a body that is not JSON, or names a key twice, is refused with its code.
 */
export function parseJsonRequest(def: InterfaceDefinition, body: unknown): Validation<FieldValues> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      body = readJson(body);
    } catch (error) {
      if (error instanceof Refusal) return { ok: false, messages: [error.toDetail()] };
      throw error;
    }
  }
  return validateRequest(def, body);
}

/**
 * A JSON document from outside, read strictly:
 *
 * - Bytes that are not UTF-8 are not read as U+FFFD: a string value holding them becomes
 *   UndecodableText, which validation refuses as that field's (IF_ENCODING_INVALID). (The
 *   document is read once more with replacement characters only to tell which strings they were
 *   in; an escaped "\ufffd" in the same document counts as one of them.) Elsewhere the JSON
 *   does not parse: IF_JSON_MALFORMED.
 * - A key given twice in one object, at any depth, is refused (IF_JSON_DUPLICATE_KEY, with the
 *   dotted path of the second): JSON.parse would keep the last, so `supplyPointId` naming two
 *   points would be answered for one of them.
 *
 * Throws the Refusal; the hub's JSON body parser (hub-server.ts) and parseJsonRequest use it.
 */
export function readJson(input: string | Uint8Array): unknown {
  let text: string;
  let replaced = false;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = strictUtf8.decode(input);
    } catch {
      text = replacingUtf8.decode(input);
      replaced = true;
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refusal('IF_JSON_MALFORMED');
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined) throw new Refusal('IF_JSON_DUPLICATE_KEY', { field: duplicate, params: { field: duplicate.slice(0, 100) } });
  return replaced ? markUndecodable(value) : value;
}

function markUndecodable(value: unknown): unknown {
  if (typeof value === 'string') return value.includes(replacement) ? new UndecodableText('UTF-8') : value;
  if (Array.isArray(value)) return value.map(markUndecodable);
  if (value !== null && typeof value === 'object') {
    // defineProperty: an own "__proto__" key (JSON.parse makes one) must stay a plain property.
    for (const [key, item] of Object.entries(value))
      Object.defineProperty(value, key, { value: markUndecodable(item), writable: true, enumerable: true, configurable: true });
  }
  return value;
}

const join = (path: string, key: string | number) => (path === '' ? String(key) : `${path}.${key}`);

type Frame =
  | { kind: 'object'; path: string; keys: Set<string>; key: string | undefined; expectingKey: boolean }
  | { kind: 'array'; path: string; index: number };

/**
 * The dotted path of the first key that occurs twice in one object ("address.city",
 * "meters.0.meterNumber"), in a text JSON.parse has already accepted. One pass over the text:
 * strings are skipped whole, keys compared as JSON reads them ("a" and "\u0061" are one key).
 */
export function firstDuplicateKey(text: string): string | undefined {
  const frames: Frame[] = [];
  const pathOfValue = (): string => {
    const top = frames.at(-1);
    if (!top) return '';
    return top.kind === 'object' ? join(top.path, top.key ?? '') : join(top.path, top.index);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = i + 1;
      let escaped = false;
      while (text.charCodeAt(end) !== 0x22) {
        if (text.charCodeAt(end) === 0x5c /* \ */) {
          escaped = true;
          end += 2;
        } else end += 1;
      }
      const top = frames.at(-1);
      if (top?.kind === 'object' && top.expectingKey) {
        // A key without escapes is its own text; only an escaped one is decoded (JSON.parse).
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        if (top.keys.has(key)) return join(top.path, key);
        top.keys.add(key);
        top.key = key;
        top.expectingKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      frames.push({ kind: 'object', path: pathOfValue(), keys: new Set(), key: undefined, expectingKey: true });
    } else if (c === 0x5b /* [ */) {
      frames.push({ kind: 'array', path: pathOfValue(), index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
    } else if (c === 0x2c /* , */) {
      const top = frames.at(-1);
      if (top?.kind === 'object') top.expectingKey = true;
      else if (top?.kind === 'array') top.index++;
    }
  }
  return undefined;
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
