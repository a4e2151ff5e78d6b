/**
 * インフォメーション (slide 22): the notices list and detail for every signed-in user, and for hub
 * administrators the form to write, modify and delete them. A body is plain text shown with its
 * line breaks (CSS `white-space: pre-wrap`), escaped like every other value.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRefusal, type Refusal } from '../../domain/refusal.ts';
import type { IsoDate } from '../../domain/date.ts';
import { tokyoDate } from '../../domain/date.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { sessionOf } from '../../hub/http/context.ts';
import { httpStatusOf } from '../../hub/http/respond.ts';
import { createNotice, getNotice, listNotices, modifyNotice, removeNotice } from '../../hub/notices/notice.commands.ts';
import { isNewNotice, noticeState, NOTICE_BODY_MAX, NOTICE_TITLE_MAX, type Notice, type NoticeState } from '../../hub/notices/notice.ts';
import { authorize, can } from '../../hub/policy.ts';
import { csrfField, formOf, pager, queryOf, type FormFields } from '../form.ts';
import { html, type Html } from '../html.ts';
import { fieldError, formError, page } from '../layout.ts';
import { jst } from '../labels.ts';
import { signedIn } from './page-user.ts';

export const noticeStateLabels: Record<NoticeState, string> = { scheduled: '掲載予定', shown: '掲載中', ended: '掲載終了' };

/** "2026/04/01" as the screens show dates. */
export function slashDate(date: IsoDate | string): string {
  return date.replace(/-/g, '/');
}

