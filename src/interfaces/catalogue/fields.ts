/**
 * Builders for field definitions, and the fields many interfaces share, so that a definition reads
 * as a list of its items: `string('customerName', '需要者名（漢字）', 60, required)`.
 */
import type { Repertoire } from '../../domain/repertoire.ts';
import * as t from './tables.ts';
import type {
  AtLeastOneOf,
  CodeField,
  CodeTable,
  DateField,
  DateTimeField,
  DecimalField,
  DigitsField,
  Field,
  FieldOptions,
  GroupField,
  IntegerField,
  InterfaceFamily,
  ParticipantCodeField,
  StringField,
  SupplyPointIdField,
} from './types.ts';

export const required = { required: true } as const;

const familyPrefix: Readonly<Record<InterfaceFamily, string>> = { LV: '', HV: 'K', FIT: 'F' };

/** `IF_10110`, `IF_K10210`, `IS_F20110`: the ID of an interface number in a family. */
export function ifId(family: InterfaceFamily, number: string, prefix: 'IF' | 'IS' = 'IF'): string {
  return `${prefix}_${familyPrefix[family]}${number}`;
}

/** Occurs min–max times. */
export function list(min: number, max: number): FieldOptions {
  return { repeated: { min, max } };
}

/** Free text of `maxLength` characters, within Windows-31J unless said otherwise (a kana name). */
export function string(id: string, name: string, maxLength: number, o: FieldOptions & { repertoire?: Repertoire; multiline?: boolean } = {}): StringField {
  return { type: 'string', id, name, maxLength, repertoire: 'windows31j', ...o };
}

export function digits(id: string, name: string, maxLength: number, o: FieldOptions & { minLength?: number } = {}): DigitsField {
  return { type: 'digits', id, name, maxLength, ...o };
}

export function date(id: string, name: string, o: FieldOptions = {}): DateField {
  return { type: 'date', id, name, ...o };
}

export function dateTime(id: string, name: string, o: FieldOptions = {}): DateTimeField {
  return { type: 'dateTime', id, name, ...o };
}

export function integer(id: string, name: string, o: FieldOptions & { min?: number; max?: number } = {}): IntegerField {
  return { type: 'integer', id, name, ...o };
}

export function decimal(id: string, name: string, scale: number, o: FieldOptions & { min?: number; max?: number } = {}): DecimalField {
  return { type: 'decimal', id, name, scale, ...o };
}

export function code(id: string, name: string, table: CodeTable, o: FieldOptions = {}): CodeField {
  return { type: 'code', id, name, table, ...o };
}

export function supplyPointId(o: FieldOptions = {}, id = 'supplyPointId', name = '供給地点特定番号'): SupplyPointIdField {
  return { type: 'supplyPointId', id, name, ...o };
}

export function participantCode(id: string, name: string, o: FieldOptions = {}): ParticipantCodeField {
  return { type: 'participantCode', id, name, ...o };
}

export function group(id: string, name: string, fields: readonly Field[], o: FieldOptions = {}): GroupField {
  return { type: 'group', id, name, fields, ...o };
}

/** Required when registering or correcting (updateFlag 1 or 2), not when cancelling. */
export const unlessCancel: FieldOptions = { requiredWhen: { field: 'updateFlag', values: ['1', '2'] } };

/** Required when correcting or cancelling (updateFlag 2 or 3): the thing corrected or cancelled. */
export const onCorrectOrCancel: FieldOptions = { requiredWhen: { field: 'updateFlag', values: ['2', '3'] } };

// ---- fields many interfaces share ------------------------------------------------------------

export const requestId = string('requestId', 'リクエストID', 64, {
  required: true,
  description:
    "The caller's key for this request: sent again with the same content it returns the first answer instead of filing twice; " +
    'with other content it is refused (OUTBOX_REQUEST_ID_OTHER_CONTENT).',
});

export const updateFlag = code('updateFlag', '更新区分', t.updateFlag, required);

export const applicationNumber = (o: FieldOptions = {}) =>
  string('applicationNumber', '申込番号', 20, { description: 'Issued by the grid operator when it accepts an application.', ...o });

export const customerNameKana = (o: FieldOptions = {}) => string('customerNameKana', '需要者名（カナ）', 60, { repertoire: 'kana', ...o });
export const customerName = (o: FieldOptions = {}) => string('customerName', '需要者名（漢字）', 60, o);
export const generatorNameKana = (o: FieldOptions = {}) => string('generatorNameKana', '発電者名（カナ）', 60, { repertoire: 'kana', ...o });
export const generatorName = (o: FieldOptions = {}) => string('generatorName', '発電者名（漢字）', 60, o);

export const phoneNumber = (o: FieldOptions = {}) =>
  digits('phoneNumber', '電話番号', 11, { minLength: 10, description: 'Hyphens and spaces are dropped.', ...o });

/** 住所, as the grid keeps it (src/grid/registry/facility.ts). */
export const address = (o: FieldOptions = {}, id = 'address', name = '住所') =>
  group(
    id,
    name,
    [
      string('prefecture', '都道府県', 10, required),
      string('city', '市区町村', 50, required),
      string('street', '町名・番地', 100, required),
      string('building', '建物名・部屋番号', 100),
    ],
    o,
  );

export const contractAmpere = (o: FieldOptions = {}) => integer('contractAmpere', '契約電流（A）', { min: 1, max: 999, ...o });

export const contractKw = (o: FieldOptions = {}) => decimal('contractKw', '契約電力（kW）', 1, { min: 0, max: 9999.9, ...o });

export const remarks = string('remarks', '連絡事項', 256, { multiline: true });

export const stageCode = (o: FieldOptions = {}) => code('stage', '受付工程', t.stage, o);
export const stageName = string('stageName', '受付工程名', 40);
export const stageDate = date('stageDate', '受付工程日');

/** What every application interface (…10) answers: the application as the grid accepted it. */
export const applicationAccepted: readonly Field[] = [
  applicationNumber(required),
  string('requestId', 'リクエストID', 64),
  stageCode(required),
  stageName,
  dateTime('receivedAt', '受付日時'),
];

/**
 * What every status interface (…20) asks: the application, by its number or by the caller's
 * requestId (when the application's response was lost). With a requestId alone, the supply point
 * tells the hub which area's grid to ask.
 */
export const statusRequest: readonly Field[] = [
  applicationNumber(),
  string('requestId', 'リクエストID', 64, { description: 'The requestId the application (or a correction of it) was filed with: enough on its own.' }),
  supplyPointId({ description: 'Not needed: the hub finds the application, and its area, by applicationNumber or requestId.' }),
];
export const statusAtLeastOneOf: readonly AtLeastOneOf[] = [{ fields: ['applicationNumber', 'requestId'] }];

/** What every status interface (…20) answers. */
export function statusResponse(extra: readonly Field[] = []): readonly Field[] {
  return [
    applicationNumber(required),
    string('requestId', 'リクエストID', 64),
    code('applicationKind', '申込種別', t.applicationKind),
    supplyPointId(),
    stageCode(required),
    stageName,
    stageDate,
    date('scheduledDate', '実施予定日', { description: 'The switching, move-in, move-out or change date, once fixed.' }),
    string('refusalReason', '不受付理由', 200, { multiline: true, description: 'Why, when the stage is 09 (refused).' }),
    ...extra,
    group('history', '受付工程履歴', [stageCode(required), stageName, stageDate, dateTime('stageAt', '受付工程日時')], list(0, 50)),
  ];
}
