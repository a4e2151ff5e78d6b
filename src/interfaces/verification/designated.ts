/**
 * The verification environment's designated supply point IDs (検証用供給地点特定番号): IDs that make
 * the grid stub (grid/stub/) answer a chosen way, so that a retailer's system can meet every
 * answer, the unhappy ones above all, on purpose and deterministically. One table, read by the
 * stub, the hub's page that documents it, the scenario catalogue, OpenAPI and the WSDL.
 *
 *   {area 2}9999{behaviour 4}{parameter 12}      e.g. 0399990101000000000000 (Tokyo, SPID_NOT_FOUND)
 *                                                     0399999001000000000005 (Tokyo, answer after 5 s)
 *
 * 9999 after the area never begins a point of the reference grid's registry (it puts the
 * prefecture's JIS code, 01–47, there), so a designated ID never names a real point. The parameter is a number (seconds of
 * a delay, deliveries to fail), right-aligned and zero-padded; 0 where a behaviour has none.
 *
 * Every behaviour says which interfaces it applies to; on any other interface the stub answers NG
 * `VERIFY_NOT_APPLICABLE`, naming them. Pure: no I/O.
 */
import { areaCodes, type AreaCode } from '../../domain/area.ts';
import type { MessageCode } from '../../domain/messages.ts';

export const designatedMarker = '9999';

/** The kinds of grid interface a designated ID is used with. */
export type StubInterfaceKind =
  | 'facility'
  | 'usagePasswordApplication'
  | 'usage'
  | 'moveIn'
  | 'moveOut'
  | 'switchIn'
  | 'switchOut'
  | 'infoChange'
  | 'ampereChange';

export type StubFamily = 'LV' | 'HV' | 'FIT';

const kindOfNumber: Readonly<Record<string, StubInterfaceKind>> = {
  '101': 'facility',
  '102': 'usagePasswordApplication',
  '103': 'usage',
  '104': 'moveIn',
  '105': 'moveOut',
  '106': 'switchIn',
  '107': 'switchOut',
  '108': 'infoChange',
  '109': 'ampereChange',
};

export const applicationKinds: readonly StubInterfaceKind[] = ['moveIn', 'moveOut', 'switchIn', 'switchOut', 'infoChange', 'ampereChange'];
const switchKinds: readonly StubInterfaceKind[] = ['switchIn', 'switchOut'];
const filedKinds: readonly StubInterfaceKind[] = ['usagePasswordApplication', ...applicationKinds];

/** `IF_K10610` → { kind: switchIn, family: HV }; the status inquiries (…20) map to their application. */
export function stubInterfaceOf(interfaceId: string): { kind: StubInterfaceKind; family: StubFamily; status: boolean } | undefined {
  const match = /^IF_([KF]?)1(0[1-9])(10|20)$/.exec(interfaceId);
  if (!match) return undefined;
  const kind = kindOfNumber[`1${match[2]}`];
  if (!kind) return undefined;
  return { kind, family: match[1] === 'K' ? 'HV' : match[1] === 'F' ? 'FIT' : 'LV', status: match[3] === '20' };
}

export type StubBehaviour =
  /** NG with `code` at once (a refused registration is kept at 09 with it, as the reference grid keeps it). */
  | { readonly type: 'ng'; readonly code: MessageCode }
  /** Accepted, then refused at the named stage on the applicant's next status inquiry. */
  | { readonly type: 'refuseLater'; readonly code: MessageCode }
  /** A switch that waits for its counterpart for ever (stage 03). */
  | { readonly type: 'neverMatch' }
  /** A switch matched at once (05 in the answer to the registration), complete (06) at the next inquiry. */
  | { readonly type: 'matchAtOnce' }
  /** Accepted; each status inquiry moves it one stage on, to 06 (or 08 with meter work). */
  | { readonly type: 'complete'; readonly meterWork: boolean }
  /** Answers after `seconds` (real time), then as `complete` without meter work. */
  | { readonly type: 'delay'; readonly seconds: number }
  /** Never answers: the hub gives up after its timeout (GRID_UNAVAILABLE, or the outbox's retries). */
  | { readonly type: 'timeout' }
  /** Fails the first `times` deliveries of each request before storing anything, then as `complete`. */
  | { readonly type: 'failAfterAccept'; readonly times: number }
  /** Stores and answers, but the first answer is lost: the redelivery is answered again (the same answer). */
  | { readonly type: 'answerTwice' };

