/**
 * Facility info (設備情報照会): IF_10110 for a low-voltage demand point, IF_F10110 for a low-voltage
 * FIT receiving point (受電地点). Not for high voltage and above (SYSTEM.md §3). IF_10110 answers the
 * facility fields of SYSTEM.md §5 and the next scheduled reading day, counted from today's business
 * date in Japan by the area's reading schedule: the reading day of the point's schedule number on or
 * after today (today itself when it is the reading day, as the meter is read during that day).
 * IF_F10110 answers the address only (「住所情報のみ照会可(低圧FIT)」, slide 7).
 *
 * No personal data: not the customer's name, not the retailer. Anyone with the supply point ID (a
 * retailer preparing a switch) may see how the point is equipped, not who lives there.
 */
import type { ContractTypeCode, DiscontinuationMethodCode, MeterKindCode, SupplyPointStatusCode, VoltageClassCode } from '../../domain/codes.ts';
import type { IsoDate } from '../../domain/date.ts';
import { firstReadingDayOnOrAfter, type ReadingSchedule } from '../../domain/reading-day.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ok, today, type InterfaceHandler } from '../context.ts';
import { discontinuationMethodOf, type Address, type Facility } from '../registry/facility.ts';
import { facilityWithScheduleOf } from './request.ts';

/** The response fields of IF_10110 / IF_F10110 in the catalogue (src/interfaces/catalogue/lookup.ts). */
export type FacilityInfo = {
  readonly supplyPointId: string;
  readonly status: SupplyPointStatusCode;
  readonly voltageClass: VoltageClassCode;
  /** 廃止措置方法: how a point without a contract is reconnected; null while contracted. */
  readonly discontinuationMethod: DiscontinuationMethodCode | null;
  readonly contractType: ContractTypeCode | null;
  readonly wheelingMenu: string;
  readonly contractAmpere: number | null;
  readonly contractKw: number | null;
  readonly address: Address;
  /** Null where supply is underground. */
  readonly servicePoleNumber: string | null;
  /**
   * Per meter the two independent flags (HEPCO [S4]): 30分値収集可 (`halfHourlyCollectable`, a smart
   * meter) and 自動検針不可 (`autoReadingUnavailable`: a switch or move-in then needs meter work).
   */
  readonly meters: readonly {
    meterNumber: string;
    meterKind: MeterKindCode;
    halfHourlyCollectable: '0' | '1';
    autoReadingUnavailable: '0' | '1';
    installedOn: IsoDate;
  }[];
  /** 次回の検針日. */
  readonly nextReadingDate: IsoDate;
};

/** `demand`: IF_10110; `fitReceiving`: IF_F10110. */
export function facilityHandler(kind: 'demand' | 'fitReceiving'): InterfaceHandler {
  return async (ctx, request) => {
    const day = today(ctx);
    // The point and its number's published reading days in one round trip (IF_F10110 does not use the days).
    const { facility, schedule } = await facilityWithScheduleOf(ctx, request, day);
    if (facility.voltageClass !== 'LV') throw new Refusal('GRID_FACILITY_NOT_FOR_HV', { field: 'supplyPointId' });
    if (kind === 'demand' && facility.fitReceiving) throw new Refusal('GRID_POINT_IS_FIT', { field: 'supplyPointId' });
    if (kind === 'fitReceiving' && !facility.fitReceiving) throw new Refusal('GRID_POINT_NOT_FIT', { field: 'supplyPointId' });
    if (kind === 'fitReceiving') return ok(fitFacilityInfo(facility));
    return ok(facilityInfo(facility, schedule, day));
  };
}

/** The response fields of IF_F10110: the address only (slide 7). */
export type FitFacilityInfo = { readonly supplyPointId: string; readonly address: Address };

export function fitFacilityInfo(facility: Facility): FitFacilityInfo {
  return { supplyPointId: facility.supplyPointId, address: facility.address };
}

/** The answer of IF_10110 on `day` (today's business date in Japan). */
export function facilityInfo(facility: Facility, schedule: ReadingSchedule, day: IsoDate): FacilityInfo {
  return {
    supplyPointId: facility.supplyPointId,
    status: facility.status,
    voltageClass: facility.voltageClass,
    discontinuationMethod: discontinuationMethodOf(facility),
    contractType: facility.contractType,
    wheelingMenu: facility.wheelingMenu,
    contractAmpere: facility.contractAmpere,
    contractKw: facility.contractKw,
    address: facility.address,
    servicePoleNumber: facility.servicePoleNumber,
    meters: facility.meters.map((m) => ({
      meterNumber: m.meterNumber,
      meterKind: m.kind,
      halfHourlyCollectable: m.kind === 'smart' ? '1' : '0',
      autoReadingUnavailable: m.autoReadingUnavailable ? '1' : '0',
      installedOn: m.installedOn,
    })),
    nextReadingDate: firstReadingDayOnOrAfter(schedule, facility.readingGroup, day),
  };
}
