/**
 * The request fields the look-up interfaces read, by the identifiers of the interface catalogue
 * (src/interfaces/catalogue/lookup.ts), with the Japanese label a refusal names them by. The hub
 * has already validated and normalised them against the catalogue; the grid reads them again in its
 * own terms, because a grid must never trust its caller to have checked what it relies on.
 */
export const fieldLabels = {
  supplyPointId: '供給地点特定番号',
  requestId: 'リクエストID',
  customerNameKana: '需要者名（カナ）',
  phoneNumber: '電話番号',
  address: '住所',
  consentDate: '同意取得日',
  applicationNumber: '申込番号',
  usagePassword: '使用量照会PW',
  halfHourlyDate: '30分値取得日',
  halfHourlyTo: '30分値取得終了日',
  validUntil: 'PW有効期限（希望）',
} as const;

export type LookupField = keyof typeof fieldLabels;
