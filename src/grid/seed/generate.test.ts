import { test } from 'node:test';
import assert from 'node:assert/strict';
import { areaCodes } from '../../domain/area.ts';
import { normalizeKana } from '../../domain/kana.ts';
import { parseParticipantCode } from '../../domain/participant-code.ts';
import { isSupplyPointId } from '../../domain/supply-point-id.ts';
import { areaGenerator, customerColumns, meterColumns, supplyPointColumns } from './generate.ts';
import * as names from './names.ts';
import * as places from './places.ts';
import { demoRetailers } from './retailers.ts';

function rows(text: string, columns: readonly string[]): Record<string, string | null>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const values = line.split('\t');
      assert.equal(values.length, columns.length, line);
      return Object.fromEntries(columns.map((c, i) => [c, values[i] === '\\N' ? null : (values[i] as string)]));
    });
}

const tokyo = areaGenerator('03', 1)(20_000);
const points = rows(tokyo.supplyPoints, supplyPointColumns);
const share = (predicate: (p: Record<string, string | null>) => boolean) => points.filter(predicate).length / points.length;

test('the same area and seed give the same rows; another seed gives other rows', () => {
  assert.deepEqual(areaGenerator('06', 7)(300), areaGenerator('06', 7)(300));
  assert.notEqual(areaGenerator('06', 8)(300).customers, areaGenerator('06', 7)(300).customers);
});

test('a longer run extends a shorter one: its first points are the same', () => {
  const short = areaGenerator('09', 3)(100).supplyPoints;
  assert.ok(areaGenerator('09', 3)(250).supplyPoints.startsWith(short));
});

test('supply point IDs are 22 digits of the area, unique, with the kind digit of the point', () => {
  const ids = new Set(points.map((p) => p.supply_point_id));
  assert.equal(ids.size, points.length);
  for (const p of points) {
    const id = p.supply_point_id as string;
    assert.ok(isSupplyPointId(id) && id.startsWith('03'), id);
    const kind = p.voltage_class === 'HV' ? '2' : p.fit_receiving === 't' ? '3' : '1';
    assert.equal(id.slice(20), `${kind}0`);
  }
});

test('the mix of points is close to the real market', () => {
  assert.ok(Math.abs(share((p) => p.voltage_class === 'HV') - 0.01) < 0.004);
  assert.ok(Math.abs(share((p) => p.fit_receiving === 't') - 0.02) < 0.005);
  assert.ok(Math.abs(share((p) => p.status === 'discontinued' || p.status === 'discontinuedLit') - 0.03) < 0.006);
  assert.ok(Math.abs(share((p) => p.retailer_code === '10033') / share((p) => p.retailer_code !== null) - 0.8) < 0.03);
  const meters = rows(tokyo.meters, meterColumns);
  const smart = meters.filter((m) => m.kind === 'smart').length / meters.length;
  assert.ok(smart > 0.94 && smart < 0.99, `smart ${smart}`);
});

test('vacant points have no retailer and no customer; contracted ones have both', () => {
  for (const p of points) {
    const contracted = p.status === 'contracted';
    assert.equal(p.retailer_code !== null, contracted);
    assert.equal(p.customer_id !== null, contracted);
    assert.equal(p.tenure_since !== null, contracted);
  }
});

test('every retailer code is a demo retailer of the area', () => {
  const codes = new Set(demoRetailers.filter((r) => r.areas.includes('03')).map((r) => `${r.companyCode}3`));
  for (const p of points) {
    const code = p.retailer_code;
    if (code == null) continue;
    assert.ok(codes.has(code), code);
    assert.equal(parseParticipantCode(code).area.code, '03');
  }
});

test('customers carry the normalised key of their kana name', () => {
  for (const c of rows(tokyo.customers, customerColumns).slice(0, 2_000)) {
    assert.equal(c.name_kana_key, normalizeKana(c.name_kana as string));
  }
});

test('every area has places, and no word of the vocabularies needs escaping in COPY text', () => {
  for (const area of areaCodes) assert.ok(places.prefecturesByArea[area].length > 0);
  const words = JSON.stringify([names, places, demoRetailers]);
  assert.doesNotMatch(words, /\\[tnr\\]/);
  for (const town of places.towns) assert.ok(names.townKana[town], town);
});
