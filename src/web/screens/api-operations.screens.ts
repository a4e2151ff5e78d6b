/**
 * API運用情報 (hub administrators): for each interface of the catalogue, the calls over a period
 * (default: today in Japan) by channel, and the NG results by reception-message code, from the audit
 * log. Each interface links to its page in the API repository.
 */
import type { FastifyInstance } from 'fastify';
import { addDays, daysBetween, parseIsoDate, tokyoDate, tokyoMidnight, type IsoDate } from '../../domain/date.ts';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import { API_OPERATIONS_MAX_DAYS, interfaceUsage, type InterfaceUsage } from '../../hub/audit/api-operations.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { sessionOf } from '../../hub/http/context.ts';
import { authorize } from '../../hub/policy.ts';
import { interfaces } from '../../interfaces/catalogue/catalogue.ts';
import { queryOf, type FormFields } from '../form.ts';
import { html } from '../html.ts';
import { fieldError, page } from '../layout.ts';
import { jst } from '../labels.ts';
import { signedIn } from './page-user.ts';
import { messages, type MessageCode } from '../../domain/messages.ts';

/** The period of the form: both days inclusive; a day not given is today. */
export function periodOf(query: FormFields, today: IsoDate): { from: IsoDate; to: IsoDate } {
  const from = query.from ? parseIsoDate(query.from, 'from') : today;
  const to = query.to ? parseIsoDate(query.to, 'to') : query.from ? from : today;
  if (to < from) throw new Refusal('NOTICE_PERIOD_ORDER', { field: 'to' });
  if (daysBetween(from, to) + 1 > API_OPERATIONS_MAX_DAYS)
    throw new Refusal('NOTICE_PERIOD_TOO_LONG', { field: 'to', params: { days: API_OPERATIONS_MAX_DAYS } });
  return { from, to };
}

export function registerApiOperationScreens(app: FastifyInstance, { db, clock }: HubDeps): void {
  app.get('/admin/api-operations', { config: { action: 'apiOperations' } }, async (request, reply) => {
    authorize(sessionOf(request).actor, 'apiOperation.view');
    const query = queryOf(request);
    const today = tokyoDate(clock.now());
    let refusal: Refusal | undefined;
    let period = { from: today, to: today };
    try {
      period = periodOf(query, today);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      refusal = error;
      request.audit.result = error.code;
    }
    const usage = refusal
      ? []
      : await interfaceUsage(
          db,
          interfaces.map((i) => i.id),
          tokyoMidnight(period.from),
          tokyoMidnight(addDays(period.to, 1)),
        );
    const total = (pick: (u: InterfaceUsage) => number) => usage.reduce((sum, u) => sum + pick(u), 0);
    const names = new Map(interfaces.map((i) => [i.id, i.name]));
    // Only the interfaces that were called, unless asked for all: the catalogue has dozens.
    const showAll = query.all === '1';
    const shown = showAll ? usage : usage.filter((u) => u.calls > 0);
    const hidden = usage.length - shown.length;
    const allLink = `/admin/api-operations?${new URLSearchParams({ from: period.from, to: period.to, ...(showAll ? {} : { all: '1' }) }).toString()}`;
    const rows = shown.map(
      (u) => html`<tr class="${u.calls === 0 ? 'idle' : ''}">
        <td class="nowrap"><a href="/interfaces/${u.interfaceId}">${u.interfaceId}</a></td><td>${names.get(u.interfaceId) ?? ''}</td>
        <td class="num">${u.calls}</td><td class="num">${u.callsByChannel.api ?? 0}</td><td class="num">${u.callsByChannel.soap ?? 0}</td>
        <td class="num">${u.callsByChannel.web ?? 0}</td><td class="num">${u.calls - u.ng}</td><td class="num ${u.ng > 0 ? 'bad' : ''}">${u.ng}</td>
        <td>${u.ngByCode.map((c) => html`<span class="ng-code" title="${ngText(c.code)}"><span class="code">${c.code}</span>${c.count}件</span> `)}</td>
        <td class="nowrap">${jst(u.lastCallAt)}</td></tr>`,
    );
    const body = html`
      <form method="get" action="/admin/api-operations" class="card filters">
        <div class="row">
          <div><label for="from">期間（から）</label><input type="date" id="from" name="from" value="${query.from ?? period.from}">${fieldError(refusal, 'from')}</div>
          <div><label for="to">期間（まで）</label><input type="date" id="to" name="to" value="${query.to ?? period.to}">${fieldError(refusal, 'to')}</div>
          <div class="submit"><button type="submit">集計</button></div>
        </div>
        ${showAllField(query)}
        <p class="muted">監査ログから、インタフェースごとの呼出件数とNG件数（受付メッセージコード別）を集計します。期間は${API_OPERATIONS_MAX_DAYS}日以内、日付は日本時間です。</p>
      </form>
      ${
        refusal
          ? null
          : html`<p class="summary">${period.from === period.to ? period.from.replace(/-/g, '/') : `${period.from.replace(/-/g, '/')} 〜 ${period.to.replace(/-/g, '/')}`}：
            呼出 <strong>${total((u) => u.calls)}</strong>件　うちNG <strong>${total((u) => u.ng)}</strong>件
            <span class="muted">　${showAll ? html`全インタフェースを表示中（<a href="${allLink}">呼出のあったもののみ表示</a>）` : html`呼出のないインタフェース${hidden}件は非表示（<a href="${allLink}">すべて表示</a>）`}</span></p>
          ${
            shown.length === 0
              ? html`<p class="empty">この期間にインタフェースの呼出はありません。</p>`
              : html`<table class="list dense"><thead><tr><th>インタフェースID</th><th>名称</th><th class="num">呼出件数</th><th class="num">JSON</th><th class="num">SOAP</th><th class="num">画面</th>
            <th class="num">OK</th><th class="num">NG</th><th>NG内訳（コード別）</th><th>最終呼出</th></tr></thead>
          <tbody>${rows}</tbody></table>`
          }`
      }`;
    return reply
      .code(refusal ? 400 : 200)
      .type('text/html; charset=utf-8')
      .send(page(signedIn(request, 'API運用情報'), body).value);
  });
}

/** Keeps "show all" across a new period. */
function showAllField(query: FormFields) {
  return query.all === '1' ? html`<input type="hidden" name="all" value="1">` : null;
}

function ngText(code: string): string {
  return code in messages ? messages[code as MessageCode] : '';
}
