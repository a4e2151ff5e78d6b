/**
 * Certificates across their life on the web (issue 19, slides 38–42 and 46).
 *
 * A participant's administrator (企業内管理者), at /certificates: its certificates by days left,
 * its requests, a new request (CSR pasted or uploaded as text, or a PKCS#12 made by the hub with a
 * PIN shown once), the one download of an issued certificate, renewal, the report of a lost or
 * stolen certificate or ID (suspended at once), and the hours its terminals are used.
 *
 * The hub admins, at /admin/certificate-requests (pending requests: approve, refuse with a reason),
 * /admin/certificate-expiry (everyone's certificates by days left) and /admin/suspicions/flags
 * (suspicious use, suspended in one click).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import { listByExpiry } from '../../hub/certificates/expiry.commands.ts';
import {
  decideRequest,
  downloadCertificate,
  getRequest,
  listRequests,
  requestCertificate,
  type CertificateRequest,
} from '../../hub/certificates/request.commands.ts';
import { dismissFlag, listFlags, ruleLabels, setTerminalHours, suspendFlagged, terminalHoursOf } from '../../hub/certificates/suspicion.commands.ts';
import { sessionOf } from '../../hub/http/context.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { httpStatusOf } from '../../hub/http/respond.ts';
import { getParticipant } from '../../hub/identity/participant.commands.ts';
import { reportLoss } from '../../hub/identity/suspension.commands.ts';
import { authorize, can, isHubAdmin, type Actor } from '../../hub/policy.ts';
import { filesOf, formDataBody, type UploadedFile } from '../../platform/http/multipart.ts';
import { csrPemOfFile } from '../../platform/pki/csr.ts';
import { csrfField, formOf, queryOf, select, type FormFields } from '../form.ts';
import { html, type Html } from '../html.ts';
import { certificateUsageLabels, jst, statusLabels } from '../labels.ts';
import { fieldError, formError, page } from '../layout.ts';
import { signedIn } from './page-user.ts';

const requestStatusLabels = {
  requested: '審査待ち',
  approved: '承認済（発行待ち）',
  refused: '否認',
  issued: '発行済（未ダウンロード）',
  downloaded: 'ダウンロード済',
} as const;
const methodLabels = { pkcs12: 'ハブで鍵を生成（PKCS#12、PIN付き）', csr: 'CSRをアップロード（秘密鍵は自社で保管）' } as const;
/** The CSR pasted or uploaded as a file (PEM or DER), never both. */
function csrOf(form: FormFields, files: readonly UploadedFile[]): string {
  const pasted = (form.csr ?? '').trim();
  if (files.length > 1) throw new Refusal('CERT_CSR_UNREADABLE', { field: 'csr' });
  const file = files[0];
  if (!file) return pasted;
  if (pasted !== '') throw new Refusal('CERT_CSR_TWICE', { field: 'csr' });
  return csrPemOfFile(file.bytes);
}

const lossKindLabels = { certificate: 'クライアント証明書', user: 'ユーザID（管理者ID・ユーザID）' } as const;

