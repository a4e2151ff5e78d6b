import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interfaceById } from './catalogue/catalogue.ts';
import { firstDuplicateKey, jsonResponse, parseJsonRequest, readJson } from './json.ts';
import { UndecodableText } from './undecodable.ts';

const facility = interfaceById('IF_10110')!;

describe('JSON binding', () => {
  it('takes the fields object itself as the request body', () => {
    assert.deepEqual(parseJsonRequest(facility, { supplyPointId: '03-0000-1234-5678-9012-3456' }), {
      ok: true,
      value: { supplyPointId: '0300001234567890123456' },
    });
  });

  it('parses a body still in text, and refuses text that is not JSON', () => {
    assert.equal(parseJsonRequest(facility, '{"supplyPointId":"0300001234567890123456"}').ok, true);
    assert.equal(parseJsonRequest(facility, Buffer.from('{"supplyPointId":"0300001234567890123456"}')).ok, true);
    assert.deepEqual(parseJsonRequest(facility, '{"supplyPointId":'), {
      ok: false,
      messages: [{ code: 'IF_JSON_MALFORMED', text: '要求の内容をJSONとして読み取れません。' }],
    });
  });

  it('answers in the envelope, with only the defined data fields in definition order', () => {
    const response = jsonResponse(facility, {
      result: 'OK',
      messages: [],
      data: {
        customerName: '山田 太郎',
        status: 'contracted',
        supplyPointId: '0300001234567890123456',
        servicePoleNumber: null,
        meters: [{ meterNumber: 'M1', meterKind: 'smart', secret: 1 }],
      },
    });
    assert.deepEqual(response, {
      result: 'OK',
      messages: [],
      data: { supplyPointId: '0300001234567890123456', status: 'contracted', meters: [{ meterNumber: 'M1', meterKind: 'smart' }] },
    });
    assert.deepEqual(Object.keys(response.data!), ['supplyPointId', 'status', 'meters']);
  });

  it('rounds computed decimals to their declared digits', () => {
    const usage = interfaceById('IF_10310')!;
    const response = jsonResponse(usage, {
      result: 'OK',
      messages: [],
      data: { supplyPointId: '0300001234567890123456', halfHourly: [{ slot: 1, kWh: 0.1 + 0.2 }] },
    });
    assert.deepEqual(response.data?.halfHourly, [{ slot: 1, kWh: 0.3 }]);
  });

  it('passes refusals through with their codes, texts and fields', () => {
    const ng = { result: 'NG' as const, messages: [{ code: 'SPID_NOT_FOUND', text: 'x', field: 'supplyPointId' }], remarks: 'r' };
    assert.deepEqual(jsonResponse(facility, ng), ng);
  });

  it('refuses a key given twice, at any depth, naming it: JSON.parse would silently keep the last', () => {
    const refused = (text: string) => {
      const result = parseJsonRequest(facility, text);
      assert.ok(!result.ok, text);
      return result.messages;
    };
    assert.deepEqual(refused('{"supplyPointId":"0300001234567890123456","supplyPointId":"0600001234567890123456"}'), [
      {
        code: 'IF_JSON_DUPLICATE_KEY',
        field: 'supplyPointId',
        text: 'JSONの項目「supplyPointId」が2回以上指定されています。同じ項目は1回だけ指定してください。',
      },
    ]);
    assert.equal(refused('{"supplyPointId":"1","supplyPoint\\u0049d":"2"}')[0]?.field, 'supplyPointId', 'the same key escaped');
    assert.equal(firstDuplicateKey('{"a":{"b":[1,{"c":1,"d":"}\\",\\"c\\"","c":2}]}}'), 'a.b.1.c');
    assert.equal(firstDuplicateKey('{"a":{"c":1},"b":{"c":1},"l":[{"c":1},{"c":2}]}'), undefined, 'the same key in sibling objects is no duplicate');
    assert.throws(() => readJson('{"a":1,"a":1}'), /IF_JSON_DUPLICATE_KEY/);
  });

  it("refuses a value whose bytes are not UTF-8 as that field's, never reading it as U+FFFD", () => {
    const switchIn = interfaceById('IF_10610')!;
    const body = Buffer.concat([
      Buffer.from('{"requestId":"r1","updateFlag":"1","supplyPointId":"0300001234567890123456","customerNameKana":"ヤマダ","customerName":"山'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('田","currentRetailerCode":"10013"}'),
    ]);
    const result = parseJsonRequest(switchIn, body);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.messages.map((m) => [m.field, m.code]),
      [['customerName', 'IF_ENCODING_INVALID']],
    );
    assert.ok(readJson(body) instanceof Object);
    assert.ok((readJson(body) as Record<string, unknown>).customerName instanceof UndecodableText);
    assert.deepEqual(parseJsonRequest(facility, Buffer.from([0x7b, 0xff, 0x7d])), {
      ok: false,
      messages: [{ code: 'IF_JSON_MALFORMED', text: '要求の内容をJSONとして読み取れません。' }],
    });
  });

  it('keeps an own "__proto__" key a plain, unknown field', () => {
    const body = Buffer.concat([Buffer.from('{"__proto__":{"x":"'), Buffer.from([0xff]), Buffer.from('"},"supplyPointId":"0300001234567890123456"}')]);
    const result = parseJsonRequest(facility, body);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.messages.map((m) => m.code),
      ['IF_UNKNOWN_FIELD'],
    );
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
});
