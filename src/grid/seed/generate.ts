/**
 * Generates the synthetic registry of one area as COPY text, a chunk of points at a time, so that a
 * million points stream through a few megabytes of memory.
 *
 * Deterministic: one PRNG stream per area, seeded from (seed, area), draws every field of every
 * point in order. The same seed therefore gives the same rows, and a larger point count extends the
 * same list (its first points are those of the smaller one).
 *
 * Supply point IDs (ours; real operators each have their own layout, SYSTEM.md §5), 22 digits:
 *
 *   AA PP CC NNNNNNNNNNNNNN K 0
 *   AA  area code                     PP  JIS X 0401 prefecture code
 *   CC  city within the prefecture    N…  serial number of the point in the area (14 digits)
 *   K   1 LV demand, 2 HV demand, 3 LV FIT receiving point (cf. Kansai's contract-type digit)
 *   0   branch number (one contract at the place)
 *
 * The serial alone is unique within the area, so the ID is. Meter numbers are 10 digits: 1 for a
 * smart meter, 5 for a conventional one, then the point's serial (9 digits); customer IDs are the
 * serial too, so every key grows with the serial and indexes are filled in order.
 */
import type { AreaCode } from '../../domain/area.ts';
import { participantCodeFor } from '../../domain/participant-code.ts';
import { syntheticReadingGroupOf } from '../../domain/reading-day.ts';
import { draw, intBetween, mix32, mulberry32, pick, weighted } from '../registry/random.ts';
import { contractDrawer, pointClassOf, seedReferenceDate, smartShare } from './contracts.ts';
import { customerLine, makeCustomer, type PlaceKind } from './customers.ts';
import { surnames } from './names.ts';
import { apartmentPrefixes, officeBuildingSuffixes, prefecturesByArea, towns, type Place } from './places.ts';

export type { Place };
import { demoRetailersIn } from './retailers.ts';

export const customerColumns = ['customer_id', 'name_kanji', 'name_kana', 'name_kana_key', 'phone', 'prefecture', 'city', 'street', 'building'] as const;
export const supplyPointColumns = [
  'supply_point_id',
  'status',
  'voltage_class',
  'fit_receiving',
  'contract_type',
  'wheeling_menu',
  'contract_ampere',
  'contract_kw',
  'service_pole_number',
  'reading_group',
  'prefecture',
  'city',
  'street',
  'building',
  'retailer_code',
  'customer_id',
  'tenure_since',
  'usage_profile',
  'usage_daily_wh',
  'usage_seed',
] as const;
export const meterColumns = ['meter_number', 'supply_point_id', 'kind', 'installed_on'] as const;

/** COPY text of some points: lines for each table, in the order they must be loaded. */
export interface GeneratedChunk {
  readonly points: number;
  readonly customers: string;
  readonly supplyPoints: string;
  readonly meters: string;
}

const dayMs = 86_400_000;
const referenceMs = Date.parse(`${seedReferenceDate}T00:00:00Z`);
/** Meters are re-certified every 10 years (計量法 検定有効期間), so every meter in service is younger. */
const meterAgeDays = 3652;

/** Formatting a Date costs more than the rest of a row, and only ~15,000 distinct days occur: cache them. */
const isoDays: string[] = [];

function isoDaysBefore(days: number): string {
  const d = Math.floor(days);
  return (isoDays[d] ??= new Date(referenceMs - d * dayMs).toISOString().slice(0, 10));
}

/** The COPY text for null. */
const N = '\\N';

