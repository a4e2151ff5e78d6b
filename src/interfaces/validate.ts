/**
 * Validation of interface requests (and of response data) against the catalogue's field
 * definitions, the same for the JSON and the SOAP binding: both hand over plain objects.
 *
 * - Input is normalised the way people type it: NFKC for digits, codes, kana names and dates
 *   (full-width "０３" is "03"), hyphens and spaces dropped from digit fields, supply point
 *   IDs and participant codes through their domain parsers. Free text (kanji names, addresses) keeps
 *   its characters, only trimmed: NFKC would change the registered form of a name (神 → 神).
 * - Text holds only the characters of its field's repertoire (domain/repertoire.ts): what
 *   Windows-31J carries, never control or bidirectional control characters (IF_CHARACTER_NOT_ALLOWED,
 *   IF_CONTROL_CHARACTER).
 * - Numbers are numbers (JSON numbers): a string is refused, even "2" (IF_NUMBER_AS_STRING). The
 *   bindings that carry only text (SOAP, CSV, forms) turn numerals into numbers first (numberFromText).
 * - An empty string or null is an absent field: forms and XML send "" for "nothing".
 * - Every refusal of every field is reported, each with a stable code and the field's dotted path
 *   ("address.city", "meters.0.meterNumber"), up to `maxMessages`.
 * - The value given back holds only defined fields, normalised, so nothing unlisted travels on.
 */
import { parseIsoDate } from '../domain/date.ts';
import type { MessageCode } from '../domain/messages.ts';
import { parseParticipantCode } from '../domain/participant-code.ts';
import { codePointOf, firstOutsideWindows31j, hasControlCharacter, isKanaName, normalizeKanaName } from '../domain/repertoire.ts';
import { isRefusal, Refusal } from '../domain/refusal.ts';
import { parseSupplyPointId } from '../domain/supply-point-id.ts';
import type { AtLeastOneOf, Condition, Field, InterfaceDefinition } from './catalogue/types.ts';
import type { ReceptionMessage } from './message.ts';
import { UndecodableText } from './undecodable.ts';

export type FieldValues = { [id: string]: FieldValue };
export type FieldValue = string | number | FieldValues | readonly (string | number | FieldValues)[];

export type Validation<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly messages: ReceptionMessage[] };

/**
 * Reported refusals at most: enough for any honest request (the largest has about 20 fields), while
 * a hostile one with 100,000 unknown keys costs no more than an honest one to answer.
 */
export const maxMessages = 50;

export function validateRequest(def: InterfaceDefinition, input: unknown): Validation<FieldValues> {
  return validateFields(def.request, input, { atLeastOneOf: def.atLeastOneOf, name: '要求' });
}

/**
 * The data of an OK response, checked and normalised the same way (e.g. when a client reads it),
 * except the character repertoire: that is what the hub accepts, and a client does not refuse an
 * answer for a character the hub itself wrote (a participant's name entered on the admin screen).
 */
export function validateResponseData(def: InterfaceDefinition, data: unknown): Validation<FieldValues> {
  return validateFields(def.response, data ?? {}, { name: '応答データ', repertoire: false });
}

export function validateFields(
  fields: readonly Field[],
  input: unknown,
  options: { readonly atLeastOneOf?: readonly AtLeastOneOf[]; readonly name?: string; readonly repertoire?: boolean } = {},
): Validation<FieldValues> {
  const c = new Collector(options.repertoire ?? true);
  const value = group(fields, input, '', options.name ?? '要求', c, options.atLeastOneOf ?? []);
  if (c.messages.length > 0 || value === invalid || value === absent) {
    return { ok: false, messages: c.messages.length > 0 ? c.messages : [refusal('IF_NOT_OBJECT', undefined, { name: '要求' })] };
  }
  return { ok: true, value };
}

/** Outcome of one field besides a value. */
const absent = Symbol('absent');
const invalid = Symbol('invalid');
type Outcome<T = FieldValue> = T | typeof absent | typeof invalid;

class Collector {
  readonly messages: ReceptionMessage[] = [];
  /** Whether text is checked against its field's repertoire (requests: yes). */
  readonly repertoire: boolean;
  constructor(repertoire: boolean) {
    this.repertoire = repertoire;
  }
  add(code: MessageCode, field: string | undefined, params: Record<string, string | number> = {}): typeof invalid {
    if (this.messages.length < maxMessages) this.messages.push(refusal(code, field, params));
    return invalid;
  }
  addRefusal(error: unknown): typeof invalid {
    if (!isRefusal(error)) throw error;
    if (this.messages.length < maxMessages) this.messages.push(error.toDetail());
    return invalid;
  }
}

function refusal(code: MessageCode, field: string | undefined, params: Record<string, string | number> = {}): ReceptionMessage {
  return new Refusal(code, field === undefined ? { params } : { field, params }).toDetail();
}

const join = (path: string, key: string | number) => (path === '' ? String(key) : `${path}.${key}`);

function isAbsent(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
}

function isPlainObject(raw: unknown): raw is Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const proto = Object.getPrototypeOf(raw);
  return proto === Object.prototype || proto === null;
}

