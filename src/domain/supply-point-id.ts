/**
 * Supply point IDs (供給地点特定番号): 22 digits, the first two of which are the area code. The middle
 * digits are each grid operator's own and there is no public check digit, so the area is all we can
 * verify. FIT receiving point IDs (受電地点特定番号) have the same format and use the same parser.
 *
 * People copy these numbers from bills, where they are printed in groups ("03 0000 0000 …") or with
 * hyphens, and type them with a Japanese IME (full-width digits, ー for a hyphen). We accept all of
 * that and refuse only what is really wrong, with a code that says exactly what.
 */
import { areaOf, isAreaCode, type Area } from './area.ts';
import { Refusal } from './refusal.ts';

export type SupplyPointId = string & { readonly __supplyPointId: unique symbol };

export const supplyPointIdLength = 22;

/**
 * Separators people put between digit groups, after NFKC: whitespace (NFKC turns the full-width space
 * into U+0020), ASCII and Unicode hyphens and dashes, the minus sign, and the katakana long vowel mark
 * an IME produces when "-" is typed in kana mode.
 */
const separators = /[\s\-\u2010-\u2015\u2212\u30fc]/g;

/** Normalises typed input and returns the canonical 22-digit ID, or refuses it. */
export function parseSupplyPointId(input: string, field = 'supplyPointId'): SupplyPointId {
  const text = input.normalize('NFKC').replace(separators, '');
  if (text === '') throw new Refusal('SPID_REQUIRED', { field });
  if (!/^[0-9]+$/.test(text)) throw new Refusal('SPID_NOT_DIGITS', { field });
  if (text.length !== supplyPointIdLength) {
    throw new Refusal('SPID_LENGTH', { field, params: { length: text.length } });
  }
  const areaCode = text.slice(0, 2);
  if (!isAreaCode(areaCode)) throw new Refusal('SPID_UNKNOWN_AREA', { field, params: { areaCode } });
  return text as SupplyPointId;
}

/**
 * Whether a string already is a supply point ID in canonical form (22 ASCII digits of a known area).
 * Typed input with spaces or full-width digits is not: parse it first.
 */
export function isSupplyPointId(value: string): value is SupplyPointId {
  return value.length === supplyPointIdLength && /^[0-9]+$/.test(value) && isAreaCode(value.slice(0, 2));
}

/** The area a supply point lies in, from its first two digits. */
export function areaOfSupplyPoint(id: SupplyPointId): Area {
  return areaOf(id.slice(0, 2));
}
