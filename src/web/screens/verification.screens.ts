/**
 * The verification environment's screens (検証環境, slides 18–21), registered only in that mode:
 *
 *   GET /verification                    the designated supply point IDs and what each makes the grid stub answer
 *   GET /verification/progress           the participant's own test scenarios: status, steps, the calls that did not match and why
 *                                        (hub admins: ?participant=CODE)
 *   GET /admin/verification              hub admins: participants × scenarios
 *   GET /admin/verification.csv          the same matrix as CSV
 *
 * Every HTML page of the environment carries a banner saying which environment this is, with links
 * to these screens (an onSend hook, so no screen can forget it).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { areaCodes, type AreaCode } from '../../domain/area.ts';
import { interfaces } from '../../interfaces/catalogue/catalogue.ts';
import { codeOf, designatedEntries, designatedId, interfacesOf } from '../../interfaces/verification/designated.ts';
import { scenarios } from '../../interfaces/verification/scenarios.ts';
import { sessionOf } from '../../hub/http/context.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { can, isHubAdmin } from '../../hub/policy.ts';
import { scenarioStatusNames, stepStatusNames, type ScenarioProgress } from '../../hub/verification/progress.ts';
import { matrixCsv, participantProgress, progressMatrix } from '../../hub/verification/verification.queries.ts';
import { html, type Html } from '../html.ts';
import { jst } from '../labels.ts';
import { page } from '../layout.ts';
import { signedIn } from './page-user.ts';

const banner =
  '<div class="env-banner" role="note"><strong>検証環境</strong> — 一般送配電事業者のシステムは検証用スタブです。本番のデータではありません。' +
  ' <a href="/verification">検証用供給地点特定番号</a> <a href="/verification/progress">テストシナリオの進捗</a></div>';

export function registerVerificationScreens(app: FastifyInstance, { db }: HubDeps): void {
  const send = (reply: FastifyReply, markup: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(markup.value);

  // The banner: on every HTML page of this environment, signed in or not, errors included.
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (typeof payload !== 'string' || !type.startsWith('text/html')) return payload;
    return payload.replace('<body>', `<body>\n${banner}`);
  });

  app.get('/verification', { config: { action: 'verificationDesignated' } }, async (request, reply) => {
    const area = (request.query as { area?: string }).area;
    const shown: AreaCode = area && (areaCodes as readonly string[]).includes(area) ? (area as AreaCode) : '03';
    return send(reply, page(signedIn(request, '検証用供給地点特定番号'), designatedTable(shown)));
  });

  app.get('/verification/progress', { config: { action: 'verificationProgress' } }, async (request, reply) => {
    const { actor } = sessionOf(request);
    const asked = (request.query as { participant?: string }).participant;
    const companyCode = asked && isHubAdmin(actor) ? asked : actor.participant.companyCode;
    const progress = await participantProgress(db, actor, companyCode);
    const matrixLink = can(actor, 'verification.matrix') ? html`<p><a href="/admin/verification">全事業者の進捗一覧</a></p>` : null;
    return send(reply, page(signedIn(request, `テストシナリオの進捗（${companyCode}）`), html`${matrixLink}${progressView(progress)}`));
  });

  app.get('/admin/verification', { config: { action: 'verificationMatrix' } }, async (request, reply) => {
    const rows = await progressMatrix(db, sessionOf(request).actor);
    const body = html`<p><a href="/admin/verification.csv" download>CSV でダウンロード</a></p>
      <div class="scroll"><table class="data-rows dense verification-matrix">
        <thead><tr><th>事業者</th><th>合格</th>${scenarios.map((s) => html`<th title="${s.title}">${s.id}</th>`)}</tr></thead>
        <tbody>${rows.map(
          (r) => html`<tr><th><a href="/verification/progress?participant=${r.companyCode}">${r.companyCode}</a> ${r.name}</th>
            <td>${r.passed}/${scenarios.length}</td>
            ${r.statuses.map((s) => html`<td class="status-${s}">${scenarioStatusNames[s]}</td>`)}</tr>`,
        )}</tbody></table></div>`;
    return send(reply, page(signedIn(request, 'テストシナリオの進捗一覧'), body));
  });

  app.get('/admin/verification.csv', { config: { action: 'verificationMatrixCsv' } }, async (request, reply) => {
    const rows = await progressMatrix(db, sessionOf(request).actor);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="verification-progress.csv"').send(matrixCsv(rows));
  });
}

/** The one table of designated IDs (also in the README, OpenAPI and the WSDL). */
export function designatedTable(area: AreaCode): Html {
  const ids = interfaces.map((i) => i.id);
  return html`<p>検証環境の一般送配電スタブは、次の供給地点特定番号に決まった応答を返します（それ以外の番号は参照実装の送配電システムが検証環境のデータで応答します）。
    形式は <code>{エリア2桁}9999{動作4桁}{パラメータ12桁}</code> です。下の例はエリア${area}のものです。</p>
    <form method="get" action="/verification" class="inline"><label for="area">エリア</label>
      <select id="area" name="area">${areaCodes.map((a) => html`<option value="${a}"${a === area ? html` selected` : null}>${a}</option>`)}</select>
      <button type="submit">表示</button></form>
    <table class="data-rows dense designated">
      <thead><tr><th>供給地点特定番号</th><th>動作</th><th>コード</th><th>使えるインタフェース</th></tr></thead>
      <tbody>${designatedEntries.map(
        (e) =>
          html`<tr><td><code>${designatedId(area, e.number, e.parameter?.example ?? 0)}</code>${
            e.parameter ? html`<br><span class="muted">末尾12桁 = ${e.parameter.label}（最大 ${e.parameter.max}）</span>` : null
          }</td><td>${e.description}</td><td><code>${codeOf(e) ?? ''}</code></td><td>${interfacesOf(e, ids).join(' ')}（と状態照会）</td></tr>`,
      )}</tbody></table>
    <p class="muted">状態照会（…20）は申込番号またはリクエストIDで照会します。タイムアウトはハブの待ち時間（KIRIKAE_GRID_TIMEOUT_MS、申込の即時送達は3秒）で決まります。</p>`;
}

function progressView(progress: readonly ScenarioProgress[]): Html {
  const passed = progress.filter((p) => p.status === 'passed').length;
  return html`<p>合格 ${passed} / ${progress.length} シナリオ。呼び出しのたびに記録し、期待どおりの応答だったかを判定します。</p>
    ${progress.map(
      (p) => html`<section class="card scenario status-${p.status}" id="${p.scenario.id}">
        <h2>${p.scenario.id} ${p.scenario.title} <span class="badge">${scenarioStatusNames[p.status]}</span></h2>
        <ol>${p.steps.map(
          (s) => html`<li class="step-${s.status}"><span class="badge">${stepStatusNames[s.status]}</span>
            <code>${s.step.interfaceId}</code>${s.step.point && s.step.point !== 'ordinary' && s.step.point !== 'none' ? html` 動作 <code>${s.step.point}</code>` : null}: ${s.step.note}
            （期待: ${s.step.expect.result}${s.step.expect.stage ? ` 工程 ${s.step.expect.stage}` : ''}${s.step.expect.code ? ` ${s.step.expect.code}` : ''}）
            ${
              s.mismatches.length > 0
                ? html`<ul class="mismatches">${s.mismatches.map((m) => html`<li class="mismatch">${jst(m.call.at)} ${m.call.supplyPointId ?? ''}: ${m.reason}</li>`)}</ul>`
                : null
            }</li>`,
        )}</ol></section>`,
    )}`;
}