function holds(condition: Condition | undefined, values: FieldValues): boolean {
  if (!condition) return true;
  const value = values[condition.field];
  return typeof value === 'string' && condition.values.includes(value);
}

function group(
  fields: readonly Field[],
  raw: unknown,
  path: string,
  name: string,
  c: Collector,
  atLeastOneOf: readonly AtLeastOneOf[] = [],
): Outcome<FieldValues> {
  if (!isPlainObject(raw)) return c.add('IF_NOT_OBJECT', path === '' ? undefined : path, { name });
  const known = new Set(fields.map((f) => f.id));
  for (const key of Object.keys(raw)) {
    if (known.has(key)) continue;
    const field = join(path, key.length > 64 ? `${key.slice(0, 64)}…` : key);
    c.add('IF_UNKNOWN_FIELD', field, { field });
  }
  const values: FieldValues = {};
  const outcomes = new Map<string, Outcome>();
  for (const field of fields) {
    const outcome = field.repeated ? repeated(field, own(raw, field.id), join(path, field.id), c) : single(field, own(raw, field.id), join(path, field.id), c);
    outcomes.set(field.id, outcome);
    if (outcome !== absent && outcome !== invalid) values[field.id] = outcome;
  }
  // Requiredness last: a condition may name a field defined further down (ngText needs ngReason).
  for (const field of fields) {
    if (outcomes.get(field.id) !== absent) continue;
    if (field.required || (field.requiredWhen && holds(field.requiredWhen, values))) {
      c.add('IF_REQUIRED', join(path, field.id), { name: field.name });
    }
  }
  for (const rule of atLeastOneOf) {
    if (!holds(rule.when, values)) continue;
    if (rule.fields.every((id) => outcomes.get(id) === absent)) {
      const names = rule.fields.map((id) => fields.find((f) => f.id === id)?.name ?? id);
      c.add('IF_ONE_OF_REQUIRED', join(path, rule.fields[0] ?? ''), { names: names.join('、') });
    }
  }
  return values;
}

/** An own property only: "constructor" or "__proto__" of the prototype are never field values. */
function own(raw: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(raw, key) ? raw[key] : undefined;
}

function repeated(field: Field, raw: unknown, path: string, c: Collector): Outcome {
  if (isAbsent(raw)) return absent;
  const { min, max } = field.repeated!;
  if (!Array.isArray(raw)) return c.add('IF_TYPE', path, { name: field.name, expected: '配列' });
  if (raw.length === 0) return absent;
  // Items beyond the limit are not looked at: a hostile array costs one message.
  if (raw.length > max) return c.add('IF_TOO_MANY', path, { name: field.name, max, count: raw.length });
  let ok = true;
  if (raw.length < min) {
    c.add('IF_TOO_FEW', path, { name: field.name, min, count: raw.length });
    ok = false;
  }
  const items: (string | number | FieldValues)[] = [];
  raw.forEach((item: unknown, i) => {
    const outcome = single(field, item, join(path, i), c);
    if (outcome === absent) c.add('IF_REQUIRED', join(path, i), { name: field.name });
    if (outcome === absent || outcome === invalid) ok = false;
    else items.push(outcome as string | number | FieldValues);
  });
  return ok ? items : invalid;
}

function single(field: Field, raw: unknown, path: string, c: Collector): Outcome {
  if (raw instanceof UndecodableText) return c.add('IF_ENCODING_INVALID', path, { name: field.name, encoding: raw.encoding });
  if (isAbsent(raw)) return absent;
  if (Array.isArray(raw)) return c.add('IF_TYPE', path, { name: field.name, expected: '1つの値' });
  switch (field.type) {
    case 'group':
      return group(field.fields, raw, path, field.name, c);
    case 'integer':
      return integer(field, raw, path, c);
    case 'decimal':
      return decimal(field, raw, path, c);
  }
  if (typeof raw !== 'string') return c.add('IF_TYPE', path, { name: field.name, expected: '文字列' });
  try {
    switch (field.type) {
      case 'string':
        return text(field, raw, path, c);
      case 'digits':
        return digits(field, raw, path, c);
      case 'code': {
        const code = raw.normalize('NFKC').trim();
        if (Object.hasOwn(field.table.codes, code)) return code; // own keys only, as codes.ts isCodeOf
        return c.add('CODE_UNKNOWN', path, { field: field.name, value: code.slice(0, 20) });
      }
      case 'date':
        return parseIsoDate(raw, path);
      case 'dateTime':
        return dateTime(field, raw, path, c);
      case 'supplyPointId':
        return parseSupplyPointId(raw, path);
      case 'participantCode':
        return parseParticipantCode(raw, path).code;
    }
  } catch (error) {
    return c.addRefusal(error);
  }
}

