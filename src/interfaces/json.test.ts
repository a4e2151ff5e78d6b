import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interfaceById } from './catalogue/catalogue.ts';
import { jsonResponse, parseJsonRequest } from './json.ts';

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
    const response = jsonResponse(usage, { result: 'OK', messages: [], data: { supplyPointId: '0300001234567890123456', halfHourly: [{ slot: 1, kWh: 0.1 + 0.2 }] } });
    assert.deepEqual(response.data?.['halfHourly'], [{ slot: 1, kWh: 0.3 }]);
  });

  it('passes refusals through with their codes, texts and fields', () => {
    const ng = { result: 'NG' as const, messages: [{ code: 'SPID_NOT_FOUND', text: 'x', field: 'supplyPointId' }], remarks: 'r' };
    assert.deepEqual(jsonResponse(facility, ng), ng);
  });
});
