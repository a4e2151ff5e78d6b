/**
 * Why the PKI library said no. Each error has a stable code and Japanese text, like a `Refusal`,
 * so that the CLI and the admin screens can show it as they show any other reception message.
 * The codes live here rather than in `domain/messages.ts` because they describe certificates and
 * key files handled by the hub operator, not business input from participants.
 */
export const pkiMessages = {
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
} as const;

export type PkiErrorCode = keyof typeof pkiMessages;

export class PkiError extends Error {
  readonly code: PkiErrorCode;
  readonly text: string;

  constructor(code: PkiErrorCode, params: Record<string, string> = {}) {
    const text = pkiMessages[code].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
    super(`${code}: ${text}`);
    this.name = 'PkiError';
    this.code = code;
    this.text = text;
  }
}
