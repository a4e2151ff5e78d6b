/**
 * Wheeling change applications (託送異動業務, slides 10–11 and 21): each application interface (…10)
 * with its status inquiry (…20), and the feed of the caller's applications (11110). All go to the
 * grid of the supply point's area.
 *
 * Every application takes the same header: the caller's requestId (its idempotency key), the
 * update flag (1 register, 2 correct, 3 cancel), the application number being corrected or
 * cancelled, and the supply point. Business items are required when registering or correcting,
 * not when cancelling.
 */
import { maxAttachments } from '../attachments.ts';
import type { ApplicationKindCode } from '../../domain/codes.ts';
import {
  applicationAccepted,
  applicationNumber,
  code,
  contractAmpere,
  contractKw,
  customerName,
  customerNameKana,
  date,
  digits,
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
  stageCode,
  stageDate,
  stageName,
  statusAtLeastOneOf,
  statusRequest,
  statusResponse,
  string,
  supplyPointId,
  unlessCancel,
  updateFlag,
} from './fields.ts';
import * as t from './tables.ts';
import type { Field, InterfaceDefinition, InterfaceFamily } from './types.ts';

interface Application {
  readonly number: string;
  readonly name: string;
  readonly englishName: string;
  readonly description: string;
  readonly applicationKinds: readonly ApplicationKindCode[];
  readonly fields: readonly Field[];
  readonly atLeastOneOf?: readonly string[];
  readonly attachments?: { readonly max: number };
}

/** The application interface and its status inquiry. */
function pair(family: InterfaceFamily, a: Application): InterfaceDefinition[] {
  const point = family === 'FIT' ? supplyPointId(required, 'supplyPointId', '受電地点特定番号') : supplyPointId(required);
  const statusNumber = a.number.replace(/10$/, '20');
  return [
    {
      id: ifId(family, a.number),
      name: a.name,
      englishName: a.englishName,
      family,
      kind: 'application',
      direction: 'grid',
      description: a.description,
      applicationKinds: a.applicationKinds,
      request: [requestId, updateFlag, applicationNumber(onCorrectOrCancel), point, ...a.fields],
      ...(a.atLeastOneOf ? { atLeastOneOf: [{ fields: a.atLeastOneOf, when: { field: 'updateFlag', values: ['1', '2'] } }] } : {}),
      response: applicationAccepted,
      ...(a.attachments ? { attachments: a.attachments } : {}),
    },
    {
      id: ifId(family, statusNumber),
      name: `申込受付状態確認（${a.name}）`,
      englishName: `${a.englishName} status`,
      family,
      kind: 'status',
      direction: 'grid',
      description: `The processing stage of a ${a.englishName.toLowerCase()} application, with its history.`,
      applicationKinds: a.applicationKinds,
      request: statusRequest,
      atLeastOneOf: statusAtLeastOneOf,
      response: statusResponse(),
    },
  ];
}

const fit = (family: InterfaceFamily) => family === 'FIT';

/** The holder of the contract: the customer, or for a FIT receiving point the generator. */
function holder(family: InterfaceFamily, o = unlessCancel): Field[] {
  return fit(family) ? [generatorNameKana(o), generatorName(o)] : [customerNameKana(o), customerName(o)];
}

const meterWorkRequired = code('meterWorkRequired', '計器工事有無', t.flag, {
  description: 'Whether the meter must be replaced or installed: it lengthens the lead time.',
});
const wheelingMenu = string('wheelingMenu', '託送メニュー', 40);
const relayNumber = string('relayNumber', '廃止取次番号', 20, { description: 'The termination relay this application follows, if any.' });

function moveIn(family: 'LV' | 'FIT'): InterfaceDefinition[] {
  return pair(family, {
    number: '10410',
    name: '再点申込',
    englishName: 'Move-in',
    description:
      'Start of supply at a place whose wiring needs no work (再点), for a new customer. The date may lie up to 31 days back ' +
      'at a point left 廃止中（お客さま宅内操作で点灯） (遡及再点), from today at one reconnected remotely, from the next business day otherwise.',
    applicationKinds: [fit(family) ? '15' : '04'],
    // Documents of the new customer (interfaces/attachments.ts).
    attachments: { max: maxAttachments },
    fields: [
      date('requestedDate', '再点希望日', { ...unlessCancel, description: 'The 接続供給開始年月日; may be in the past (遡及再点, see above).' }),
      digits('moveInTime', '入居予定時刻', 4, { minLength: 4, description: 'HHMM, Japan time, 0000–2359: when the customer moves in.' }),
      ...holder(family),
      phoneNumber(unlessCancel),
      ...(fit(family)
        ? []
        : [
            code('contractDecisionMethod', '契約決定方法', t.contractDecisionMethod),
            contractAmpere(),
            code('customerConsent', '託送約款規定における需要者に関する事項の遵守の需要者承諾', t.consent, {
              description:
                "1: the customer has consented to the wheeling terms' provisions on customers (slide 27). Without it the grid refuses " +
                'the registration or correction (APP_CONSENT_REQUIRED).',
            }),
          ]),
      contractKw(),
      wheelingMenu,
      meterWorkRequired,
      remarks,
    ],
  });
}