export function registerCertificateScreens(app: FastifyInstance, { db, clock, certificates }: HubDeps): void {
  const send = (reply: FastifyReply, markup: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(markup.value);
  const own = (request: FastifyRequest) => {
    const actor = sessionOf(request).actor;
    authorize(actor, 'certificate.request', { companyCode: actor.participant.companyCode });
    return actor;
  };
  const refusalPage = (request: FastifyRequest, reply: FastifyReply, title: string, error: Refusal) => {
    request.audit.result = error.code;
    return send(reply, page(signedIn(request, title), html`${formError(error)}<p><a href="/certificates">証明書へ戻る</a></p>`), httpStatusOf(error.code));
  };

  // ---- The participant's administrator ----

  app.get('/certificates', { config: { action: 'certificateOverview' } }, async (request, reply) => {
    const actor = own(request);
    return send(reply, await overviewPage(request, actor, {}));
  });

  const overviewPage = async (request: FastifyRequest, actor: Actor, form: FormFields, refusal?: Refusal, notice?: string): Promise<Html> => {
    const session = sessionOf(request);
    const companyCode = actor.participant.companyCode;
    const [certs, requests, hours] = await Promise.all([
      listByExpiry(db, clock, actor, { companyCode }),
      listRequests(db, actor, { companyCode }),
      terminalHoursOf(db, companyCode),
    ]);
    const certRows = certs.map(
      (c) => html`<tr class="${c.daysLeft <= 30 ? 'warn' : ''}"><td class="mono">${c.fingerprint256.slice(0, 16)}…</td><td>${c.boundCode}</td>
        <td>${certificateUsageLabels[c.usage]}</td><td>${c.subjectCn}</td><td>${jst(c.notAfter)}</td>
        <td class="days-left">${c.daysLeft > 0 ? `${c.daysLeft}日` : '期限切れ'}</td><td>${statusLabels[c.status]}</td>
        <td>${c.renewedBy ? '更新済' : c.status === 'active' && c.daysLeft > 0 ? html`<a href="/certificates/requests/new?renews=${c.fingerprint256}&usage=${c.usage}">更新を申請</a>` : null}</td></tr>`,
    );
    const requestRows = requests.map(requestRow);
    return page(
      signedIn(request, '証明書'),
      html`${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      <p><a href="/certificates/requests/new" class="button">証明書を申請する</a> <a href="/certificates/loss" class="button secondary">紛失・盗難の届出</a></p>
      <h2>クライアント証明書（有効期限の近い順）</h2>
      <table id="certificates"><thead><tr><th>フィンガープリント</th><th>O</th><th>用途</th><th>CN</th><th>有効期限</th><th>残り日数</th><th>状態</th><th></th></tr></thead>
      <tbody>${certRows}</tbody></table>
      <h2>申請</h2>
      <table id="requests"><thead><tr><th>番号</th><th>申請日時</th><th>O</th><th>用途</th><th>CN</th><th>方式</th><th>状態</th><th></th></tr></thead>
      <tbody>${requestRows}</tbody></table>
      <h2>端末の利用時間帯</h2>
      <form method="post" action="/certificates/hours" class="card">
        ${formError(refusal)}${csrfField(session.csrfToken)}
        <p class="muted">宣言した時間帯（日本時間）の外で画面用の証明書が使われると、広域機関に不正利用の疑いとして通知されます。空欄で解除します。</p>
        <label for="from">開始（時）</label><input type="number" id="from" name="from" min="0" max="23" value="${form.from ?? (hours ? String(hours.from) : '')}">
        <label for="to">終了（時）</label><input type="number" id="to" name="to" min="1" max="24" value="${form.to ?? (hours ? String(hours.to) : '')}">
        ${fieldError(refusal, 'hours')}
        <p><button type="submit">保存する</button></p>
      </form>`,
    );
  };

  app.post('/certificates/hours', { config: { action: 'terminalHours' } }, async (request, reply) => {
    const actor = own(request);
    const form = formOf(request);
    try {
      const hours = form.from === '' && form.to === '' ? null : { from: Number(form.from || Number.NaN), to: Number(form.to || Number.NaN) };
      await setTerminalHours(db, actor, actor.participant.companyCode, hours);
      return send(
        reply,
        await overviewPage(
          request,
          actor,
          {},
          undefined,
          hours ? `端末の利用時間帯を ${hours.from}時〜${hours.to}時 にしました。` : '端末の利用時間帯を解除しました。',
        ),
      );
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      return send(reply, await overviewPage(request, actor, form, error), httpStatusOf(error.code));
    }
  });

  app.get('/certificates/requests/new', { config: { action: 'certificateRequestForm' } }, async (request, reply) => {
    const actor = own(request);
    return send(reply, await newRequestPage(request, actor, queryOf(request)));
  });

  const newRequestPage = async (request: FastifyRequest, actor: Actor, form: FormFields, refusal?: Refusal): Promise<Html> => {
    const session = sessionOf(request);
    const participant = await getParticipant(db, actor.participant.companyCode);
    const codes = Object.fromEntries([...(participant?.participantCodes ?? []), actor.participant.companyCode].map((c) => [c, c]));
    return page(
      signedIn(request, form.renews ? '証明書の更新申請' : '証明書の申請'),
      html`<form method="post" action="/certificates/requests" class="card" autocomplete="off" enctype="multipart/form-data">
        ${formError(refusal)}${csrfField(session.csrfToken)}
        ${form.renews ? html`<p>更新対象: <span class="mono">${form.renews}</span></p><input type="hidden" name="renews" value="${form.renews}">` : null}
        ${fieldError(refusal, 'renews')}
        <label for="usage">用途</label>${select('usage', certificateUsageLabels, form.usage ?? 'terminal')}${fieldError(refusal, 'usage')}
        <p class="muted">画面利用は1端末1枚、API利用は1事業者1枚です。</p>
        <label for="method">申請方式</label>${select('method', methodLabels, form.method ?? 'pkcs12')}${fieldError(refusal, 'method')}
        <fieldset><legend>ハブで鍵を生成する場合</legend>
          <label for="boundCode">事業者コード（O）</label>${select('boundCode', codes, form.boundCode ?? participant?.participantCodes[0])}${fieldError(refusal, 'boundCode')}
          <label for="commonName">端末名（CN、画面利用は必須）</label><input type="text" id="commonName" name="commonName" maxlength="64" value="${form.commonName ?? ''}">
          ${fieldError(refusal, 'commonName')}
        </fieldset>
        <fieldset><legend>CSRをアップロードする場合</legend>
          <label for="csr">CSR（PEM。サブジェクトは O=事業者コード、OU=api または terminal、CN=名前。RSA 2048〜4096ビット）</label>
          <textarea id="csr" name="csr" rows="8" class="mono">${form.csr ?? ''}</textarea>
          <label for="csrFile">またはCSRファイル（PEM または DER、.csr .pem .der .req）</label>
          <input type="file" id="csrFile" name="csrFile" accept=".csr,.pem,.der,.req,application/pkcs10">${fieldError(refusal, 'csr')}
        </fieldset>
        <p><button type="submit">申請する</button> <a href="/certificates">戻る</a></p>
      </form>`,
    );
  };

  // The form comes as multipart/form-data (the CSR may be a file) or, from scripts, urlencoded.
  app.register(async (scoped) => {
    scoped.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, async (request: FastifyRequest, body: Buffer) =>
      formDataBody(String(request.headers['content-type'] ?? ''), body),
    );
    scoped.post('/certificates/requests', { config: { action: 'certificateRequest' } }, postRequest);
  });

  async function postRequest(request: FastifyRequest, reply: FastifyReply) {
    const actor = own(request);
    const form = formOf(request);
    try {
      const { request: created, pin } = await requestCertificate(db, clock, actor, {
        usage: form.usage ?? '',
        method: form.method ?? '',
        boundCode: form.boundCode ?? '',
        commonName: form.commonName ?? '',
        csrPem: form.method === 'csr' ? csrOf(form, filesOf(request.body, 'csrFile')) : '',
        ...(form.renews ? { renews: form.renews } : {}),
      });
      return send(
        reply,
        page(
          signedIn(request, '証明書を申請しました'),
          html`<div class="card"><p>申請番号 <strong id="request-id">${created.requestId}</strong>（${created.boundCode} ${certificateUsageLabels[created.usage]}「${created.subjectCn}」）を受け付けました。
          広域機関の承認後、発行スケジュールに従って発行され、メールとお知らせでお知らせします。</p>
          ${
            pin
              ? html`<p>PKCS#12ファイルのPIN（パスワード）:</p><p><code class="pin" id="pin">${pin}</code></p>
            <p class="muted">このPINはこの画面でだけ表示され、再表示できません。発行されるPKCS#12ファイルはこのPINで保護されます。証明書の利用者に安全な方法で伝えてください。</p>`
              : null
          }
          <p><a href="/certificates/requests/${created.requestId}">申請の詳細へ</a> <a href="/certificates">証明書へ</a></p></div>`,
        ),
      );
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      return send(reply, await newRequestPage(request, actor, form, error), httpStatusOf(error.code));
    }
  }

  app.get('/certificates/requests/:id', { config: { action: 'certificateRequestDetail' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    try {
      const found = await getRequest(db, actor, idOf(request));
      return send(reply, requestPage(request, found));
    } catch (error) {
      if (!isRefusal(error)) throw error;
      return refusalPage(request, reply, '証明書申請', error);
    }
  });

  const requestPage = (request: FastifyRequest, r: CertificateRequest): Html => {
    const session = sessionOf(request);
    return page(
      signedIn(request, `証明書申請 ${r.requestId}`),
      html`<table class="card"><tbody>
        <tr><th>状態</th><td id="status">${requestStatusLabels[r.status]}</td></tr>
        <tr><th>事業者</th><td>${r.companyCode}（O=${r.boundCode}）</td></tr><tr><th>用途</th><td>${certificateUsageLabels[r.usage]}</td></tr>
        <tr><th>CN</th><td>${r.subjectCn}</td></tr><tr><th>方式</th><td>${methodLabels[r.method]}</td></tr>
        <tr><th>申請</th><td>${jst(r.requestedAt)}（${r.requestedBy}）</td></tr>
        ${r.decidedAt ? html`<tr><th>審査</th><td>${jst(r.decidedAt)}（${r.decidedBy}）${r.decisionReason ? html` 理由: ${r.decisionReason}` : null}</td></tr>` : null}
        ${r.issuedAt ? html`<tr><th>発行</th><td>${jst(r.issuedAt)} 有効期限 ${jst(r.notAfter)}</td></tr>` : null}
        ${r.fingerprint256 ? html`<tr><th>フィンガープリント</th><td class="mono">${r.fingerprint256}</td></tr>` : null}
        ${r.downloadedAt ? html`<tr><th>ダウンロード</th><td>${jst(r.downloadedAt)}</td></tr>` : null}
      </tbody></table>
      ${
        r.status === 'issued'
          ? html`<form method="post" action="/certificates/requests/${r.requestId}/download" class="card">${csrfField(session.csrfToken)}
          <p class="muted">ダウンロードは1回だけです。${r.method === 'pkcs12' ? 'PKCS#12ファイルは申請時に表示したPINで保護されています。' : '証明書（PEM）と認証局の証明書を1つのファイルで渡します。'}</p>
          <button type="submit" id="download">ダウンロード</button></form>`
          : null
      }
      <p><a href="/certificates">証明書へ</a></p>`,
    );
  };

  app.post('/certificates/requests/:id/download', { config: { action: 'certificateDownload' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    try {
      const download = await downloadCertificate(db, clock, actor, certificates?.ca.certPem ?? '', idOf(request));
      reply.header('content-disposition', `attachment; filename="${download.fileName}"`);
      if (download.p12) return reply.type('application/x-pkcs12').send(download.p12);
      return reply.type('application/x-pem-file').send(`${download.certPem.trim()}\n${download.caPem.trim()}\n`);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      return refusalPage(request, reply, '証明書のダウンロード', error);
    }
  });

  app.get('/certificates/loss', { config: { action: 'lossReportForm' } }, async (request, reply) => {
    own(request);
    return send(reply, lossPage(request, queryOf(request)));
  });

  const lossPage = (request: FastifyRequest, form: FormFields, refusal?: Refusal): Html => {
    const session = sessionOf(request);
    return page(
      signedIn(request, '紛失・盗難の届出'),
      html`<form method="post" action="/certificates/loss" class="card">
        ${formError(refusal)}${csrfField(session.csrfToken)}
        <p>届け出た証明書・IDは直ちに停止され（ハブと各一般送配電事業者の提供サイト）、使用中のセッションも終了します。証明書は失効せず、広域機関の調査の後に再開されます。</p>
        <label for="kind">対象</label>${select('kind', lossKindLabels, form.kind ?? 'certificate')}
        <label for="id">証明書フィンガープリント（SHA-256）またはユーザID</label><input type="text" id="id" name="id" value="${form.id ?? ''}" required>
        ${fieldError(refusal, 'target')}
        <label for="reason">状況（いつ、どこで、何が）</label><textarea id="reason" name="reason" rows="3" required>${form.reason ?? ''}</textarea>
        ${fieldError(refusal, 'reason')}
        <p><button type="submit">届け出て停止する</button> <a href="/certificates">戻る</a></p>
      </form>`,
    );
  };

  app.post('/certificates/loss', { config: { action: 'lossReport' } }, async (request, reply) => {
    const actor = own(request);
    const form = formOf(request);
    try {
      const kind = form.kind === 'user' ? 'user' : 'certificate';
      const result = await reportLoss(db, clock, actor, { target: { kind, id: form.id ?? '' }, reason: `紛失・盗難の届出: ${form.reason ?? ''}` });
      return send(
        reply,
        await overviewPage(
          request,
          actor,
          {},
          undefined,
          `${lossKindLabels[kind]} ${result.target.id} を停止しました${result.endedSessions ? `（セッション ${result.endedSessions} 件を終了）` : ''}。広域機関が調査します。`,
        ),
      );
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      return send(reply, lossPage(request, form, error), httpStatusOf(error.code));
    }
  });

  // ---- The hub admins ----

  app.get('/admin/certificate-requests', { config: { action: 'certificateRequestList' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    authorize(actor, 'certificate.decide');
    return send(reply, await adminRequestsPage(request, actor));
  });

  const adminRequestsPage = async (request: FastifyRequest, actor: Actor, refusal?: Refusal, notice?: string): Promise<Html> => {
    const session = sessionOf(request);
    const pending = await listRequests(db, actor, { statuses: ['requested'] });
    const recent = (await listRequests(db, actor, {})).filter((r) => r.status !== 'requested').slice(0, 50);
    const schedule = certificates?.schedule;
    const decide = (r: CertificateRequest) => html`<tr><td>${r.requestId}</td><td>${jst(r.requestedAt)}</td><td>${r.companyCode}</td><td>${r.boundCode}</td>
      <td>${certificateUsageLabels[r.usage]}</td><td>${r.subjectCn}</td><td>${methodLabels[r.method]}</td><td>${r.renews ? '更新' : '新規'}</td>
      <td><form method="post" action="/admin/certificate-requests/${r.requestId}" class="inline">${csrfField(session.csrfToken)}
        <input type="text" name="reason" placeholder="否認の理由" aria-label="否認の理由（申請 ${r.requestId}）">
        <button type="submit" name="decision" value="approve">承認</button> <button type="submit" name="decision" value="refuse" class="secondary">否認</button></form></td></tr>`;
    return page(
      signedIn(request, '証明書申請の審査'),
      // A refusal names its field (the reason) but the row's form has no place for it: shown above the table.
      html`${notice ? html`<p class="notice" role="status">${notice}</p>` : null}${refusal ? html`<p class="refusal" role="alert"><span class="code">${refusal.code}</span> ${refusal.text}</p>` : null}
      <p class="muted">発行: ${
        schedule?.kind === 'weekly'
          ? `毎週 ${schedule.closings.map((c) => `${'日月火水木金土'[c.weekday]}曜 ${String(Math.floor(c.minutes / 60)).padStart(2, '0')}:${String(c.minutes % 60).padStart(2, '0')}`).join('・')} 締切の一括発行`
          : '承認と同時に発行（サンドボックス）'
      }</p>
      <h2>審査待ち</h2>
      <table id="pending"><thead><tr><th>番号</th><th>申請日時</th><th>会社</th><th>O</th><th>用途</th><th>CN</th><th>方式</th><th>種別</th><th>審査</th></tr></thead>
      <tbody>${pending.map(decide)}</tbody></table>
      <h2>最近の申請</h2>
      <table><thead><tr><th>番号</th><th>会社</th><th>O</th><th>用途</th><th>CN</th><th>状態</th><th>審査</th></tr></thead>
      <tbody>${recent.map((r) => html`<tr><td>${r.requestId}</td><td>${r.companyCode}</td><td>${r.boundCode}</td><td>${certificateUsageLabels[r.usage]}</td><td>${r.subjectCn}</td><td>${requestStatusLabels[r.status]}</td><td>${r.decidedBy ?? ''} ${r.decisionReason ?? ''}</td></tr>`)}</tbody></table>`,
    );
  };

  app.post('/admin/certificate-requests/:id', { config: { action: 'certificateDecide' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const form = formOf(request);
    try {
      const decided = await decideRequest(db, clock, actor, certificates, idOf(request), { approve: form.decision === 'approve', reason: form.reason ?? '' });
      return send(
        reply,
        await adminRequestsPage(
          request,
          actor,
          undefined,
          `申請 ${decided.requestId} を${decided.status === 'refused' ? '否認' : '承認'}しました（状態: ${requestStatusLabels[decided.status]}）。`,
        ),
      );
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      if (!can(actor, 'certificate.decide')) throw error;
      return send(reply, await adminRequestsPage(request, actor, error), httpStatusOf(error.code));
    }
  });

  app.get('/admin/certificate-expiry', { config: { action: 'certificateExpiry' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    if (!isHubAdmin(actor)) throw new Refusal('AUTH_FORBIDDEN');
    const query = queryOf(request);
    const certs = await listByExpiry(db, clock, actor, query.companyCode ? { companyCode: query.companyCode.toUpperCase() } : {});
    return send(
      reply,
      page(
        signedIn(request, '証明書の有効期限'),
        html`<form method="get" action="/admin/certificate-expiry" class="card search">
          <label for="companyCode">会社コード</label><input type="text" id="companyCode" name="companyCode" value="${query.companyCode ?? ''}">
          <p><button type="submit">検索</button></p></form>
        <table id="expiry"><thead><tr><th>残り日数</th><th>有効期限</th><th>会社</th><th>O</th><th>用途</th><th>CN</th><th>状態</th><th>更新</th><th>フィンガープリント</th></tr></thead>
        <tbody>${certs.map(
          (
            c,
          ) => html`<tr class="${c.daysLeft <= 30 ? 'warn' : ''}"><td class="days-left">${c.daysLeft > 0 ? `${c.daysLeft}日` : '期限切れ'}</td><td>${jst(c.notAfter)}</td>
          <td>${c.companyCode}</td><td>${c.boundCode}</td><td>${certificateUsageLabels[c.usage]}</td><td>${c.subjectCn}</td><td>${statusLabels[c.status]}</td>
          <td>${c.renewedBy ? '更新済' : ''}</td><td class="mono">${c.fingerprint256.slice(0, 16)}…</td></tr>`,
        )}</tbody></table>`,
      ),
    );
  });

  app.get('/admin/suspicions/flags', { config: { action: 'suspicionList' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    return send(reply, await flagsPage(request, actor));
  });

  const flagsPage = async (request: FastifyRequest, actor: Actor, notice?: string): Promise<Html> => {
    const session = sessionOf(request);
    const flags = await listFlags(db, actor);
    return page(
      signedIn(request, '不正利用の疑い'),
      html`${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      <table id="flags"><thead><tr><th>番号</th><th>検知</th><th>時間帯</th><th>会社</th><th>規則</th><th>件数</th><th>内容</th><th>証明書</th><th>対応</th></tr></thead>
      <tbody>${flags.map(
        (f) => html`<tr><td>${f.flagId}</td><td>${jst(f.raisedAt)}</td><td>${jst(f.windowStart)}〜</td><td>${f.companyCode}</td><td>${ruleLabels[f.rule]}</td>
        <td>${f.observed}</td><td>${f.detail}</td><td class="mono">${f.fingerprint256.slice(0, 16)}…（${f.certificateStatus === 'suspended' ? '停止中' : '有効'}）</td>
        <td>${
          f.status === 'open'
            ? html`<form method="post" action="/admin/suspicions/flags/${f.flagId}/suspend" class="inline">${csrfField(session.csrfToken)}<button type="submit">証明書を停止</button></form>
          <form method="post" action="/admin/suspicions/flags/${f.flagId}/dismiss" class="inline">${csrfField(session.csrfToken)}<button type="submit" class="secondary">問題なし</button></form>`
            : f.status === 'suspended'
              ? '停止済'
              : '問題なし'
        }</td></tr>`,
      )}</tbody></table>`,
    );
  };

  app.post('/admin/suspicions/flags/:id/suspend', { config: { action: 'suspicionSuspend' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const result = await suspendFlagged(db, clock, actor, idOf(request));
    return send(
      reply,
      await flagsPage(request, actor, `証明書 ${result.target.id.slice(0, 16)}… を停止しました（セッション ${result.endedSessions} 件を終了）。`),
    );
  });

  app.post('/admin/suspicions/flags/:id/dismiss', { config: { action: 'suspicionDismiss' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    await dismissFlag(db, clock, actor, idOf(request));
    return send(reply, await flagsPage(request, actor, '問題なしとしました。'));
  });
}

function requestRow(r: CertificateRequest): Html {
  return html`<tr><td><a href="/certificates/requests/${r.requestId}">${r.requestId}</a></td><td>${jst(r.requestedAt)}</td><td>${r.boundCode}</td>
    <td>${certificateUsageLabels[r.usage]}</td><td>${r.subjectCn}</td><td>${methodLabels[r.method]}</td><td>${requestStatusLabels[r.status]}</td>
    <td>${r.status === 'issued' ? html`<a href="/certificates/requests/${r.requestId}">ダウンロード</a>` : r.decisionReason ? r.decisionReason : null}</td></tr>`;
}

function idOf(request: FastifyRequest): number {
  const id = Number((request.params as { id: string }).id);
  return Number.isSafeInteger(id) ? id : -1;
}