export interface DesignatedEntry {
  /** The 4 digits after `9999`. */
  readonly number: string;
  readonly behaviour: (parameter: number) => StubBehaviour;
  /** The kinds of interface it applies to (status inquiries follow their application). */
  readonly kinds: readonly StubInterfaceKind[];
  /** Families it applies to; all when absent. */
  readonly families?: readonly StubFamily[];
  /** Only on corrections (2) or cancellations (3). */
  readonly updateFlags?: readonly string[];
  /** What happens, in Japanese (the hub's page, OpenAPI, WSDL). */
  readonly description: string;
  /** The parameter's meaning, when there is one, and the value the examples use. */
  readonly parameter?: { readonly label: string; readonly example: number; readonly max: number };
}

const ng = (code: MessageCode) => () => ({ type: 'ng', code }) as const;
const all: readonly StubInterfaceKind[] = ['facility', 'usagePasswordApplication', 'usage', ...applicationKinds];

/** The table. Numbers are stable: a retailer's test suite names them. Add new rows at the end of a group. */
export const designatedEntries: readonly DesignatedEntry[] = [
  // 01xx: refusals at once, with the reference grid's codes.
  { number: '0101', behaviour: ng('SPID_NOT_FOUND'), kinds: all, description: '存在しない供給地点として NG（SPID_NOT_FOUND）' },
  { number: '0102', behaviour: ng('GRID_FACILITY_NOT_FOR_HV'), kinds: ['facility'], description: '高圧の地点として設備情報取得を NG' },
  { number: '0103', behaviour: ng('GRID_POINT_IS_FIT'), kinds: ['facility'], families: ['LV'], description: '低圧FITの受電地点として NG' },
  { number: '0104', behaviour: ng('GRID_POINT_NOT_FIT'), kinds: ['facility'], families: ['FIT'], description: '需要地点として IF_F10110 を NG' },
  { number: '0110', behaviour: ng('GRID_POINT_IS_HV'), kinds: ['usagePasswordApplication', 'usage'], families: ['LV'], description: '高圧の地点として NG' },
  { number: '0111', behaviour: ng('GRID_POINT_IS_LV'), kinds: ['usagePasswordApplication', 'usage'], families: ['HV'], description: '低圧の地点として NG' },
  { number: '0112', behaviour: ng('GRID_POINT_IS_EHV'), kinds: ['usagePasswordApplication', 'usage'], description: '特別高圧の地点として NG' },
  { number: '0113', behaviour: ng('GRID_USAGE_NOT_FOR_FIT'), kinds: ['usagePasswordApplication', 'usage'], description: '低圧FITの受電地点として NG' },
  { number: '0114', behaviour: ng('GRID_POINT_VACANT'), kinds: ['usagePasswordApplication'], description: '需要者のいない地点として NG' },
  { number: '0115', behaviour: ng('GRID_CONSENT_DATE_FUTURE'), kinds: ['usagePasswordApplication'], description: '同意日が将来日として NG' },
  { number: '0116', behaviour: ng('GRID_IDENTITY_CONTACT_REQUIRED'), kinds: ['usagePasswordApplication'], description: '電話番号・住所なしとして NG' },
  { number: '0120', behaviour: ng('GRID_USAGE_PASSWORD_WRONG'), kinds: ['usage'], description: 'パスワード誤りとして NG' },
  { number: '0121', behaviour: ng('GRID_USAGE_PASSWORD_EXPIRED'), kinds: ['usage'], description: 'パスワード期限切れとして NG' },
  { number: '0122', behaviour: ng('GRID_USAGE_PASSWORD_CUSTOMER_CHANGED'), kinds: ['usage'], description: '発行後に需要者が変わったとして NG' },
  { number: '0123', behaviour: ng('GRID_USAGE_DATE_OUT_OF_RANGE'), kinds: ['usage'], description: '30分値の照会日が範囲外として NG' },
  { number: '0130', behaviour: ng('APP_WRONG_FAMILY_HV'), kinds: applicationKinds, families: ['LV', 'FIT'], description: '高圧の地点として申込を NG' },
  { number: '0131', behaviour: ng('APP_WRONG_FAMILY_LV'), kinds: applicationKinds, families: ['HV', 'FIT'], description: '低圧需要地点として申込を NG' },
  { number: '0132', behaviour: ng('APP_WRONG_FAMILY_FIT'), kinds: applicationKinds, families: ['LV', 'HV'], description: '低圧FITの受電地点として申込を NG' },
  { number: '0133', behaviour: ng('APP_POINT_EHV'), kinds: applicationKinds, description: '特別高圧の地点として申込を NG' },
  { number: '0134', behaviour: ng('APP_POINT_CONTRACTED'), kinds: ['moveIn'], description: '契約中の地点として再点を NG' },
  { number: '0135', behaviour: ng('APP_POINT_REMOVED'), kinds: ['moveIn'], description: '撤去済みの地点として再点を NG' },
  {
    number: '0136',
    behaviour: ng('APP_POINT_NOT_CONTRACTED'),
    kinds: ['moveOut', 'switchOut', 'infoChange', 'ampereChange'],
    description: '契約中でない地点として NG',
  },
  {
    number: '0137',
    behaviour: ng('APP_NOT_CURRENT_RETAILER'),
    kinds: ['moveOut', 'switchOut', 'infoChange', 'ampereChange'],
    description: '現小売でないとして NG',
  },
  { number: '0138', behaviour: ng('APP_ALREADY_CURRENT_RETAILER'), kinds: ['switchIn'], description: '申込者自身が現小売として NG' },
  { number: '0139', behaviour: ng('APP_CURRENT_RETAILER_MISMATCH'), kinds: ['switchIn'], description: '現小売電気事業者コード不一致として NG' },
  { number: '0140', behaviour: ng('APP_NEW_RETAILER_IS_SELF'), kinds: ['switchOut'], description: '新小売に申込者自身を指定したとして NG' },
  { number: '0141', behaviour: ng('APP_CONFLICT'), kinds: applicationKinds, description: '処理中の申込と競合するとして NG' },
  { number: '0142', behaviour: ng('APP_AMPERE_NOT_LIGHTING'), kinds: ['ampereChange'], description: '電灯契約でないとして NG' },
  { number: '0143', behaviour: ng('APP_AMPERE_NOT_IN_AREA'), kinds: ['ampereChange'], description: '最低料金制のエリアとして NG' },
  { number: '0144', behaviour: ng('APP_AMPERE_INVALID'), kinds: ['ampereChange'], description: '契約電流の値が不正として NG' },
  {
    number: '0145',
    behaviour: ng('APP_DATE_TOO_EARLY'),
    kinds: ['moveIn', 'moveOut', 'switchIn', 'ampereChange'],
    description: '標準処理期間を満たさない日付として NG',
  },
  {
    number: '0146',
    behaviour: ng('APP_NOT_CORRECTABLE'),
    kinds: applicationKinds,
    updateFlags: ['2'],
    description: '訂正（更新区分2）をマッチング完了後として NG',
  },
  {
    number: '0147',
    behaviour: ng('APP_NOT_CANCELLABLE'),
    kinds: applicationKinds,
    updateFlags: ['3'],
    description: '取消（更新区分3）をマッチング完了後として NG',
  },
  {
    number: '0148',
    behaviour: ng('APP_NOT_FOR_HV'),
    kinds: ['moveIn', 'ampereChange'],
    families: ['LV', 'FIT'],
    description: '高圧の地点（その申込がない）として NG',
  },
  { number: '0149', behaviour: ng('APP_NOT_FOR_FIT'), kinds: ['ampereChange'], families: ['LV'], description: '低圧FITの受電地点（その申込がない）として NG' },
  {
    number: '0150',
    behaviour: ng('APP_POINT_MISMATCH'),
    kinds: applicationKinds,
    updateFlags: ['2', '3'],
    description: '訂正・取消で申込番号の供給地点と一致しないとして NG',
  },
  {
    number: '0151',
    behaviour: ng('APP_KIND_MISMATCH'),
    kinds: applicationKinds,
    updateFlags: ['2', '3'],
    description: '訂正・取消で申込番号が別のインタフェースの申込として NG',
  },
  {
    number: '0152',
    behaviour: ng('GRID_APPLICATION_NOT_FOUND'),
    kinds: applicationKinds,
    updateFlags: ['2', '3'],
    description: '訂正・取消で申込番号の申込がないとして NG',
  },
  // 02xx: accepted, refused later at a named stage.
  {
    number: '0201',
    behaviour: () => ({ type: 'refuseLater', code: 'APP_MATCH_EXPIRED' }),
    kinds: switchKinds,
    description: '受付（03 マッチング待ち）後、次の状態照会で 09 不受付（APP_MATCH_EXPIRED）',
  },
  {
    number: '0202',
    behaviour: () => ({ type: 'refuseLater', code: 'VERIFY_REFUSED_AT_STAGE' }),
    kinds: ['moveIn', 'moveOut', 'infoChange', 'ampereChange'],
    description: '受付（10 処理中）後、次の状態照会で 09 不受付（VERIFY_REFUSED_AT_STAGE）',
  },
  {
    number: '0203',
    behaviour: () => ({ type: 'refuseLater', code: 'GRID_IDENTITY_NAME_MISMATCH' }),
    kinds: ['usagePasswordApplication'],
    description: '受付（01 受付）後、次の状態照会で 09 不受付（GRID_IDENTITY_NAME_MISMATCH）',
  },
  {
    number: '0204',
    behaviour: () => ({ type: 'refuseLater', code: 'GRID_IDENTITY_CONTACT_MISMATCH' }),
    kinds: ['usagePasswordApplication'],
    description: '受付（01 受付）後、次の状態照会で 09 不受付（GRID_IDENTITY_CONTACT_MISMATCH）',
  },
  // 03xx: matching.
  { number: '0301', behaviour: () => ({ type: 'neverMatch' }), kinds: switchKinds, description: 'マッチングしない（03 マッチング待ちのまま）' },
  { number: '0302', behaviour: () => ({ type: 'matchAtOnce' }), kinds: switchKinds, description: '即時マッチング（応答で 05）、次の状態照会で 06 完了' },
  // 04xx: completion.
  {
    number: '0401',
    behaviour: () => ({ type: 'complete', meterWork: false }),
    kinds: filedKinds,
    description: '受付後、状態照会のたびに1工程進み 06 完了（計器工事なし）。PW申込はパスワード発行',
  },
  {
    number: '0402',
    behaviour: () => ({ type: 'complete', meterWork: true }),
    kinds: applicationKinds,
    description: '受付後、状態照会のたびに1工程進み 08 完了（計器工事あり）',
  },
  // 90xx: faults.
  {
    number: '9001',
    behaviour: (seconds) => ({ type: 'delay', seconds }),
    kinds: all,
    description: 'N 秒後に応答（以後は 0401 と同じ）。申込は3秒を超えると未送達（OUTBOX_NOT_DELIVERED）として受け付け、再送',
    parameter: { label: '秒', example: 5, max: 120 },
  },
  {
    number: '9002',
    behaviour: () => ({ type: 'timeout' }),
    kinds: all,
    description: '応答しない（照会は GRID_UNAVAILABLE、申込は未送達のまま再送され続ける）',
  },
  {
    number: '9003',
    behaviour: (times) => ({ type: 'failAfterAccept', times: Math.max(1, times) }),
    kinds: filedKinds,
    description: 'ハブの受付後、送配電側が N 回失敗（未送達・再送）し、その後受付（以後は 0401 と同じ）',
    parameter: { label: '回', example: 2, max: 20 },
  },
  {
    number: '9004',
    behaviour: () => ({ type: 'answerTwice' }),
    kinds: filedKinds,
    description: '受け付けたが最初の応答が失われる（未送達）。再送に同じ応答を再度返す（申込は1件のみ）',
  },
];

