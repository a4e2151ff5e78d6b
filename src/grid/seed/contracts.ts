/**
 * The mix of wheeling contracts among synthetic supply points, and the numbers that size them.
 * Menu names follow the grid operators' network service terms (託送供給等約款): the 電灯標準 menu is
 * what a household on a retail 従量電灯B (ampere) or 従量電灯A (minimum charge) plan is wheeled on.
 */
import type { AreaCode } from '../../domain/area.ts';
import type { ContractTypeCode } from '../../domain/codes.ts';
import type { UsageProfileKind } from '../registry/facility.ts';
import { draw, intBetween, pick, roughNormal, weighted, type Random } from '../registry/random.ts';
import type { CustomerKind } from './customers.ts';

export const wheelingMenus = {
  lighting: '低圧電灯標準接続送電サービス',
  lightingTimeOfUse: '低圧電灯時間帯別接続送電サービス',
  flatRate: '低圧電灯定額接続送電サービス',
  power: '低圧動力標準接続送電サービス',
  temporary: '低圧臨時接続送電サービス',
  highVoltage: '高圧標準接続送電サービス',
  highVoltageTimeOfUse: '高圧時間帯別接続送電サービス',
  fitReceiving: '低圧発電量調整受電サービス',
} as const;

/**
 * Shares of all points (ours, near the public totals): HV ~1% (0.8 M of 86 M), LV FIT receiving
 * points ~2% (residential PV under FIT), vacant ~3% (moved-out homes awaiting a move-in, as in
 * a real registry), removed 0.3% (meter taken away); the rest are contracted LV demand points.
 */
export const pointClassShares = { highVoltage: 0.01, fitReceiving: 0.02, removed: 0.003, vacant: 0.03 } as const;

export type PointClass = keyof typeof pointClassShares | 'contracted';

/** The class of a point for a uniform draw `u` in [0, 1). */
export function pointClassOf(u: number): PointClass {
  let bound = 0;
  for (const [pointClass, share] of Object.entries(pointClassShares) as [PointClass, number][]) {
    bound += share;
    if (u < bound) return pointClass;
  }
  return 'contracted';
}

/** Kinds of contracted LV demand point, by share. Households dominate; 動力 is shops' and workshops' 3-phase. */
export const lvDemandShares = [
  ['household', 88],
  ['shopLighting', 4],
  ['power', 6],
  ['flatRate', 1.2],
  ['temporary', 0.8],
] as const;

export type LvDemandKind = (typeof lvDemandShares)[number][0];

/**
 * Areas whose household lighting contracts have no contract current (最低料金制, 従量電灯A): Kansai,
 * Chugoku, Shikoku, Okinawa. Elsewhere a current limiter sets it (従量電灯B).
 */
export const minimumChargeAreas: readonly AreaCode[] = ['06', '07', '08', '10'];

/** Contract current of households in ampere areas: 30 A and 40 A are the usual choices. */
export const householdAmpereShares = [
  [10, 1],
  [15, 2],
  [20, 8],
  [30, 35],
  [40, 28],
  [50, 12],
  [60, 14],
] as const;

/** Contract capacity steps of LV 動力 (kW), as metered 3-phase loads are usually sized. */
export const powerKwSteps: readonly number[] = [3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 49];

/** Smart meter share of LV points by area: Tokyo finished its rollout first (2020), Okinawa last. */
export function smartShare(area: AreaCode): number {
  return area === '03' ? 0.97 : area === '10' ? 0.85 : 0.9;
}

/**
 * Load factors turning a contract capacity into average daily energy (kWh/day = kW × 24 × factor):
 * small shops run part of the day; factories longer; PV yields about 13.5% of nameplate in Japan.
 */
export const loadFactors = {
  powerShop: 0.15,
  powerFactory: 0.25,
  temporary: 0.2,
  hvOffice: 0.3,
  hvFactory: 0.45,
  solar: 0.135,
} as const;

/**
 * The date synthetic histories are anchored to: tenures and meter installations lie before it. It
 * is fixed, not today, so that the same seed gives the same rows whenever it is run.
 */
export const seedReferenceDate = '2026-10-01';

/** What a point's wheeling contract is, who holds it, and how much it uses. */
export interface Contract {
  readonly voltageClass: 'LV' | 'HV';
  readonly contractType: ContractTypeCode | null;
  readonly menu: string;
  readonly ampere: number | null;
  readonly kw: number | null;
  readonly profile: UsageProfileKind;
  /** Average daily energy, kWh. */
  readonly dailyKwh: number;
  readonly holder: CustomerKind;
  readonly metered: boolean;
}

