/**
 * Sign-in, forced and voluntary password change, the portal (トップ) and sign-out.
 */
import type { FastifyInstance } from 'fastify';
import { messages, type MessageCode } from '../../domain/messages.ts';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { httpStatusOf } from '../../hub/http/respond.ts';
import { callerOf, sessionOf } from '../../hub/http/context.ts';
import { checkLoginCsrf, clearSessionCookie, issueLoginCsrf, setSessionCookie } from '../../hub/http/web-session.ts';
import { signIn, signOut } from '../../hub/identity/session.commands.ts';
import { changePassword } from '../../hub/identity/user.commands.ts';
import { can } from '../../hub/policy.ts';
import { csrfField, formOf, queryOf } from '../form.ts';
import { html } from '../html.ts';
import { fieldError, formError, page } from '../layout.ts';
import { signedIn } from './page-user.ts';
import { latestNoticesSection } from './notices.screens.ts';
import { countAwaitingDecisionByFamily } from '../../hub/relay/relay.queries.ts';

export function registerAuthScreens(app: FastifyInstance, deps: HubDeps): void {
  const { db, clock } = deps;
  app.get('/login', { config: { public: true, action: 'login' } }, async (request, reply) => {
    if (request.session) return reply.redirect('/', 303);
    const reason = queryOf(request).reason;
    // Why the hub ended the session (a code from the redirect, shown with the catalogue's text only).
    const shown = reason && (reason.startsWith('AUTH_SESSION') || reason === 'AUTH_USER_SUSPENDED' || reason === 'AUTH_TERMINAL_REFUSED');
    const notice = shown && reason in messages ? new Refusal(reason as MessageCode) : undefined;
    return reply.type('text/html; charset=utf-8').send(loginPage(issueLoginCsrf(reply), '', notice).value);
  });

  app.post('/login', { config: { public: true, action: 'login' }, preHandler: async (request) => checkLoginCsrf(request) }, async (request, reply) => {
    const form = formOf(request);
    request.audit.action = 'login:attempt'; // signIn records the attempt itself
    try {
      const result = await signIn(db, clock, {
        caller: callerOf(request),
        userId: form.userId ?? '',
        password: form.password ?? '',
        sourceAddress: request.ip,
        requestId: request.id,
      });
      setSessionCookie(reply, result.sessionToken);
      return reply.redirect(result.mustChangePassword ? '/password' : '/', 303);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      return reply
        .code(httpStatusOf(error.code))
        .type('text/html; charset=utf-8')
        .send(loginPage(issueLoginCsrf(reply), form.userId ?? '', error).value);
    }
  });

  app.post('/logout', { config: { action: 'logout', duringPasswordChange: true } }, async (request, reply) => {
    if (request.sessionToken) await signOut(db, clock, request.sessionToken);
    clearSessionCookie(reply);
    return reply.redirect('/login', 303);
  });

  app.get('/password', { config: { action: 'passwordChange', duringPasswordChange: true } }, async (request, reply) => {
    const session = sessionOf(request);
    return reply.type('text/html; charset=utf-8').send(passwordPage(request, session.session.mustChangePassword).value);
  });

  app.post('/password', { config: { action: 'passwordChange', duringPasswordChange: true } }, async (request, reply) => {
    const session = sessionOf(request);
    const form = formOf(request);
    try {
      if ((form.newPassword ?? '') !== (form.confirmPassword ?? '')) throw new Refusal('AUTH_PASSWORD_CONFIRM', { field: 'confirmPassword' });
      await changePassword(db, clock, session.user.userId, form.currentPassword ?? '', form.newPassword ?? '');
      return reply.redirect('/?changed=password', 303);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(passwordPage(request, session.session.mustChangePassword, error).value);
    }
  });

  app.get('/', { config: { action: 'portal' } }, async (request, reply) => {
    const session = sessionOf(request);
    const actor = session.actor;
    const changed = queryOf(request).changed === 'password';
    // Relays awaiting this retailer's decision: the portal's icon (slide 23).
    const relays = can(actor, 'relay.list');
    const waiting = relays ? await countAwaitingDecisionByFamily(deps.db, actor.participant.companyCode) : { LV: 0, HV: 0, FIT: 0 };
    const awaiting = waiting.LV + waiting.HV + waiting.FIT;
    const waitingFamily = waiting.LV > 0 ? 'lv' : waiting.HV > 0 ? 'hv' : 'fit';
    const links = [
      html`<a href="/areas?family=lv" class="area-entry">低圧託送（エリア選択）</a>`,
      html`<a href="/areas?family=hv" class="area-entry">高圧託送（エリア選択）</a>`,
      html`<a href="/areas?family=fit" class="area-entry">低圧FIT電源（エリア選択）</a>`,
      relays ? html`<a href="/relays" class="relay-entry">廃止取次（新小売）</a>` : null,
      relays ? html`<a href="/relays/received" class="relay-entry">廃止取次受領（現小売）</a>` : null,
      html`<a href="/notices">インフォメーション</a>`,
      html`<a href="/participants">事業者一覧</a>`,
      html`<a href="/interfaces">APIリポジトリ</a>`,
      can(actor, 'user.list', { companyCode: actor.participant.companyCode }) ? html`<a href="/users">ユーザ一覧・登録</a>` : null,
      can(actor, 'suspension.manage') ? html`<a href="/admin/suspensions">権限停止・再開</a>` : null,
      can(actor, 'certificate.manage') ? html`<a href="/admin/certificates">クライアント証明書</a>` : null,
      can(actor, 'audit.search') ? html`<a href="/admin/audit">監査ログ検索</a>` : null,
      can(actor, 'apiOperation.view') ? html`<a href="/admin/api-operations">API運用情報</a>` : null,
      can(actor, 'relay.monitor') ? html`<a href="/admin/relays">廃止取次の監視</a>` : null,
      can(actor, 'clock.advance') ? html`<a href="/admin/clock">時計（サンドボックス）</a>` : null,
      html`<a href="/password">パスワード変更</a>`,
    ];
    const body = html`
      ${changed ? html`<p class="notice">パスワードを変更しました。</p>` : null}
      <p>${session.user.name} さん（${session.user.userId}）、ようこそ。</p>
      ${
        awaiting > 0
          ? html`<p class="relay-alert" role="status"><a href="/relays/received?status=01&amp;family=${waitingFamily}"><span class="relay-badge" aria-label="判断待ちの廃止取次 ${awaiting}件">${awaiting}</span> 判断待ちの廃止取次が ${awaiting} 件あります（廃止取次受領一覧へ）</a></p>`
          : null
      }
      ${await latestNoticesSection(deps, request)}
      <nav class="menu">${links}</nav>`;
    return reply.type('text/html; charset=utf-8').send(page(signedIn(request, 'トップ'), body).value);
  });
}

