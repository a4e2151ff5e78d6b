/**
 * The sandbox's first notices, so that the portal and the notices list show what they are for.
 * Written once, by the system, when the table is empty.
 */
import { addDays, tokyoDate } from '../../domain/date.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/db.ts';
import { systemActor } from '../policy.ts';
import { createNotice } from './notice.commands.ts';

export async function seedDemoNotices(db: Db, clock: Clock): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM hub.notice`);
  if (Number(rows[0]!.n) > 0) return 0;
  const today = tokyoDate(clock.now());
  await createNotice(db, clock, systemActor, {
    title: 'サンドボックス環境の利用開始について',
    body: [
      'スイッチング支援システムのサンドボックス環境を開設しました。',
      '',
      '・各事業者のクライアント証明書、ユーザID、初期パスワードは DEMO.md をご確認ください。',
      '・初回ログイン時には初期パスワードの変更が必要です。',
      '・サンドボックスの時計は、広域機関が業務日程の確認のために進めることがあります。',
      '',
      'システム連携（API）の仕様は「APIリポジトリ」から OpenAPI および WSDL を取得できます。',
    ].join('\n'),
    publishedOn: today,
  });
  await createNotice(db, clock, systemActor, {
    title: '定期メンテナンスのお知らせ',
    body: [
      '下記の日程で定期メンテナンスを実施します。メンテナンス中は画面およびシステム連携（API）をご利用いただけません。',
      '',
      `日時：${addDays(today, 14).replace(/-/g, '/')} 1:00 〜 5:00`,
      '対象：全エリアの画面およびAPI',
      '',
      'ご不便をおかけしますが、ご理解とご協力をお願いいたします。',
    ].join('\n'),
    publishedOn: today,
    endsOn: addDays(today, 14),
  });
  return 2;
}
