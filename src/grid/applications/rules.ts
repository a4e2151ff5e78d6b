/**
 * The reference grid's rules for wheeling change applications (README "Application rules"): which
 * interface serves which point, what state of the point allows what, which applications conflict,
 * and the dates. `examineApplication` either returns the dates and meter work of an acceptable
 * application or throws the Refusal that becomes its refusal reason.
 */
import type { ApplicationKindCode } from '../../domain/codes.ts';
import { parseIsoDate, type IsoDate } from '../../domain/date.ts';
import { earliestDate } from '../../domain/lead-time.ts';
import { Refusal } from '../../domain/refusal.ts';
import { moveInEarliestDate } from '../../domain/switching-date.ts';
import { discontinuationMethodOf, type Facility } from '../registry/facility.ts';
import type { Application } from './application.repository.ts';
import type { ApplicationKind } from './stage-machine.ts';

export type Family = 'LV' | 'HV' | 'FIT';

export interface ApplicationInterface {
  readonly interfaceId: string;
  readonly kind: ApplicationKind;
  readonly family: Family;
  /** The catalogue's number: 10410 … 10910. */
  readonly number: string;
}

const prefixes: Readonly<Record<Family, string>> = { LV: 'IF_', HV: 'IF_K', FIT: 'IF_F' };
const kindNumbers: Readonly<Record<ApplicationKind, string>> = {
  moveIn: '10410',
  moveOut: '10510',
  switchIn: '10610',
  switchOut: '10710',
  infoChange: '10810',
  ampereChange: '10910',
};
const offered: Readonly<Record<ApplicationKind, readonly Family[]>> = {
  moveIn: ['LV', 'FIT'],
  moveOut: ['LV', 'HV', 'FIT'],
  switchIn: ['LV', 'HV', 'FIT'],
  switchOut: ['LV', 'HV', 'FIT'],
  infoChange: ['LV', 'HV', 'FIT'],
  ampereChange: ['LV'],
};

export const applicationInterfaceList: readonly ApplicationInterface[] = (Object.keys(kindNumbers) as ApplicationKind[]).flatMap((kind) =>
  offered[kind].map((family) => ({ interfaceId: `${prefixes[family]}${kindNumbers[kind]}`, kind, family, number: kindNumbers[kind] })),
);

export function applicationInterface(interfaceId: string): ApplicationInterface | undefined {
  return applicationInterfaceList.find((i) => i.interfaceId === interfaceId);
}

/** The status interface (…20) of an application interface (…10). */
export function statusInterfaceOf(interfaceId: string): string {
  return interfaceId.replace(/10$/, '20');
}

/** Application kinds never on the same point at once (both open): rule 5 of the README. */
export const conflicts: Readonly<Record<ApplicationKind, readonly ApplicationKind[]>> = {
  switchIn: ['switchIn', 'moveIn', 'moveOut'],
  switchOut: ['switchOut', 'moveOut'],
  moveIn: ['moveIn', 'switchIn', 'moveOut'],
  moveOut: ['moveOut', 'moveIn', 'switchIn', 'switchOut', 'ampereChange', 'infoChange'],
  ampereChange: ['ampereChange', 'moveOut'],
  infoChange: ['infoChange', 'moveOut'],
};

export const kindNamesJa: Readonly<Record<ApplicationKind, string>> = {
  moveIn: '再点',
  moveOut: '廃止',
  switchIn: 'スイッチング開始',
  switchOut: 'スイッチング廃止',
  infoChange: '情報変更',
  ampereChange: 'アンペア変更',
};

/** Areas whose LV lighting is a minimum-charge plan without contract current (最低料金制). */
export const areasWithoutAmpere: readonly string[] = ['06', '07', '08', '10'];
export const contractAmperes: readonly number[] = [10, 15, 20, 30, 40, 50, 60];
export { matchingLimitBusinessDays } from '../../domain/switching-date.ts';

const labels: Readonly<Record<string, string>> = {
  requestedDate: '希望日',
  changeDate: '変更日',
  currentRetailerCode: '現小売電気事業者コード',
  contractAmpere: '契約電流',
  applicationKind: '申込種別',
  customerNameKana: '需要者名（カナ）',
  generatorNameKana: '発電者名（カナ）',
  moveInTime: '入居予定時刻',
};

export function text(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new Refusal('GRID_FIELD_INVALID', { field, params: { field: labels[field] ?? field } });
  const t = String(value).trim();
  return t === '' ? undefined : t;
}

export function requiredText(body: Record<string, unknown>, field: string): string {
  const t = text(body, field);
  if (t === undefined) throw new Refusal('GRID_FIELD_REQUIRED', { field, params: { field: labels[field] ?? field } });
  return t;
}

