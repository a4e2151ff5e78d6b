/**
 * Participants (事業者): the companies admitted to the hub, by their 4-character company code, with
 * one participant code per area they are registered in (company code + area digit,
 * domain/participant-code.ts). A retailer may be registered in several areas; a grid operator in
 * its own area; the hub operator in none.
 *
 * Codes of our own (ours): the hub operator OCCTO is `H000`; the grid operator of area XX is
 * `G0XX` (`G003` → participant code `G0033` in Tokyo, `G010` → `G0100` in Okinawa).
 */
import { areaOf, type AreaCode } from '../../domain/area.ts';
import { participantCodeFor } from '../../domain/participant-code.ts';
import { Refusal } from '../../domain/refusal.ts';

export const participantKinds = ['hub', 'grid', 'retailer', 'generator'] as const;
export type ParticipantKind = (typeof participantKinds)[number];

export const participantStatuses = ['active', 'suspended'] as const;
export type ParticipantStatus = (typeof participantStatuses)[number];

export const HUB_COMPANY_CODE = 'H000';
export const HUB_NAME = '電力広域的運営推進機関';

export function gridCompanyCode(area: AreaCode): string {
  return `G0${area}`;
}

/** Who stopped something, when and why (権限停止). */
export interface Suspension {
  readonly at: Date;
  readonly by: string;
  readonly reason: string;
}

export interface Participant {
  readonly companyCode: string;
  readonly kind: ParticipantKind;
  readonly name: string;
  readonly status: ParticipantStatus;
  readonly suspension: Suspension | null;
  readonly areas: AreaCode[];
  /** One per area, in area order: `10013`, `10016`, … */
  readonly participantCodes: string[];
  readonly createdAt: Date;
}

export interface NewParticipant {
  readonly companyCode: string;
  readonly kind: ParticipantKind;
  readonly name: string;
  readonly areas: readonly string[];
}

const companyShape = /^[A-Z0-9]{4}$/;

/** NFKC and upper case, as participant codes are (typed with an IME, copied in lower case). */
export function normalizeCompanyCode(input: string, field = 'companyCode'): string {
  const code = input.normalize('NFKC').trim().toUpperCase();
  if (!companyShape.test(code)) throw new Refusal('AUTH_COMPANY_CODE_FORMAT', { field });
  return code;
}

export function isParticipantKind(value: string): value is ParticipantKind {
  return (participantKinds as readonly string[]).includes(value);
}

/** A new participant, checked and normalised; areas sorted and without repeats. */
export function checkNewParticipant(input: NewParticipant): NewParticipant & { areas: AreaCode[] } {
  const companyCode = normalizeCompanyCode(input.companyCode);
  if (!isParticipantKind(input.kind)) throw new Refusal('AUTH_PARTICIPANT_KIND', { field: 'kind', params: { kind: String(input.kind) } });
  const name = input.name.normalize('NFKC').trim();
  if (name.length < 1 || name.length > 100) throw new Refusal('AUTH_PARTICIPANT_NAME_REQUIRED', { field: 'name' });
  const areas = [...new Set(input.areas.map((a) => areaOf(a.normalize('NFKC').trim()).code))].sort();
  const fits = input.kind === 'hub' ? areas.length === 0 : input.kind === 'grid' ? areas.length === 1 : areas.length >= 1;
  if (!fits) throw new Refusal('AUTH_PARTICIPANT_AREAS', { field: 'areas' });
  return { companyCode, kind: input.kind, name, areas };
}

export function participantCodesOf(companyCode: string, areas: readonly AreaCode[]): string[] {
  return areas.map((area) => participantCodeFor(companyCode, area));
}