function text(field: Extract<Field, { type: 'string' }>, raw: string, path: string, c: Collector): Outcome {
  let value = raw.trim();
  if (!value.isWellFormed() || hasControlCharacter(value, { multiline: field.multiline })) {
    return c.add('IF_CONTROL_CHARACTER', path, { name: field.name });
  }
  if (field.multiline) value = value.replace(/\r\n?/g, '\n');
  if (field.repertoire === 'kana') {
    value = normalizeKanaName(value);
    if (!isKanaName(value)) return c.add('IF_NOT_KANA', path, { name: field.name });
  }
  const outside = c.repertoire ? firstOutsideWindows31j(value) : undefined;
  if (outside !== undefined) return c.add('IF_CHARACTER_NOT_ALLOWED', path, { name: field.name, char: outside, codePoint: codePointOf(outside) });
  const length = value.length <= field.maxLength ? value.length : [...value].length;
  if (length > field.maxLength) return c.add('IF_TOO_LONG', path, { name: field.name, max: field.maxLength, length });
  return value;
}

/** Separators people type between digit groups (03-1234-5678, ０３ー１２３４): as for supply point IDs. */
const separators = /[\s\-\u2010-\u2015\u2212\u30fc]/g;

function digits(field: Extract<Field, { type: 'digits' }>, raw: string, path: string, c: Collector): Outcome {
  const value = raw.normalize('NFKC').replace(separators, '');
  if (!/^[0-9]+$/.test(value)) return c.add('IF_NOT_DIGITS', path, { name: field.name });
  if (value.length > field.maxLength) return c.add('IF_TOO_LONG', path, { name: field.name, max: field.maxLength, length: value.length });
  if (field.minLength !== undefined && value.length < field.minLength) {
    return c.add('IF_TOO_SHORT', path, { name: field.name, min: field.minLength, length: value.length });
  }
  return value;
}

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function dateTime(field: Field, raw: string, path: string, c: Collector): Outcome {
  const value = raw.normalize('NFKC').trim();
  const ms = isoDateTime.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) return c.add('IF_DATETIME_FORMAT', path, { name: field.name });
  return new Date(ms).toISOString();
}

/** A numeral as the text bindings carry it: NFKC (full-width digits), trimmed, a leading "+" dropped. */
const numeral = /^-?\d{1,15}(?:\.\d+)?$/;

function numeralOf(text: string): string {
  return text.normalize('NFKC').trim().replace(/^\+/, '');
}

/**
 * A number field's value from a binding that carries only text (SOAP, CSV, web forms, the command
 * line): the number, when the text is a numeral; else the text as it was, for validation to say
 * why. JSON carries numbers as numbers and is not converted: `"page": "2"` is refused.
 */
export function numberFromText(field: Field, text: string): string | number {
  if (field.type !== 'integer' && field.type !== 'decimal') return text;
  const value = numeralOf(text);
  return numeral.test(value) && (field.type === 'decimal' || !value.includes('.')) ? Number(value) : text;
}

/**
 * A number, as a JSON number. A string is refused: IF_NUMBER_AS_STRING when it reads as a number
 * (a client quoting its numbers, which the contract does not allow), else IF_NOT_INTEGER or
 * IF_NOT_DECIMAL (a person's typing the text bindings could not read as one).
 */
function numberOf(field: Extract<Field, { type: 'integer' | 'decimal' }>, raw: unknown, path: string, c: Collector): number | typeof invalid {
  const expected = field.type === 'integer' ? '整数' : '数値';
  if (typeof raw === 'string') {
    if (numeral.test(numeralOf(raw))) return c.add('IF_NUMBER_AS_STRING', path, { name: field.name, value: raw.slice(0, 20) });
    return field.type === 'integer'
      ? c.add('IF_NOT_INTEGER', path, { name: field.name })
      : c.add('IF_NOT_DECIMAL', path, { name: field.name, scale: field.scale });
  }
  if (typeof raw !== 'number') return c.add('IF_TYPE', path, { name: field.name, expected });
  return raw;
}

function integer(field: Extract<Field, { type: 'integer' }>, raw: unknown, path: string, c: Collector): Outcome {
  const value = numberOf(field, raw, path, c);
  if (value === invalid) return invalid;
  if (!Number.isSafeInteger(value)) return c.add('IF_NOT_INTEGER', path, { name: field.name });
  return inRange(field, value, path, c);
}

function decimal(field: Extract<Field, { type: 'decimal' }>, raw: unknown, path: string, c: Collector): Outcome {
  const value = numberOf(field, raw, path, c);
  if (value === invalid) return invalid;
  const m = Number.isFinite(value) ? /^-?\d{1,15}(?:\.(\d+))?$/.exec(String(value)) : null;
  if (!m || (m[1]?.length ?? 0) > field.scale) return c.add('IF_NOT_DECIMAL', path, { name: field.name, scale: field.scale });
  return inRange(field, value, path, c);
}

function inRange(field: { name: string; min?: number; max?: number }, value: number, path: string, c: Collector): Outcome {
  const { min, max } = field;
  if ((min === undefined || value >= min) && (max === undefined || value <= max)) return value;
  const range = min !== undefined && max !== undefined ? `${min}から${max}まで` : min !== undefined ? `${min}以上` : `${max}以下`;
  return c.add('IF_OUT_OF_RANGE', path, { name: field.name, range });
}