const byNumber = new Map(designatedEntries.map((e) => [e.number, e]));

/** The designated ID of `number` in `area`, with `parameter`. */
export function designatedId(area: AreaCode, number: string, parameter = 0): string {
  if (!byNumber.has(number)) throw new Error(`no designated behaviour ${number}`);
  return `${area}${designatedMarker}${number}${String(parameter).padStart(12, '0')}`;
}

export interface Designation {
  readonly entry: DesignatedEntry;
  readonly behaviour: StubBehaviour;
  readonly parameter: number;
}

/** What a supply point ID designates, or undefined for an ordinary ID (or an unknown behaviour). */
export function designationOf(supplyPointId: unknown): Designation | undefined {
  if (typeof supplyPointId !== 'string' || !/^\d{22}$/.test(supplyPointId)) return undefined;
  if (!(areaCodes as readonly string[]).includes(supplyPointId.slice(0, 2)) || supplyPointId.slice(2, 6) !== designatedMarker) return undefined;
  const entry = byNumber.get(supplyPointId.slice(6, 10));
  if (!entry) return undefined;
  const parameter = Math.min(Number(supplyPointId.slice(10)), entry.parameter?.max ?? 0);
  return { entry, behaviour: entry.behaviour(parameter), parameter };
}

/** Whether the designation applies to the interface (and, for applications, the update flag). */
export function appliesTo(entry: DesignatedEntry, interfaceId: string, updateFlag?: unknown): boolean {
  const itf = stubInterfaceOf(interfaceId);
  if (!itf || !entry.kinds.includes(itf.kind)) return false;
  if (entry.families && !entry.families.includes(itf.family)) return false;
  if (itf.status) return true;
  if (entry.updateFlags) return entry.updateFlags.includes(String(updateFlag ?? '1'));
  return true;
}

