/**
 * The reception-message catalogue (受付メッセージ): every refusal code the system can give, with its
 * Japanese text. Codes are stable: clients match on them, so a code is never renamed or reused.
 * Add new codes at the end of their group.
 *
 * Groups: SPID_ supply point ID, AREA_ areas, PCODE_ participant codes, DATE_ dates and calendar,
 * CODE_ code tables, SEED_ synthetic data, DB_ storage, CLOCK_ time, AUTH_ identity, certificates,
 * users, sessions and permissions, GRID_ the reference grid's answers (some are notices in an OK
 * response rather than refusals: GRID_USAGE_WITHHELD, GRID_USAGE_PASSWORD_ISSUED, …).
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
  SEED_REGISTRY_NOT_EMPTY: '供給地点台帳にはすでに{count}件の供給地点があります。置き換える場合は --replace を指定してください。',

  DB_UNREACHABLE: 'データベースに接続できません（{target}）。',
  DB_MIGRATION_FAILED: 'マイグレーション {migration} の適用に失敗しました。データベースは適用前の状態のままです。',
  DB_MIGRATION_CHANGED: '適用済みのマイグレーション {migration} の内容が変更されています。適用済みのマイグレーションは変更できません。',

  CLOCK_NOT_MOVABLE: '本番モードでは時計を進めることはできません。',
  CLOCK_BACKWARDS: '時計を戻すことはできません。',
  CLOCK_DURATION_FORMAT: '期間の形式が正しくありません（例: 3d, 12h, 20m）。',

  AUTH_TERMINAL_REFUSED: 'お使いの端末では当システムを利用できません',
  AUTH_FORBIDDEN: 'この操作を行う権限がありません。',
  AUTH_LOGIN_FAILED: 'ユーザIDまたはパスワードが正しくありません。',
  AUTH_LOCKED: 'パスワードの誤りが続いたため、このユーザIDは {until} までロックされています。',
  AUTH_USER_SUSPENDED: 'このユーザIDは利用を停止されています。広域機関にお問い合わせください。',
  AUTH_CERT_OTHER_PARTICIPANT: 'お使いの端末の証明書は、このユーザIDの事業者のものではありません。',
  AUTH_API_CERT_FOR_WEB: 'API用の証明書では画面にログインできません。端末用の証明書をお使いください。',
  AUTH_SESSION_INVALID: 'ログインしていないか、ログアウトしました。再度ログインしてください。',
  AUTH_SESSION_EXPIRED: '一定時間操作がなかったか、ログインから長時間が経過したため、ログアウトしました。再度ログインしてください。',
  AUTH_SESSION_CERT_MISMATCH: 'ログインした端末とは別の端末からの操作のため、ログアウトしました。再度ログインしてください。',
  AUTH_PASSWORD_CHANGE_REQUIRED: 'パスワードを変更してください。',
  AUTH_PASSWORD_CURRENT_WRONG: '現在のパスワードが正しくありません。',
  AUTH_PASSWORD_LENGTH: 'パスワードは{min}〜{max}文字で入力してください。',
  AUTH_PASSWORD_CHARSET: 'パスワードには半角の英数字と記号のみ使用できます（空白は使用できません）。',
  AUTH_PASSWORD_CLASSES: 'パスワードには英大文字・英小文字・数字・記号のうち3種類以上を含めてください。',
  AUTH_PASSWORD_CONTAINS_USER_ID: 'パスワードにユーザIDを含めることはできません。',
  AUTH_PASSWORD_CONFIRM: '新しいパスワードと確認用のパスワードが一致しません。',
  AUTH_PASSWORD_REUSED: '現在のパスワードと同じパスワードは設定できません。',
  AUTH_USER_ID_FORMAT: 'ユーザIDは半角の英小文字・数字・記号（. _ -）の4〜32文字で、英数字から始めてください。',
  AUTH_USER_ID_TAKEN: 'ユーザID {userId} はすでに使われています（削除したユーザIDも再利用できません）。',
  AUTH_USER_NOT_FOUND: 'ユーザID {userId} のユーザは存在しません。',
  AUTH_USER_ROLE: 'この事業者のユーザには権限「{role}」を設定できません。',
  AUTH_USER_NAME_REQUIRED: '氏名を1〜100文字で入力してください。',
  AUTH_EMAIL_FORMAT: 'メールアドレスの形式が正しくありません。',
  AUTH_NOT_SELF: '自分自身のユーザIDや所属する事業者を停止・削除することはできません。',
  AUTH_COMPANY_CODE_FORMAT: '事業者の会社コードは英数字4桁で入力してください。',
  AUTH_PARTICIPANT_NOT_FOUND: '事業者コード {companyCode} の事業者は登録されていません。',
  AUTH_PARTICIPANT_EXISTS: '事業者コード {companyCode} の事業者はすでに登録されています。',
  AUTH_PARTICIPANT_NAME_REQUIRED: '事業者名を1〜100文字で入力してください。',
  AUTH_PARTICIPANT_KIND: '事業者種別「{kind}」はありません。',
  AUTH_PARTICIPANT_AREAS: 'エリアの指定が正しくありません（一般送配電事業者は1エリア、小売電気事業者・発電者は1エリア以上、広域機関はエリアなし）。',
  AUTH_CERT_NOT_CLIENT: 'この証明書は事業者のクライアント証明書ではありません（O=事業者コード、OU=api または terminal が必要です）。',
  AUTH_CERT_PARTICIPANT_MISMATCH: '証明書の事業者コード {bound} は事業者 {companyCode} のものではありません。',
  AUTH_CERT_EXPIRED: '証明書は有効期間外です（{notBefore} から {notAfter} まで）。',
  AUTH_CERT_NOT_FOUND: '指定された証明書は登録されていません。',
  AUTH_REASON_REQUIRED: '理由を1〜500文字で入力してください。',
  AUTH_AUDIT_CURSOR_INVALID: '監査ログの続きの指定（before）が正しくありません。',

  // PKI_: certificates and key files handled by the hub operator (kirikae pki).
  PKI_NO_CERTIFICATE: 'PEMの中に証明書（BEGIN CERTIFICATE）がありません。',
  PKI_NOT_CERTIFICATE: '証明書ではないPEMブロック（{type}）が含まれています。',
  PKI_BAD_CERTIFICATE: '証明書を読み取れません（PEMまたはDERの形式が正しくありません）。',
  PKI_NOT_CA: '証明書「{subject}」は認証局（CA）の証明書ではありません。',
  PKI_CA_EXPIRED: '認証局の証明書「{subject}」は有効期間外です（{notAfter} まで）。',
  PKI_KEY_MISMATCH: '秘密鍵が証明書と対応していません。',
  PKI_BAD_KEY: '秘密鍵を読み取れません（RSAの秘密鍵をPEM形式で指定してください）。',
  PKI_NAME_INVALID: '{field} に使えない値です（1〜64文字、制御文字は使えません）。',
  PKI_HOST_INVALID: 'ホスト名またはIPアドレス「{host}」の形式が正しくありません。',
  PKI_VALIDITY_INVALID: '有効日数には1以上の整数を指定してください。',
  PKI_PKCS12_UNREADABLE: 'PKCS#12ファイルを開けません（パスワードが違うか、形式が正しくありません）。',
  PKI_PASSWORD_INVALID: 'PKCS#12のパスワードは英数字・記号（ASCII）で1文字以上にしてください。',

  // HTTP_: the transport, the same for every interface and screen.
  HTTP_CSRF: 'フォームの有効期限が切れたか、不正な送信です。画面を開き直してから、もう一度操作してください。',
  HTTP_RATE_LIMITED: '短時間に多数の要求があったため、受け付けられませんでした。しばらく待ってから再度実行してください。',
  HTTP_NOT_FOUND: '指定された画面またはインタフェースはありません。',
  HTTP_BODY_TOO_LARGE: '要求の大きさが上限（{limit}）を超えています。',
  HTTP_BAD_REQUEST: '要求の形式が正しくありません。',
  HTTP_INTERNAL: 'システムでエラーが発生しました。時間をおいて再度実行してください。（問合せ番号 {requestId}）',

  // GRID_: the reference grid operator's answers to IF_ interfaces, and reaching it.
  GRID_UNAVAILABLE: 'エリア{area}の一般送配電事業者のシステムから応答がありません。時間をおいて再度実行してください。',
  GRID_INTERFACE_UNKNOWN: 'インタフェース {interfaceId} はこの一般送配電事業者のシステムでは取り扱っていません。',
  GRID_AREA_NOT_SERVED: 'この送配電システムはエリア{area}を取り扱っていません。',
  GRID_FIELD_REQUIRED: '{field}を入力してください。',
  GRID_FIELD_INVALID: '{field}の値が正しくありません。',
  GRID_SPID_WRONG_AREA: '供給地点特定番号はエリア{pointArea}のものです。エリア{gridArea}の一般送配電事業者では取り扱えません。',
  GRID_FACILITY_NOT_FOR_HV: '高圧・特別高圧の供給地点は設備情報照会の対象外です。',
  GRID_POINT_IS_FIT: 'この地点は低圧FITの受電地点です。設備情報は IF_F10110 で照会してください。',
  GRID_POINT_NOT_FIT: 'この地点は低圧FITの受電地点ではありません。需要地点の設備情報は IF_10110 で照会してください。',
  GRID_USAGE_NOT_FOR_FIT: '低圧FITの受電地点は使用量照会（パスワード申請を含む）の対象外です。',
  GRID_POINT_IS_HV: 'この供給地点は高圧です。{interfaceId} をご利用ください。',
  GRID_POINT_IS_LV: 'この供給地点は低圧です。{interfaceId} をご利用ください。',
  GRID_POINT_IS_EHV: '特別高圧の供給地点はこのシステムの対象外です。',
  GRID_POINT_VACANT: 'この供給地点には現在契約中の需要者がいません（状態: {status}）。',
  GRID_CONSENT_DATE_FUTURE: '需要者の同意日に将来の日付は指定できません。',
  GRID_IDENTITY_CONTACT_REQUIRED: '本人確認のため、電話番号または住所のいずれかを入力してください。',
  GRID_IDENTITY_NAME_MISMATCH: '需要者名（カナ）が、この供給地点の需要者として登録されている名義と一致しません。',
  GRID_IDENTITY_CONTACT_MISMATCH: '電話番号・住所のいずれも、この供給地点の需要者として登録されている内容と一致しません。',
  GRID_APPLICATION_NOT_FOUND: '申込番号 {applicationNumber} の申込は見つかりません。',
  GRID_APPLICATION_OTHER_INTERFACE: '申込番号 {applicationNumber} は {interfaceId} で受け付けた申込です。{statusInterfaceId} で照会してください。',
  GRID_USAGE_PASSWORD_PENDING: '本人確認中です。{examinedOn}以降に結果を照会してください。',
  GRID_USAGE_PASSWORD_ISSUED: '使用量照会パスワードを発行しました。有効期限は{validUntil}までです。パスワードはこの一度だけ表示します。',
  GRID_USAGE_PASSWORD_SHOWN: '使用量照会パスワードは{issuedAt}に通知済みのため、再表示できません（有効期限 {validUntil}まで）。紛失した場合は再度申請してください。',
  GRID_USAGE_PASSWORD_WRONG: '使用量照会パスワードが正しくありません。',
  GRID_USAGE_PASSWORD_EXPIRED: '使用量照会パスワードの有効期限（{validUntil}まで）が過ぎています。再度申請してください。',
  GRID_USAGE_PASSWORD_CUSTOMER_CHANGED: '使用量照会パスワードの発行後に、この供給地点の需要者が変わりました。このパスワードは使用できません。',
  GRID_USAGE_DATE_OUT_OF_RANGE: '30分値を照会できる日付は{from}から{to}までです。',
  GRID_USAGE_WITHHELD: '{before}より前の使用量は、前の名義の需要者のものであるため表示しません。',
  GRID_USAGE_NO_HALF_HOURLY: 'この供給地点の計器は従来型計器（自動検針不可）のため、30分値はありません。',
  GRID_USAGE_BEFORE_SMART_METER: '{date}はスマートメーターの設置日（{installedOn}）より前のため、30分値はありません。',
} as const;

export type MessageCode = keyof typeof messages;