export function registerNoticeScreens(app: FastifyInstance, { db, clock }: HubDeps): void {
  const send = (reply: FastifyReply, markup: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(markup.value);
  const noticeIdOf = (request: FastifyRequest) => Number((request.params as { noticeId: string }).noticeId);

  app.get('/notices', { config: { action: 'noticeList' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const query = queryOf(request);
    const manage = can(actor, 'notice.manage');
    const result = await listNotices(db, clock, actor, { all: manage, page: Math.max(1, Number(query.page) || 1) });
    const rows = result.items.map(
      (n) => html`<tr><td class="nowrap">${slashDate(n.publishedOn)}</td>
        <td><a href="/notices/${n.noticeId}">${n.title}</a>${isNewNotice(n, result.today) ? html` <span class="badge">NEW</span>` : null}</td>
        ${manage ? html`<td class="nowrap">${n.endsOn ? slashDate(n.endsOn) : ''}</td><td class="nowrap">${noticeStateLabels[noticeState(n, result.today)]}</td>` : null}</tr>`,
    );
    const done = query.deleted ? html`<p class="notice">お知らせ（番号 ${query.deleted}）を削除しました。</p>` : null;
    const body = html`${done}
      ${
        manage
          ? html`<p class="actions"><a class="button" href="/notices/new">お知らせを作成</a>
        <span class="muted">管理者には掲載予定・掲載終了のお知らせも表示されます。</span></p>`
          : null
      }
      ${pager('/notices', {}, result.page, result.size, result.total)}
      ${
        result.items.length === 0
          ? html`<p class="empty">掲載中のお知らせはありません。</p>`
          : html`<table class="list"><thead><tr><th class="date">掲載日</th><th>タイトル</th>${manage ? html`<th class="date">掲載終了日</th><th>状態</th>` : null}</tr></thead>
          <tbody>${rows}</tbody></table>`
      }`;
    return send(reply, page(signedIn(request, 'インフォメーション'), body));
  });

  app.get('/notices/new', { config: { action: 'noticeCreate' } }, async (request, reply) => {
    authorize(sessionOf(request).actor, 'notice.manage');
    return send(reply, noticeFormPage(request, undefined, { publishedOn: tokyoDate(clock.now()) }));
  });

  app.post('/notices', { config: { action: 'noticeCreate' } }, async (request, reply) => {
    const form = formOf(request);
    try {
      const notice = await createNotice(db, clock, sessionOf(request).actor, inputOf(form));
      return reply.redirect(`/notices/${notice.noticeId}?saved=created`, 303);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      return send(reply, noticeFormPage(request, undefined, form, error), httpStatusOf(error.code));
    }
  });

  app.get('/notices/:noticeId', { config: { action: 'noticeDetail' } }, async (request, reply) => {
    const session = sessionOf(request);
    const notice = await getNotice(db, clock, session.actor, noticeIdOf(request));
    const manage = can(session.actor, 'notice.manage');
    const saved = queryOf(request).saved;
    const today = tokyoDate(clock.now());
    const body = html`
      ${saved ? html`<p class="notice">お知らせを${saved === 'created' ? '作成' : '修正'}しました。</p>` : null}
      <article class="card notice-detail">
        <p class="meta">掲載日 ${slashDate(notice.publishedOn)}${notice.endsOn ? html`　掲載終了日 ${slashDate(notice.endsOn)}` : null}
          ${manage ? html`　<span class="state">${noticeStateLabels[noticeState(notice, today)]}</span>` : null}</p>
        <div class="notice-body">${notice.body}</div>
        <p class="meta muted">${authorLabel(notice)}　最終更新 ${jst(notice.updatedAt)}</p>
      </article>
      ${
        manage
          ? html`<div class="actions"><a class="button" href="/notices/${notice.noticeId}/edit">修正する</a>
          <form method="post" action="/notices/${notice.noticeId}/delete" class="inline">${csrfField(session.csrfToken)}
            <button type="submit" class="danger">削除する</button></form></div>`
          : null
      }
      <p><a href="/notices">一覧へ戻る</a></p>`;
    return send(reply, page(signedIn(request, notice.title), body));
  });

  app.get('/notices/:noticeId/edit', { config: { action: 'noticeModify' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    authorize(actor, 'notice.manage');
    const notice = await getNotice(db, clock, actor, noticeIdOf(request));
    return send(
      reply,
      noticeFormPage(request, notice, { title: notice.title, body: notice.body, publishedOn: notice.publishedOn, endsOn: notice.endsOn ?? '' }),
    );
  });

  app.post('/notices/:noticeId', { config: { action: 'noticeModify' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const noticeId = noticeIdOf(request);
    const form = formOf(request);
    try {
      await modifyNotice(db, clock, actor, noticeId, inputOf(form));
      return reply.redirect(`/notices/${noticeId}?saved=modified`, 303);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      if (error.code === 'NOTICE_NOT_FOUND' || error.code === 'AUTH_FORBIDDEN') throw error;
      const notice = await getNotice(db, clock, actor, noticeId);
      return send(reply, noticeFormPage(request, notice, form, error), httpStatusOf(error.code));
    }
  });

  app.post('/notices/:noticeId/delete', { config: { action: 'noticeDelete' } }, async (request, reply) => {
    const noticeId = noticeIdOf(request);
    await removeNotice(db, sessionOf(request).actor, noticeId);
    return reply.redirect(`/notices?deleted=${noticeId}`, 303);
  });
}

function inputOf(form: FormFields) {
  return { title: form.title ?? '', body: form.body ?? '', publishedOn: form.publishedOn ?? '', endsOn: form.endsOn ?? '' };
}

function authorLabel(notice: Notice): string {
  return notice.authorName ? `作成者 広域機関 ${notice.authorName}` : '作成者 広域機関';
}

function noticeFormPage(request: FastifyRequest, notice: Notice | undefined, form: FormFields, refusal?: Refusal): Html {
  const session = sessionOf(request);
  const action = notice ? `/notices/${notice.noticeId}` : '/notices';
  return page(
    signedIn(request, notice ? 'お知らせの修正' : 'お知らせの作成'),
    html`<form method="post" action="${action}" class="card wide" autocomplete="off">
      ${formError(refusal)}${csrfField(session.csrfToken)}
      <label for="title">タイトル <span class="req">必須</span></label>
      <input type="text" id="title" name="title" value="${form.title ?? ''}" maxlength="${NOTICE_TITLE_MAX}" class="full">${fieldError(refusal, 'title')}
      <label for="body">本文 <span class="req">必須</span></label>
      <textarea id="body" name="body" rows="12" maxlength="${NOTICE_BODY_MAX}" class="full">${form.body ?? ''}</textarea>${fieldError(refusal, 'body')}
      <p class="muted">本文はテキストとして表示されます（改行はそのまま表示され、HTMLタグは使えません）。${NOTICE_BODY_MAX}文字まで。</p>
      <div class="row">
        <div><label for="publishedOn">掲載日 <span class="req">必須</span></label>
          <input type="date" id="publishedOn" name="publishedOn" value="${form.publishedOn ?? ''}">${fieldError(refusal, 'publishedOn')}</div>
        <div><label for="endsOn">掲載終了日</label>
          <input type="date" id="endsOn" name="endsOn" value="${form.endsOn ?? ''}">${fieldError(refusal, 'endsOn')}</div>
      </div>
      <p class="muted">掲載日から掲載終了日まで（終了日を含む）、全ての事業者のトップ画面と一覧に表示されます。終了日を空欄にすると掲載を続けます。</p>
      <p><button type="submit">${notice ? '修正する' : '作成する'}</button> <a href="${notice ? `/notices/${notice.noticeId}` : '/notices'}">キャンセル</a></p>
    </form>`,
  );
}

/** The latest notices shown today, for the portal. */
export async function latestNoticesSection(deps: HubDeps, request: FastifyRequest, count = 5): Promise<Html | null> {
  const actor = sessionOf(request).actor;
  if (!can(actor, 'notice.read')) return null;
  const result = await listNotices(deps.db, deps.clock, actor, { size: count });
  const items = result.items.map(
    (n) =>
      html`<li><span class="date">${slashDate(n.publishedOn)}</span> <a href="/notices/${n.noticeId}">${n.title}</a>${isNewNotice(n, result.today) ? html` <span class="badge">NEW</span>` : null}</li>`,
  );
  return html`<section class="card notices-latest"><h2>インフォメーション</h2>
    ${items.length > 0 ? html`<ul class="notice-list">${items}</ul>` : html`<p class="empty">掲載中のお知らせはありません。</p>`}
    ${result.total > items.length ? html`<p class="more"><a href="/notices">すべてのお知らせ（${result.total}件）</a></p>` : html`<p class="more"><a href="/notices">一覧へ</a></p>`}</section>`;
}
