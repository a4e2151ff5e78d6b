/**
 * Participant codes (事業者コード) of retailers: a 4-character company code (digits, e.g. "1001",
 * as real codes appear; upper-case letters are accepted too) followed by the last digit of the
 * area code, so one company has one code per area it supplies in ("10013" in Tokyo, "10010" in Okinawa, whose area code is 10).
 *
 * Input is NFKC-normalised and upper-cased first, because codes are typed into web forms with an IME
 * (full-width "１００１３") and copied from letters in lower case ("k7773").
 */
import { areaByDigit, areaDigit, type Area, type AreaCode } from './area.ts';
import { Refusal } from './refusal.ts';

/** The hub operator's (OCCTO's) company code: the hub calls the grids under it. */
export const hubCompanyCode = 'H000';

export type ParticipantCode = string & { readonly __participantCode: unique symbol };

export interface ParsedParticipantCode {
  readonly code: ParticipantCode;
  readonly companyCode: string;
  readonly area: Area;
}

/**
 * Five letters or digits. The last must be an area digit, but we check that separately so that
 * "A001X" is refused for its area (PCODE_UNKNOWN_AREA) rather than for its shape.
 */
const shape = /^[A-Z0-9]{5}$/;
const companyShape = /^[A-Z0-9]{4}$/;

export function parseParticipantCode(input: string, field = 'participantCode'): ParsedParticipantCode {
  const text = normalize(input);
  if (!shape.test(text)) throw new Refusal('PCODE_FORMAT', { field });
  const digit = text.slice(4);
  const area = areaByDigit(digit);
  if (!area) throw new Refusal('PCODE_UNKNOWN_AREA', { field, params: { digit } });
  return { code: text as ParticipantCode, companyCode: text.slice(0, 4), area };
}

/** The code a company uses in one area; refuses a company code that is not 4 letters or digits. */
export function participantCodeFor(companyCode: string, areaCode: AreaCode, field = 'companyCode'): ParticipantCode {
  const company = normalize(companyCode);
  if (!companyShape.test(company)) throw new Refusal('PCODE_FORMAT', { field });
  return `${company}${areaDigit(areaCode)}` as ParticipantCode;
}

function normalize(input: string): string {
  return input.normalize('NFKC').trim().toUpperCase();
}
