/**
 * The participant list (事業者一覧, every participant) and the hub administrator's screens:
 * admitting a participant, suspension and resumption (権限停止, slide 46), the certificate
 * registry, and the audit log.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import type { AuditFilter } from '../../hub/audit/audit.ts';
import { searchAudit } from '../../hub/audit/audit.queries.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { sessionOf } from '../../hub/http/context.ts';
import { httpStatusOf } from '../../hub/http/respond.ts';
import { listCertificates } from '../../hub/identity/certificate.commands.ts';
import { createParticipant, listParticipants } from '../../hub/identity/participant.commands.ts';
import { areas as allAreas } from '../../domain/area.ts';
import { isParticipantKind } from '../../hub/identity/participant.ts';
import { resume, suspend } from '../../hub/identity/suspension.commands.ts';
import type { SuspensionTargetKind } from '../../hub/identity/suspension.queries.ts';
import { authorize, can } from '../../hub/policy.ts';
import { csrfField, formOf, pager, queryOf, select, type FormFields } from '../form.ts';
import { html, type Html } from '../html.ts';
import { fieldError, formError, page } from '../layout.ts';
import {
  auditActionLabel,
  auditChannelLabels,
  certificateUsageLabels,
  jst,
  participantKindLabels,
  resultText,
  statusLabels,
  suspensionTargetLabels,
} from '../labels.ts';
import { signedIn } from './page-user.ts';

export function registerAdminScreens(app: FastifyInstance, { db, clock }: HubDeps): void {
  const send = (reply: FastifyReply, markup: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(markup.value);

  app.get('/participants', { config: { action: 'participantList' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    authorize(actor, 'participant.list');
    const query = queryOf(request);
    const pageNo = Math.max(1, Number(query.page) || 1);
    const kind = query.kind && isParticipantKind(query.kind) ? query.kind : undefined;
    const result = await listParticipants(db, { ...(kind ? { kind } : {}), ...(query.text ? { text: query.text } : {}) }, { page: pageNo });
    const admin = can(actor, 'suspension.manage');
    const rows = result.items.map(
      (p) => html`<tr><td>${p.companyCode}</td><td>${p.participantCodes.join(' ')}</td><td>${p.name}</td><td>${participantKindLabels[p.kind]}</td>
        <td>${statusLabels[p.status]}</td>
        ${admin ? html`<td><a href="/admin/suspensions?kind=participant&id=${p.companyCode}">停止・再開</a></td>` : null}</tr>`,
    );
    const body = html`
      ${can(actor, 'participant.manage') ? html`<p><a href="/admin/participants/new">事業者を登録する</a></p>` : null}
      <form method="get" action="/participants" class="card search">
        <label for="kind">事業者種別</label>${select('kind', participantKindLabels, query.kind, { blank: 'すべて' })}
        <label for="text">事業者名・事業者コード</label><input type="text" id="text" name="text" value="${query.text ?? ''}">
        <p><button type="submit">検索</button></p>
      </form>
      ${pager('/participants', query, result.page, result.size, result.total)}
      <table><thead><tr><th>会社コード</th><th>事業者コード</th><th>事業者名</th><th>種別</th><th>状態</th>${admin ? html`<th></th>` : null}</tr></thead>
      <tbody>${rows}</tbody></table>`;
    return send(reply, page(signedIn(request, '事業者一覧'), body));
  });

  app.get('/admin/participants/new', { config: { action: 'participantRegister' } }, async (request, reply) => {
    authorize(sessionOf(request).actor, 'participant.manage');
    return send(reply, participantForm(request, { companyCode: '', name: '', kind: 'retailer' }, []));
  });

  app.post('/admin/participants', { config: { action: 'participantRegister' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    authorize(actor, 'participant.manage');
    const form = formOf(request);
    const picked = (request.body as Record<string, unknown>).areas;
    const areas = (Array.isArray(picked) ? picked : picked === undefined ? [] : [picked]).map(String);
    try {
      const created = await createParticipant(db, clock, actor, {
        companyCode: form.companyCode ?? '',
        name: form.name ?? '',
        kind: form.kind as never,
        areas,
      });
      return reply.redirect(`/participants?text=${encodeURIComponent(created.companyCode)}`, 303);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      return send(reply, participantForm(request, form, areas, error), httpStatusOf(error.code));
    }
  });

  app.get('/admin/suspensions', { config: { action: 'suspension' } }, async (request, reply) => {
    authorize(sessionOf(request).actor, 'suspension.manage');
    return send(reply, suspensionPage(request, queryOf(request)));
  });

  app.post('/admin/suspensions', { config: { action: 'suspension' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const form = formOf(request);
    try {
      const kind = targetKind(form.kind);
      const command = form.operation === 'resume' ? resume : suspend;
      const result = await command(db, clock, actor, { target: { kind, id: form.id ?? '' }, reason: form.reason ?? '' });
      const done = result.status === 'suspended' ? '停止しました' : '再開しました';
      const notice = result.changed
        ? `${suspensionTargetLabels[kind]} ${result.target.id} を${done}。${result.endedSessions > 0 ? `ログイン中のセッション ${result.endedSessions} 件を終了しました。` : ''}`
        : `${suspensionTargetLabels[kind]} ${result.target.id} はすでにその状態です。`;
      return send(reply, suspensionPage(request, {}, undefined, notice));
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      return send(reply, suspensionPage(request, form, error), httpStatusOf(error.code));
    }
  });

  app.get('/admin/certificates', { config: { action: 'certificateList' } }, async (request, reply) => {
    authorize(sessionOf(request).actor, 'certificate.manage');
    const query = queryOf(request);
    const pageNo = Math.max(1, Number(query.page) || 1);
    const result = await listCertificates(db, query.companyCode ? { companyCode: query.companyCode.toUpperCase() } : {}, { page: pageNo });
    const rows = result.items.map(
      (c) => html`<tr><td class="mono">${c.fingerprint256.slice(0, 16)}…</td><td>${c.companyCode}</td><td>${certificateUsageLabels[c.usage]}</td>
        <td>${c.subjectCn}</td><td>${jst(c.notAfter)}</td><td>${statusLabels[c.status]}</td>
        <td><a href="/admin/suspensions?kind=certificate&id=${c.fingerprint256}">停止・再開</a></td></tr>`,
    );
    const body = html`
      <form method="get" action="/admin/certificates" class="card search">
        <label for="companyCode">会社コード</label><input type="text" id="companyCode" name="companyCode" value="${query.companyCode ?? ''}">
        <p><button type="submit">検索</button></p>
      </form>
      ${pager('/admin/certificates', query, result.page, result.size, result.total)}
      <table><thead><tr><th>フィンガープリント(SHA-256)</th><th>会社</th><th>用途</th><th>CN</th><th>有効期限</th><th>状態</th><th></th></tr></thead>
      <tbody>${rows}</tbody></table>`;
    return send(reply, page(signedIn(request, 'クライアント証明書'), body));
  });

  app.get('/admin/audit', { config: { action: 'auditSearch' } }, async (request, reply) => {
    authorize(sessionOf(request).actor, 'audit.search');
    const query = queryOf(request);
    let refusal: Refusal | undefined;
    let entries: Awaited<ReturnType<typeof searchAudit>> | undefined;
    try {
      entries = await searchAudit(db, auditFilterOf(query), { limit: 100, before: query.before || null });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      refusal = error;
    }
    const rows = (entries?.entries ?? []).map(
      (e) => html`<tr><td>${jst(e.at)}</td><td>${e.companyCode}</td><td>${e.userId}</td><td class="mono">${e.fingerprint256?.slice(0, 12)}</td>
        <td>${e.sourceAddress}</td><td>${auditChannelLabels[e.channel] ?? e.channel}</td><td>${auditActionCell(e.action)}</td><td>${e.supplyPointIds.join(' ')}</td><td>${resultCell(e.result)}</td></tr>`,
    );
    const next = entries?.next ? `/admin/audit?${new URLSearchParams({ ...query, before: entries.next }).toString()}` : null;
    const field = (name: string, label: string, type = 'text') =>
      html`<label for="${name}">${label}</label><input type="${type}" id="${name}" name="${name}" value="${query[name] ?? ''}">`;
    const body = html`
      <form method="get" action="/admin/audit" class="card search">
        ${formError(refusal)}
        ${field('participant', '会社コード')}${field('userId', 'ユーザID')}${field('fingerprint', '証明書フィンガープリント')}
        ${field('supplyPointId', '供給地点特定番号')}${field('from', '期間（から）', 'date')}${field('to', '期間（まで）', 'date')}
        <p><button type="submit">検索</button></p>
      </form>
      <table><thead><tr><th>日時</th><th>会社</th><th>ユーザID</th><th>証明書</th><th>接続元</th><th>経路</th><th>操作</th><th>供給地点</th><th>結果</th></tr></thead>
      <tbody>${rows}</tbody></table>
      ${next ? html`<p><a href="${next}">さらに古い記録</a></p>` : null}`;
    return send(reply, page(signedIn(request, '監査ログ検索'), body), refusal ? 400 : 200);
  });
}

/** The action's Japanese name, with the recorded identifier beneath it (what a search of the log or its export names). */
function auditActionCell(action: string) {
  const label = auditActionLabel(action);
  return label ? html`${label}<br><span class="mono muted">${action}</span>` : html`<span class="mono">${action}</span>`;
}

