import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceById } from '../interfaces/catalogue/catalogue.ts';
import { group, integer, list, string } from '../interfaces/catalogue/fields.ts';
import { validateRequest } from '../interfaces/validate.ts';
import { displayValue, formFromValues, renderData, renderFields, requestFromForm } from './interface-form.ts';

const def = (id: string) => interfaceById(id)!;

test('a posted form becomes the request: empty inputs absent, numbers numbers (full-width too), nothing undefined passes', () => {
  const body = requestFromForm(def('IF_10610').request, {
    _csrf: 'token',
    requestId: 'web-1',
    updateFlag: '1',
    supplyPointId: '０３１３０１０００００００００００００１１０',
    customerNameKana: 'ヤマダ',
    customerName: ' 山田 ',
    currentRetailerCode: '20013',
    contractAmpere: '３０',
    contractKw: '',
    remarks: '',
    'unknown.field': 'x',
  });
  assert.deepEqual(body, {
    requestId: 'web-1',
    updateFlag: '1',
    supplyPointId: '０３１３０１０００００００００００００１１０',
    customerNameKana: 'ヤマダ',
    customerName: '山田',
    currentRetailerCode: '20013',
    contractAmpere: 30,
  });
  const validated = validateRequest(def('IF_10610'), body);
  assert.ok(validated.ok);
  assert.equal(validated.value.supplyPointId, '0313010000000000000110');
  assert.deepEqual(requestFromForm(def('IF_10610').request, { contractAmpere: '30A' }), { contractAmpere: '30A' }, 'left as typed for validation to refuse');
});

test('groups and repeated rows by dotted paths; empty groups and rows dropped; a stored body back to form values', () => {
  const fields = [
    group('address', '住所', [string('prefecture', '都道府県', 10), string('city', '市区町村', 50)]),
    group('rows', '行', [string('name', '名前', 10), integer('count', '数')], list(0, 5)),
  ];
  const body = requestFromForm(fields, {
    'address.prefecture': '',
    'address.city': '',
    'rows.0.name': 'a',
    'rows.0.count': '２',
    'rows.1.name': '',
    'rows.2.name': 'c',
  });
  assert.deepEqual(body, { rows: [{ name: 'a', count: 2 }, { name: 'c' }] });
  assert.deepEqual(formFromValues({ address: { city: '千代田区' }, rows: [{ name: 'a', count: 2 }] }), {
    'address.city': '千代田区',
    'rows.0.name': 'a',
    'rows.0.count': '2',
  });
});

test('fields render with their refusals next to them; messages about nothing rendered go above; values escaped', () => {
  const rendered = renderFields(
    def('IF_10210').request,
    { customerName: '<script>x</script>', 'address.city': '"q"' },
    [
      { code: 'IF_NOT_DIGITS', text: '電話番号は数字のみで入力してください。', field: 'phoneNumber' },
      { code: 'GRID_X', text: 'どこでもない', field: 'nowhere' },
      { code: 'IF_NOT_OBJECT', text: '全体' },
    ],
    { hidden: new Set(['requestId']) },
  );
  const markup = rendered.fields.value;
  assert.match(markup, /id="f-phoneNumber"[^>]*aria-invalid="true"[\s\S]*?<p class="field-error" role="alert"><span class="code">IF_NOT_DIGITS<\/span>/);
  assert.ok(markup.includes('value="&lt;script&gt;x&lt;/script&gt;"'));
  assert.ok(markup.includes('name="address.city"') && markup.includes('value="&quot;q&quot;"'));
  assert.ok(markup.includes('<input type="hidden" name="requestId" value="">'));
  assert.deepEqual(
    rendered.unplaced.map((m) => m.code),
    ['GRID_X', 'IF_NOT_OBJECT'],
  );
});

test('answers render from the response definitions: codes by name, groups nested, repeated groups as tables', () => {
  const facility = def('IF_10110');
  const markup = renderData(facility.response, {
    supplyPointId: '0313010000000000000110',
    status: 'contracted',
    voltageClass: 'LV',
    contractAmpere: 30,
    address: { prefecture: '東京都', city: '<b>区</b>', street: '本町', building: null },
    meters: [{ meterNumber: '1000000001', meterKind: 'smart', halfHourlyCollectable: '1', autoReadingUnavailable: '0', installedOn: '2019-06-01' }],
  }).value;
  assert.ok(markup.includes('<th>供給地点の状態</th><td>契約中</td>'));
  assert.ok(markup.includes('&lt;b&gt;区&lt;/b&gt;'));
  assert.match(markup, /<table class="data-rows">[\s\S]*<th>計器番号<\/th>[\s\S]*1000000001/);
  const stage = def('IF_10620').response.find((f) => f.id === 'stage')!;
  assert.equal(displayValue(stage, '05'), '05 マッチング完了');
});
