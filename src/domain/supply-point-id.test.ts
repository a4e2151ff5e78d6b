import { test } from 'node:test';
import assert from 'node:assert/strict';
import { areaOfSupplyPoint, isSupplyPointId, parseSupplyPointId } from './supply-point-id.ts';

const tokyo = '0300111122223333444455';

test('accepts a 22-digit ID whose first two digits are an area', () => {
  assert.equal(parseSupplyPointId(tokyo), tokyo);
  assert.equal(parseSupplyPointId('1000000000000000000001'), '1000000000000000000001');
});

test('accepts IDs typed with full-width digits, spaces, full-width spaces and hyphens', () => {
  assert.equal(parseSupplyPointId('０３００１１１１２２２２３３３３４４４４５５'), tokyo);
  assert.equal(parseSupplyPointId(' 03 0011 1122 2233 3344 4455 '), tokyo);
  assert.equal(parseSupplyPointId('03\u30000011\u30001122223333444455'), tokyo);
  assert.equal(parseSupplyPointId('03-0011-1122-2233-3344-4455'), tokyo);
  assert.equal(parseSupplyPointId('03－0011‐1122−2233ー3344ｰ4455'), tokyo);
});

test('refuses empty input, or input of only separators, as required', () => {
  assert.throws(() => parseSupplyPointId(''), { code: 'SPID_REQUIRED', field: 'supplyPointId' });
  assert.throws(() => parseSupplyPointId(' 　- '), { code: 'SPID_REQUIRED' });
});

test('refuses letters and other symbols as not digits', () => {
  assert.throws(() => parseSupplyPointId('03001111222233334444AB'), { code: 'SPID_NOT_DIGITS' });
  assert.throws(() => parseSupplyPointId('0300.111122223333444455'), { code: 'SPID_NOT_DIGITS' });
});

test('refuses a wrong length and says how many digits were typed', () => {
  assert.throws(() => parseSupplyPointId('030011112222333344445'), {
    code: 'SPID_LENGTH',
    text: '供給地点特定番号は22桁で入力してください（入力された桁数: 21桁）。',
  });
  assert.throws(() => parseSupplyPointId(`${tokyo}6`), { code: 'SPID_LENGTH' });
});

test('refuses an ID whose first two digits are no area, naming the code', () => {
  assert.throws(
    () => parseSupplyPointId('1100111122223333444455'),
    (e: unknown) => {
      assert.equal((e as { code: string }).code, 'SPID_UNKNOWN_AREA');
      assert.match((e as { text: string }).text, /エリアコード 11/);
      return true;
    },
  );
  assert.throws(() => parseSupplyPointId('0000111122223333444455'), { code: 'SPID_UNKNOWN_AREA' });
});

test('names the refused field as the caller asks', () => {
  assert.throws(() => parseSupplyPointId('', 'receivingPointId'), { field: 'receivingPointId' });
});

test('recognises only canonical IDs without parsing', () => {
  assert.equal(isSupplyPointId(tokyo), true);
  assert.equal(isSupplyPointId('03 0011 1122 2233 3344 4455'), false);
  assert.equal(isSupplyPointId(`１${tokyo.slice(1)}`), false);
  assert.equal(isSupplyPointId('1100111122223333444455'), false);
  assert.equal(isSupplyPointId(tokyo.slice(1)), false);
});

test('finds the area from the first two digits', () => {
  assert.equal(areaOfSupplyPoint(parseSupplyPointId(tokyo)).name, '東京');
  assert.equal(areaOfSupplyPoint(parseSupplyPointId('1000000000000000000001')).key, 'okinawa');
});
