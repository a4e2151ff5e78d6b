/**
 * 供給地点特定番号検索 (Web only, SYSTEM.md §3): a retailer registered in the area finds the supply
 * point ID of a place by a prefix of its address, or of a customer by the name in kana. The area's
 * grid answers (hub/interfaces/supply-point-search.ts); the screen shows the columns of slide 26
 * (ID, address, status, 廃止措置方法, 契約形態, 引込柱番号, 計器番号), each with links to the functions of the area menu for that point.
 *
 *   GET /areas/{area}/{family}/search?by=address|nameKana&query=…
 */
import type { FastifyInstance } from 'fastify';
import { contractTypes, discontinuationMethods, supplyPointStatuses } from '../../domain/codes.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { InterfaceDeps } from '../../hub/interfaces/call.ts';
import { searchSupplyPoints } from '../../hub/interfaces/supply-point-search.ts';
import type { ReceptionMessage } from '../../interfaces/message.ts';
import { webSearchLimit, webSearchMinLength, webSupplyPointSearchId, type WebSearchBy, type WebSearchResult } from '../../interfaces/web-search.ts';
import { queryOf } from '../form.ts';
import { html } from '../html.ts';
import { renderMessages } from '../interface-form.ts';
import { page } from '../layout.ts';
import { crumbs, familyInterface, interfaceCall, scopeBadge, scopeOf, refuseOutsideArea, sendHtml } from './area.screens.ts';
import { signedIn } from './page-user.ts';

const byLabels: Readonly<Record<WebSearchBy, string>> = { address: '住所（前方一致）', nameKana: '需要者名カナ（前方一致）' };

export function registerAreaSearchScreens(app: FastifyInstance, deps: InterfaceDeps): void {
  app.get('/areas/:area/:family/search', { config: { action: webSupplyPointSearchId } }, async (request, reply) => {
    const scope = scopeOf(request);
    const title = '供給地点特定番号検索';
    const outside = refuseOutsideArea(request, reply, scope, title);
    if (outside) return outside;
    const query = queryOf(request);
    const by: WebSearchBy = query.by === 'nameKana' ? 'nameKana' : 'address';
    const text = query.query ?? '';
    let messages: readonly ReceptionMessage[] = [];
    let result: WebSearchResult | undefined;
    let status = 200;
    if ('query' in query) {
      const answer = await searchSupplyPoints(deps, interfaceCall(request), scope.area.code, { by, query: text, family: scope.family });
      if (answer.result === 'OK') result = answer.data as unknown as WebSearchResult;
      else {
        messages = answer.messages;
        request.audit.result = messages[0]?.code ?? 'NG';
        status = messages[0]?.code === 'IF_AREA_NOT_REGISTERED' || messages[0]?.code === 'AUTH_FORBIDDEN' ? 403 : 400;
      }
    } else {
      request.audit.action = 'areaSearchForm';
    }
    const fieldMessages = messages.filter((m) => m.field === 'query');
    const otherMessages = messages.filter((m) => m.field !== 'query');
    const facility = familyInterface(scope.family, '10110');
    const notices: ReceptionMessage[] = [];
    if (result?.more === '1') notices.push(new Refusal('WEB_SEARCH_TRUNCATED', { params: { max: webSearchLimit } }).toDetail());
    if (result && result.points.length === 0) notices.push(new Refusal('WEB_SEARCH_NO_MATCH').toDetail());
    const body = html`${crumbs(scope, title)}
      <p>${scopeBadge(scope)} <span class="if-id">Web</span></p>
      ${renderMessages(otherMessages, 'refusal')}
      <form method="get" action="${scope.base}/search" class="card if-form">
        <div class="if-grid">
          <span class="label">検索方法</span>
          <div class="if-input radios">${(Object.keys(byLabels) as WebSearchBy[]).map(
            (b) => html`<label class="radio"><input type="radio" name="by" value="${b}"${b === by ? html` checked` : null}> ${byLabels[b]}</label>`,
          )}</div>
          <label for="f-query">住所または需要者名（カナ）</label>
          <div class="if-input"><input type="text" id="f-query" name="query" value="${text}" maxlength="100" placeholder="例: 東京都千代田区本町 / ヤマダ"${fieldMessages.length > 0 ? html` aria-invalid="true"` : null}>
            ${fieldMessages.map((m) => html`<p class="field-error" role="alert"><span class="code">${m.code}</span> ${m.text}</p>`)}
            <p class="muted">${webSearchMinLength}文字以上。住所は都道府県または市区町村から、名義はカナ（ひらがな・半角カナも可）で入力してください。最大${webSearchLimit}件を表示します。</p></div>
        </div>
        <p class="actions"><button type="submit">検索する</button> <a href="${scope.base}">メニューへ戻る</a></p>
      </form>
      ${renderMessages(notices, 'notice')}
      ${
        result && result.points.length > 0
          ? html`<table class="data-rows search-results"><caption>検索結果 ${result.points.length}件</caption>
            <thead><tr><th>供給地点特定番号</th><th>住所</th><th>状態</th><th>廃止措置方法</th><th>契約形態</th><th>引込柱番号</th><th>計器番号</th><th>操作</th></tr></thead>
            <tbody>${result.points.map((p) => {
              const q = new URLSearchParams({ supplyPointId: p.supplyPointId }).toString();
              return html`<tr><td class="mono">${p.supplyPointId}</td>
                <td>${p.address.prefecture}${p.address.city}${p.address.street}${p.address.building ? ` ${p.address.building}` : ''}</td>
                <td>${supplyPointStatuses[p.status] ?? p.status}</td>
                <td>${p.discontinuationMethod ? discontinuationMethods[p.discontinuationMethod] : ''}</td>
                <td>${p.contractType ? contractTypes[p.contractType] : ''}</td>
                <td class="mono">${p.servicePoleNumber ?? ''}</td>
                <td class="mono">${p.meterNumbers.join(' ')}</td>
                <td>${facility ? html`<a href="${scope.base}/if/${facility.id}?${q}">設備情報</a> ` : null}<a href="${scope.base}?${q}">この地点でメニューへ</a></td></tr>`;
            })}</tbody></table>`
          : null
      }`;
    return sendHtml(reply, page(signedIn(request, title), body), status);
  });
}
