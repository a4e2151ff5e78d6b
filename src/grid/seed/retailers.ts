/**
 * The retailers synthetic supply points are contracted with. Names are fictional (デモ…) so that no
 * demo screen is mistaken for a real company's data; code shapes are real: a 4-character company
 * code, plus the area digit for the participant code of one area (`participantCodeFor`).
 *
 * One incumbent per area (the former regional monopoly's retail arm, company codes 1001–1010), which
 * still holds most low-voltage customers, and new entrants (新電力) of which some sell nationwide
 * and some in a few areas. Code that creates participants for a demo takes them from this list, so
 * every retailer code in the registry belongs to a participant.
 *
 * Shares (ours, shaped like the market of the mid-2020s): new entrants hold about a fifth of
 * low-voltage points and a third of high-voltage ones.
 */
import { areaCodes, type AreaCode } from '../../domain/area.ts';

export interface DemoRetailer {
  readonly companyCode: string;
  readonly name: string;
  readonly kind: 'incumbent' | 'entrant';
  /** The areas it supplies in. */
  readonly areas: readonly AreaCode[];
  /** Relative share of low-voltage and high-voltage points in each of its areas. */
  readonly lvShare: number;
  readonly hvShare: number;
}

const incumbentNames: Readonly<Record<AreaCode, string>> = {
  '01': 'デモ北海道電力株式会社',
  '02': 'デモ東北電力株式会社',
  '03': 'デモ東京電力エナジー株式会社',
  '04': 'デモ中部電力ミライズ株式会社',
  '05': 'デモ北陸電力株式会社',
  '06': 'デモ関西電力株式会社',
  '07': 'デモ中国電力株式会社',
  '08': 'デモ四国電力株式会社',
  '09': 'デモ九州電力株式会社',
  '10': 'デモ沖縄電力株式会社',
};

const incumbents: DemoRetailer[] = areaCodes.map((area) => ({
  companyCode: `10${area}`,
  name: incumbentNames[area],
  kind: 'incumbent',
  areas: [area],
  lvShare: 78,
  hvShare: 65,
}));

const mainIslands = areaCodes.filter((a) => a !== '10');

export const demoRetailers: readonly DemoRetailer[] = [
  ...incumbents,
  { companyCode: '2001', name: 'デモ都市ガスでんき株式会社', kind: 'entrant', areas: ['03', '04', '06', '09'], lvShare: 8, hvShare: 6 },
  { companyCode: '2002', name: 'デモ通信エナジー株式会社', kind: 'entrant', areas: mainIslands, lvShare: 6, hvShare: 2 },
  { companyCode: '2003', name: 'デモ石油でんき株式会社', kind: 'entrant', areas: mainIslands, lvShare: 3, hvShare: 12 },
  { companyCode: '3001', name: 'デモ地域新電力株式会社', kind: 'entrant', areas: ['02', '05', '07', '08'], lvShare: 3, hvShare: 5 },
  { companyCode: '3002', name: 'デモ再エネ電力株式会社', kind: 'entrant', areas: [...areaCodes], lvShare: 2, hvShare: 10 },
];

/** The retailers of one area. */
export function demoRetailersIn(area: AreaCode): DemoRetailer[] {
  return demoRetailers.filter((r) => r.areas.includes(area));
}
