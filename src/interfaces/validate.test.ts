import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interfaceById } from './catalogue/catalogue.ts';
import { address, digits, group, list, string } from './catalogue/fields.ts';
import type { InterfaceDefinition } from './catalogue/types.ts';
import { exampleValues } from './examples.ts';
import type { ReceptionMessage } from './message.ts';
import { UndecodableText } from './undecodable.ts';
import { maxMessages, numberFromText, validateFields, validateRequest, validateResponseData } from './validate.ts';

const def = (id: string): InterfaceDefinition => interfaceById(id)!;
const switchIn = def('IF_10610');
const passwordApplication = def('IF_10210');
const decision = def('IS_20410');
const contractAmpere = switchIn.request.find((f) => f.id === 'contractAmpere')!;

const validSwitchIn = {
  requestId: 'req-1',
  updateFlag: '1',
  supplyPointId: '0300001234567890123456',
  customerNameKana: 'ヤマダ タロウ',
  customerName: '山田 太郎',
  currentRetailerCode: '10013',
};

function refusals(id: string, input: unknown): ReceptionMessage[] {
  const result = validateRequest(def(id), input);
  assert.equal(result.ok, false, 'expected a refusal');
  return result.ok ? [] : result.messages;
}

function codesByField(messages: readonly ReceptionMessage[]): Record<string, string> {
  return Object.fromEntries(messages.map((m) => [m.field ?? '', m.code]));
}

