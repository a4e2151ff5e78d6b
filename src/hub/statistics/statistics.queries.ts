/**
 * Switching statistics, shaped like those OCCTO publishes from the switching support system
 * (スイッチング支援システムの利用状況): applications per area, kind and month, and the switching
 * rate of each area. Figures only, no participant or customer (policy `statistics.read`: the hub
 * administrators and the hub operator's API certificate).
 *
 * - An application counts in the month (in Japan) the hub accepted it and its grid took it: a
 *   registration (update flag 1) of the outbox delivered with OK. Refused registrations do not count;
 *   a later cancellation does not remove it (as a month's published figure is not revised).
 * - Kinds are those of the interfaces: move-in (再点, IF_10410), move-out (廃止, IF_10510), switch-in
 *   (スイッチング開始, IF_10610), switch-out (スイッチング廃止, IF_10710), ampere change, customer info
 *   change, usage password application; each with its family (LV, HV = K, FIT = F).
 * - The switching rate of an area is its switch-ins accepted up to the end of the period over the
 *   area's supply points (the registry's size, given by whoever knows the grids: `supplyPoints`);
 *   without that figure (a grid not run by this system) the rate is not given.
 */
import type { AreaCode } from '../../domain/area.ts';
import { areaCodes, areaOf } from '../../domain/area.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { authorize, type Actor } from '../policy.ts';

export const statisticsKinds = {
  '10410': '再点（入居）',
  '10510': '廃止（退去）',
  '10610': 'スイッチング開始',
  '10710': 'スイッチング廃止',
  '10810': 'アンペア変更',
  '10910': '需要者情報変更',
  '10210': '使用量照会PW申請',
} as const;
export type StatisticsKind = keyof typeof statisticsKinds;

export const families = { '': 'LV', K: 'HV', F: 'FIT' } as const;

export interface MonthlyCount {
  readonly month: string;
  readonly area: AreaCode;
  readonly kind: StatisticsKind;
  readonly kindName: string;
  readonly family: 'LV' | 'HV' | 'FIT';
  readonly applications: number;
}

export interface AreaRate {
  readonly area: AreaCode;
  readonly areaName: string;
  /** Switch-ins (all families) accepted from the start up to the end of the period. */
  readonly switchIns: number;
  /** The area's supply points, or null when not known. */
  readonly supplyPoints: number | null;
  /** switchIns / supplyPoints as a percentage, 2 decimals; null without supplyPoints. */
  readonly ratePercent: number | null;
}

export interface SwitchingStatistics {
  readonly from: string;
  readonly to: string;
  readonly monthly: readonly MonthlyCount[];
  readonly rates: readonly AreaRate[];
}

/** The most months one request covers: ten years. */
export const maxMonths = 120;

/** `YYYY-MM` from a query, or the default; refuses anything else. */
export function parseMonth(value: unknown, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  const text = String(value).trim();
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12)
    throw new Refusal('STATS_MONTH_INVALID', { field: 'from', params: { value: text.slice(0, 20) } });
  return text;
}

export function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}

export interface StatisticsQuery {
  readonly from?: unknown;
  readonly to?: unknown;
}

export async function switchingStatistics(
  q: Queryable,
  actor: Actor,
  now: Date,
  query: StatisticsQuery,
  supplyPoints: (area: AreaCode) => Promise<number | null> = async () => null,
): Promise<SwitchingStatistics> {
  authorize(actor, 'statistics.read');
  const thisMonth = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit' }).format(now);
  const to = parseMonth(query.to, thisMonth);
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  const yearBefore = `${tm === 12 ? ty : ty - 1}-${String((tm % 12) + 1).padStart(2, '0')}`;
  const from = parseMonth(query.from, yearBefore);
  if (from > to) throw new Refusal('STATS_MONTH_ORDER', { field: 'to' });
  if (monthsBetween(from, to) > maxMonths) throw new Refusal('STATS_PERIOD_TOO_LONG', { field: 'from', params: { months: maxMonths } });

  const accepted = `status = 'delivered' AND update_flag = '1' AND grid_answer->>'result' = 'OK'`;
  const month = `to_char(filed_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM')`;
  const { rows } = await q.query<{ month: string; area: AreaCode; interface_id: string; n: string }>(
    `SELECT ${month} AS month, area, interface_id, count(*)::text AS n
       FROM hub.application_outbox
      WHERE ${accepted} AND ${month} BETWEEN $1 AND $2
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [from, to],
  );
  const monthly: MonthlyCount[] = [];
  for (const row of rows) {
    const match = /^IF_([KF]?)(\d{5})$/.exec(row.interface_id);
    if (!match || !(match[2]! in statisticsKinds)) continue;
    const kind = match[2] as StatisticsKind;
    monthly.push({
      month: row.month,
      area: row.area,
      kind,
      kindName: statisticsKinds[kind],
      family: families[match[1] as keyof typeof families],
      applications: Number(row.n),
    });
  }
  const cumulative = await q.query<{ area: AreaCode; n: string }>(
    `SELECT area, count(*)::text AS n FROM hub.application_outbox
      WHERE ${accepted} AND interface_id IN ('IF_10610', 'IF_K10610', 'IF_F10610') AND ${month} <= $1
      GROUP BY area`,
    [to],
  );
  const switchInsByArea = new Map(cumulative.rows.map((row) => [row.area, Number(row.n)]));
  const rates: AreaRate[] = [];
  for (const area of areaCodes) {
    const switchIns = switchInsByArea.get(area) ?? 0;
    const points = await supplyPoints(area).catch(() => null);
    rates.push({
      area,
      areaName: areaOf(area).name,
      switchIns,
      supplyPoints: points,
      ratePercent: points ? Math.round((switchIns / points) * 10_000) / 100 : null,
    });
  }
  return { from, to, monthly, rates };
}

/** The CSV download: one row per month, area, family and kind, then the rates; UTF-8 with BOM (Excel). */
export function statisticsCsv(stats: SwitchingStatistics): string {
  const cell = (value: string | number | null) =>
    value === null ? '' : /[",\n]/.test(String(value)) ? `"${String(value).replaceAll('"', '""')}"` : String(value);
  const lines = [
    ['集計月', 'エリア', 'エリア名', '区分', '申込種別', '申込種別名', '件数'].join(','),
    ...stats.monthly.map((m) => [m.month, m.area, areaOf(m.area).name, m.family, m.kind, m.kindName, m.applications].map(cell).join(',')),
    '',
    ['エリア', 'エリア名', `スイッチング開始件数（${stats.to}末まで累計）`, '供給地点数', 'スイッチング率（%）'].join(','),
    ...stats.rates.map((r) => [r.area, r.areaName, r.switchIns, r.supplyPoints, r.ratePercent].map(cell).join(',')),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
