/**
 * The ten supply areas (供給区域) and their grid operators. The two-digit area code is the first two
 * digits of every supply point ID; the last digit of it ends every per-area participant code.
 *
 * `lvShare` is each area's share of Japan's ~85 million low-voltage supply points (rounded public
 * customer counts of the ten operators), used to spread synthetic data as the real market is spread.
 */
import { Refusal } from './refusal.ts';

export const areaCodes = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'] as const;
export type AreaCode = (typeof areaCodes)[number];

export interface Area {
  readonly code: AreaCode;
  readonly key: string;
  readonly name: string;
  readonly nameEn: string;
  readonly gridOperatorName: string;
  /** Millions of low-voltage supply points, approximately. */
  readonly lvMillions: number;
}

export const areas: readonly Area[] = [
  { code: '01', key: 'hokkaido', name: '北海道', nameEn: 'Hokkaido', gridOperatorName: '北海道電力ネットワーク株式会社', lvMillions: 4.0 },
  { code: '02', key: 'tohoku', name: '東北', nameEn: 'Tohoku', gridOperatorName: '東北電力ネットワーク株式会社', lvMillions: 7.6 },
  { code: '03', key: 'tokyo', name: '東京', nameEn: 'Tokyo', gridOperatorName: '東京電力パワーグリッド株式会社', lvMillions: 29.5 },
  { code: '04', key: 'chubu', name: '中部', nameEn: 'Chubu', gridOperatorName: '中部電力パワーグリッド株式会社', lvMillions: 10.5 },
  { code: '05', key: 'hokuriku', name: '北陸', nameEn: 'Hokuriku', gridOperatorName: '北陸電力送配電株式会社', lvMillions: 2.1 },
  { code: '06', key: 'kansai', name: '関西', nameEn: 'Kansai', gridOperatorName: '関西電力送配電株式会社', lvMillions: 13.5 },
  { code: '07', key: 'chugoku', name: '中国', nameEn: 'Chugoku', gridOperatorName: '中国電力ネットワーク株式会社', lvMillions: 5.2 },
  { code: '08', key: 'shikoku', name: '四国', nameEn: 'Shikoku', gridOperatorName: '四国電力送配電株式会社', lvMillions: 2.8 },
  { code: '09', key: 'kyushu', name: '九州', nameEn: 'Kyushu', gridOperatorName: '九州電力送配電株式会社', lvMillions: 8.7 },
  { code: '10', key: 'okinawa', name: '沖縄', nameEn: 'Okinawa', gridOperatorName: '沖縄電力株式会社', lvMillions: 0.9 },
];

const byCode = new Map<string, Area>(areas.map((a) => [a.code, a]));

export function isAreaCode(value: string): value is AreaCode {
  return byCode.has(value);
}

/** The area for a two-digit code, or a refusal AREA_UNKNOWN. */
export function areaOf(code: string): Area {
  const area = byCode.get(code);
  if (!area) throw new Refusal('AREA_UNKNOWN', { field: 'areaCode', params: { areaCode: code } });
  return area;
}

/** The last digit of the area code, as it ends a per-area participant code (沖縄 10 → "0"). */
export function areaDigit(code: AreaCode): string {
  return code.slice(1);
}

/** The area whose code ends with this digit ("0" → 10 沖縄), or undefined. */
export function areaByDigit(digit: string): Area | undefined {
  return areas.find((a) => areaDigit(a.code) === digit);
}