function optionalDate(body: Record<string, unknown>, field: string): IsoDate | undefined {
  const t = text(body, field);
  return t === undefined ? undefined : parseIsoDate(t, field);
}

function requiredDate(body: Record<string, unknown>, field: string): IsoDate {
  return parseIsoDate(requiredText(body, field), field);
}

export interface Examined {
  readonly applicationKind: ApplicationKindCode;
  readonly requestedDate: IsoDate | null;
  /** Fixed now, or null for a switch (fixed at matching). */
  readonly effectiveDate: IsoDate | null;
  readonly meterWork: boolean;
}

/** The 申込種別 of an application (move-out: the body's, without or with removal). */
export function applicationKindOf(kind: ApplicationKind, family: Family, body: Record<string, unknown>): ApplicationKindCode {
  const fit = family === 'FIT';
  switch (kind) {
    case 'moveIn':
      return fit ? '15' : '04';
    case 'switchIn':
      return fit ? '16' : '05';
    case 'switchOut':
      return fit ? '14' : '03';
    case 'infoChange':
      return fit ? '17' : '07';
    case 'ampereChange':
      return '06';
    case 'moveOut': {
      const code = requiredText(body, 'applicationKind');
      const allowed = fit ? ['12', '13'] : ['01', '02'];
      if (!allowed.includes(code)) throw new Refusal('CODE_UNKNOWN', { field: 'applicationKind', params: { field: '申込種別', value: code } });
      return code as ApplicationKindCode;
    }
  }
}

/** Rule 1: the interface family fits the point. */
export function requireFamily(facility: Facility, itf: ApplicationInterface): void {
  if (facility.voltageClass === 'EHV') throw new Refusal('APP_POINT_EHV', { field: 'supplyPointId' });
  const pointFamily: Family = facility.fitReceiving ? 'FIT' : facility.voltageClass === 'HV' ? 'HV' : 'LV';
  if (pointFamily === itf.family) return;
  if (!offered[itf.kind].includes(pointFamily)) {
    throw new Refusal(pointFamily === 'FIT' ? 'APP_NOT_FOR_FIT' : 'APP_NOT_FOR_HV', { field: 'supplyPointId' });
  }
  const interfaceId = `${prefixes[pointFamily]}${itf.number}`;
  const code = pointFamily === 'FIT' ? 'APP_WRONG_FAMILY_FIT' : pointFamily === 'HV' ? 'APP_WRONG_FAMILY_HV' : 'APP_WRONG_FAMILY_LV';
  throw new Refusal(code, { field: 'supplyPointId', params: { interfaceId } });
}

function requireCurrentRetailer(facility: Facility, participantCode: string): void {
  if (facility.status !== 'contracted') throw new Refusal('APP_POINT_NOT_CONTRACTED', { field: 'supplyPointId' });
  if (facility.retailerCode !== participantCode) throw new Refusal('APP_NOT_CURRENT_RETAILER', { field: 'supplyPointId' });
}

function requireLeadTime(requested: IsoDate, today: IsoDate, facility: Facility, meterWork: boolean, field: string): void {
  const voltage = facility.voltageClass === 'HV' ? 'HV' : 'LV';
  const earliest = earliestDate(today, voltage, { meterWork });
  if (requested < earliest) throw new Refusal('APP_DATE_TOO_EARLY', { field, params: { field: labels[field] ?? field, earliest } });
}

/**
 * A meter that cannot be read remotely (自動検針不可: a conventional meter, or a smart meter not yet
 * reachable, HEPCO [S4]) needs meter work when a switch or ampere change happens.
 */
function hasMeterNeedingWork(facility: Facility): boolean {
  return facility.meters.some((m) => m.autoReadingUnavailable);
}

export function switchNeedsMeterWork(facility: Facility): boolean {
  return hasMeterNeedingWork(facility);
}

/**
 * Rules 2–6 of the README for one application (`self`: the application being corrected, which
 * does not conflict with itself). Throws the Refusal that refuses it.
 */