/** The interfaces of the catalogue an entry applies to, for its documentation. */
export function interfacesOf(entry: DesignatedEntry, interfaceIds: readonly string[]): string[] {
  return interfaceIds.filter((id) => {
    const itf = stubInterfaceOf(id);
    return itf !== undefined && !itf.status && appliesTo(entry, id, entry.updateFlags?.[0]);
  });
}

/** The designated IDs (Tokyo's, parameters at their example) an interface answers scripted, for OpenAPI and the WSDL. */
export function designatedFor(interfaceId: string, area: AreaCode = '03'): { readonly id: string; readonly entry: DesignatedEntry }[] {
  const itf = stubInterfaceOf(interfaceId);
  if (!itf || itf.status) return [];
  return designatedEntries
    .filter((e) => appliesTo(e, interfaceId, e.updateFlags?.[0]))
    .map((entry) => ({ id: designatedId(area, entry.number, entry.parameter?.example ?? 0), entry }));
}

/** One line per designated ID of an interface (the WSDL's documentation). */
export function designatedSummary(interfaceId: string): string {
  const designated = designatedFor(interfaceId);
  if (designated.length === 0) return '';
  return `検証環境（KIRIKAE_MODE=verification）の一般送配電スタブ: ${designated
    .map(({ id, entry }) => `${id}${entry.updateFlags ? `（更新区分${entry.updateFlags.join('/')}）` : ''} ${entry.description}`)
    .join('; ')}`;
}

/** The code an entry answers with (a refusal at once or later), if any. */
export function codeOf(entry: DesignatedEntry): MessageCode | undefined {
  const behaviour = entry.behaviour(1);
  return behaviour.type === 'ng' || behaviour.type === 'refuseLater' ? behaviour.code : undefined;
}
