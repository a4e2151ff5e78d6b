/**
 * The web-only supply point search (src/grid/lookup/search.handler.ts): prefix matches on the
 * registered address and on the current customer's normalised kana name, of one family of points.
 * Both use an index (migrations 0001 and 0004) and stop at `limit` rows.
 */
import type { ContractTypeCode, MeterKindCode, SupplyPointStatusCode } from '../../domain/codes.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';

export type SearchFamily = 'LV' | 'HV' | 'FIT';

export interface SearchRow {
  readonly supplyPointId: string;
  readonly status: SupplyPointStatusCode;
  readonly prefecture: string;
  readonly city: string;
  readonly street: string;
  readonly building: string | null;
  readonly contractType: ContractTypeCode | null;
  readonly servicePoleNumber: string | null;
  /** The meters in service, in number order. */
  readonly meters: readonly { meterNumber: string; kind: MeterKindCode; autoReadingUnavailable: boolean }[];
}

/** Which points belong to a family's screens: LV demand, HV, LV FIT receiving. */
const familyCondition: Readonly<Record<SearchFamily, string>> = {
  LV: `sp.voltage_class = 'LV' AND NOT sp.fit_receiving`,
  HV: `sp.voltage_class = 'HV'`,
  FIT: `sp.fit_receiving`,
};

const columnsOf = (s: string) => `sp.supply_point_id AS "supplyPointId", sp.status, sp.prefecture, sp.city, sp.street, sp.building,
  sp.contract_type AS "contractType", sp.service_pole_number AS "servicePoleNumber",
  COALESCE((SELECT json_agg(json_build_object('meterNumber', m.meter_number, 'kind', m.kind,
                                              'autoReadingUnavailable', COALESCE(m.auto_reading_unavailable, m.kind = 'conventional'))
                            ORDER BY m.meter_number)
              FROM ${s}.meter m WHERE m.supply_point_id = sp.supply_point_id AND m.removed_on IS NULL), '[]') AS meters`;

function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Points whose address starts with `prefix`, from the prefecture or from the city on, in address order. */
export async function searchByAddress(q: Queryable, schema: string, family: SearchFamily, prefix: string, limit: number): Promise<SearchRow[]> {
  const s = ident(schema);
  const { rows } = await q.query<SearchRow>(
    `SELECT ${columnsOf(s)} FROM ${s}.supply_point sp
      WHERE ((sp.prefecture || sp.city || sp.street) LIKE $1 OR (sp.city || sp.street) LIKE $1) AND ${familyCondition[family]}
      ORDER BY sp.prefecture, sp.city, sp.street, sp.building NULLS FIRST, sp.supply_point_id
      LIMIT $2`,
    [likePrefix(prefix), limit],
  );
  return rows;
}

/** Points whose current customer's normalised kana name starts with `kanaKeyPrefix` (normalizeKana'd). */
export async function searchByCustomerKana(q: Queryable, schema: string, family: SearchFamily, kanaKeyPrefix: string, limit: number): Promise<SearchRow[]> {
  const s = ident(schema);
  const { rows } = await q.query<SearchRow>(
    `SELECT ${columnsOf(s)} FROM ${s}.customer c
       JOIN ${s}.supply_point sp ON sp.customer_id = c.customer_id
      WHERE c.name_kana_key LIKE $1 AND ${familyCondition[family]}
      ORDER BY c.name_kana_key, sp.supply_point_id
      LIMIT $2`,
    [likePrefix(kanaKeyPrefix), limit],
  );
  return rows;
}
