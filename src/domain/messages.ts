/**
 * The reception-message catalogue (受付メッセージ): every refusal code the system can give, with its
 * Japanese text. Codes are stable: clients match on them, so a code is never renamed or reused.
 * Add new codes at the end of their group.
 *
 * Groups: SPID_ supply point ID, AREA_ areas, PCODE_ participant codes, DATE_ dates and calendar,
 * CODE_ code tables, SEED_ synthetic data, DB_ storage, CLOCK_ time.
 */
export const messages = {
  SPID_REQUIRED: '供給地点特定番号を入力してください。',
  SPID_NOT_DIGITS: '供給地点特定番号は数字のみで入力してください。',
  SPID_LENGTH: '供給地点特定番号は22桁で入力してください（入力された桁数: {length}桁）。',
  SPID_UNKNOWN_AREA: '供給地点特定番号の先頭2桁（エリアコード {areaCode}）に該当するエリアがありません。',
  SPID_NOT_FOUND: '指定された供給地点特定番号の供給地点は存在しません。',

  AREA_UNKNOWN: 'エリアコード {areaCode} に該当するエリアがありません。',

  PCODE_FORMAT: '事業者コードの形式が正しくありません（英数字4桁＋エリアコード末尾1桁）。',
  PCODE_UNKNOWN_AREA: '事業者コード末尾のエリア番号 {digit} に該当するエリアがありません。',

  DATE_FORMAT: '日付の形式が正しくありません（YYYY-MM-DD）。',
  DATE_INVALID: '存在しない日付です。',

  CODE_UNKNOWN: '{field}の値「{value}」はコード表にありません。',

  SEED_POINTS_INVALID: '供給地点数には0以上の整数を指定してください。',
  SEED_SEED_INVALID: 'シード値には0以上の整数を指定してください。',

  DB_UNREACHABLE: 'データベースに接続できません（{target}）。',
  DB_MIGRATION_FAILED: 'マイグレーション {migration} の適用に失敗しました。データベースは適用前の状態のままです。',
  DB_MIGRATION_CHANGED: '適用済みのマイグレーション {migration} の内容が変更されています。適用済みのマイグレーションは変更できません。',

  CLOCK_NOT_MOVABLE: '本番モードでは時計を進めることはできません。',
  CLOCK_BACKWARDS: '時計を戻すことはできません。',
  CLOCK_DURATION_FORMAT: '期間の形式が正しくありません（例: 3d, 12h, 20m）。',
} as const;

export type MessageCode = keyof typeof messages;