function moveOut(family: InterfaceFamily): InterfaceDefinition[] {
  const kinds: readonly ApplicationKindCode[] = fit(family) ? ['12', '13'] : ['01', '02'];
  return pair(family, {
    number: '10510',
    name: family === 'LV' ? '廃止（撤去）申込' : '廃止申込',
    englishName: 'Move-out',
    description: 'End of supply (廃止), with or without removal of the meter and service line (撤去).',
    applicationKinds: kinds,
    fields: [
      code('applicationKind', '申込種別', t.subset(fit(family) ? 'FitMoveOutKind' : 'MoveOutKind', t.applicationKind, kinds), {
        ...unlessCancel,
        description: 'Without or with removal (撤去).',
      }),
      date('requestedDate', '廃止希望日', unlessCancel),
      phoneNumber({ description: 'Whom the grid operator calls about the visit.' }),
      remarks,
    ],
  });
}

function switchIn(family: InterfaceFamily): InterfaceDefinition[] {
  return pair(family, {
    number: '10610',
    name: 'スイッチング開始申込',
    englishName: 'Switch-in',
    description:
      "The new retailer's application; the grid operator matches it with the old retailer's switch-out. " +
      'The retailer names the switching date (slide 31): the first scheduled reading day after the standard lead time, or a later day ' +
      "at the customer's request. A date the lead time no longer allows when the pair matches is refused (APP_SWITCH_DATE_PASSED), " +
      'never moved; a switch whose counterpart has not come by the last day that allows its date is refused (APP_MATCH_DEADLINE_PASSED). ' +
      'Without a date (ours), the first scheduled reading day after the lead time from matching.',
    applicationKinds: [fit(family) ? '16' : '05'],
    fields: [
      ...holder(family),
      participantCode('currentRetailerCode', '現小売電気事業者コード', unlessCancel),
      date('requestedDate', 'スイッチング希望日', {
        description: 'The switching date (slide 31). Absent (ours): the first scheduled reading day after the lead time from matching.',
      }),
      phoneNumber(),
      ...(family === 'LV' ? [contractAmpere()] : []),
      contractKw(),
      wheelingMenu,
      relayNumber,
      remarks,
    ],
  });
}

function switchOut(family: InterfaceFamily): InterfaceDefinition[] {
  return pair(family, {
    number: '10710',
    name: 'スイッチング廃止申込',
    englishName: 'Switch-out',
    description: "The old retailer's application, after it accepted the termination relay; matched with the switch-in.",
    applicationKinds: [fit(family) ? '14' : '03'],
    fields: [
      participantCode('newRetailerCode', '新小売電気事業者コード'),
      date('requestedDate', 'スイッチング廃止希望日', { description: 'Absent: the date of the matching switch-in.' }),
      relayNumber,
      remarks,
    ],
  });
}

function holderChange(family: InterfaceFamily): InterfaceDefinition[] {
  const changed = holder(family, {});
  return pair(family, {
    number: '10810',
    name: fit(family) ? '発電者情報変更申込' : '需要場所情報変更申込',
    englishName: fit(family) ? 'Generator info change' : 'Customer info change',
    description: "Changes the holder's data the grid operator keeps; only the changed items are given.",
    applicationKinds: [fit(family) ? '17' : '07'],
    fields: [date('changeDate', '変更日', unlessCancel), ...changed, phoneNumber(), remarks],
    atLeastOneOf: [...changed.map((f) => f.id), 'phoneNumber'],
  });
}

function ampereChange(): InterfaceDefinition[] {
  return pair('LV', {
    number: '10910',
    name: 'アンペア変更申込',
    englishName: 'Ampere change',
    description: 'A new contract current (LV only); a smart meter changes it remotely, others need a visit.',
    applicationKinds: ['06'],
    fields: [contractAmpere(unlessCancel), date('requestedDate', '変更希望日', unlessCancel), remarks],
  });
}

function applicationFeed(family: InterfaceFamily): InterfaceDefinition {
  return {
    id: ifId(family, '11110'),
    name: '異動申込一括取得（小売）',
    englishName: 'Application feed',
    family,
    kind: 'feed',
    direction: 'grid',
    description:
      "The caller's applications in the order they last changed, a page at a time. Give the nextCursor of " +
      'one page as `since` of the next; keep the last one to fetch only what changed since.',
    request: [
      string('since', '取得開始位置', 64, { description: 'The nextCursor of the previous page; absent: from the beginning.' }),
      integer('pageSize', '取得件数', { min: 1, max: 500, description: 'Absent: 100.' }),
    ],
    response: [
      group(
        'items',
        '申込',
        [
          applicationNumber(required),
          string('requestId', 'リクエストID', 64),
          code('applicationKind', '申込種別', t.applicationKind, required),
          supplyPointId(required),
          stageCode(required),
          stageName,
          stageDate,
          date('scheduledDate', '実施予定日'),
          dateTime('updatedAt', '更新日時', required),
        ],
        list(0, 500),
      ),
      string('nextCursor', '次回取得開始位置', 64, required),
      code('more', '続きの有無', t.flag, { required: true, description: '1: another page is ready now.' }),
    ],
  };
}

export const applicationInterfaces: readonly InterfaceDefinition[] = [
  ...moveIn('LV'),
  ...moveIn('FIT'),
  ...moveOut('LV'),
  ...moveOut('HV'),
  ...moveOut('FIT'),
  ...switchIn('LV'),
  ...switchIn('HV'),
  ...switchIn('FIT'),
  ...switchOut('LV'),
  ...switchOut('HV'),
  ...switchOut('FIT'),
  ...holderChange('LV'),
  ...holderChange('HV'),
  ...holderChange('FIT'),
  ...ampereChange(),
  applicationFeed('LV'),
  applicationFeed('HV'),
  applicationFeed('FIT'),
];
