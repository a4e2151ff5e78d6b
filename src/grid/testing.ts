/**
 * Test factories for the reference grid: a migrated database for some areas and supply points
 * built to order, each with the customer, meter and tenure a test needs (overrides on top of
 * sensible defaults), instead of searching a random registry for a point that happens to fit.
 */
import type { AreaCode } from '../domain/area.ts';
import type { IsoDate } from '../domain/date.ts';
import { normalizeKana } from '../domain/kana.ts';
import { readingRuleOf } from '../domain/reading-day.ts';
import { participantCodeFor } from '../domain/participant-code.ts';
import type { SupplyPointId } from '../domain/supply-point-id.ts';
import type { InterfaceRequest } from '../interfaces/message.ts';
import { ManualClock } from '../platform/clock.ts';
import { ident, type Queryable } from '../platform/db/db.ts';
import { gridSchema } from './schema.ts';

/** A Wednesday, 10:00 in Japan: the next business day is the day after. */
export const testStart = '2026-11-25T10:00:00+09:00';

export function testGridClock(start: string = testStart): ManualClock {
  return new ManualClock(start);
}

export type PointKind = 'lvSmart' | 'lvConventional' | 'hv' | 'ehv' | 'fit' | 'vacant';

export interface TestCustomer {
  readonly nameKanji: string;
  readonly nameKana: string;
  readonly phone: string | null;
  readonly prefecture: string;
  readonly city: string;
  readonly street: string;
  readonly building: string | null;
}

export interface PointSpec {
  readonly area?: AreaCode;
  readonly kind?: PointKind;
  readonly customer?: Partial<TestCustomer>;
  readonly retailerCode?: string;
  /** Default 2015-04-01: the whole 13 months belong to the current customer. */
  readonly tenureSince?: IsoDate;
  /** Default: the area's fifth schedule number (Tokyo 08, Kansai 05). */
  readonly readingGroup?: number;
  readonly meterInstalledOn?: IsoDate;
  /** A vacant point's state: `discontinued` (default), `discontinuedLit` or `removed`. */
  readonly vacantStatus?: 'discontinued' | 'discontinuedLit' | 'removed';
  /** 自動検針不可 on the meter; default: as its kind says (a smart meter can be read remotely). */
  readonly autoReadingUnavailable?: boolean;
}

export interface TestPoint {
  readonly supplyPointId: SupplyPointId;
  readonly area: AreaCode;
  readonly customer: TestCustomer | null;
  readonly customerId: number | null;
}

export const defaultCustomer: TestCustomer = {
  nameKanji: '山田　花子',
  nameKana: 'ヤマダ　ハナコ',
  phone: '090-1234-5678',
  prefecture: '東京都',
  city: '千代田区',
  street: '本町2丁目14番3号',
  building: 'コーポ本町 203号室',
};

let serial = 0;

/** Inserts a supply point (with customer and meter, as its kind has them) into an area's registry. */
export async function givenSupplyPoint(q: Queryable, spec: PointSpec = {}): Promise<TestPoint> {
  const area = spec.area ?? '03';
  const kind = spec.kind ?? 'lvSmart';
  const s = ident(gridSchema(area));
  serial++;
  const kindDigit = kind === 'hv' || kind === 'ehv' ? '2' : kind === 'fit' ? '3' : '1';
  const supplyPointId = `${area}1301${String(serial).padStart(14, '0')}${kindDigit}0` as SupplyPointId;
  const occupied = kind !== 'vacant';
  const customer = occupied ? { ...defaultCustomer, ...spec.customer } : null;
  let customerId: number | null = null;
  if (customer) {
    const { rows } = await q.query<{ id: number }>(
      `INSERT INTO ${s}.customer (name_kanji, name_kana, name_kana_key, phone, prefecture, city, street, building)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING customer_id AS id`,
      [
        customer.nameKanji,
        customer.nameKana,
        normalizeKana(customer.nameKana),
        customer.phone,
        customer.prefecture,
        customer.city,
        customer.street,
        customer.building,
      ],
    );
    customerId = rows[0]!.id;
  }
  const contract = {
    lvSmart: { voltage: 'LV', type: 'lighting', menu: '低圧電灯標準接続送電サービス', ampere: 30, kw: null, profile: 'household', wh: 10_000 },
    lvConventional: { voltage: 'LV', type: 'lighting', menu: '低圧電灯標準接続送電サービス', ampere: 40, kw: null, profile: 'household', wh: 9_000 },
    vacant: { voltage: 'LV', type: 'lighting', menu: '低圧電灯標準接続送電サービス', ampere: 30, kw: null, profile: 'household', wh: 8_000 },
    hv: { voltage: 'HV', type: 'highVoltage', menu: '高圧標準接続送電サービス', ampere: null, kw: 150, profile: 'office', wh: 900_000 },
    ehv: { voltage: 'EHV', type: 'highVoltage', menu: '特別高圧標準接続送電サービス', ampere: null, kw: 3_000, profile: 'factory', wh: 20_000_000 },
    fit: { voltage: 'LV', type: null, menu: '低圧発電量調整受電サービス', ampere: null, kw: null, profile: 'solar', wh: 15_000 },
  }[kind];
  await q.query(
    `INSERT INTO ${s}.supply_point (supply_point_id, status, voltage_class, fit_receiving, contract_type, wheeling_menu,
        contract_ampere, contract_kw, service_pole_number, reading_group, prefecture, city, street, building,
        retailer_code, customer_id, tenure_since, usage_profile, usage_daily_wh, usage_seed)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '本町幹12支3', $9, '東京都', '千代田区', '本町2丁目14番3号', NULL, $10, $11, $12, $13, $14, $15)`,
    [
      supplyPointId,
      occupied ? 'contracted' : (spec.vacantStatus ?? 'discontinued'),
      contract.voltage,
      kind === 'fit',
      contract.type,
      contract.menu,
      contract.ampere,
      contract.kw,
      spec.readingGroup ?? readingRuleOf(area, contract.voltage === 'LV' ? 'LV' : 'HV').numbers[4],
      occupied ? (spec.retailerCode ?? participantCodeFor(`10${area}`, area)) : null,
      customerId,
      occupied ? (spec.tenureSince ?? '2015-04-01') : null,
      contract.profile,
      contract.wh,
      serial,
    ],
  );
  if (occupied) {
    await q.query(`INSERT INTO ${s}.supply_period (supply_point_id, retailer_code, customer_id, from_date) VALUES ($1, $2, $3, $4)`, [
      supplyPointId,
      spec.retailerCode ?? participantCodeFor(`10${area}`, area),
      customerId,
      spec.tenureSince ?? '2015-04-01',
    ]);
  }
  const meterKind = kind === 'lvConventional' ? 'conventional' : 'smart';
  await q.query(`INSERT INTO ${s}.meter (meter_number, supply_point_id, kind, installed_on, auto_reading_unavailable) VALUES ($1, $2, $3, $4, $5)`, [
    `${meterKind === 'smart' ? '1' : '5'}${String(serial).padStart(9, '0')}`,
    supplyPointId,
    meterKind,
    spec.meterInstalledOn ?? '2019-06-01',
    spec.autoReadingUnavailable ?? null,
  ]);
  return { supplyPointId, area, customer, customerId };
}

let requestSerial = 0;

/** An interface request from a retailer (default the Tokyo incumbent 10033), with a fresh request ID. */
export function gridRequest(interfaceId: string, body: Record<string, unknown>, participantCode = '10033'): InterfaceRequest {
  return { interfaceId, participantCode, requestId: `test-${++requestSerial}`, body };
}
