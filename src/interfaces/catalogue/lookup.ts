/**
 * Common information search (共通情報検索, slides 8–9 and 21): facility info, the usage password
 * application with its status, and usage info. All are answered by the grid of the supply point's
 * area; facility and usage info in real time, the password by the next business day in principle.
 */
import { maxAttachments } from '../attachments.ts';
import {
  address,
  applicationAccepted,
  code,
  contractAmpere,
  contractKw,
  customerName,
  customerNameKana,
  date,
  decimal,
  group,
  ifId,
  integer,
  list,
  phoneNumber,
  requestId,
  required,
  statusAtLeastOneOf,
  statusRequest,
  statusResponse,
  string,
  supplyPointId,
} from './fields.ts';
import * as t from './tables.ts';
import type { Field, InterfaceDefinition, InterfaceFamily } from './types.ts';

function pointId(family: InterfaceFamily): Field {
  return family === 'FIT' ? supplyPointId(required, 'supplyPointId', '受電地点特定番号') : supplyPointId(required);
}

function facilityInfo(family: 'LV' | 'FIT'): InterfaceDefinition {
  const fitOnly = family === 'FIT';
  return {
    id: ifId(family, '10110'),
    name: '設備情報取得',
    englishName: fitOnly ? 'Facility info (LV FIT receiving point)' : 'Facility info',
    family,
    kind: 'lookup',
    direction: 'grid',
    description: fitOnly
      ? 'The address of a LV FIT receiving point, in real time: address information only (slide 7).'
      : 'The wheeling contract, meters and place of a supply point, in real time.',
    request: [pointId(family)],
    response: fitOnly
      ? [pointId(family), address(required, 'address', '受電場所住所')]
      : [
          pointId(family),
          code('status', '供給地点の状態', t.supplyPointStatus, required),
          code('voltageClass', '電圧区分', t.voltageClass, required),
          code('discontinuationMethod', '廃止措置方法', t.discontinuationMethod, {
            description: 'How a point without a contract is reconnected (a move-in); absent while contracted.',
          }),
          code('contractType', '契約形態', t.contractType),
          string('wheelingMenu', '託送メニュー', 40),
          contractAmpere(),
          contractKw(),
          address(required, 'address', '需要場所住所'),
          string('servicePoleNumber', '引込柱番号', 20, { description: 'Absent where supply is underground.' }),
          group(
            'meters',
            '計器',
            [
              string('meterNumber', '計器番号', 20, required),
              code('meterKind', '計器種別', t.meterKind, required),
              code('halfHourlyCollectable', '30分値収集可', t.flag, { ...required, description: '1: half-hourly values can be collected (a smart meter).' }),
              code('autoReadingUnavailable', '自動検針不可', t.flag, {
                ...required,
                description: '1: the meter cannot be read remotely; a switch or move-in needs meter work (the longer lead time).',
              }),
              date('installedOn', '設置日'),
            ],
            list(0, 10),
          ),
          date('nextReadingDate', '次回の検針日', { description: "By the area's reading schedule (検針日程)." }),
        ],
  };
}

function usagePasswordApplication(family: 'LV' | 'HV'): InterfaceDefinition {
  return {
    id: ifId(family, '10210'),
    name: '使用量閲覧PW発行申込',
    englishName: 'Usage password application',
    family,
    kind: 'application',
    direction: 'grid',
    description:
      "Asks the grid operator to verify the customer's identity and consent and issue a usage password " +
      '(valid for at most a month). The result comes by the next business day in principle: see …10220.',
    applicationKinds: ['08'],
    request: [
      requestId,
      supplyPointId(required),
      customerNameKana(required),
      customerName(),
      phoneNumber({ description: 'Identity data: the phone number the grid operator has, or the address.' }),
      address({ description: 'Identity data: the address the grid operator has, or the phone number.' }),
      date('consentDate', '同意取得日', { required: true, description: 'The day the customer consented to the inquiry.' }),
      date('validUntil', 'PW有効期限（希望）', {
        description: 'The last day the password should be valid: from today up to a month (the day before the same date next month). Absent: the full month.',
      }),
    ],
    atLeastOneOf: [{ fields: ['phoneNumber', 'address'] }],
    response: applicationAccepted,
    // Identity or consent documents (interfaces/attachments.ts).
    attachments: { max: maxAttachments },
  };
}

