/**
 * The test scenarios of the verification environment (テストシナリオ, slide 20 ⑤): every IF_ and IS_
 * interface, happy and abnormal paths, each a few steps with the answer expected. The hub records
 * each participant's calls (hub/verification/) and says which steps they have exercised and
 * whether the answers were the expected ones. Pure data.
 *
 * A step is identified by its interface and, for grid interfaces, the kind of supply point it is
 * called with: a designated behaviour (the 4 digits of designated.ts, any area, any parameter),
 * or an ordinary point (`point: 'ordinary'`), or no point at all (`point: 'none'`: a status
 * inquiry about an application that does not exist). Status inquiries (…20) are matched by the
 * supply point of the application they answer about.
 *
 * Every interface has a happy path (an OK step) and an abnormal one (an NG step, or an application
 * refused later at 09); a test holds the catalogue to it.
 */
import type { MessageCode } from '../../domain/messages.ts';
import { stubInterfaceOf } from './designated.ts';

export interface Expectation {
  readonly result: 'OK' | 'NG';
  /** A reception message code the answer must carry. */
  readonly code?: MessageCode;
  /** The stage the answer must show (`data.stage`). */
  readonly stage?: string;
}

export interface ScenarioStep {
  readonly interfaceId: string;
  /** A designated behaviour number (`0401`), `ordinary`, `none` (a call naming no existing application), or absent (any call). */
  readonly point?: string;
  readonly expect: Expectation;
  /** What to do, in Japanese. */
  readonly note: string;
}

export interface Scenario {
  /** Stable: `LV-10610-OK`. */
  readonly id: string;
  readonly title: string;
  readonly steps: readonly ScenarioStep[];
}

const step = (interfaceId: string, point: string | undefined, expect: Expectation, note: string): ScenarioStep =>
  point === undefined ? { interfaceId, expect, note } : { interfaceId, point, expect, note };

const statusOf = (id: string) => id.replace(/10$/, '20');
const familyLabel = (id: string) =>
  id.startsWith('IF_K') || id.startsWith('IS_K') ? '高圧' : id.startsWith('IF_F') || id.startsWith('IS_F') ? '低圧FIT' : '低圧';

const facility: Scenario[] = [
  {
    id: 'LV-10110',
    title: '設備情報取得（低圧）: 正常・異常',
    steps: [
      step('IF_10110', 'ordinary', { result: 'OK' }, 'デモの供給地点で設備情報を取得する'),
      step('IF_10110', '0101', { result: 'NG', code: 'SPID_NOT_FOUND' }, '存在しない地点（0101）で NG を受け取る'),
      step('IF_10110', '0102', { result: 'NG', code: 'GRID_FACILITY_NOT_FOR_HV' }, '高圧の地点（0102）で NG を受け取る'),
      step('IF_10110', '0103', { result: 'NG', code: 'GRID_POINT_IS_FIT' }, 'FIT の地点（0103）で NG を受け取る'),
    ],
  },
  {
    id: 'FIT-F10110',
    title: '設備情報取得（低圧FIT）: 正常・異常',
    steps: [
      step('IF_F10110', 'ordinary', { result: 'OK' }, 'デモのFIT受電地点で設備情報を取得する'),
      step('IF_F10110', '0104', { result: 'NG', code: 'GRID_POINT_NOT_FIT' }, '需要地点（0104）で NG を受け取る'),
    ],
  },
];