/** OK, or the code with its Japanese text. */
function resultCell(result: string) {
  const text = resultText(result);
  return text ? html`<span class="mono" title="${text}">${result}</span><br><span class="muted">${text}</span>` : html`<span class="mono">${result}</span>`;
}

function targetKind(value: string | undefined): SuspensionTargetKind {
  if (value === 'participant' || value === 'certificate' || value === 'user') return value;
  throw new Refusal('CODE_UNKNOWN', { field: 'kind', params: { field: 'kind', value: value ?? '' } });
}

/** Dates typed on the screen are days in Japan: "to" includes the whole day. */
function auditFilterOf(query: FormFields): AuditFilter {
  const day = (d: string | undefined, plusDays = 0) =>
    d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? new Date(new Date(`${d}T00:00:00+09:00`).getTime() + plusDays * 86_400_000) : undefined;
  const filter: Record<string, unknown> = {
    participant: query.participant?.toUpperCase() || undefined,
    userId: query.userId || undefined,
    fingerprint: query.fingerprint || undefined,
    supplyPointId: query.supplyPointId || undefined,
    from: day(query.from),
    to: day(query.to, 1),
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as AuditFilter;
}

function suspensionPage(request: Parameters<typeof sessionOf>[0], form: FormFields, refusal?: Refusal, notice?: string): Html {
  const session = sessionOf(request);
  return page(
    signedIn(request, '権限停止・再開'),
    html`${notice ? html`<p class="notice">${notice}</p>` : null}
    <form method="post" action="/admin/suspensions" class="card">
      ${formError(refusal)}${csrfField(session.csrfToken)}
      <label for="kind">対象</label>${select('kind', suspensionTargetLabels, form.kind ?? 'user')}
      <label for="id">会社コード・証明書フィンガープリント・ユーザID</label><input type="text" id="id" name="id" value="${form.id ?? ''}" required>
      <label for="reason">理由</label><textarea id="reason" name="reason" rows="3" required>${form.reason ?? ''}</textarea>
      <p><button type="submit" name="operation" value="suspend">停止する</button> <button type="submit" name="operation" value="resume" class="secondary">再開する</button></p>
      <p class="muted">停止は即時に有効になり、対象のログイン中のセッションは終了します。証明書は失効させず、停止のみ行います。</p>
    </form>`,
  );
}

/** 事業者登録 (hub administrators): company code, name, kind and the areas it works in. */
function participantForm(request: Parameters<typeof sessionOf>[0], form: FormFields, areas: readonly string[], refusal?: Refusal): Html {
  const session = sessionOf(request);
  return page(
    signedIn(request, '事業者登録'),
    html`<form method="post" action="/admin/participants" class="card" autocomplete="off">
      ${formError(refusal)}
      ${csrfField(session.csrfToken)}
      <label for="companyCode">会社コード（英数字4桁）</label>
      <input type="text" id="companyCode" name="companyCode" value="${form.companyCode ?? ''}" maxlength="8" required>
      ${fieldError(refusal, 'companyCode')}
      <label for="name">事業者名</label>
      <input type="text" id="name" name="name" value="${form.name ?? ''}" maxlength="100" required>
      ${fieldError(refusal, 'name')}
      <label for="kind">事業者種別</label>
      ${select('kind', participantKindLabels, form.kind)}
      ${fieldError(refusal, 'kind')}
      <fieldset><legend>エリア（一般送配電事業者は1エリア、広域機関はなし）</legend>
        ${allAreas.map((a) => html`<label class="inline"><input type="checkbox" name="areas" value="${a.code}" ${areas.includes(a.code) ? html`checked` : null}> ${a.name}</label>`)}
      </fieldset>
      ${fieldError(refusal, 'areas')}
      <p><button type="submit">登録する</button> <a href="/participants">事業者一覧へ戻る</a></p>
    </form>`,
  );
}
