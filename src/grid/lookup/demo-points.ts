/**
 * Supply points to try the look-ups with, for the sandbox's DEMO.md: in every area a few points of
 * each kind, with the customer identity a usage password application needs (name in kana, phone,
 * street of the registered address). Points come from the synthetic registry in supply point ID
 * order, so the same seed lists the same points.
 */
import { areaCodes, areas, type AreaCode } from '../../domain/area.ts';
import { addDays, tokyoDate } from '../../domain/date.ts';
import type { Clock } from '../../platform/clock.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import { gridSchema } from '../schema.ts';
import { usageMonths } from './usage.handler.ts';

export const demoPointKinds = {
  lvSmart: '低圧・スマートメーター (LV, smart meter: 13 months and half-hourly values)',
  lvConventional: '低圧・従来型計器 (LV, conventional meter: monthly values only)',
  lvNewCustomer: '低圧・入居1年以内 (LV, customer since less than 13 months: earlier months withheld)',
  hv: '高圧 (HV: IF_K10210 / IF_K10310; no facility info)',
  fitReceiving: '低圧FIT受電地点 (LV FIT receiving point: IF_F10110 only)',
  vacant: '空き家 (vacant, for a move-in: no usage password)',
} as const;

export type DemoPointKind = keyof typeof demoPointKinds;

export interface DemoPoint {
  readonly kind: DemoPointKind;
  readonly supplyPointId: string;
  readonly customerNameKana: string | null;
  readonly phone: string | null;
  /** The street of the customer's registered address (an alternative to the phone for the identity check). */
  readonly street: string | null;
  readonly tenureSince: string | null;
}

export interface AreaDemoPoints {
  readonly area: AreaCode;
  readonly areaName: string;
  readonly points: readonly DemoPoint[];
}

/** The SQL condition of each kind; `since` is the date about 13 months back, `smart` whether a smart meter is installed. */
const conditions: Readonly<Record<DemoPointKind, string>> = {
  lvSmart: `sp.status = 'contracted' AND sp.voltage_class = 'LV' AND NOT sp.fit_receiving AND c.phone IS NOT NULL AND sp.tenure_since <= since AND smart`,
  lvConventional: `sp.status = 'contracted' AND sp.voltage_class = 'LV' AND NOT sp.fit_receiving AND c.phone IS NOT NULL AND NOT smart`,
  lvNewCustomer: `sp.status = 'contracted' AND sp.voltage_class = 'LV' AND NOT sp.fit_receiving AND c.phone IS NOT NULL AND sp.tenure_since > since AND smart`,
  hv: `sp.status = 'contracted' AND sp.voltage_class = 'HV' AND c.phone IS NOT NULL AND sp.tenure_since <= since`,
  fitReceiving: `sp.fit_receiving`,
  vacant: `sp.status IN ('discontinued', 'discontinuedLit')`,
};

export async function demoSupplyPoints(q: Queryable, clock: Clock, perKind = 2): Promise<AreaDemoPoints[]> {
  // Roughly 13 months back: customers since before then have all 13 months of their own.
  const fullHistorySince = addDays(tokyoDate(clock.now()), -Math.ceil(usageMonths * 30.5) - 31);
  const result: AreaDemoPoints[] = [];
  for (const area of areaCodes) {
    const s = ident(gridSchema(area));
    const points: DemoPoint[] = [];
    for (const kind of Object.keys(conditions) as DemoPointKind[]) {
      // Walks the primary key in order and stops at `perKind` matches: cheap even on a large registry.
      const { rows } = await q.query<Omit<DemoPoint, 'kind'>>(
        `SELECT sp.supply_point_id AS "supplyPointId", c.name_kana AS "customerNameKana", c.phone, c.street,
                sp.tenure_since AS "tenureSince"
           FROM ${s}.supply_point sp
           LEFT JOIN ${s}.customer c ON c.customer_id = sp.customer_id
           CROSS JOIN (SELECT $1::date AS since) params
           CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM ${s}.meter m WHERE m.supply_point_id = sp.supply_point_id AND m.kind = 'smart' AND m.removed_on IS NULL) AS smart) meter
          WHERE ${conditions[kind]}
          ORDER BY sp.supply_point_id
          LIMIT $2`,
        [fullHistorySince, perKind],
      );
      points.push(...rows.map((row) => ({ kind, ...row })));
    }
    result.push({ area, areaName: areas.find((a) => a.code === area)!.name, points });
  }
  return result;
}

/** The DEMO.md section listing the points. */
export function demoPointsMarkdown(byArea: readonly AreaDemoPoints[]): string {
  const cell = (value: string | null) => (value === null ? '–' : value.replace(/\|/g, '\\|'));
  const lines = [
    '## Supply points to try the look-ups with (reference grids)',
    '',
    'Facility info (IF_10110, IF_F10110 for FIT receiving points) needs only the supply point ID. Usage',
    'info needs the customer\'s consent: apply for a usage password (IF_10210, HV: IF_K10210) with the',
    'customer\'s name in kana and the phone number (or an address containing the street) shown here and',
    'a consent date; the status inquiry (IF_10220 / IF_K10220) shows the password once. It is valid for',
    'a month, for any retailer the customer gives it to, and unlocks 13 months of usage (IF_10310 /',
    'IF_K10310; with `date`, that day\'s 48 half-hourly values when the meter is smart).',
    '',
  ];
  for (const { area, areaName, points } of byArea) {
    lines.push(`### ${area} ${areaName}`, '', '| kind | supply point ID | customer (kana) | phone | street | customer since |', '|---|---|---|---|---|---|');
    for (const p of points) {
      lines.push(`| ${demoPointKinds[p.kind]} | ${p.supplyPointId} | ${cell(p.customerNameKana)} | ${cell(p.phone)} | ${cell(p.street)} | ${cell(p.tenureSince)} |`);
    }
    if (points.length === 0) lines.push('| (no points: seed the registry with `kirikae seed`) | | | | | |');
    lines.push('');
  }
  return lines.join('\n');
}