function usagePassword(prefix: '' | 'K'): Scenario[] {
  const apply = `IF_${prefix}10210`;
  const status = `IF_${prefix}10220`;
  const usage = `IF_${prefix}10310`;
  const label = prefix === 'K' ? '高圧' : '低圧';
  const family = prefix === 'K' ? 'HV' : 'LV';
  return [
    {
      id: `${family}-${prefix}10210-OK`,
      title: `使用量閲覧PW発行申込（${label}）: 受付から発行まで`,
      steps: [
        step(apply, '0401', { result: 'OK', stage: '01' }, '0401 の地点で申し込む（01 受付）'),
        step(status, '0401', { result: 'OK', stage: '06', code: 'GRID_USAGE_PASSWORD_ISSUED' }, '状態照会でパスワードを受け取る（一度だけ表示）'),
      ],
    },
    {
      id: `${family}-${prefix}10210-NG`,
      title: `使用量閲覧PW発行申込（${label}）: 即時 NG と後日の不受付`,
      steps: [
        step(apply, '0114', { result: 'NG', code: 'GRID_POINT_VACANT' }, '需要者のいない地点（0114）で NG を受け取る'),
        step(apply, '0203', { result: 'OK', stage: '01' }, '0203 の地点で申し込む（01 受付）'),
        step(status, '0203', { result: 'OK', stage: '09', code: 'GRID_IDENTITY_NAME_MISMATCH' }, '状態照会で 09 不受付（名義不一致）を受け取る'),
        step(status, 'none', { result: 'NG', code: 'OUTBOX_REQUEST_NOT_FOUND' }, '申し込んでいないリクエストIDだけで状態照会し NG を受け取る'),
      ],
    },
    {
      id: `${family}-${prefix}10310`,
      title: `使用量情報取得（${label}）: 異常`,
      steps: [
        step(usage, '0120', { result: 'NG', code: 'GRID_USAGE_PASSWORD_WRONG' }, 'パスワード誤り（0120）で NG を受け取る'),
        step(usage, '0121', { result: 'NG', code: 'GRID_USAGE_PASSWORD_EXPIRED' }, '期限切れ（0121）で NG を受け取る'),
        step(usage, '0122', { result: 'NG', code: 'GRID_USAGE_PASSWORD_CUSTOMER_CHANGED' }, '発行後に需要者が変わった地点（0122）で NG を受け取る'),
        step(usage, '0123', { result: 'NG', code: 'GRID_USAGE_DATE_OUT_OF_RANGE' }, '30分値の照会日が範囲外（0123）で NG を受け取る'),
      ],
    },
    {
      id: `${family}-${prefix}10310-OK`,
      title: `使用量情報取得（${label}）: 正常`,
      steps: [
        step(
          usage,
          'ordinary',
          { result: 'OK' },
          `デモの${label}の地点で使用量閲覧PWを申し込み（${apply}・${status}、DEMO.md の手順）、発行されたパスワードで使用量を取得する`,
        ),
      ],
    },
  ];
}

/** The wheeling change applications of slide 21, with their status inquiries. */
const applicationIds = [
  'IF_10410',
  'IF_F10410',
  'IF_10510',
  'IF_K10510',
  'IF_F10510',
  'IF_10610',
  'IF_K10610',
  'IF_F10610',
  'IF_10710',
  'IF_K10710',
  'IF_F10710',
  'IF_10810',
  'IF_K10810',
  'IF_F10810',
  'IF_10910',
];

