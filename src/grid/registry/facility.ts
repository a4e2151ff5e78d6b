/**
 * Facility records (設備情報) of the supply point registry, as the reference grid keeps them.
 *
 * A supply point carries its wheeling contract (type, network service menu, contract current or
 * capacity), its place, its reading group, its current retailer and customer, and the parameters
 * from which its usage is computed on demand (src/grid/registry/usage.ts): usage is never stored.
 */
import type { ContractTypeCode, DiscontinuationMethodCode, MeterKindCode, SupplyPointStatusCode, VoltageClassCode } from '../../domain/codes.ts';
import type { IsoDate } from '../../domain/date.ts';
import type { ReadingGroup } from '../../domain/reading-day.ts';
import type { SupplyPointId } from '../../domain/supply-point-id.ts';

export interface Address {
  readonly prefecture: string;
  readonly city: string;
  /** Town, 丁目, 番 and 号: "本町2丁目14番3号". */
  readonly street: string;
  readonly building: string | null;
}

export interface Customer {
  readonly customerId: number;
  readonly nameKanji: string;
  readonly nameKana: string;
  readonly phone: string | null;
  readonly address: Address;
}

export interface Meter {
  readonly meterNumber: string;
  /** `smart`: 30分値収集可 (half-hourly values can be collected). */
  readonly kind: MeterKindCode;
  readonly installedOn: IsoDate;
  /**
   * 自動検針不可: the meter cannot be read remotely (HEPCO [S4]), independent of the kind: always for a
   * conventional meter, and for a smart meter not yet reachable. A switch or move-in then needs meter work.
   */
  readonly autoReadingUnavailable: boolean;
}

/** 廃止措置方法 of a point without a contract (codes.ts `discontinuationMethods`); null while contracted. */
export function discontinuationMethodOf(facility: {
  readonly status: SupplyPointStatusCode;
  readonly meters: readonly Pick<Meter, 'kind' | 'autoReadingUnavailable'>[];
}): DiscontinuationMethodCode | null {
  switch (facility.status) {
    case 'contracted':
      return null;
    case 'removed':
      return 'removed';
    case 'discontinuedLit':
      return 'customerSwitch';
    case 'discontinued':
      return facility.meters.length > 0 && facility.meters.every((m) => m.kind === 'smart' && !m.autoReadingUnavailable) ? 'remote' : 'onSite';
  }
}

export const usageProfileKinds = ['household', 'shop', 'office', 'factory', 'solar', 'streetlight'] as const;
export type UsageProfileKind = (typeof usageProfileKinds)[number];

/** What the computed usage of a point depends on, besides its ID and the date. */
export interface UsageProfile {
  readonly kind: UsageProfileKind;
  /** Average energy per day over a year, in Wh (generation, for a FIT receiving point). */
  readonly dailyWh: number;
  /** Per-point variation, so that two points of the same kind and size differ. */
  readonly seed: number;
}

export interface Facility {
  readonly supplyPointId: SupplyPointId;
  readonly status: SupplyPointStatusCode;
  readonly voltageClass: VoltageClassCode;
  /** A low-voltage FIT receiving point (受電地点); it has no contract type. */
  readonly fitReceiving: boolean;
  readonly contractType: ContractTypeCode | null;
  /** 託送メニュー. */
  readonly wheelingMenu: string;
  readonly contractAmpere: number | null;
  readonly contractKw: number | null;
  /** 引込柱番号; null where supply is underground. */
  readonly servicePoleNumber: string | null;
  readonly readingGroup: ReadingGroup;
  readonly address: Address;
  /** The current retailer's participant code; null for a vacant point. */
  readonly retailerCode: string | null;
  readonly customer: Customer | null;
  /** When the current customer's tenure began; usage before it is a previous name-holder's. */
  readonly tenureSince: IsoDate | null;
  readonly usageProfile: UsageProfile;
  readonly meters: readonly Meter[];
}
