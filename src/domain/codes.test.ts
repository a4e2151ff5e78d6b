import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applicationKinds,
  codesOf,
  isApplicationKindCode,
  isContractTypeCode,
  isMeterKindCode,
  isRelayDecisionCode,
  isRelayNgReasonCode,
  isRelayStatusCode,
  isServiceClassCode,
  isStageCode,
  isSupplyPointStatusCode,
  isUpdateFlagCode,
  isVoltageClassCode,
  parseCode,
  relayNgReasons,
  serviceClasses,
  stageOutcomes,
  stages,
  updateFlags,
} from './codes.ts';

test('the public code values have their Japanese names', () => {
  assert.equal(serviceClasses['015'], '低圧');
  assert.equal(serviceClasses['017'], '発電（低圧FIT）');
  assert.equal(applicationKinds['05'], 'スイッチング開始');
  assert.equal(applicationKinds['03'], 'スイッチング廃止');
  assert.equal(applicationKinds['17'], '発電者情報変更');
  assert.equal(updateFlags['3'], '取消');
  assert.equal(relayNgReasons['02'], '契約番号不一致');
  assert.equal(stages['05'], 'マッチング完了');
});

test('application kinds are 01–08 and the FIT kinds 12–17, nothing between', () => {
  assert.deepEqual(codesOf(applicationKinds), ['01', '02', '03', '04', '05', '06', '07', '08', '12', '13', '14', '15', '16', '17']);
  assert.equal(isApplicationKindCode('09'), false);
  assert.equal(isApplicationKindCode('11'), false);
});

test('lists codes in code order, though JavaScript puts keys such as "12" before "01"', () => {
  assert.deepEqual(Object.keys(stages).slice(0, 1), ['10']);
  assert.deepEqual(codesOf(stages), ['01', '02', '03', '04', '05', '06', '08', '09', '10']);
});

test('NG reasons are exactly 01–09', () => {
  assert.deepEqual(codesOf(relayNgReasons), ['01', '02', '03', '04', '05', '06', '07', '08', '09']);
});

test('every stage is in progress, matched, complete or refused as the interfaces say', () => {
  assert.deepEqual(Object.keys(stageOutcomes).sort(), Object.keys(stages).sort());
  for (const c of ['01', '02', '03', '04', '10'] as const) assert.equal(stageOutcomes[c], 'inProgress');
  assert.equal(stageOutcomes['05'], 'matched');
  assert.equal(stageOutcomes['06'], 'complete');
  assert.equal(stageOutcomes['08'], 'complete');
  assert.equal(stageOutcomes['09'], 'refused');
  assert.equal(isStageCode('07'), false);
});

test('each check accepts its own codes and refuses others', () => {
  const cases: [(v: unknown) => boolean, string, string][] = [
    [isServiceClassCode, '016', '15'],
    [isUpdateFlagCode, '2', '02'],
    [isRelayStatusCode, '01', '1'],
    [isRelayDecisionCode, '02', '03'],
    [isRelayNgReasonCode, '09', '10'],
    [isContractTypeCode, 'lighting', '電灯'],
    [isSupplyPointStatusCode, 'discontinuedLit', 'Contracted'],
    [isMeterKindCode, 'smart', 'analog'],
    [isVoltageClassCode, 'EHV', 'lv'],
  ];
  for (const [check, good, bad] of cases) {
    assert.equal(check(good), true, good);
    assert.equal(check(bad), false, bad);
  }
});

test('property names inherited from Object are never codes', () => {
  for (const v of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
    assert.equal(isContractTypeCode(v), false, v);
  }
  assert.equal(isStageCode(5), false);
  assert.equal(isStageCode(undefined), false);
});

test('parses a code typed with full-width digits and spaces around it', () => {
  assert.equal(parseCode(applicationKinds, ' ０５ ', 'applicationKind'), '05');
});

test('refuses an unknown code, naming the field and the value', () => {
  assert.throws(() => parseCode(applicationKinds, '09', 'applicationKind'), {
    code: 'CODE_UNKNOWN',
    field: 'applicationKind',
    text: 'applicationKindの値「09」はコード表にありません。',
  });
  assert.throws(() => parseCode(updateFlags, 'toString', 'updateFlag'), { code: 'CODE_UNKNOWN' });
});

test("refuses with the caller's own message code when one is given", () => {
  assert.throws(() => parseCode(serviceClasses, '999', 'serviceClass', 'DATE_FORMAT'), { code: 'DATE_FORMAT' });
});