function applicationScenarios(id: string): Scenario[] {
  const itf = stubInterfaceOf(id)!;
  const isSwitch = itf.kind === 'switchIn' || itf.kind === 'switchOut';
  const family = itf.family === 'LV' ? 'LV' : itf.family;
  const name = `${id}（${familyLabel(id)}）`;
  const status = statusOf(id);
  const happy: Scenario = {
    id: `${family}-${id.slice(3)}-OK`,
    title: `${name}: 受付から完了まで`,
    steps: isSwitch
      ? [
          step(id, '0401', { result: 'OK', stage: '03' }, '0401 の地点で申し込む（03 マッチング待ち）'),
          step(status, '0401', { result: 'OK', stage: '05' }, '状態照会で 05 マッチング完了'),
          step(status, '0401', { result: 'OK', stage: '06' }, '状態照会で 06 完了'),
        ]
      : [
          step(id, '0401', { result: 'OK', stage: '10' }, '0401 の地点で申し込む（10 処理中）'),
          step(status, '0401', { result: 'OK', stage: '06' }, '状態照会で 06 完了'),
        ],
  };
  const refusedLater = isSwitch ? '0201' : '0202';
  const abnormal: Scenario = {
    id: `${family}-${id.slice(3)}-NG`,
    title: `${name}: 即時 NG と後日の不受付`,
    steps: [
      step(id, '0141', { result: 'NG', code: 'APP_CONFLICT' }, '処理中の申込と競合する地点（0141）で NG を受け取る'),
      step(id, refusedLater, { result: 'OK', stage: isSwitch ? '03' : '10' }, `${refusedLater} の地点で申し込む`),
      step(
        status,
        refusedLater,
        { result: 'OK', stage: '09', code: isSwitch ? 'APP_MATCH_EXPIRED' : 'VERIFY_REFUSED_AT_STAGE' },
        '状態照会で 09 不受付を受け取る',
      ),
      step(status, 'none', { result: 'NG', code: 'OUTBOX_REQUEST_NOT_FOUND' }, '申し込んでいないリクエストIDだけで状態照会し NG を受け取る'),
    ],
  };
  const scenarios = [happy, abnormal];
  if (itf.kind === 'switchIn' && itf.family === 'LV') {
    scenarios.push(
      {
        id: 'LV-10610-MATCH',
        title: `${name}: 即時マッチングとマッチングしない申込`,
        steps: [
          step(id, '0302', { result: 'OK', stage: '05' }, '0302 の地点で申し込み、応答で 05 を受け取る'),
          step(id, '0301', { result: 'OK', stage: '03' }, '0301 の地点で申し込む'),
          step(status, '0301', { result: 'OK', stage: '03' }, '状態照会で 03 のままであることを確かめる'),
        ],
      },
      {
        id: 'LV-10610-METER',
        title: `${name}: 計器工事ありの完了（08）`,
        steps: [
          step(id, '0402', { result: 'OK', stage: '03' }, '0402 の地点で申し込む'),
          step(status, '0402', { result: 'OK', stage: '05' }, '状態照会で 05'),
          step(status, '0402', { result: 'OK', stage: '08' }, '状態照会で 08 完了（工事完了）'),
        ],
      },
      {
        id: 'LV-10610-FAULTS',
        title: `${name}: 障害（遅延・失敗後の再送・二重応答）`,
        steps: [
          step(id, '9001', { result: 'OK', code: 'OUTBOX_NOT_DELIVERED' }, '9001（5秒遅延）の地点で申し込み、未送達の応答を受け取る'),
          step(id, '9003', { result: 'OK', code: 'OUTBOX_NOT_DELIVERED' }, '9003 の地点で申し込み、未送達の応答を受け取る'),
          step(status, '9003', { result: 'OK', stage: '05' }, '再送の後、状態照会で 05 を受け取る（受付 03 の次の工程）'),
          step(id, '9004', { result: 'OK', code: 'OUTBOX_NOT_DELIVERED' }, '9004 の地点で申し込む（最初の応答が失われる）'),
          step(status, '9004', { result: 'OK', stage: '05' }, '再送の後、状態照会で 05 を受け取る（申込は1件）'),
        ],
      },
      {
        id: 'LV-10610-CORRECT',
        title: `${name}: 訂正・取消`,
        steps: [
          step(id, '0146', { result: 'NG', code: 'APP_NOT_CORRECTABLE' }, '0146 の地点で訂正（更新区分2）し NG を受け取る'),
          step(id, '0147', { result: 'NG', code: 'APP_NOT_CANCELLABLE' }, '0147 の地点で取消（更新区分3）し NG を受け取る'),
        ],
      },
    );
  }
  return scenarios;
}

const lookupFaults: Scenario = {
  id: 'LV-10110-TIMEOUT',
  title: 'IF_10110（低圧）: 応答なし（タイムアウト）',
  steps: [step('IF_10110', '9002', { result: 'NG', code: 'GRID_UNAVAILABLE' }, '9002 の地点で照会し、GRID_UNAVAILABLE を受け取る')],
};

const feeds: Scenario[] = ['IF_11110', 'IF_K11110', 'IF_F11110'].map((id) => ({
  id: `${id.startsWith('IF_K') ? 'HV' : id.startsWith('IF_F') ? 'FIT' : 'LV'}-${id.slice(3)}`,
  title: `${id}（${familyLabel(id)}）: 異動申込一括取得`,
  steps: [
    step(id, undefined, { result: 'OK' }, '自社の申込の変更を取得する（nextCursor で続きを取得）。検証用の地点への申込も工程が進むたびに現れる'),
    step(id, undefined, { result: 'NG', code: 'OUTBOX_CURSOR_INVALID' }, '受け取っていない取得開始位置（since: "X"）で取得し NG を受け取る'),
  ],
}));

