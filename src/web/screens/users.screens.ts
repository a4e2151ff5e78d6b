/**
 * User administration (ユーザ一覧・登録・変更・削除): participant administrators manage their own
 * participant's users; hub administrators manage everyone's. The policy decides; screens only ask.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRefusal, type Refusal } from '../../domain/refusal.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { sessionOf } from '../../hub/http/context.ts';
import { httpStatusOf } from '../../hub/http/respond.ts';
import { createUser, deleteUser, getUser, listUsers, modifyUser, resetPassword } from '../../hub/identity/user.commands.ts';
import { isUserRole, rolesFor, type User, type UserRole } from '../../hub/identity/user.ts';
import { isHubAdmin } from '../../hub/policy.ts';
import { csrfField, formOf, pager, queryOf, select, type FormFields } from '../form.ts';
import { html, type Html } from '../html.ts';
import { fieldError, formError, page } from '../layout.ts';
import { jst, statusLabels, userRoleLabels } from '../labels.ts';
import { signedIn } from './page-user.ts';

export function registerUserScreens(app: FastifyInstance, { db, clock }: HubDeps): void {
  const send = (reply: FastifyReply, markup: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(markup.value);

  app.get('/users', { config: { action: 'userList' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const query = queryOf(request);
    const pageNo = Math.max(1, Number(query.page) || 1);
    const companyCode = isHubAdmin(actor) ? query.companyCode || undefined : actor.participant.companyCode;
    const result = await listUsers(db, actor, { ...(companyCode ? { companyCode } : {}), ...(query.text ? { text: query.text } : {}) }, { page: pageNo });
    const rows = result.items.map(
      (u) => html`<tr><td><a href="/users/${u.userId}">${u.userId}</a></td><td>${u.name}</td><td>${u.companyCode}</td>
        <td>${userRoleLabels[u.role]}</td><td>${statusLabels[u.status]}</td><td>${jst(u.lastSignInAt)}</td></tr>`,
    );
    const body = html`
      <form method="get" action="/users" class="card search">
        ${isHubAdmin(actor) ? html`<label for="companyCode">事業者コード（会社）</label><input type="text" id="companyCode" name="companyCode" value="${query.companyCode ?? ''}">` : null}
        <label for="text">ユーザIDまたは氏名</label><input type="text" id="text" name="text" value="${query.text ?? ''}">
        <p><button type="submit">検索</button> <a href="/users/new" class="button secondary">ユーザ登録</a></p>
      </form>
      ${pager('/users', query, result.page, result.size, result.total)}
      <table><thead><tr><th>ユーザID</th><th>氏名</th><th>事業者</th><th>権限</th><th>状態</th><th>最終ログイン</th></tr></thead>
      <tbody>${rows}</tbody></table>`;
    return send(reply, page(signedIn(request, 'ユーザ一覧'), body));
  });

  app.get('/users/new', { config: { action: 'userRegister' } }, async (request, reply) => send(reply, newUserPage(request, {})));

  app.post('/users', { config: { action: 'userRegister' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const form = formOf(request);
    try {
      const created = await createUser(db, clock, actor, {
        userId: form.userId ?? '',
        companyCode: isHubAdmin(actor) ? form.companyCode || actor.participant.companyCode : actor.participant.companyCode,
        role: roleOf(form.role),
        name: form.name ?? '',
        email: form.email ?? '',
      });
      return send(reply, initialPasswordPage(request, created.user, created.initialPassword, '登録しました'));
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      return send(reply, newUserPage(request, form, error), httpStatusOf(error.code));
    }
  });

  app.get('/users/:userId', { config: { action: 'userDetail' } }, async (request, reply) => {
    const user = await getUser(db, sessionOf(request).actor, (request.params as { userId: string }).userId);
    if (!user) return send(reply, page(signedIn(request, 'ユーザ詳細'), html`<p class="refusal">ユーザが見つかりません。</p>`), 404);
    return send(reply, userPage(request, user, {}));
  });

  app.post('/users/:userId', { config: { action: 'userModify' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const userId = (request.params as { userId: string }).userId;
    const form = formOf(request);
    try {
      const user = await modifyUser(db, clock, actor, userId, { name: form.name ?? '', email: form.email ?? '', role: roleOf(form.role) });
      return send(reply, userPage(request, user, {}, undefined, '変更しました。'));
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      const user = await getUser(db, actor, userId);
      if (!user) throw error;
      return send(reply, userPage(request, user, form, error), httpStatusOf(error.code));
    }
  });

  app.post('/users/:userId/delete', { config: { action: 'userDelete' } }, async (request, reply) => {
    const user = await deleteUser(db, clock, sessionOf(request).actor, (request.params as { userId: string }).userId);
    return send(
      reply,
      page(signedIn(request, 'ユーザ削除'), html`<p class="notice">ユーザID ${user.userId} を削除しました。</p><p><a href="/users">ユーザ一覧へ</a></p>`),
    );
  });

  app.post('/users/:userId/reset-password', { config: { action: 'userPasswordReset' } }, async (request, reply) => {
    const result = await resetPassword(db, clock, sessionOf(request).actor, (request.params as { userId: string }).userId);
    return send(reply, initialPasswordPage(request, result.user, result.initialPassword, 'パスワードを初期化しました'));
  });
}

function roleOf(value: string | undefined): UserRole {
  return (value && isUserRole(value) ? value : 'user') as UserRole;
}

function roleLabelsFor(request: FastifyRequest): Record<string, string> {
  const actor = sessionOf(request).actor;
  return Object.fromEntries(rolesFor(actor.participant.kind).map((r) => [r, userRoleLabels[r]]));
}

function newUserPage(request: FastifyRequest, form: FormFields, refusal?: Refusal): Html {
  const session = sessionOf(request);
  return page(
    signedIn(request, 'ユーザ登録'),
    html`<form method="post" action="/users" class="card" autocomplete="off">
      ${formError(refusal)}${csrfField(session.csrfToken)}
      ${isHubAdmin(session.actor) ? html`<label for="companyCode">事業者コード（会社、4桁）</label><input type="text" id="companyCode" name="companyCode" value="${form.companyCode ?? ''}">${fieldError(refusal, 'companyCode')}` : null}
      <label for="userId">ユーザID</label><input type="text" id="userId" name="userId" value="${form.userId ?? ''}" required>${fieldError(refusal, 'userId')}
      <label for="name">氏名</label><input type="text" id="name" name="name" value="${form.name ?? ''}" required>${fieldError(refusal, 'name')}
      <label for="email">メールアドレス</label><input type="email" id="email" name="email" value="${form.email ?? ''}">${fieldError(refusal, 'email')}
      <label for="role">権限</label>${select('role', roleLabelsFor(request), form.role ?? 'user')}${fieldError(refusal, 'role')}
      <p><button type="submit">登録する</button></p>
    </form>`,
  );
}

function userPage(request: FastifyRequest, user: User, form: FormFields, refusal?: Refusal, notice?: string): Html {
  const session = sessionOf(request);
  return page(
    signedIn(request, 'ユーザ詳細・変更'),
    html`${notice ? html`<p class="notice">${notice}</p>` : null}
    <table class="card"><tbody>
      <tr><th>ユーザID</th><td>${user.userId}</td></tr><tr><th>事業者</th><td>${user.companyCode}</td></tr>
      <tr><th>状態</th><td>${statusLabels[user.status]}</td></tr><tr><th>最終ログイン</th><td>${jst(user.lastSignInAt)}</td></tr>
    </tbody></table>
    <form method="post" action="/users/${user.userId}" class="card">
      ${formError(refusal)}${csrfField(session.csrfToken)}
      <label for="name">氏名</label><input type="text" id="name" name="name" value="${form.name ?? user.name}" required>${fieldError(refusal, 'name')}
      <label for="email">メールアドレス</label><input type="email" id="email" name="email" value="${form.email ?? user.email}">${fieldError(refusal, 'email')}
      <label for="role">権限</label>${select('role', roleLabelsFor(request), form.role ?? user.role)}${fieldError(refusal, 'role')}
      <p><button type="submit">変更する</button></p>
    </form>
    <form method="post" action="/users/${user.userId}/reset-password" class="inline">${csrfField(session.csrfToken)}<button type="submit" class="secondary">パスワード初期化</button></form>
    <form method="post" action="/users/${user.userId}/delete" class="inline">${csrfField(session.csrfToken)}<button type="submit" class="secondary">削除</button></form>`,
  );
}

function initialPasswordPage(request: FastifyRequest, user: User, initialPassword: string, done: string): Html {
  return page(
    signedIn(request, done),
    html`<div class="card"><p>ユーザID <strong>${user.userId}</strong>（${user.name}）の初期パスワード:</p>
      <p><code class="initial-password">${initialPassword}</code></p>
      <p class="muted">この画面を閉じると再表示できません。本人に安全な方法で伝えてください。初回ログイン時に変更が必要です。</p>
      <p><a href="/users">ユーザ一覧へ</a></p></div>`,
  );
}
