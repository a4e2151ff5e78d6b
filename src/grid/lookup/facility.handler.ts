/**
 * Facility info (設備情報照会): IF_10110 for a low-voltage demand point, IF_F10110 for a low-voltage
 * FIT receiving point (受電地点). Not for high voltage and above (SYSTEM.md §3). Answers the facility
 * fields of SYSTEM.md §5 and the next scheduled reading day, counted from today's business date in
 * Japan: the reading day of the point's group on or after today (today itself when it is the
 * reading day, as the meter is read during that day).
 *
 * No personal data: not the customer's name, not the retailer. Anyone with the supply point ID (a
 * retailer preparing a switch) may see how the point is equipped, not who lives there.
 */
import type { ContractTypeCode, MeterKindCode, SupplyPointStatusCode, VoltageClassCode } from '../../domain/codes.ts';
import type { IsoDate } from '../../domain/date.ts';
import { firstReadingDayOnOrAfter } from '../../domain/reading-day.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ok, today, type GridContext, type InterfaceHandler } from '../context.ts';
import type { Address, Facility } from '../registry/facility.ts';
import { facilityOf } from './request.ts';

/** The response fields of IF_10110 / IF_F10110 in the catalogue (src/interfaces/catalogue/lookup.ts). */
export type FacilityInfo = {
  readonly supplyPointId: string;
  readonly status: SupplyPointStatusCode;
  readonly voltageClass: VoltageClassCode;
  /** Null for a FIT receiving point. */
  readonly contractType: ContractTypeCode | null;
  readonly wheelingMenu: string;
  readonly contractAmpere: number | null;
  readonly contractKw: number | null;
  readonly address: Address;
  /** Null where supply is underground. */
  readonly servicePoleNumber: string | null;
  /** A smart meter (`smart`) gives half-hourly values (30分値収集可); a conventional one does not. */
  readonly meters: readonly { meterNumber: string; meterKind: MeterKindCode; installedOn: IsoDate }[];
  /** 次回の検針日. */
  readonly nextReadingDate: IsoDate;
};

/** `demand`: IF_10110; `fitReceiving`: IF_F10110. */
export function facilityHandler(kind: 'demand' | 'fitReceiving'): InterfaceHandler {
  return async (ctx, request) => {
    const facility = await facilityOf(ctx, request);
    if (facility.voltageClass !== 'LV') throw new Refusal('GRID_FACILITY_NOT_FOR_HV', { field: 'supplyPointId' });
    if (kind === 'demand' && facility.fitReceiving) throw new Refusal('GRID_POINT_IS_FIT', { field: 'supplyPointId' });
    if (kind === 'fitReceiving' && !facility.fitReceiving) throw new Refusal('GRID_POINT_NOT_FIT', { field: 'supplyPointId' });
    return ok(facilityInfo(ctx, facility));
  };
}

export function facilityInfo(ctx: GridContext, facility: Facility): FacilityInfo {
  return {
    supplyPointId: facility.supplyPointId,
    status: facility.status,
    voltageClass: facility.voltageClass,
    contractType: facility.contractType,
    wheelingMenu: facility.wheelingMenu,
    contractAmpere: facility.contractAmpere,
    contractKw: facility.contractKw,
    address: facility.address,
    servicePoleNumber: facility.servicePoleNumber,
    meters: facility.meters.map((m) => ({ meterNumber: m.meterNumber, meterKind: m.kind, installedOn: m.installedOn })),
    nextReadingDate: firstReadingDayOnOrAfter(facility.readingGroup, today(ctx)),
  };
}