const relays: Scenario[] = (['', 'K', 'F'] as const).map((p) => ({
  id: `${p === 'K' ? 'HV' : p === 'F' ? 'FIT' : 'LV'}-RELAY`,
  title: `スイッチング廃止取次（${familyLabel(`IS_${p}`)}）`,
  steps: [
    step(`IS_${p}20110`, undefined, { result: 'OK' }, '廃止取次を登録する'),
    step(`IS_${p}20210`, undefined, { result: 'OK' }, '登録した廃止取次の結果を照会する'),
    step(`IS_${p}20310`, undefined, { result: 'OK' }, '受領した廃止取次の一覧を取得する'),
    step(`IS_${p}20410`, undefined, { result: 'NG', code: 'RELAY_NOT_FOUND' }, '存在しない取次番号で判断し NG を受け取る'),
  ],
}));

const relayAbnormal: Scenario[] = (['', 'K', 'F'] as const).flatMap((p) => {
  const family = p === 'K' ? 'HV' : p === 'F' ? 'FIT' : 'LV';
  const label = familyLabel(`IS_${p}`);
  return [
    {
      id: `${family}-RELAY-NG`,
      title: `スイッチング廃止取次（${label}）: 入力の誤り`,
      steps: [
        step(`IS_${p}20110`, undefined, { result: 'NG', code: 'RELAY_OLD_RETAILER_IS_SELF' }, '現小売電気事業者コードに自社を指定して登録し NG を受け取る'),
        step(`IS_${p}20210`, undefined, { result: 'NG', code: 'IF_OUT_OF_RANGE' }, 'ページに 0 を指定して照会し NG を受け取る'),
        step(`IS_${p}20310`, undefined, { result: 'NG', code: 'IF_OUT_OF_RANGE' }, 'ページに 0 を指定して一覧を取得し NG を受け取る'),
      ],
    },
    {
      id: `${family}-RELAY-DECIDE`,
      title: `スイッチング廃止取次（${label}）: 受領した取次の判断`,
      steps: [
        step(
          `IS_${p}20310`,
          undefined,
          { result: 'OK' },
          'デモの小売電気事業者の証明書（DEMO.md）で自社宛ての廃止取次を登録し、自社のシステムで受領一覧を取得する',
        ),
        step(`IS_${p}20410`, undefined, { result: 'OK' }, '受領した廃止取次を OK と判断する'),
      ],
    },
  ];
});

const hubInterfaces: Scenario[] = [
  { id: 'HUB-30110', title: '事業者一覧', steps: [step('IS_30110', undefined, { result: 'OK' }, '事業者一覧を取得する')] },
  {
    id: 'HUB-MAILBOX',
    title: 'お知らせ取得・確認',
    steps: [
      step('IS_40110', undefined, { result: 'OK' }, 'お知らせを取得する'),
      step('IS_40120', undefined, { result: 'NG', code: 'MAIL_ACK_NOTHING' }, '何も指定せずに確認し NG を受け取る'),
    ],
  },
  {
    id: 'HUB-30110-NG',
    title: '事業者一覧: 入力の誤り',
    steps: [step('IS_30110', undefined, { result: 'NG', code: 'IF_OUT_OF_RANGE' }, '1ページの件数に 101 を指定し NG を受け取る')],
  },
  {
    id: 'HUB-MAILBOX-ACK',
    title: 'お知らせ: マッチング完了の通知を取得して確認する',
    steps: [
      step('IF_10610', '0302', { result: 'OK', stage: '05' }, '0302 の地点でスイッチング開始を申し込む（即時マッチング: マッチング完了のお知らせが届く）'),
      step('IS_40110', undefined, { result: 'OK' }, 'お知らせを取得する（届くまで数秒〜1分）'),
      step('IS_40120', undefined, { result: 'OK' }, '取得トークン（peekToken）で確認済みにする'),
      step('IS_40110', undefined, { result: 'NG', code: 'IF_OUT_OF_RANGE' }, '取得件数に 0 を指定し NG を受け取る'),
    ],
  },
];

export const scenarios: readonly Scenario[] = [
  ...facility,
  lookupFaults,
  ...usagePassword(''),
  ...usagePassword('K'),
  ...applicationIds.flatMap(applicationScenarios),
  ...feeds,
  ...relays,
  ...relayAbnormal,
  ...hubInterfaces,
];

export function scenarioById(id: string): Scenario | undefined {
  return scenarios.find((s) => s.id === id);
}
