/**
 * メールボックス: the notification e-mails of the signed-in user's participant (hub/notifications),
 * newest first, 20 a page, and each mail in full. Without an SMTP server (the embedded default and
 * the sandbox) this is where they are delivered; with one, it shows what was sent and what still
 * waits. The hub administrator sees every participant's, and may narrow them to one company.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sessionOf } from '../../hub/http/context.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { getMail, listMails, type MailListItem } from '../../hub/notifications/mail-list.ts';
import { isHubAdmin } from '../../hub/policy.ts';
import { pager, queryOf } from '../form.ts';
import { html, type Html } from '../html.ts';
import { page } from '../layout.ts';
import { jst } from '../labels.ts';
import { signedIn } from './page-user.ts';

const kindLabels = { single: '通知', digest: 'まとめ通知' } as const;

function stateLabel(mail: Pick<MailListItem, 'status' | 'sentVia'>): string {
  if (mail.status === 'pending') return '送信待ち';
  return mail.sentVia === 'smtp' ? '送信済み（SMTP）' : '配信済み（メールボックス）';
}

export function registerMailboxScreens(app: FastifyInstance, { db }: HubDeps): void {
  const send = (reply: FastifyReply, markup: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(markup.value);

  app.get('/mailbox', { config: { action: 'mailboxList' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const query = queryOf(request);
    const admin = isHubAdmin(actor);
    const filter = admin ? (query.companyCode ? query.companyCode.toUpperCase() : null) : actor.participant.companyCode;
    const result = await listMails(db, actor, filter, Number(query.page) || 1);
    const rows = result.items.map(
      (m) => html`<tr><td>${jst(m.sentAt ?? m.createdAt)}</td>${admin ? html`<td>${m.companyCode}</td>` : null}<td>${m.to}</td>
        <td><a href="/mailbox/${m.id}">${m.subject}</a></td><td>${kindLabels[m.kind]}</td><td>${stateLabel(m)}</td></tr>`,
    );
    const body = html`
      ${
        admin
          ? html`<form method="get" action="/mailbox" class="card">
            <label for="companyCode">会社コード</label><input type="text" id="companyCode" name="companyCode" value="${query.companyCode ?? ''}">
            <p><button type="submit">絞り込み</button></p>
          </form>`
          : html`<p class="muted">スイッチング支援システムから貴社の通知先アドレスに送ったメールです。システム連携ではお知らせ取得（IS_40110）で同じお知らせを取得できます。</p>`
      }
      ${pager('/mailbox', query, result.page, result.size, result.total)}
      ${
        result.total === 0
          ? html`<p>メールはありません。</p>`
          : html`<table><thead><tr><th>日時</th>${admin ? html`<th>会社</th>` : null}<th>宛先</th><th>件名</th><th>種類</th><th>状態</th></tr></thead>
          <tbody>${rows}</tbody></table>`
      }`;
    return send(reply, page(signedIn(request, 'メールボックス'), body));
  });

  app.get<{ Params: { mailId: string } }>('/mailbox/:mailId', { config: { action: 'mailboxMessage' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const id = /^\d{1,15}$/.test(request.params.mailId) ? Number(request.params.mailId) : 0;
    const mail = await getMail(db, actor, id);
    const body = html`
      <article class="card">
        <dl>
          <dt>件名</dt><dd>${mail.subject}</dd>
          <dt>宛先</dt><dd>${mail.to}（${mail.companyCode}）</dd>
          <dt>作成日時</dt><dd>${jst(mail.createdAt)}</dd>
          <dt>送信日時</dt><dd>${mail.sentAt ? jst(mail.sentAt) : '—'}</dd>
          <dt>状態</dt><dd>${stateLabel(mail)}</dd>
          <dt>Message-ID</dt><dd class="mono">${mail.messageId}</dd>
          ${isHubAdmin(actor) ? html`<dt>送信試行回数</dt><dd>${mail.attempts}</dd>${mail.lastError ? html`<dt>最後のエラー</dt><dd>${mail.lastError}</dd>` : null}` : null}
        </dl>
        <pre class="mail-body">${mail.body}</pre>
      </article>
      <p><a href="/mailbox">メールボックスへ戻る</a></p>`;
    return send(reply, page(signedIn(request, 'メール'), body));
  });
}
