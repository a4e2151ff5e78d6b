/**
 * The code tables of the interfaces (SYSTEM.md §4), as closed types with their Japanese names.
 * Codes marked (public) are seen in retailers' code for the real system; names and codes marked
 * (ours) are this project's, chosen where nothing public says more. A code, once used, keeps its
 * meaning: clients store them.
 *
 * Each table is `{ code: name }`; `XxxCode` is the union of its codes and `isXxxCode` checks a value.
 * `parseCode` turns input into a code or refuses it with CODE_UNKNOWN.
 */
import { Refusal } from './refusal.ts';
import type { MessageCode } from './messages.ts';

type CodeTable = Readonly<Record<string, string>>;

/** Own keys only, so "toString" or "__proto__" are never codes. */
export function isCodeOf<T extends CodeTable>(table: T, value: unknown): value is keyof T & string {
  return typeof value === 'string' && Object.hasOwn(table, value);
}

/**
 * A table's codes in code order, for lists and select boxes. `Object.keys` would not do: it puts
 * integer-like keys ("10", "12") before the others ("01").
 */
export function codesOf<T extends CodeTable>(table: T): (keyof T & string)[] {
  return Object.keys(table).sort() as (keyof T & string)[];
}

/** The code for input (NFKC, trimmed: full-width digits are typed in forms), or a refusal. */
export function parseCode<T extends CodeTable>(table: T, value: string, field: string, messageCode: MessageCode = 'CODE_UNKNOWN'): keyof T & string {
  const text = value.normalize('NFKC').trim();
  if (!isCodeOf(table, text)) throw new Refusal(messageCode, { field, params: { field, value: text } });
  return text;
}

/** サービス区分 (public). */
export const serviceClasses = { '015': '低圧', '016': '高圧', '017': '発電（低圧FIT）', '018': '卸' } as const;
export type ServiceClassCode = keyof typeof serviceClasses;
export const isServiceClassCode = (v: unknown): v is ServiceClassCode => isCodeOf(serviceClasses, v);

/**
 * 申込種別 (public): 01–08, and the FIT codes 12–17 (12 廃止（撤去なし）, 13 廃止（撤去あり）, 14 SW廃止,
 * 15 再点, 16 SW開始, 17 受電者情報変更), as retailers' code for the real system has them (FIDELITY.md §1).
 */
export const applicationKinds = {
  '01': '廃止（撤去なし）',
  '02': '廃止（撤去あり）',
  '03': 'スイッチング廃止',
  '04': '再点',
  '05': 'スイッチング開始',
  '06': 'アンペア変更',
  '07': '需要者情報変更',
  '08': '使用量照会PW申請',
  '12': '廃止（撤去なし）（低圧FIT）',
  '13': '廃止（撤去あり）（低圧FIT）',
  '14': 'スイッチング廃止（低圧FIT）',
  '15': '再点（低圧FIT）',
  '16': 'スイッチング開始（低圧FIT）',
  '17': '発電者情報変更',
} as const;
export type ApplicationKindCode = keyof typeof applicationKinds;
export const isApplicationKindCode = (v: unknown): v is ApplicationKindCode => isCodeOf(applicationKinds, v);

/** 更新区分 (public). */
export const updateFlags = { '1': '登録', '2': '訂正', '3': '取消' } as const;
export type UpdateFlagCode = keyof typeof updateFlags;
export const isUpdateFlagCode = (v: unknown): v is UpdateFlagCode => isCodeOf(updateFlags, v);

/** 廃止取次ステータス. 01 (public); 02–04 (ours). */
export const relayStatuses = { '01': '判断待ち', '02': 'OK（承諾）', '03': 'NG（不承諾）', '04': '取消' } as const;
export type RelayStatusCode = keyof typeof relayStatuses;
export const isRelayStatusCode = (v: unknown): v is RelayStatusCode => isCodeOf(relayStatuses, v);

/** 廃止取次判断 (public). */
export const relayDecisions = { '01': 'OK', '02': 'NG' } as const;
export type RelayDecisionCode = keyof typeof relayDecisions;
export const isRelayDecisionCode = (v: unknown): v is RelayDecisionCode => isCodeOf(relayDecisions, v);

/** 廃止取次NG理由. 01–03 (public); 04–09 (ours), the checks an old retailer makes before terminating. */
export const relayNgReasons = {
  '01': '供給地点特定番号該当なし',
  '02': '契約番号不一致',
  '03': '廃止手続中',
  '04': '需要者名義不一致',
  '05': '需要場所住所不一致',
  '06': '他の小売電気事業者への廃止取次受付済',
  '07': '廃止希望日不備',
  '08': '需要者の解約意思を確認できず',
  '09': 'その他',
} as const;
export type RelayNgReasonCode = keyof typeof relayNgReasons;
export const isRelayNgReasonCode = (v: unknown): v is RelayNgReasonCode => isCodeOf(relayNgReasons, v);