/**
 * A drawer of the contracts of one area's points. Vacant and removed points keep the LV contract
 * their last customer had.
 */
export function contractDrawer(area: AreaCode, random: Random): (pointClass: PointClass) => Contract {
  const lvKinds = weighted(lvDemandShares);
  const amperes = weighted(householdAmpereShares);
  const amperesApply = !minimumChargeAreas.includes(area);
  const lognormal = (sd: number) => Math.exp(sd * roughNormal(random));
  const lv = { voltageClass: 'LV', contractType: 'lighting', menu: wheelingMenus.lighting, ampere: null, kw: null, metered: true } as const;

  function highVoltage(): Contract {
    const factory = random() < 0.4;
    // Mostly under 500 kW (the HV the hub handles); 8% larger, up to 2,000 kW.
    const kw = random() < 0.08 ? intBetween(random, 500, 1999) : Math.min(499, Math.max(50, Math.round(150 * lognormal(0.6))));
    return {
      ...lv,
      voltageClass: 'HV',
      contractType: 'highVoltage',
      menu: factory && random() < 0.3 ? wheelingMenus.highVoltageTimeOfUse : wheelingMenus.highVoltage,
      kw,
      profile: factory ? 'factory' : 'office',
      dailyKwh: kw * 24 * (factory ? loadFactors.hvFactory : loadFactors.hvOffice),
      holder: factory ? 'factory' : 'office',
    };
  }

  function fitReceiving(): Contract {
    // Residential PV is 3–10 kW; 15% are 10–50 kW installations on sheds and small plots.
    const kw = random() < 0.85 ? intBetween(random, 30, 99) / 10 : intBetween(random, 100, 499) / 10;
    return { ...lv, contractType: null, menu: wheelingMenus.fitReceiving, kw, profile: 'solar', dailyKwh: kw * 24 * loadFactors.solar, holder: 'person' };
  }

  function lowVoltage(kind: LvDemandKind): Contract {
    switch (kind) {
      case 'household': {
        const ampere = amperesApply ? draw(random, amperes) : null;
        const menu = random() < 0.1 ? wheelingMenus.lightingTimeOfUse : wheelingMenus.lighting;
        // About 0.28 kWh a day per contracted ampere; 9 kWh where there is no ampere contract.
        return { ...lv, menu, ampere, profile: 'household', dailyKwh: (ampere ?? 32) * 0.28 * lognormal(0.3), holder: 'person' };
      }
      case 'shopLighting': {
        // Shops on 電灯: 50–60 A where amperes apply, else a kVA contract (従量電灯C; kVA taken as kW).
        const ampere = amperesApply ? (random() < 0.5 ? 50 : 60) : null;
        const kw = amperesApply ? null : intBetween(random, 6, 15);
        return { ...lv, ampere, kw, profile: 'shop', dailyKwh: 25 * lognormal(0.4), holder: 'shop' };
      }
      case 'power': {
        const kw = pick(random, powerKwSteps);
        const factory = random() < 0.5;
        const dailyKwh = kw * 24 * (factory ? loadFactors.powerFactory : loadFactors.powerShop);
        const holder = factory ? 'factory' : 'shop';
        return { ...lv, contractType: 'power', menu: wheelingMenus.power, kw, profile: holder, dailyKwh, holder };
      }
      case 'flatRate':
        // Street and security lights on a fixed monthly charge: no meter; 1–10 lamps of ~40 W, 12 h a night.
        return {
          ...lv,
          contractType: 'flatRateLighting',
          menu: wheelingMenus.flatRate,
          profile: 'streetlight',
          dailyKwh: intBetween(random, 1, 10) * 0.04 * 12,
          holder: 'streetlight',
          metered: false,
        };
      case 'temporary': {
        // Building sites: a contractor's temporary supply, busy in working hours.
        const kw = intBetween(random, 3, 20);
        return {
          ...lv,
          contractType: 'temporaryLighting',
          menu: wheelingMenus.temporary,
          kw,
          profile: 'shop',
          dailyKwh: kw * 24 * loadFactors.temporary,
          holder: 'office',
        };
      }
    }
  }

  return (pointClass) => {
    if (pointClass === 'highVoltage') return highVoltage();
    if (pointClass === 'fitReceiving') return fitReceiving();
    const contract = lowVoltage(draw(random, lvKinds));
    return pointClass === 'removed' ? { ...contract, metered: false } : contract;
  };
}