/** A generator of the area's points, from serial 1 on. Call it with how many points to generate next. */
export function areaGenerator(area: AreaCode, seed: number): (count: number) => GeneratedChunk {
  const random = mulberry32(mix32(mix32(seed % 4_294_967_296) ^ mix32(Math.floor(seed / 4_294_967_296) + Number(area) * 7919)));
  const prefectures = weighted(prefecturesByArea[area].map((p) => [p, p.weight] as const));
  const retailers = demoRetailersIn(area);
  const lvRetailers = weighted(retailers.map((r) => [participantCodeFor(r.companyCode, area), r.lvShare] as const));
  const hvRetailers = weighted(retailers.map((r) => [participantCodeFor(r.companyCode, area), r.hvShare] as const));
  const contractOf = contractDrawer(area, random);
  const smart = smartShare(area);
  let serial = 0;

  function place(kind: PlaceKind): Place {
    const prefecture = draw(random, prefectures);
    const cityIndex = Math.floor(random() * prefecture.cities.length);
    const town = pick(random, towns);
    const street = `${town}${intBetween(random, 1, 5)}丁目${intBetween(random, 1, 30)}番${intBetween(random, 1, 25)}号`;
    let building: string | null = null;
    const u = random();
    if (kind === 'person' && u < 0.35) {
      building = `${pick(random, apartmentPrefixes)}${town} ${intBetween(random, 1, 8)}0${intBetween(random, 1, 9)}号室`;
    } else if (kind === 'business' && u < 0.4) {
      building = `${pick(random, surnames)[0]}${pick(random, officeBuildingSuffixes)} ${intBetween(random, 1, 9)}階`;
    }
    return { prefecture, cityIndex, town, street, building };
  }

  function point(customers: string[], supplyPoints: string[], meters: string[]): void {
    serial++;
    const pointClass = pointClassOf(random());
    const contract = contractOf(pointClass);
    const { holder } = contract;
    const where = place(holder === 'person' ? 'person' : 'business');
    const kindDigit = pointClass === 'highVoltage' ? '2' : pointClass === 'fitReceiving' ? '3' : '1';
    const id = `${area}${String(where.prefecture.jis).padStart(2, '0')}${String(where.cityIndex + 1).padStart(2, '0')}${String(serial).padStart(14, '0')}${kindDigit}0`;
    const city = where.prefecture.cities[where.cityIndex] as string;

    let meterKind: string | null = null;
    if (contract.metered) {
      meterKind = contract.voltageClass === 'HV' || random() < smart ? 'smart' : 'conventional';
      meters.push(
        `${meterKind === 'smart' ? '1' : '5'}${String(serial).padStart(9, '0')}\t${id}\t${meterKind}\t${isoDaysBefore(1 + random() * (meterAgeDays - 1))}\n`,
      );
    }

    const occupied = pointClass !== 'removed' && pointClass !== 'vacant';
    // A vacant point with a smart meter is left lit remotely half the time, ready for a move-in.
    const status = occupied
      ? 'contracted'
      : pointClass === 'removed'
        ? 'removed'
        : meterKind === 'smart' && random() < 0.5
          ? 'discontinuedLit'
          : 'discontinued';
    let retailer = N;
    let customerId = N;
    let tenure = N;
    if (occupied) {
      retailer = draw(random, contract.voltageClass === 'HV' ? hvRetailers : lvRetailers);
      customerId = String(serial);
      // Households move every ~7 years on average, businesses stay ~12; capped at 40 years.
      const meanYears = holder === 'person' ? 7 : 12;
      tenure = isoDaysBefore(Math.min(40 * 365, -Math.log(1 - random()) * meanYears * 365));
      const customer = makeCustomer(random, holder, where, place);
      customers.push(customerLine(serial, customer));
    }
    // 5% are fed underground (無電柱化) and have no service pole.
    const pole = random() < 0.95 ? `${where.town}幹${intBetween(random, 1, 60)}支${intBetween(random, 1, 30)}` : N;
    const usageSeed = Math.floor(random() * 2_147_483_647); // a non-negative PostgreSQL integer
    const { voltageClass, contractType, menu, ampere, kw, profile, dailyKwh } = contract;
    supplyPoints.push(
      `${id}\t${status}\t${voltageClass}\t${pointClass === 'fitReceiving' ? 't' : 'f'}\t${contractType ?? N}\t${menu}\t${ampere ?? N}\t` +
        `${kw === null ? N : kw.toFixed(1)}\t${pole}\t${syntheticReadingGroupOf(id, area, contract.voltageClass === 'LV' ? 'LV' : 'HV')}\t${where.prefecture.name}\t${city}\t` +
        `${where.street}\t${where.building ?? N}\t${retailer}\t${customerId}\t${tenure}\t${profile}\t${Math.round(dailyKwh * 1000)}\t${usageSeed}\n`,
    );
  }

  return (count) => {
    const customers: string[] = [];
    const supplyPoints: string[] = [];
    const meters: string[] = [];
    for (let i = 0; i < count; i++) point(customers, supplyPoints, meters);
    return { points: count, customers: customers.join(''), supplyPoints: supplyPoints.join(''), meters: meters.join('') };
  };
}