/**
 * 受付工程. The codes and their meaning are (public); 06 処理完了 is the public name (OCCTO's
 * 実務者会議 要望一覧); the other names are (ours).
 */
export const stages = {
  '01': '受付済',
  '02': '審査中',
  '03': 'マッチング待ち',
  '04': '工事日程調整中',
  '05': 'マッチング完了',
  '06': '処理完了',
  '08': '処理完了（工事あり）',
  '09': '不受付',
  '10': '処理中',
} as const;
export type StageCode = keyof typeof stages;
export const isStageCode = (v: unknown): v is StageCode => isCodeOf(stages, v);

export type StageOutcome = 'inProgress' | 'matched' | 'complete' | 'refused';

/** What a stage means for the applicant (public): a usage password is shown once `complete`. */
export const stageOutcomes: Readonly<Record<StageCode, StageOutcome>> = {
  '01': 'inProgress',
  '02': 'inProgress',
  '03': 'inProgress',
  '04': 'inProgress',
  '10': 'inProgress',
  '05': 'matched',
  '06': 'complete',
  '08': 'complete',
  '09': 'refused',
};

/**
 * 契約形態 of a wheeling contract: the names of the facility search list (public, slide 26: 電灯, 電灯臨時,
 * 動力, 動力臨時, 電灯定額, 動力臨時定額…; 深夜電力 is Kansai's contract type digit 3 [S7]); keys (ours).
 */
export const contractTypes = {
  lighting: '電灯',
  temporaryLighting: '電灯臨時',
  power: '動力',
  temporaryPower: '動力臨時',
  lateNight: '深夜電力',
  flatRateLighting: '電灯定額',
  temporaryPowerFlatRate: '動力臨時定額',
  highVoltage: '高圧',
} as const;
export type ContractTypeCode = keyof typeof contractTypes;
export const isContractTypeCode = (v: unknown): v is ContractTypeCode => isCodeOf(contractTypes, v);

/**
 * 供給地点の状態 (ours: keys). `discontinuedLit`: the contract has ended but supply was left on, so the
 * next occupant switches it on at home (廃止中（お客さま宅内操作で点灯）, HEPCO [S10]): such a point may
 * be moved into retroactively. How a discontinued point is reconnected is `discontinuationMethods`.
 */
export const supplyPointStatuses = {
  contracted: '契約中',
  discontinued: '廃止',
  removed: '撤去',
  discontinuedLit: '廃止中（お客さま宅内操作で点灯）',
} as const;
export type SupplyPointStatusCode = keyof typeof supplyPointStatuses;
export const isSupplyPointStatusCode = (v: unknown): v is SupplyPointStatusCode => isCodeOf(supplyPointStatuses, v);

/** 計器種別 (ours: keys). Only smart meters give half-hourly values. */
export const meterKinds = {
  smart: 'スマートメーター（30分値収集可）',
  conventional: '従来型計器',
} as const;
export type MeterKindCode = keyof typeof meterKinds;
export const isMeterKindCode = (v: unknown): v is MeterKindCode => isCodeOf(meterKinds, v);

/**
 * 廃止措置方法: how a point without a contract was left, so how it is reconnected (slide 26 lists the
 * column; the names 遠隔操作で点灯 and お客さま宅内操作で点灯 are public [S1] [S10]; 現地作業 and the keys
 * are ours). Derived from the point's state and meters (src/grid/registry/facility.ts).
 */
export const discontinuationMethods = {
  remote: '廃止中（遠隔操作で点灯）',
  customerSwitch: '廃止中（お客さま宅内操作で点灯）',
  onSite: '廃止中（現地作業で点灯）',
  removed: '撤去済',
} as const;
export type DiscontinuationMethodCode = keyof typeof discontinuationMethods;
export const isDiscontinuationMethodCode = (v: unknown): v is DiscontinuationMethodCode => isCodeOf(discontinuationMethods, v);

/**
 * 契約決定方法 of a move-in (public as an item of slide 27; the values and codes are ours, after the
 * operators' wheeling terms: 電流制 by the current limiter, 主開閉器契約 by the main breaker, 負荷設備契約
 * by the connected load, 実量制 by measured demand).
 */
export const contractDecisionMethods = { '01': '契約電流（電流制限器）', '02': '主開閉器契約', '03': '負荷設備契約', '04': '実量制' } as const;
export type ContractDecisionMethodCode = keyof typeof contractDecisionMethods;
export const isContractDecisionMethodCode = (v: unknown): v is ContractDecisionMethodCode => isCodeOf(contractDecisionMethods, v);

/** 電圧区分. The hub handles LV and HV under 500 kW; EHV appears on facility data only. */
export const voltageClasses = { LV: '低圧', HV: '高圧', EHV: '特別高圧' } as const;
export type VoltageClassCode = keyof typeof voltageClasses;
export const isVoltageClassCode = (v: unknown): v is VoltageClassCode => isCodeOf(voltageClasses, v);
