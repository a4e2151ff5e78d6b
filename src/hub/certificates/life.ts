/**
 * The rules of a certificate's life at the hub (issue 19, slides 38–42 and 46), pure:
 *
 * - what a request may ask for: O = one of the participant's own codes (or its company code),
 *   OU = the usage asked for, CN = a name of at most 64 characters, nothing else in the subject;
 * - the weekly batch schedule: the CA closes requests at fixed times of the week (the seed's CA:
 *   Tuesday and Friday 17:00) and issues what was approved by then; in the sandbox, at once;
 * - expiry: notices 90, 30 and 7 days before the end, the most urgent one only when several are
 *   due at once (a certificate registered 20 days before its end gets the 30-day notice, not three);
 * - suspicion: the declared hours of terminal use.
 */
import { isBusinessDay, previousBusinessDay } from '../../domain/calendar.ts';
import type { IsoDate } from '../../domain/date.ts';
import { Refusal } from '../../domain/refusal.ts';
import { clientCertUsages, type ClientCertUsage } from '../../platform/pki/identity.ts';
import { checkName } from '../../platform/pki/names.ts';

export type RequestMethod = 'csr' | 'pkcs12';
export const requestMethods: readonly RequestMethod[] = ['csr', 'pkcs12'];
export type RequestStatus = 'requested' | 'approved' | 'refused' | 'issued' | 'downloaded';

export interface RequestedSubject {
  readonly boundCode: string;
  readonly usage: ClientCertUsage;
  readonly commonName: string;
}

export function checkUsage(value: string): ClientCertUsage {
  const usage = clientCertUsages.find((u) => u === value);
  if (!usage) throw new Refusal('CERT_USAGE_INVALID', { field: 'usage' });
  return usage;
}

export function checkMethod(value: string): RequestMethod {
  const method = requestMethods.find((m) => m === value);
  if (!method) throw new Refusal('CERT_METHOD_INVALID', { field: 'method' });
  return method;
}

/**
 * The subject a request asks for, checked against the participant's own codes. A terminal
 * certificate names its terminal (CN); an API certificate's CN is `<O> api` unless given.
 */
export function checkSubject(
  asked: { boundCode: string; usage: ClientCertUsage; commonName: string },
  own: { companyCode: string; participantCodes: readonly string[] },
  /** The form field a refusal names (a CSR's subject: `csr`); default the subject's own fields. */
  field?: string,
): RequestedSubject {
  const boundCode = String(asked.boundCode ?? '')
    .normalize('NFKC')
    .trim()
    .toUpperCase();
  if (boundCode !== own.companyCode && !own.participantCodes.includes(boundCode)) {
    throw new Refusal('CERT_SUBJECT_PARTICIPANT', { field: field ?? 'boundCode', params: { bound: boundCode || '（なし）' } });
  }
  const given = String(asked.commonName ?? '').trim();
  if (asked.usage === 'terminal' && given === '') throw new Refusal('CERT_TERMINAL_NAME_REQUIRED', { field: field ?? 'commonName' });
  let commonName: string;
  try {
    commonName = given === '' ? `${boundCode} api` : checkName(given, 'commonName');
  } catch {
    throw new Refusal(asked.usage === 'terminal' ? 'CERT_TERMINAL_NAME_REQUIRED' : 'PKI_NAME_INVALID', {
      field: field ?? 'commonName',
      params: { field: 'CN' },
    });
  }
  return { boundCode, usage: asked.usage, commonName };
}

/**
 * The subject of an uploaded CSR, checked like a typed one: O and OU must be there and right, at
 * most one of each of O, OU and CN, and no other attribute (C, L, emailAddress… would be silently
 * dropped from the certificate, which the requester would not expect).
 */
export function subjectOfCsr(
  attributes: ReadonlyArray<readonly [string, string]>,
  usage: ClientCertUsage,
  own: { companyCode: string; participantCodes: readonly string[] },
): RequestedSubject {
  const seen = new Map<string, string>();
  for (const [name, value] of attributes) {
    if (!['O', 'OU', 'CN'].includes(name) || seen.has(name)) throw new Refusal('CERT_SUBJECT_EXTRA', { field: 'csr', params: { attr: name } });
    seen.set(name, value);
  }
  const ou = seen.get('OU') ?? '';
  if (ou !== usage) throw new Refusal('CERT_SUBJECT_USAGE', { field: 'csr', params: { ou: ou || '（なし）', usage } });
  const subject = checkSubject({ boundCode: seen.get('O') ?? '', usage, commonName: seen.get('CN') ?? '' }, own, 'csr');
  if ((seen.get('O') ?? '') !== subject.boundCode) {
    throw new Refusal('CERT_SUBJECT_PARTICIPANT', { field: 'csr', params: { bound: seen.get('O') ?? '' } });
  }
  return subject;
}

// ---- The weekly batch schedule ------------------------------------------------------------