export function examineApplication(input: {
  readonly itf: ApplicationInterface;
  readonly facility: Facility;
  readonly participantCode: string;
  readonly body: Record<string, unknown>;
  readonly today: IsoDate;
  readonly area: string;
  readonly open: readonly Application[];
  readonly self?: string;
}): Examined {
  const { itf, facility, participantCode, body, today } = input;
  requireFamily(facility, itf);
  const applicationKind = applicationKindOf(itf.kind, itf.family, body);
  let requestedDate: IsoDate | null = null;
  let effectiveDate: IsoDate | null = null;
  let meterWork = false;
  switch (itf.kind) {
    case 'moveIn': {
      if (facility.status === 'contracted') throw new Refusal('APP_POINT_CONTRACTED', { field: 'supplyPointId' });
      if (facility.status === 'removed') throw new Refusal('APP_POINT_REMOVED', { field: 'supplyPointId' });
      requiredText(body, itf.family === 'FIT' ? 'generatorNameKana' : 'customerNameKana');
      if (itf.family === 'LV' && text(body, 'customerConsent') !== '1') throw new Refusal('APP_CONSENT_REQUIRED', { field: 'customerConsent' });
      const time = text(body, 'moveInTime');
      if (time !== undefined && !/^([01][0-9]|2[0-3])[0-5][0-9]$/.test(time)) {
        throw new Refusal('GRID_FIELD_INVALID', { field: 'moveInTime', params: { field: labels.moveInTime! } });
      }
      meterWork = text(body, 'meterWorkRequired') === '1' || hasMeterNeedingWork(facility);
      requestedDate = requiredDate(body, 'requestedDate');
      const { earliest, reason } = moveInEarliestDate({ today, discontinuationMethod: discontinuationMethodOf(facility), meterWork });
      if (requestedDate < earliest) throw new Refusal('APP_MOVE_IN_TOO_EARLY', { field: 'requestedDate', params: { field: '再点希望日', earliest, reason } });
      const ampere = text(body, 'contractAmpere');
      if (ampere !== undefined && !contractAmperes.includes(Number(ampere))) throw new Refusal('APP_AMPERE_INVALID', { field: 'contractAmpere' });
      effectiveDate = requestedDate;
      break;
    }
    case 'moveOut': {
      requireCurrentRetailer(facility, participantCode);
      meterWork = applicationKind === '02' || applicationKind === '13';
      requestedDate = requiredDate(body, 'requestedDate');
      requireLeadTime(requestedDate, today, facility, meterWork, 'requestedDate');
      effectiveDate = requestedDate;
      break;
    }
    case 'switchIn': {
      if (facility.status !== 'contracted') throw new Refusal('APP_POINT_NOT_CONTRACTED', { field: 'supplyPointId' });
      if (facility.retailerCode === participantCode) throw new Refusal('APP_ALREADY_CURRENT_RETAILER', { field: 'supplyPointId' });
      const current = requiredText(body, 'currentRetailerCode');
      if (current !== facility.retailerCode) throw new Refusal('APP_CURRENT_RETAILER_MISMATCH', { field: 'currentRetailerCode', params: { given: current } });
      meterWork = switchNeedsMeterWork(facility);
      requestedDate = optionalDate(body, 'requestedDate') ?? null;
      if (requestedDate !== null) requireLeadTime(requestedDate, today, facility, meterWork, 'requestedDate');
      break;
    }
    case 'switchOut': {
      requireCurrentRetailer(facility, participantCode);
      if (text(body, 'newRetailerCode') === participantCode) throw new Refusal('APP_NEW_RETAILER_IS_SELF', { field: 'newRetailerCode' });
      meterWork = switchNeedsMeterWork(facility);
      requestedDate = optionalDate(body, 'requestedDate') ?? null;
      break;
    }
    case 'infoChange': {
      requireCurrentRetailer(facility, participantCode);
      requestedDate = requiredDate(body, 'changeDate');
      effectiveDate = requestedDate < today ? today : requestedDate;
      break;
    }
    case 'ampereChange': {
      if (areasWithoutAmpere.includes(input.area)) throw new Refusal('APP_AMPERE_NOT_IN_AREA', { field: 'supplyPointId', params: { area: input.area } });
      if (facility.contractType !== 'lighting' || facility.contractAmpere === null) throw new Refusal('APP_AMPERE_NOT_LIGHTING', { field: 'supplyPointId' });
      requireCurrentRetailer(facility, participantCode);
      const ampere = Number(requiredText(body, 'contractAmpere'));
      if (!contractAmperes.includes(ampere) || ampere === facility.contractAmpere) throw new Refusal('APP_AMPERE_INVALID', { field: 'contractAmpere' });
      meterWork = hasMeterNeedingWork(facility);
      requestedDate = requiredDate(body, 'requestedDate');
      requireLeadTime(requestedDate, today, facility, meterWork, 'requestedDate');
      effectiveDate = requestedDate;
      break;
    }
  }
  const conflicting = input.open.find((a) => a.applicationNumber !== input.self && conflicts[itf.kind].includes(a.kind));
  if (conflicting) {
    throw new Refusal('APP_CONFLICT', {
      field: 'supplyPointId',
      params: { applicationNumber: conflicting.applicationNumber, kind: kindNamesJa[conflicting.kind] },
    });
  }
  return { applicationKind, requestedDate, effectiveDate, meterWork };
}