describe('validateRequest', () => {
  it('accepts a valid request and gives back only its defined fields, normalised', () => {
    const result = validateRequest(switchIn, validSwitchIn);
    assert.deepEqual(result, { ok: true, value: validSwitchIn });
  });

  it('normalises full-width and hyphenated input as people type it', () => {
    const result = validateRequest(switchIn, {
      ...validSwitchIn,
      updateFlag: '１',
      supplyPointId: '０３００－００１２ ３４５６ ７８９０ １２３４ ５６',
      customerNameKana: 'ﾔﾏﾀﾞ ﾀﾛｳ',
      currentRetailerCode: '１００１３',
      requestedDate: '２０１６／０４／０１',
      phoneNumber: '０３－１２３４－５６７８',
      contractAmpere: numberFromText(contractAmpere, '３０'),
    });
    assert.ok(result.ok);
    assert.equal(result.value.updateFlag, '1');
    assert.equal(result.value.supplyPointId, '0300001234567890123456');
    assert.equal(result.value.customerNameKana, 'ヤマダ タロウ');
    assert.equal(result.value.currentRetailerCode, '10013');
    assert.equal(result.value.requestedDate, '2016-04-01');
    assert.equal(result.value.phoneNumber, '0312345678');
    assert.equal(result.value.contractAmpere, 30);
  });

  it('keeps the characters of a kanji name (no NFKC on free text), only trimmed', () => {
    const result = validateRequest(switchIn, { ...validSwitchIn, customerName: '　髙﨑 神 ' });
    assert.ok(result.ok);
    assert.equal(result.value.customerName, '髙﨑 神');
  });

  it('refuses a missing required field with IF_REQUIRED, treating "" and null as missing', () => {
    const messages = refusals('IF_10610', { ...validSwitchIn, requestId: '', customerNameKana: null, supplyPointId: undefined });
    assert.deepEqual(codesByField(messages), {
      requestId: 'IF_REQUIRED',
      supplyPointId: 'IF_REQUIRED',
      customerNameKana: 'IF_REQUIRED',
    });
    assert.equal(messages.find((m) => m.field === 'customerNameKana')?.text, '需要者名（カナ）を入力してください。');
  });

  it('requires a field only when its condition holds (applicationNumber to correct or cancel)', () => {
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, updateFlag: '2' })), { applicationNumber: 'IF_REQUIRED' });
    const cancel = validateRequest(switchIn, { requestId: 'r', updateFlag: '3', applicationNumber: 'A1', supplyPointId: '0300001234567890123456' });
    assert.ok(cancel.ok, 'a cancellation needs no customer data');
    assert.deepEqual(codesByField(refusals('IS_20410', { requestId: 'r', relayNumber: 'R1', decision: '02', decidingPersonName: '佐藤', ngReason: '09' })), {
      ngText: 'IF_REQUIRED',
    });
    assert.ok(validateRequest(decision, { requestId: 'r', relayNumber: 'R1', decision: '01', decidingPersonName: '佐藤' }).ok);
  });

  it('requires one of several fields where any will do (identity data: phone or address)', () => {
    const base = { requestId: 'r', supplyPointId: '0300001234567890123456', customerNameKana: 'ヤマダ', consentDate: '2016-04-01' };
    const messages = refusals('IF_10210', base);
    assert.deepEqual(codesByField(messages), { phoneNumber: 'IF_ONE_OF_REQUIRED' });
    assert.equal(messages[0]?.text, '電話番号、住所のいずれかを入力してください。');
    assert.ok(validateRequest(passwordApplication, { ...base, phoneNumber: '0312345678' }).ok);
  });

  it('refuses a value longer than its maximum with IF_TOO_LONG, counting characters not bytes', () => {
    assert.ok(validateRequest(switchIn, { ...validSwitchIn, customerName: '髙'.repeat(60) }).ok);
    const messages = refusals('IF_10610', { ...validSwitchIn, customerName: '山'.repeat(61) });
    assert.deepEqual(messages, [
      { code: 'IF_TOO_LONG', field: 'customerName', text: '需要者名（漢字）は60文字以内で入力してください（入力された文字数: 61文字）。' },
    ]);
  });

  it('refuses letters in a digits field with IF_NOT_DIGITS and too few digits with IF_TOO_SHORT', () => {
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, phoneNumber: '03-1234-ABCD' })), { phoneNumber: 'IF_NOT_DIGITS' });
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, phoneNumber: '12345' })), { phoneNumber: 'IF_TOO_SHORT' });
  });

  it('refuses a value outside its code table with CODE_UNKNOWN', () => {
    const messages = refusals('IF_10610', { ...validSwitchIn, updateFlag: '4' });
    assert.deepEqual(messages, [{ code: 'CODE_UNKNOWN', field: 'updateFlag', text: '更新区分の値「4」はコード表にありません。' }]);
    assert.deepEqual(
      codesByField(
        refusals('IF_10510', { requestId: 'r', updateFlag: '1', supplyPointId: '0300001234567890123456', applicationKind: '05', requestedDate: '2016-04-01' }),
      ),
      {
        applicationKind: 'CODE_UNKNOWN',
      },
    );
  });

  it('refuses fields the interface does not have with IF_UNKNOWN_FIELD, including inherited names', () => {
    const input = JSON.parse('{"supplyPointId":"0300001234567890123456","password":"x","__proto__":{"polluted":1}}');
    const messages = refusals('IF_10110', input);
    assert.deepEqual(
      messages.map((m) => [m.field, m.code]),
      [
        ['password', 'IF_UNKNOWN_FIELD'],
        ['__proto__', 'IF_UNKNOWN_FIELD'],
      ],
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses a body or group that is not an object with IF_NOT_OBJECT', () => {
    for (const body of [null, [], 'text', 42]) {
      assert.deepEqual(
        refusals('IF_10110', body).map((m) => m.code),
        ['IF_NOT_OBJECT'],
        JSON.stringify(body),
      );
    }
    const messages = refusals('IF_10210', {
      requestId: 'r',
      supplyPointId: '0300001234567890123456',
      customerNameKana: 'ヤマダ',
      consentDate: '2016-04-01',
      address: '東京都千代田区',
    });
    assert.deepEqual(codesByField(messages), { address: 'IF_NOT_OBJECT' });
  });

  it('refuses a value of the wrong JSON type with IF_TYPE', () => {
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, updateFlag: 1, customerName: ['山田'] })), {
      updateFlag: 'IF_TYPE',
      customerName: 'IF_TYPE',
    });
  });

  it('refuses more repetitions than allowed with IF_TOO_MANY, without looking at each', () => {
    const usage = def('IF_10310');
    const month = { month: '2016-03', from: '2016-03-01', to: '2016-03-31', kWh: 250.5 };
    const result = validateResponseData(usage, { supplyPointId: '0300001234567890123456', monthlyUsage: Array.from({ length: 100_000 }, () => month) });
    assert.deepEqual(result, {
      ok: false,
      messages: [{ code: 'IF_TOO_MANY', field: 'monthlyUsage', text: '月別使用量は13件以内で指定してください（指定された件数: 100000件）。' }],
    });
  });

  it('refuses fewer repetitions than required with IF_TOO_FEW', () => {
    const fields = [digits('meterNumbers', '計器番号', 10, list(2, 5))];
    const result = validateFields(fields, { meterNumbers: ['1'] });
    assert.ok(!result.ok);
    assert.equal(result.messages[0]?.code, 'IF_TOO_FEW');
  });

  it('collects every refusal, each with the dotted path of its field', () => {
    const messages = refusals('IF_10210', {
      requestId: 'r',
      supplyPointId: '0300001234',
      customerNameKana: '山田',
      address: { prefecture: '東京都', city: '', street: 'x'.repeat(101), floor: '3' },
      consentDate: '2016-02-30',
      extra: true,
    });
    assert.deepEqual(codesByField(messages), {
      extra: 'IF_UNKNOWN_FIELD',
      supplyPointId: 'SPID_LENGTH',
      customerNameKana: 'IF_NOT_KANA',
      'address.floor': 'IF_UNKNOWN_FIELD',
      'address.street': 'IF_TOO_LONG',
      'address.city': 'IF_REQUIRED',
      consentDate: 'DATE_INVALID',
    });
  });

  it('gives repeated items their index in the path', () => {
    const result = validateResponseData(def('IF_10110'), {
      supplyPointId: '0300001234567890123456',
      status: 'contracted',
      voltageClass: 'LV',
      address: { prefecture: '東京都', city: '千代田区', street: '丸の内1' },
      meters: [
        { meterNumber: 'M1', meterKind: 'smart', halfHourlyCollectable: '1', autoReadingUnavailable: '0' },
        { meterNumber: 'M2', meterKind: 'analogue', halfHourlyCollectable: '0', autoReadingUnavailable: '1' },
        null,
      ],
    });
    assert.ok(!result.ok);
    assert.deepEqual(codesByField(result.messages), { 'meters.1.meterKind': 'CODE_UNKNOWN', 'meters.2': 'IF_REQUIRED' });
  });

  it('refuses control characters, and line breaks outside free-text notes', () => {
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, customerName: '山田\u0000太郎' })), { customerName: 'IF_CONTROL_CHARACTER' });
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, customerName: '山田\n太郎' })), { customerName: 'IF_CONTROL_CHARACTER' });
    const notes = validateRequest(switchIn, { ...validSwitchIn, remarks: '午前中\r\n立会いあり' });
    assert.ok(notes.ok);
    assert.equal(notes.value.remarks, '午前中\n立会いあり');
  });

  it('refuses numbers that are not integers, too precise or out of range', () => {
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, contractAmpere: 30.5, contractKw: 1.25 })), {
      contractAmpere: 'IF_NOT_INTEGER',
      contractKw: 'IF_NOT_DECIMAL',
    });
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, contractAmpere: '30A', contractKw: 'x' })), {
      contractAmpere: 'IF_NOT_INTEGER',
      contractKw: 'IF_NOT_DECIMAL',
    });
    const messages = refusals('IS_30110', { pageSize: 101 });
    assert.deepEqual(messages, [{ code: 'IF_OUT_OF_RANGE', field: 'pageSize', text: '1ページの件数は1から100までの値で入力してください。' }]);
  });

  it('takes numbers as JSON numbers only: a number sent as a string is refused, whatever its spacing', () => {
    const participants = def('IS_30110');
    assert.deepEqual(validateRequest(participants, { page: 2, pageSize: 5 }), { ok: true, value: { page: 2, pageSize: 5 } });
    for (const page of ['2', ' 1', '２', '+3', '1.0e1']) {
      const messages = refusals('IS_30110', { page });
      assert.equal(messages.length, 1, page);
      assert.equal(messages[0]?.field, 'page', page);
      assert.equal(messages[0]?.code, page === '1.0e1' ? 'IF_NOT_INTEGER' : 'IF_NUMBER_AS_STRING', page);
    }
    assert.equal(refusals('IS_30110', { page: '2' })[0]?.text, 'ページは数値で指定してください（"2" のように引用符で囲んだ文字列は数値として扱いません）。');
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, contractKw: '1.5' })), { contractKw: 'IF_NUMBER_AS_STRING' });
    assert.deepEqual(codesByField(refusals('IS_30110', { page: true })), { page: 'IF_TYPE' });
  });

  it('turns numerals into numbers only at the bindings that carry text (numberFromText)', () => {
    assert.equal(numberFromText(contractAmpere, ' ３０ '), 30);
    assert.equal(numberFromText(contractAmpere, '+30'), 30);
    assert.equal(numberFromText(contractAmpere, '30.5'), '30.5', 'not an integer: left for validation to refuse');
    assert.equal(numberFromText(contractAmpere, '30A'), '30A');
    const kw = switchIn.request.find((f) => f.id === 'contractKw')!;
    assert.equal(numberFromText(kw, '1.5'), 1.5);
    assert.equal(numberFromText(switchIn.request.find((f) => f.id === 'customerName')!, '30'), '30', 'text fields stay text');
  });

  it("refuses characters the market's Shift_JIS files cannot carry, naming the character", () => {
    for (const [name, char] of [
      ['山田😀', '😀'],
      ['𠮷野 太郎', '𠮷'],
      ['Renée', 'é'],
      ['山〜田', '〜'],
      ['山\ufffd田', '\ufffd'],
      ['山田\u200b', '\u200b'],
    ] as const) {
      const messages = refusals('IF_10610', { ...validSwitchIn, customerName: name });
      assert.deepEqual(codesByField(messages), { customerName: 'IF_CHARACTER_NOT_ALLOWED' }, name);
      assert.ok(messages[0]?.text.includes(`「${char}」`), messages[0]?.text);
    }
    assert.equal(
      refusals('IF_10610', { ...validSwitchIn, customerName: '山田😀' })[0]?.text,
      '需要者名（漢字）に使用できない文字「😀」（U+1F600）があります。使用できるのは、JIS X 0208とNEC・IBM拡張文字（Windows-31J）で表せる文字です。',
    );
    const withAddress = validateFields([address()], { address: { prefecture: '東京都', city: '千代田区', street: '丸の内1丁目🏠' } });
    assert.ok(!withAddress.ok);
    assert.deepEqual(codesByField(withAddress.messages), { 'address.street': 'IF_CHARACTER_NOT_ALLOWED' });
    // JIS X 0208, NEC special characters, IBM extensions, half-width kana, the Windows forms of ～ and －
    const carried = validateRequest(switchIn, { ...validSwitchIn, customerName: '髙﨑 ①㈱Ⅲ ｶﾅ ～－∥￢' });
    assert.ok(carried.ok, JSON.stringify(carried));
    assert.equal(carried.value.customerName, '髙﨑 ①㈱Ⅲ ｶﾅ ～－∥￢', 'kept exactly as typed');
  });

  it('reads response data without refusing characters outside the repertoire: a client does not refuse what the hub wrote', () => {
    const participants = def('IS_30110');
    const read = validateResponseData(participants, {
      total: 1,
      page: 1,
      pageSize: 20,
      participants: [{ companyCode: '3001', participantCodes: ['30013'], name: 'Café 電力', kind: 'retailer', status: 'active' }],
    });
    assert.ok(read.ok, JSON.stringify(read));
  });

  it('refuses bidirectional controls in every text field, as control characters', () => {
    for (const bidi of ['\u202e', '\u202a', '\u2066', '\u200f', '\u061c']) {
      assert.deepEqual(
        codesByField(refusals('IF_10610', { ...validSwitchIn, customerName: `山田${bidi}太郎` })),
        { customerName: 'IF_CONTROL_CHARACTER' },
        bidi,
      );
      assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, remarks: `午前中${bidi}` })), { remarks: 'IF_CONTROL_CHARACTER' }, bidi);
    }
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, customerNameKana: 'ヤマダ\u202eタロウ' })), {
      customerNameKana: 'IF_CONTROL_CHARACTER',
    });
    assert.deepEqual(
      codesByField(refusals('IF_10610', { ...validSwitchIn, customerName: '山田\u0085' })),
      { customerName: 'IF_CONTROL_CHARACTER' },
      'C1 controls too',
    );
  });

  it('takes kana names after NFKC, within Windows-31J: half-width kana and stand-alone voicing marks join', () => {
    const result = validateRequest(switchIn, { ...validSwitchIn, customerNameKana: 'ｶ゛ﾝﾀﾞ  ハナコ' });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.customerNameKana, 'ガンダ ハナコ');
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, customerNameKana: 'ゔぃら' })), { customerNameKana: 'IF_CHARACTER_NOT_ALLOWED' });
    assert.deepEqual(codesByField(refusals('IF_10610', { ...validSwitchIn, customerNameKana: '山田' })), { customerNameKana: 'IF_NOT_KANA' });
  });

  it('refuses a value whose bytes were not valid in their encoding, naming the field', () => {
    const messages = refusals('IF_10610', { ...validSwitchIn, customerName: new UndecodableText('UTF-8') });
    assert.deepEqual(codesByField(messages), { customerName: 'IF_ENCODING_INVALID' });
    const inGroup = validateFields([address()], { address: { prefecture: '東京都', city: new UndecodableText('Shift_JIS'), street: '1' } });
    assert.ok(!inGroup.ok);
    assert.deepEqual(codesByField(inGroup.messages), { 'address.city': 'IF_ENCODING_INVALID' });
    assert.match(inGroup.messages[0]!.text, /^市区町村の値に、Shift_JISとして正しくないバイト列があります。/);
    assert.equal(
      messages[0]?.text,
      '需要者名（漢字）の値に、UTF-8として正しくないバイト列があります。値を変えずに記録できないため受け付けられません。正しいUTF-8で送信してください。',
    );
  });

  it('reports at most maxMessages refusals however many there are', () => {
    const input = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`junk${i}`, i]));
    assert.equal(refusals('IF_10110', input).length, maxMessages);
  });

  it("accepts every interface's example whatever the field order", () => {
    const def = interfaceById('IS_20110')!;
    const example = exampleValues(def.request);
    const reversed = Object.fromEntries(Object.entries(example).reverse());
    assert.deepEqual(validateRequest(def, reversed), { ok: true, value: example });
  });

  it('validates nested groups of custom field lists', () => {
    const fields = [group('outer', '外側', [group('inner', '内側', [string('name', '名前', 3, { required: true })])], { required: true })];
    const result = validateFields(fields, { outer: { inner: { name: 'abcd' } } });
    assert.ok(!result.ok);
    assert.deepEqual(codesByField(result.messages), { 'outer.inner.name': 'IF_TOO_LONG' });
  });
});
