/**
 * Example values for any field list: every field present, valid and in canonical form, repeated
 * fields twice. For tests (every interface round-trips through both bindings) and for
 * documentation that shows a filled-in request.
 */
import type { Field } from './catalogue/types.ts';
import type { FieldValue, FieldValues } from './validate.ts';

/** Readable values for the items people read most; others get a value of their type. */
const byId: Readonly<Record<string, string>> = {
  requestId: 'req-20160401-0001',
  applicationNumber: '0320160401000001',
  customerNameKana: 'ヤマダ タロウ',
  generatorNameKana: 'ヤマダ タロウ',
  customerName: '山田 太郎',
  generatorName: '山田 太郎',
  prefecture: '東京都',
  city: '千代田区',
  street: '丸の内1丁目1番1号',
  building: '丸の内ビル101号室',
  month: '2016-03',
  relayNumber: 'R0000000001',
  contractNumber: 'C-123456',
  companyCode: '1001',
};

export function exampleValues(fields: readonly Field[]): FieldValues {
  const values: FieldValues = {};
  for (const field of fields) {
    const count = field.repeated ? Math.max(field.repeated.min, Math.min(2, field.repeated.max)) : 1;
    const items = Array.from({ length: count }, (_, i) => exampleValue(field, i));
    values[field.id] = field.repeated ? (items as FieldValue[] as (string | number | FieldValues)[]) : items[0]!;
  }
  return values;
}

function exampleValue(field: Field, index: number): FieldValue {
  switch (field.type) {
    case 'group':
      return exampleValues(field.fields);
    case 'string':
      return (byId[field.id] ?? `${field.id}${index + 1}`).slice(0, field.maxLength);
    case 'digits':
      return '0312345678901234567890'.slice(0, field.maxLength).padEnd(field.minLength ?? 1, '0');
    case 'date':
      return '2016-04-01';
    case 'dateTime':
      return '2016-04-01T00:00:00.000Z';
    case 'integer':
      return Math.min(Math.max(field.min ?? 1, index + 1), field.max ?? Number.MAX_SAFE_INTEGER);
    case 'decimal': {
      const value = field.scale > 0 ? 12.5 : 12;
      return Math.min(Math.max(field.min ?? value, value), field.max ?? value);
    }
    case 'code':
      return Object.keys(field.table.codes).sort()[0]!;
    case 'supplyPointId':
      return '0300001234567890123456';
    case 'participantCode':
      return '10013';
  }
}