/** A closing time of the week, in Japan time: weekday 0 (Sunday) … 6, minutes after midnight. */
export interface ClosingTime {
  readonly weekday: number;
  readonly minutes: number;
}

/** `immediate`: issued at approval (the sandbox); otherwise closing times of the week. */
export type IssuanceSchedule = { readonly kind: 'immediate' } | { readonly kind: 'weekly'; readonly closings: readonly ClosingTime[] };

/** The seed's CA (slide 40): requests close Tuesday and Friday at 17:00. */
export const defaultWeeklySchedule = 'tue 17:00,fri 17:00';

const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const JST_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** `immediate`, or closing times like `tue 17:00,fri 17:00`; refuses CERT_SCHEDULE_INVALID. */
export function parseIssuanceSchedule(text: string): IssuanceSchedule {
  const value = String(text).trim().toLowerCase();
  if (value === 'immediate') return { kind: 'immediate' };
  const closings: ClosingTime[] = [];
  for (const part of value.split(',')) {
    const m = /^(sun|mon|tue|wed|thu|fri|sat)\s+([01]?\d|2[0-3]):([0-5]\d)$/.exec(part.trim());
    if (!m) throw new Refusal('CERT_SCHEDULE_INVALID', { params: { value: text } });
    closings.push({ weekday: weekdays.indexOf(m[1]!), minutes: Number(m[2]) * 60 + Number(m[3]) });
  }
  if (closings.length === 0) throw new Refusal('CERT_SCHEDULE_INVALID', { params: { value: text } });
  return { kind: 'weekly', closings };
}

/**
 * The closing times of the weeks around `at` (Japan time), as instants. A closing day that is not a
 * business day (weekend, national holiday, 29 Dec – 3 Jan) closes on the business day before, at the
 * same time (slide 40 ※1: 金曜日締切⇒木曜日締切, 火曜日締切⇒月曜日締切).
 */
function closingsAround(closings: readonly ClosingTime[], at: Date): Date[] {
  const local = at.getTime() + JST_MS;
  const dayStart = local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
  const weekday = new Date(dayStart).getUTCDay();
  const sunday = dayStart - weekday * DAY_MS;
  const out = new Map<number, Date>();
  for (const offset of [-2 * WEEK_MS, -WEEK_MS, 0, WEEK_MS, 2 * WEEK_MS]) {
    for (const c of closings) {
      let day = new Date(sunday + offset + c.weekday * DAY_MS).toISOString().slice(0, 10) as IsoDate;
      if (!isBusinessDay(day)) day = previousBusinessDay(day);
      const instant = Date.parse(`${day}T00:00:00Z`) + c.minutes * 60_000 - JST_MS;
      out.set(instant, new Date(instant));
    }
  }
  return [...out.values()].sort((a, b) => a.getTime() - b.getTime());
}

/** The last closing time at or before `now`. */
export function lastClosing(closings: readonly ClosingTime[], now: Date): Date {
  return closingsAround(closings, now)
    .filter((c) => c.getTime() <= now.getTime())
    .at(-1)!;
}

/** The first closing time after `now`. */
export function nextClosing(closings: readonly ClosingTime[], now: Date): Date {
  return closingsAround(closings, now).find((c) => c.getTime() > now.getTime())!;
}

// ---- Expiry --------------------------------------------------------------------------------

/** Days before the end at which the participant is told (issue 19). */
export const expiryNoticeDays = [90, 30, 7] as const;

/** Whole days left, rounded up (a certificate ending in 3 hours has 1 day left); 0 or less once ended. */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.ceil((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/**
 * Which notice is due now: the most urgent threshold reached and not yet notified, and every
 * threshold it makes moot (marked as done without a notice of its own). Nothing once it has ended.
 */
export function expiryNoticeDue(notAfter: Date, now: Date, notified: readonly number[]): { notice: number; settles: number[] } | null {
  const left = notAfter.getTime() - now.getTime();
  if (left <= 0) return null;
  const reached = expiryNoticeDays.filter((d) => left <= d * DAY_MS && !notified.includes(d));
  if (reached.length === 0) return null;
  const notice = Math.min(...reached);
  return { notice, settles: reached };
}

// ---- Declared hours ------------------------------------------------------------------------

/** Whole hours of the day in Japan time, `from` inclusive, `to` exclusive; refuses CERT_HOURS_INVALID. */
export function checkTerminalHours(from: number, to: number): { from: number; to: number } {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 24 || from >= to) throw new Refusal('CERT_HOURS_INVALID', { field: 'hours' });
  return { from, to };
}

/** Whether an instant falls within the declared hours (Japan time). */
export function withinHours(at: Date, hours: { from: number; to: number }): boolean {
  const hour = new Date(at.getTime() + JST_MS).getUTCHours();
  return hour >= hours.from && hour < hours.to;
}
