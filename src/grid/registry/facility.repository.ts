/**
 * Reading the supply point registry of one area. Every function takes the caller's `Queryable` (the
 * database or an open transaction) and the area's schema (`gridSchema(area)`).
 */
import type { ContractTypeCode, MeterKindCode, SupplyPointStatusCode, VoltageClassCode } from '../../domain/codes.ts';
import type { IsoDate } from '../../domain/date.ts';
import type { SupplyPointId } from '../../domain/supply-point-id.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import type { Facility, Meter, UsageProfileKind } from './facility.ts';

interface FacilityRow {
  supply_point_id: string;
  status: SupplyPointStatusCode;
  voltage_class: VoltageClassCode;
  fit_receiving: boolean;
  contract_type: ContractTypeCode | null;
  wheeling_menu: string;
  contract_ampere: number | null;
  /** numeric: text from the driver, a number from row_to_json. */
  contract_kw: string | number | null;
  service_pole_number: string | null;
  reading_group: number;
  prefecture: string;
  city: string;
  street: string;
  building: string | null;
  retailer_code: string | null;
  customer_id: number | null;
  tenure_since: string | null;
  usage_profile: UsageProfileKind;
  usage_daily_wh: number;
  usage_seed: number;
  c_name_kanji: string | null;
  c_name_kana: string | null;
  c_phone: string | null;
  c_prefecture: string | null;
  c_city: string | null;
  c_street: string | null;
  c_building: string | null;
  meters: { meterNumber: string; kind: MeterKindCode; installedOn: string; autoReadingUnavailable: boolean }[];
}

/**
 * One round trip: the point, its customer and its meters in service (as a JSON array, in meter
 * number order; a meter removed by meter work is not the point's any more).
 * Both look-ups go by primary key or by the meter's supply point index.
 *
 * With `readingDays`, also the days of the published reading calendar (reading_calendar, by its
 * primary key) of the point's schedule number between `$2` and `$3`: the voltage of the calendar
 * is the point's as `scheduleVoltageOf` says (LV reads as LV, anything else as HV).
 */
function facilitySql(schema: string, options: { many?: 'read' | 'lock'; readingDays?: boolean } = {}): string {
  const s = ident(schema);
  const { many, readingDays } = options;
  const readingDaysColumn = readingDays
    ? `,
           COALESCE((SELECT json_agg(to_char(rc.reading_day, 'YYYY-MM-DD') ORDER BY rc.reading_day)
                       FROM ${s}.reading_calendar rc
                      WHERE rc.voltage = CASE sp.voltage_class WHEN 'LV' THEN 'LV' ELSE 'HV' END
                        AND rc.reading_group = sp.reading_group AND rc.reading_day BETWEEN $2::date AND $3::date), '[]') AS reading_days`
    : '';
  return `
    SELECT sp.supply_point_id, sp.status, sp.voltage_class, sp.fit_receiving, sp.contract_type,
           sp.wheeling_menu, sp.contract_ampere, sp.contract_kw, sp.service_pole_number,
           sp.reading_group, sp.prefecture, sp.city, sp.street, sp.building, sp.retailer_code,
           sp.customer_id, sp.tenure_since, sp.usage_profile, sp.usage_daily_wh, sp.usage_seed,
           c.name_kanji AS c_name_kanji, c.name_kana AS c_name_kana, c.phone AS c_phone,
           c.prefecture AS c_prefecture, c.city AS c_city, c.street AS c_street, c.building AS c_building,
           COALESCE((SELECT json_agg(json_build_object('meterNumber', m.meter_number, 'kind', m.kind,
                                                       'installedOn', m.installed_on,
                                                       'autoReadingUnavailable', COALESCE(m.auto_reading_unavailable, m.kind = 'conventional'))
                                     ORDER BY m.meter_number)
                       FROM ${s}.meter m WHERE m.supply_point_id = sp.supply_point_id AND m.removed_on IS NULL), '[]') AS meters${readingDaysColumn}
      FROM ${s}.supply_point sp
      LEFT JOIN ${s}.customer c ON c.customer_id = sp.customer_id
     WHERE ${many ? 'sp.supply_point_id = ANY($1::text[])' : 'sp.supply_point_id = $1'}${many === 'lock' ? ' ORDER BY sp.supply_point_id FOR UPDATE OF sp' : ''}`;
}

/**
 * One point's row as a single JSON column, keyed by the column names: the driver then reads one
 * field with one JSON.parse instead of setting up a parser for each of some thirty columns on
 * every call (the larger part of a look-up's client time). The values are those the columns give
 * (numbers, booleans, "YYYY-MM-DD" dates, the numeric contract_kw as a number `toFacility` reads alike).
 */
function asOneJsonColumn(sql: string): string {
  return `SELECT row_to_json(f) AS facility FROM (${sql}) f`;
}

/** The facility record of a supply point, or undefined when the area has no such point. */
export async function findFacility(q: Queryable, schema: string, supplyPointId: string): Promise<Facility | undefined> {
  // Prepared per schema: planning this join costs several times its execution (bench/lookup.bench.ts).
  const { rows } = await q.query<{ facility: FacilityRow }>(asOneJsonColumn(facilitySql(schema)), [supplyPointId], { name: `find_facility_${schema}` });
  const row = rows[0]?.facility;
  return row ? toFacility(row) : undefined;
}

