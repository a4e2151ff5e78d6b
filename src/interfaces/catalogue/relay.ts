/**
 * Switching termination relay (スイッチング廃止取次, slides 10 and 24–25), kept by the hub: the new
 * retailer registers a request that the old retailer terminate its contract (IS_20110) and follows
 * the results (IS_20210); the old retailer lists what it received (IS_20310) and decides OK or NG
 * (IS_20410). Lists show 20 rows a page, newest update first.
 */
import {
  address,
  customerName,
  customerNameKana,
  date,
  dateTime,
  generatorName,
  generatorNameKana,
  group,
  ifId,
  integer,
  list,
  onCorrectOrCancel,
  participantCode,
  phoneNumber,
  remarks,
  requestId,
  required,
  string,
  supplyPointId,
  unlessCancel,
  updateFlag,
  code,
} from './fields.ts';
import * as t from './tables.ts';
import type { Field, InterfaceDefinition, InterfaceFamily } from './types.ts';

/** Rows of one page of a relay list (slides 24–25). */
export const relayPageSize = 20;

const relayNumber = (o = {}) => string('relayNumber', '廃止取次番号', 20, o);
const contractNumber = (o = {}) => string('contractNumber', '契約番号', 30, { description: "The customer's contract number at the old retailer.", ...o });
const terminationDate = (o = {}) => date('terminationDate', '廃止年月日', o);
const statusName = string('statusName', 'ステータス名', 20);

function holder(family: InterfaceFamily, o = {}): Field[] {
  return family === 'FIT' ? [generatorNameKana(o), generatorName()] : [customerNameKana(o), customerName()];
}

function point(family: InterfaceFamily, o = {}): Field {
  return family === 'FIT' ? supplyPointId(o, 'supplyPointId', '受電地点特定番号') : supplyPointId(o);
}

/** One relay as the lists show it to either retailer. */
function relayItem(family: InterfaceFamily): Field {
  return group(
    'relays',
    '廃止取次',
    [
      relayNumber(required),
      point(family, required),
      contractNumber(),
      address(),
      ...holder(family),
      terminationDate(),
      participantCode('oldRetailerCode', '現小売電気事業者コード', required),
      string('oldRetailerName', '現小売電気事業者名', 100),
      participantCode('newRetailerCode', '新小売電気事業者コード', required),
      string('newRetailerName', '新小売電気事業者名', 100),
      code('status', 'ステータス', t.relayStatus, required),
      statusName,
      string('decidingPersonName', '判断者名', 40),
      code('ngReason', 'NG理由', t.relayNgReason),
      string('ngText', 'NG理由詳細', 200, { multiline: true }),
      dateTime('registeredAt', '登録日時', required),
      dateTime('updatedAt', '更新日時', required),
    ],
    list(0, relayPageSize),
  );
}

function relayPage(family: InterfaceFamily): Field[] {
  return [
    integer('total', '該当件数', { required: true, min: 0 }),
    integer('page', 'ページ', { required: true, min: 1 }),
    integer('pageSize', '1ページの件数', { required: true, min: 1 }),
    relayItem(family),
  ];
}

/** The search filters of both lists; `other` is the retailer on the other side. */
function filters(family: InterfaceFamily, other: 'old' | 'new'): Field[] {
  const side = other === 'old' ? '現' : '新';
  return [
    relayNumber(),
    point(family),
    participantCode(`${other}RetailerCode`, `${side}小売電気事業者コード`),
    string(`${other}RetailerName`, `${side}小売電気事業者名`, 100, { description: 'Part of the name.' }),
    string(family === 'FIT' ? 'generatorName' : 'customerName', family === 'FIT' ? '発電者名' : '需要者名', 60, {
      description: 'The beginning of the name, in kana or kanji (prefix match; kana spellings compare alike).',
    }),
    code('status', 'ステータス', t.relayStatus),
    date('registeredFrom', '登録日（から）'),
    date('registeredUntil', '登録日（まで）'),
    integer('page', 'ページ', { min: 1, description: 'Absent: 1.' }),
  ];
}

function relayFamily(family: InterfaceFamily): InterfaceDefinition[] {
  return [
    {
      id: ifId(family, '20110', 'IS'),
      name: 'スイッチング廃止取次登録',
      englishName: 'Termination relay register',
      family,
      kind: 'relay',
      direction: 'hub',
      description:
        'Registers (1), corrects (2) or cancels (3) a request that the old retailer terminate its contract. ' +
        'The old retailer fetches it within the hour and decides.',
      request: [
        requestId,
        updateFlag,
        relayNumber(onCorrectOrCancel),
        point(family, unlessCancel),
        contractNumber(unlessCancel),
        address(unlessCancel),
        ...holder(family, unlessCancel),
        terminationDate(unlessCancel),
        participantCode('oldRetailerCode', '現小売電気事業者コード', unlessCancel),
        phoneNumber(),
        remarks,
      ],
      response: [relayNumber(required), code('status', 'ステータス', t.relayStatus, required), statusName, dateTime('registeredAt', '登録日時')],
    },
    {
      id: ifId(family, '20210', 'IS'),
      name: 'スイッチング廃止取次結果照会',
      englishName: 'Termination relay results',
      family,
      kind: 'relay',
      direction: 'hub',
      description: 'The relays the caller registered as new retailer, filtered, a page of 20 at a time.',
      request: filters(family, 'old'),
      response: relayPage(family),
    },
    {
      id: ifId(family, '20310', 'IS'),
      name: 'スイッチング廃止取次受領一覧',
      englishName: 'Termination relays received',
      family,
      kind: 'relay',
      direction: 'hub',
      description: 'The relays addressed to the caller as old retailer, filtered, a page of 20 at a time.',
      request: filters(family, 'new'),
      response: relayPage(family),
    },
    {
      id: ifId(family, '20410', 'IS'),
      name: 'スイッチング廃止取次判断',
      englishName: 'Termination relay decision',
      family,
      kind: 'relay',
      direction: 'hub',
      description: "The old retailer's decision: OK with the deciding person's name, or NG with a reason.",
      request: [
        requestId,
        relayNumber(required),
        code('decision', '判断', t.relayDecision, required),
        string('decidingPersonName', '判断者名', 40, required),
        code('ngReason', 'NG理由', t.relayNgReason, { requiredWhen: { field: 'decision', values: ['02'] } }),
        string('ngText', 'NG理由詳細', 200, {
          multiline: true,
          requiredWhen: { field: 'ngReason', values: ['09'] },
          description: 'Required for reason 09 (other).',
        }),
      ],
      response: [relayNumber(required), code('status', 'ステータス', t.relayStatus, required), statusName, dateTime('decidedAt', '判断日時')],
    },
  ];
}

export const relayInterfaces: readonly InterfaceDefinition[] = [...relayFamily('LV'), ...relayFamily('HV'), ...relayFamily('FIT')];
