/**
 * The rules of usage password applications (使用量照会PW申請), without I/O.
 *
 * Identity check (ours; SYSTEM.md §5 says only that the grid operator verifies the customer's
 * identity): the applicant gives the customer's name in kana and a phone number or an address.
 * - the name must match the registered name exactly after `normalizeKana` (so full/half width,
 *   hiragana/katakana, small kana and spaces do not matter, but every letter does), AND
 * - the phone number's digits equal the registered number's digits, OR the given address contains
 *   the registered street (町名・丁目・番・号, compared as "本町2-14-3" whether written with 丁目/番/号 or
 *   hyphens, full or half width, and not followed by another digit, so "2-14-3" does not match "2-14-30").
 * A name mismatch is reported as such, before the contact data; a point with no current customer
 * cannot be applied for at all.
 *
 * The password: 12 characters from a 32-letter alphabet without look-alikes (no I, O, 0, 1), drawn
 * from the operating system's CSPRNG: 60 bits. Stored as salted SHA-256, not scrypt: scrypt's cost
 * protects passwords people choose, which can be guessed from a dictionary; this one is random, so
 * guessing means searching 2^60 values. At 10^10 hashes a second (a large GPU) that is ~1.8 years on
 * average for one password, against a validity of one month; and a slow hash would cost every
 * usage inquiry tens of milliseconds per password on record for the point.
 *
 * Validity: from issue until the same date next month (the month's last day when it has no such
 * date: 31 January → 28 February), exclusive — at most one month (SYSTEM.md §5). `validUntil` is the
 * last valid day; the password expires at 00:00 JST of the day after.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AreaCode } from '../../domain/area.ts';
import { addDays, isoDate, tokyoDate, tokyoMidnight, yearMonthDay, type IsoDate } from '../../domain/date.ts';
import { normalizeKana } from '../../domain/kana.ts';
import type { MessageCode } from '../../domain/messages.ts';
import type { Customer, Facility } from '../registry/facility.ts';

export const usagePasswordAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const usagePasswordLength = 12;

/** 32 letters: a byte's low 5 bits pick one without bias. */
export function generateUsagePassword(): string {
  const bytes = randomBytes(usagePasswordLength);
  let password = '';
  for (const byte of bytes) password += usagePasswordAlphabet[byte & 31];
  return password;
}

/** As a customer reads it out or a retailer types it: any width or case, with spaces or hyphens. */
export function normalizeUsagePassword(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/[\s\-‐-―−ー]/g, '')
    .toUpperCase();
}

export interface HashedPassword {
  readonly salt: string;
  readonly hash: string;
}

export function hashUsagePassword(password: string, salt = randomBytes(16).toString('hex')): HashedPassword {
  return { salt, hash: createHash('sha256').update(salt).update(':').update(normalizeUsagePassword(password)).digest('hex') };
}

export function usagePasswordMatches(input: string, stored: HashedPassword): boolean {
  const candidate = Buffer.from(hashUsagePassword(input, stored.salt).hash, 'hex');
  const expected = Buffer.from(stored.hash, 'hex');
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

export interface UsagePasswordValidity {
  /** The last day on which the password is valid. */
  readonly validUntil: IsoDate;
  /** 00:00 JST of the day after `validUntil`. */
  readonly expiresAt: Date;
}

/**
 * The validity of a password issued at `issuedAt`: a month, or less when the applicant asked for an
 * earlier last day (`requested`; never before the day of issue).
 */
export function usagePasswordValidity(issuedAt: Date, requested: IsoDate | null = null): UsagePasswordValidity {
  const { year, month, day } = yearMonthDay(tokyoDate(issuedAt));
  const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
  const lastOfNext = yearMonthDay(addDays(isoDate(next.year, next.month + 1, 1), -1)).day;
  let expiryDay = isoDate(next.year, next.month, Math.min(day, lastOfNext));
  if (requested !== null && addDays(requested, 1) < expiryDay) expiryDay = addDays(requested < tokyoDate(issuedAt) ? tokyoDate(issuedAt) : requested, 1);
  return { validUntil: addDays(expiryDay, -1), expiresAt: tokyoMidnight(expiryDay) };
}

/** The last valid day of an issued password, from its stored expiry (00:00 JST of the day after). */
export function validUntilFromExpiry(expiresAt: Date): IsoDate {
  return addDays(tokyoDate(expiresAt), -1);
}

/** `UP03-2026112800001`: usage password, area, date of acceptance in Japan, serial of that day. */
export function usagePasswordApplicationNumber(area: AreaCode, day: IsoDate, serial: number): string {
  return `UP${area}-${day.replaceAll('-', '')}${String(serial).padStart(5, '0')}`;
}

export const usagePasswordApplicationPrefix = 'UP';

export interface IdentityClaim {
  readonly customerNameKana: string;
  readonly phoneNumber: string | null;
  readonly address: string | null;
}

/** Undefined when the claim identifies the customer, else the refusal code saying why not. */
export function identityMismatch(claim: IdentityClaim, customer: Customer): MessageCode | undefined {
  if (normalizeKana(claim.customerNameKana) !== normalizeKana(customer.nameKana)) return 'GRID_IDENTITY_NAME_MISMATCH';
  const phone = phoneDigits(claim.phoneNumber);
  if (phone !== '' && phone === phoneDigits(customer.phone)) return undefined;
  if (claim.address !== null && addressContainsStreet(claim.address, customer.address.street)) return undefined;
  return 'GRID_IDENTITY_CONTACT_MISMATCH';
}

function phoneDigits(phone: string | null): string {
  return (phone ?? '').normalize('NFKC').replace(/\D/g, '');
}

/** "本町2丁目14番3号" and "本町２－１４－３" both become "本町2-14-3". */
export function addressKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\s/g, '')
    .replace(/[‐-―−ー－]/g, '-')
    .replace(/丁目|番地|番|号/g, '-')
    .replace(/-+/g, '-')
    .replace(/-$/, '');
}

export function addressContainsStreet(address: string, street: string): boolean {
  const haystack = addressKey(address);
  const needle = addressKey(street);
  if (needle === '') return false;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    if (!/[0-9]/.test(haystack.charAt(at + needle.length))) return true;
  }
  return false;
}

export type Examination = { readonly stage: '06'; readonly customerId: number } | { readonly stage: '09'; readonly refusalCode: MessageCode };

/** The grid's examination of an application against the registry as it is now. */
export function examine(claim: IdentityClaim, facility: Facility | undefined): Examination {
  if (facility?.status !== 'contracted' || facility.customer === null) return { stage: '09', refusalCode: 'GRID_POINT_VACANT' };
  const mismatch = identityMismatch(claim, facility.customer);
  return mismatch ? { stage: '09', refusalCode: mismatch } : { stage: '06', customerId: facility.customer.customerId };
}