function loginPage(csrf: string, userId: string, refusal?: Refusal) {
  return page(
    { title: 'ログイン' },
    html`<form method="post" action="/login" class="card login" autocomplete="off">
      ${formError(refusal)}
      ${csrfField(csrf)}
      <label for="userId">ユーザID</label>
      <input type="text" id="userId" name="userId" value="${userId}" required autofocus>
      <label for="password">パスワード</label>
      <input type="password" id="password" name="password" required>
      <p><button type="submit">ログイン</button></p>
      <p class="muted">この画面は、登録されたクライアント証明書をインストールした端末からのみ利用できます。</p>
    </form>`,
  );
}

function passwordPage(request: Parameters<typeof sessionOf>[0], forced: boolean, refusal?: Refusal) {
  const session = sessionOf(request);
  return page(
    signedIn(request, 'パスワード変更'),
    html`<form method="post" action="/password" class="card" autocomplete="off">
      ${forced ? html`<p class="notice">初期パスワードのため、パスワードを変更してください。変更するまで他の画面は利用できません。</p>` : null}
      ${formError(refusal)}
      ${csrfField(session.csrfToken)}
      <label for="currentPassword">現在のパスワード</label>
      <input type="password" id="currentPassword" name="currentPassword" required>
      ${fieldError(refusal, 'currentPassword')}
      <label for="newPassword">新しいパスワード</label>
      <input type="password" id="newPassword" name="newPassword" required>
      ${fieldError(refusal, 'newPassword')}
      <label for="confirmPassword">新しいパスワード（確認）</label>
      <input type="password" id="confirmPassword" name="confirmPassword" required>
      ${fieldError(refusal, 'confirmPassword')}
      <p class="muted">10〜64文字。英大文字・英小文字・数字・記号のうち3種類以上を含め、ユーザIDを含まないこと。</p>
      <p><button type="submit">変更する</button></p>
    </form>`,
  );
}
