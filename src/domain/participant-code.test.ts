import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseParticipantCode, participantCodeFor } from './participant-code.ts';

test('splits a retailer code into company code and area', () => {
  const parsed = parseParticipantCode('10013');
  assert.equal(parsed.code, '10013');
  assert.equal(parsed.companyCode, '1001');
  assert.equal(parsed.area.name, '東京');
});

test('accepts letters as well as digits, though demo codes are numeric like real ones', () => {
  assert.equal(parseParticipantCode('K7773').companyCode, 'K777');
  assert.equal(parseParticipantCode('K7770').area.code, '10');
});

test('reads a final 0 as Okinawa, whose area code is 10', () => {
  assert.equal(parseParticipantCode('99990').area.code, '10');
  assert.equal(parseParticipantCode('99991').area.code, '01');
});

test('accepts full-width and lower-case input and returns the canonical code', () => {
  assert.equal(parseParticipantCode('１００１３').code, '10013');
  assert.equal(parseParticipantCode('ｋ７７７３').code, 'K7773');
  assert.equal(parseParticipantCode(' b12c6 ').code, 'B12C6');
});

test('refuses codes of the wrong length or with symbols as malformed', () => {
  for (const bad of ['', '1001', 'A00133', 'A-013', 'A0 13']) {
    assert.throws(() => parseParticipantCode(bad), { code: 'PCODE_FORMAT', field: 'participantCode' }, bad);
  }
});

test('refuses a code whose last character is not an area digit', () => {
  assert.throws(() => parseParticipantCode('A001X', 'oldRetailer'), {
    code: 'PCODE_UNKNOWN_AREA',
    field: 'oldRetailer',
    text: '事業者コード末尾のエリア番号 X に該当するエリアがありません。',
  });
});

test("builds a company's code for an area from the last digit of the area code", () => {
  assert.equal(participantCodeFor('1001', '03'), '10013');
  assert.equal(participantCodeFor('1001', '10'), '10010');
  assert.equal(participantCodeFor('k777', '10'), 'K7770');
  assert.equal(parseParticipantCode(participantCodeFor('K777', '06')).area.key, 'kansai');
});

test('refuses to build a code from a company code that is not 4 letters or digits', () => {
  assert.throws(() => participantCodeFor('A01', '03'), { code: 'PCODE_FORMAT', field: 'companyCode' });
  assert.throws(() => participantCodeFor('10011', '03'), { code: 'PCODE_FORMAT' });
});