/**
 * The facility record of a supply point with the days its schedule number reads on by the
 * published calendar from `from` to `to` (in date order; the area's rule gives the other days),
 * in the same round trip; undefined when the area has no such point.
 */
export async function findFacilityWithReadingDays(
  q: Queryable,
  schema: string,
  supplyPointId: string,
  window: { readonly from: IsoDate; readonly to: IsoDate },
): Promise<{ facility: Facility; readingDays: IsoDate[] } | undefined> {
  const { rows } = await q.query<{ facility: FacilityRow & { reading_days: IsoDate[] } }>(
    asOneJsonColumn(facilitySql(schema, { readingDays: true })),
    [supplyPointId, window.from, window.to],
    { name: `find_facility_reading_days_${schema}` },
  );
  const row = rows[0]?.facility;
  return row ? { facility: toFacility(row), readingDays: row.reading_days } : undefined;
}

/**
 * The facility records of several supply points in one round trip, by ID (absent: no such point);
 * with `lock`, the points locked for update in the order of their IDs (the rows are locked after
 * the sort), so two callers locking overlapping sets never wait on each other in a cycle.
 */
export async function findFacilities(
  q: Queryable,
  schema: string,
  supplyPointIds: readonly string[],
  options: { lock?: boolean } = {},
): Promise<Map<string, Facility>> {
  if (supplyPointIds.length === 0) return new Map();
  const mode = options.lock ? 'lock' : 'read';
  const { rows } = await q.query<FacilityRow>(facilitySql(schema, { many: mode }), [supplyPointIds], { name: `find_facilities_${mode}_${schema}` });
  return new Map(rows.map((row) => [row.supply_point_id, toFacility(row)]));
}

/** Whether the registry of one area has any supply point (cheap at any size, unlike a count). */
export async function hasSupplyPoints(q: Queryable, schema: string): Promise<boolean> {
  const { rows } = await q.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${ident(schema)}.supply_point) AS any`);
  return rows[0]?.any ?? false;
}

/** Supply points in the registry of one area. */
export async function countSupplyPoints(q: Queryable, schema: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${ident(schema)}.supply_point`);
  return rows[0]?.n ?? 0;
}

export interface CustomerMatch {
  readonly supplyPointId: SupplyPointId;
  readonly nameKanji: string;
  readonly nameKana: string;
  readonly prefecture: string;
  readonly city: string;
  readonly street: string;
  readonly building: string | null;
}

/**
 * Supply points whose current customer's normalised kana name starts with `kanaKeyPrefix` (already
 * normalised with `normalizeKana`), in kana order. Uses the text_pattern_ops index on the key.
 */
export async function findByCustomerKana(q: Queryable, schema: string, kanaKeyPrefix: string, limit: number): Promise<CustomerMatch[]> {
  const s = ident(schema);
  const pattern = `${kanaKeyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await q.query<CustomerMatch>(
    `SELECT sp.supply_point_id AS "supplyPointId", c.name_kanji AS "nameKanji", c.name_kana AS "nameKana",
            sp.prefecture, sp.city, sp.street, sp.building
       FROM ${s}.customer c
       JOIN ${s}.supply_point sp ON sp.customer_id = c.customer_id
      WHERE c.name_kana_key LIKE $1
      ORDER BY c.name_kana_key, sp.supply_point_id
      LIMIT $2`,
    [pattern, limit],
  );
  return rows;
}

function toFacility(row: FacilityRow): Facility {
  const meters: Meter[] = row.meters.map((m) => ({
    meterNumber: m.meterNumber,
    kind: m.kind,
    installedOn: m.installedOn as IsoDate,
    autoReadingUnavailable: m.autoReadingUnavailable,
  }));
  return {
    supplyPointId: row.supply_point_id as SupplyPointId,
    status: row.status,
    voltageClass: row.voltage_class,
    fitReceiving: row.fit_receiving,
    contractType: row.contract_type,
    wheelingMenu: row.wheeling_menu,
    contractAmpere: row.contract_ampere,
    contractKw: row.contract_kw === null ? null : Number(row.contract_kw),
    servicePoleNumber: row.service_pole_number,
    readingGroup: row.reading_group,
    address: { prefecture: row.prefecture, city: row.city, street: row.street, building: row.building },
    retailerCode: row.retailer_code,
    customer:
      row.customer_id === null
        ? null
        : {
            customerId: row.customer_id,
            nameKanji: row.c_name_kanji as string,
            nameKana: row.c_name_kana as string,
            phone: row.c_phone,
            address: {
              prefecture: row.c_prefecture as string,
              city: row.c_city as string,
              street: row.c_street as string,
              building: row.c_building,
            },
          },
    tenureSince: row.tenure_since as IsoDate | null,
    usageProfile: { kind: row.usage_profile, dailyWh: row.usage_daily_wh, seed: row.usage_seed },
    meters,
  };
}
