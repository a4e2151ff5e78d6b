/**
 * Supply points to try the look-ups with, for the sandbox's DEMO.md: in every area a few points of
 * each kind, with their current retailer (a switch-in names it) and the customer identity a usage
 * password application needs (name in kana and kanji, phone, street of the registered address).
 * Points come from the synthetic registry in supply point ID order, so the same seed lists the same
 * points. Field names in the text are taken from the interface catalogue (`fieldName`), so the text
 * cannot name a field the interfaces do not have.
 */
import { areaCodes, areas, type AreaCode } from '../../domain/area.ts';
import { addDays, tokyoDate } from '../../domain/date.ts';
import type { Clock } from '../../platform/clock.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import { interfaceById } from '../../interfaces/catalogue/catalogue.ts';
import type { Field } from '../../interfaces/catalogue/types.ts';
import { gridSchema } from '../schema.ts';
import { demoRetailers } from '../seed/retailers.ts';
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
  /** The current retailer's participant code; null for a vacant point. */
  readonly retailerCode: string | null;
  readonly customerNameKana: string | null;
  readonly customerName: string | null;
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
        `SELECT sp.supply_point_id AS "supplyPointId", sp.retailer_code AS "retailerCode", c.name_kana AS "customerNameKana",
                c.name_kanji AS "customerName", c.phone, c.street,
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

/**
 * `` `fieldId` `` of a field of an interface's request (or response), or an error: text that names
 * a field by hand drifts from the catalogue (DEMO.md once said `date` for `halfHourlyDate`).
 */
export function fieldName(interfaceId: string, fieldId: string): string {
  const def = interfaceById(interfaceId);
  const has = (fields: readonly Field[]): boolean => fields.some((f) => f.id === fieldId || (f.type === 'group' && has(f.fields)));
  if (!def || !(has(def.request) || has(def.response))) throw new Error(`${interfaceId} has no field ${fieldId}`);
  return `\`${fieldId}\``;
}

/** "10033 デモ東京電力エナジー株式会社": a participant code with its demo retailer's name. */
export function retailerLabel(participantCode: string): string {
  const retailer = demoRetailers.find((r) => r.companyCode === participantCode.slice(0, 4));
  return retailer ? `${participantCode} ${retailer.name}` : participantCode;
}

/** The DEMO.md section listing the points. */
export function demoPointsMarkdown(byArea: readonly AreaDemoPoints[]): string {
  const cell = (value: string | null) => (value === null ? '–' : value.replace(/\|/g, '\\|'));
  const f = fieldName;
  const lines = [
    '## Supply points to try the look-ups with (reference grids)',
    '',
    `Facility info (IF_10110, IF_F10110 for FIT receiving points) needs only the supply point ID. Usage`,
    `info needs the customer's consent: apply for a usage password (IF_10210, HV: IF_K10210) with the`,
    `customer's name in kana (${f('IF_10210', 'customerNameKana')}) and the phone number (${f('IF_10210', 'phoneNumber')}, or an address containing`,
    `the street) shown here and a consent date (${f('IF_10210', 'consentDate')}); the status inquiry (IF_10220 / IF_K10220, by`,
    `${f('IF_10220', 'requestId')} alone or ${f('IF_10220', 'applicationNumber')}) shows the password once. It is valid for a month, for any`,
    `retailer the customer gives it to, and unlocks 13 months of usage (IF_10310 / IF_K10310; with`,
    `${f('IF_10310', 'halfHourlyDate')}, that day's 48 half-hourly values when the meter is smart).`,
    '',
    `The **current retailer** column is the participant that supplies the point today. A switch-in`,
    `(IF_10610) is filed by another retailer of the area and names this one as ${f('IF_10610', 'currentRetailerCode')}`,
    `(the grid refuses any other code); only the current retailer files a switch-out, move-out, ampere`,
    `change or customer info change. Switch-in and move-in (IF_10610, IF_10410) need the customer's`,
    `name in kana and in kanji (${f('IF_10610', 'customerNameKana')}, ${f('IF_10610', 'customerName')}): for a switch-in, as the columns show them.`,
    '',
  ];
  for (const { area, areaName, points } of byArea) {
    lines.push(
      `### ${area} ${areaName}`,
      '',
      '| kind | supply point ID | current retailer | customer (kana) | customer (kanji) | phone | street | customer since |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const p of points) {
      const retailer = p.retailerCode === null ? null : retailerLabel(p.retailerCode);
      lines.push(
        `| ${demoPointKinds[p.kind]} | ${p.supplyPointId} | ${cell(retailer)} | ${cell(p.customerNameKana)} | ${cell(p.customerName)} | ${cell(p.phone)} | ${cell(p.street)} | ${cell(p.tenureSince)} |`,
      );
    }
    if (points.length === 0) lines.push('| (no points: seed the registry with `kirikae seed`) | | | | | | | |');
    lines.push('');
  }
  return lines.join('\n');
}
