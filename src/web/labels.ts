import { interfaceById } from '../interfaces/catalogue/catalogue.ts';
import { messages, type MessageCode } from '../domain/messages.ts';
import { messageText } from '../domain/refusal.ts';

/** Japanese labels of the hub's closed values, for screens. */
export const participantKindLabels = { hub: '広域機関', grid: '一般送配電事業者', retailer: '小売電気事業者', generator: '発電者' } as const;
export const userRoleLabels = { hub_admin: '広域機関管理者', participant_admin: '事業者管理者', user: '一般ユーザ' } as const;
export const statusLabels = { active: '有効', suspended: '停止中', deleted: '削除済' } as const;
export const certificateUsageLabels = { api: 'API（システム連携）', terminal: '端末（画面）' } as const;
/** The audit log's channels: how a request came (the API's two bindings, the screens, the operator's command line). */
export const auditChannelLabels = { api: 'API（JSON）', soap: 'API（SOAP）', web: '画面', cli: '運用コマンド' } as const;
export const suspensionTargetLabels = { participant: '事業者', certificate: 'クライアント証明書', user: 'ユーザID' } as const;

/** A date-time in Japan, as screens show it: 2026/04/01 09:30. */
export function jst(instant: Date | null | undefined): string {
  if (!instant) return '';
  const t = new Date(instant.getTime() + 9 * 3_600_000).toISOString();
  return `${t.slice(0, 4)}/${t.slice(5, 7)}/${t.slice(8, 10)} ${t.slice(11, 16)}`;
}

/**
 * Japanese names of the audit log's actions other than interface IDs (the catalogue names those):
 * the screens' and the hub API's routes (`config.action`), the commands that record their own row,
 * and the operator's commands (`kirikae …`, channel cli). `auditActionLabel` reads them.
 */
export const auditActionLabels: Readonly<Record<string, string>> = {
  apiOperations: 'API運用情報',
  apiRepository: 'APIリポジトリ',
  applicationDetail: '申込内容照会（詳細）',
  applicationList: '申込内容一覧照会',
  areaDetect: 'エリアの判定',
  areaForm: '申込・照会画面',
  areaMenu: 'エリアメニュー',
  areaSearchForm: '検索画面',
  areaSelect: 'エリア選択',
  auditSearch: '監査ログ検索',
  certificateApproved: '証明書申請の承認',
  certificateDecide: '証明書申請の承認・却下',
  certificateDownload: '証明書のダウンロード',
  certificateDownloaded: '証明書の受領',
  certificateExpiry: '証明書の有効期限',
  certificateIssued: '証明書の発行',
  certificateList: 'クライアント証明書一覧',
  certificateOverview: 'クライアント証明書',
  certificateRefused: '証明書申請の却下',
  certificateRequest: '証明書申請',
  certificateRequestDetail: '証明書申請（詳細）',
  certificateRequestForm: '証明書申請画面',
  certificateRequestList: '証明書申請一覧',
  certificateRequested: '証明書申請の受付',
  clockAdvance: '時計を進める',
  clockShow: '時計',
  credentialStatus: '証明書・事業者の状態照会（API）',
  login: 'ログイン',
  logout: 'ログアウト',
  lossReport: '証明書の紛失届',
  lossReportForm: '紛失届画面',
  mailboxList: 'メールボックス',
  mailboxMessage: 'メールボックス（メッセージ）',
  me: '自社情報照会（API）',
  noticeCreate: 'インフォメーションの登録',
  noticeDelete: 'インフォメーションの削除',
  noticeDetail: 'インフォメーション（詳細）',
  noticeList: 'インフォメーション一覧',
  noticeModify: 'インフォメーションの変更',
  participantList: '事業者一覧',
  participantRegister: '事業者の登録',
  passwordChange: 'パスワード変更',
  portal: 'トップ',
  ppsDeadlines: 'データ提供期限',
  relayCancel: '廃止取次の取消',
  relayCsvTemplate: '廃止取次CSVのひな形',
  relayDecision: '廃止取次判断',
  relayDetail: '廃止取次（詳細）',
  relayList: '廃止取次一覧',
  relayModify: '廃止取次の変更',
  relayMonitor: '廃止取次監視',
  relayReceivedDetail: '廃止取次受領（詳細）',
  relayReceivedList: '廃止取次受領一覧',
  relayRegister: '廃止取次の登録',
  relayUpload: '廃止取次CSVの登録',
  statistics: 'スイッチング実績',
  statisticsCsv: 'スイッチング実績（CSV）',
  suspension: '権限停止・再開',
  suspicionDismiss: '不正利用の疑いの解消',
  suspicionList: '不正利用の疑い',
  suspicionSuspend: '不正利用の疑いによる停止',
  terminalHours: '端末の利用時間帯',
  userDelete: 'ユーザの削除',
  userDetail: 'ユーザ（詳細）',
  userList: 'ユーザ一覧',
  userModify: 'ユーザの変更',
  userPasswordReset: 'パスワードの初期化',
  userRegister: 'ユーザの登録',
  verificationDesignated: '検証用供給地点特定番号',
  verificationMatrix: 'テストシナリオの進捗（全事業者）',
  verificationMatrixCsv: 'テストシナリオの進捗（CSV）',
  verificationProgress: 'テストシナリオの進捗',
  // The operator's commands (channel cli).
  seed: '模擬データの投入',
  'grid.readingDays.load': '検針日の読込',
  'grid.pps.register': 'データ提供サイトの証明書登録',
  'grid.pps.reissue': 'データ提供ファイルの再作成',
  'grid.interruption.record': '制限中止の記録',
  'pki.issue': '証明書の発行（運用者）',
  'pki.register': '証明書の登録（運用者）',
  'pki.approve': '証明書申請の承認（運用者）',
  'pki.refuse': '証明書申請の却下（運用者）',
  'pki.suspend': '証明書の停止（運用者）',
  'pki.resume': '証明書の再開（運用者）',
};

/** An audit action's Japanese name: an interface's (`IF_10610`, or `bulk:IF_10610` for a bulk CSV), a route's or a command's; undefined when it has none (an unrouted request's `GET /path`). */
export function auditActionLabel(action: string): string | undefined {
  const bulk = action.startsWith('bulk:');
  const def = interfaceById(bulk ? action.slice(5) : action);
  if (def) return bulk ? `一括登録（${def.name}）` : def.name;
  return auditActionLabels[action];
}

/** A result code's Japanese text (the reception-message catalogue's, its blanks left as …); undefined for OK and unknown codes. */
export function resultText(code: string): string | undefined {
  return Object.hasOwn(messages, code) ? messageText(code as MessageCode, {}, '…') : undefined;
}