function usagePasswordStatus(family: 'LV' | 'HV'): InterfaceDefinition {
  return {
    id: ifId(family, '10220'),
    name: '申込受付状態確認（使用量閲覧PW発行申込）',
    englishName: 'Usage password application status',
    family,
    kind: 'status',
    direction: 'grid',
    description: 'Once the stage is 06 or 08 (complete) the response carries the usage password and its last valid day.',
    applicationKinds: ['08'],
    request: statusRequest,
    atLeastOneOf: statusAtLeastOneOf,
    response: statusResponse([
      string('usagePassword', '使用量照会PW', 32),
      date('passwordValidUntil', 'PW有効期限', { description: 'The last day the password may be used.' }),
    ]),
  };
}

function usageInfo(family: 'LV' | 'HV'): InterfaceDefinition {
  const kWh = decimal('kWh', '使用量（kWh）', 3, { required: true, min: 0 });
  return {
    id: ifId(family, '10310'),
    name: '使用量情報取得',
    englishName: 'Usage info',
    family,
    kind: 'lookup',
    direction: 'grid',
    description:
      'The last 13 reading months of usage, and with a smart meter the 48 half-hourly values of a day or of a range of up to ' +
      '31 days (halfHourlyDate to halfHourlyTo) in one call. Months of a previous name-holder are withheld.',
    request: [
      supplyPointId(required),
      string('usagePassword', '使用量照会PW', 32, required),
      date('halfHourlyDate', '30分値取得日', { description: 'The (first) day whose half-hourly values are wanted; absent: none.' }),
      date('halfHourlyTo', '30分値取得終了日', {
        description: 'With halfHourlyDate: the last day of a range of at most 31 days, all answered in halfHourlyDays.',
      }),
    ],
    response: [
      supplyPointId(required),
      code('meterKind', '計器種別', t.meterKind, { description: 'smart: half-hourly values can be had.' }),
      date('passwordValidUntil', 'PW有効期限', { description: 'The last day the usage password used may be used.' }),
      date('withheldBefore', '開示開始日', { description: "Usage before this day is a previous name-holder's and is withheld." }),
      group(
        'monthlyUsage',
        '月別使用量',
        [
          string('month', '検針月', 7, { required: true, description: '"YYYY-MM", the month of the closing reading day.' }),
          date('from', '期間開始日', required),
          date('to', '期間終了日', { required: true, description: 'The last day of the period (inclusive).' }),
          decimal('kWh', '使用量（kWh）', 3, { min: 0, description: 'Absent when withheld.' }),
          ...(family === 'HV' ? [decimal('maxDemandKw', '最大需要電力（kW）', 1, { min: 0 })] : []),
          code('withheld', '非開示', t.flag, { description: "1: the month is a previous name-holder's." }),
          code('partial', '一部期間', t.flag, { description: '1: counted from the first day of the current tenure only.' }),
        ],
        list(0, 13),
      ),
      date('halfHourlyDate', '30分値取得日'),
      group('halfHourly', '30分使用量', [integer('slot', 'コマ', { required: true, min: 1, max: 48, description: '1 = 00:00–00:30.' }), kWh], list(0, 48)),
      group(
        'halfHourlyDays',
        '30分使用量（期間）',
        [date('date', '日付', required), group('halfHourly', '30分使用量', [integer('slot', 'コマ', { required: true, min: 1, max: 48 }), kWh], list(0, 48))],
        { ...list(0, 31), description: 'Each day of halfHourlyDate–halfHourlyTo with its values (withheld or pre-smart-meter days without).' },
      ),
    ],
  };
}

export const lookupInterfaces: readonly InterfaceDefinition[] = [
  facilityInfo('LV'),
  facilityInfo('FIT'),
  usagePasswordApplication('LV'),
  usagePasswordStatus('LV'),
  usagePasswordApplication('HV'),
  usagePasswordStatus('HV'),
  usageInfo('LV'),
  usageInfo('HV'),
];
