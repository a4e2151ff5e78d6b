/**
 * The hub operator's watch over the termination relay (slide 10): for each old retailer, how many
 * relays await its decision and since when, how long its decisions took over the last 30 days, when
 * it last fetched the relays addressed to it, and whether it is overdue (relays waiting over an hour
 * and no fetch within the hour); then the lapses the hourly check recorded. Figures only: no
 * customer data of any relay (policy `relay.monitor`, hub administrators).
 *
 *   GET /admin/relays
 */
import type { FastifyInstance } from 'fastify';
import { sessionOf } from '../../hub/http/context.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { recentFetchLapses, relayWaits, waitWindowDays } from '../../hub/relay/monitoring.ts';
import { html } from '../html.ts';
import { jst } from '../labels.ts';
import { page } from '../layout.ts';
import { sendHtml } from './area.screens.ts';
import { signedIn } from './page-user.ts';

const minutes = (value: number | null) => (value === null ? '—' : value.toLocaleString('ja-JP', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));

export function registerRelayAdminScreens(app: FastifyInstance, deps: HubDeps): void {
  app.get('/admin/relays', { config: { action: 'relayMonitor' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const waits = await relayWaits(deps.db, deps.clock, actor);
    const lapses = await recentFetchLapses(deps.db, actor);
    const overdue = waits.filter((w) => w.fetchOverdue).length;
    const body = html`<p class="muted">現小売電気事業者ごとの判断待ち・判断までの時間（過去${waitWindowDays}日に判断したもの）と廃止取次の取得状況です。現小売電気事業者は1時間に1回以上、廃止取次を取得する必要があります（取得: IS_20310 の呼出し、または受領一覧・受領詳細の表示）。現在 ${jst(deps.clock.now())}。</p>
      ${overdue > 0 ? html`<p class="refusal" role="alert">1時間以上取得していない現小売電気事業者が ${overdue} 社あります。</p>` : null}
      <section class="card relay-card"><h2>現小売電気事業者ごとの状況</h2>
      ${
        waits.length === 0
          ? html`<p class="empty">判断待ち・判断済みの廃止取次はありません。</p>`
          : html`<table class="data-rows dense relay-waits">
          <thead><tr><th>事業者</th><th>判断待ち</th><th>最も古い判断待ちの登録日時</th><th>判断済（${waitWindowDays}日）</th><th>平均待ち時間（分）</th><th>最長待ち時間（分）</th><th>最終取得日時</th><th>取得状況</th><th>未取得の時間数（${waitWindowDays}日）</th></tr></thead>
          <tbody>${waits.map(
            (w) => html`<tr data-company="${w.companyCode}"${w.fetchOverdue ? html` class="overdue"` : null}>
            <td><span class="mono">${w.companyCode}</span> ${w.name}</td><td class="num">${w.awaiting}</td><td class="nowrap">${jst(w.oldestAwaitingSince) || '—'}</td>
            <td class="num">${w.decided}</td><td class="num">${minutes(w.averageWaitMinutes)}</td><td class="num">${minutes(w.longestWaitMinutes)}</td>
            <td class="nowrap">${jst(w.lastFetchedAt) || '未取得'}</td>
            <td>${w.fetchOverdue ? html`<span class="bad">1時間以上未取得</span>` : html`<span class="good">正常</span>`}</td><td class="num">${w.lapses}</td></tr>`,
          )}</tbody></table>`
      }
      </section>
      <section class="card relay-card"><h2>未取得の記録（毎時の確認）</h2>
      ${
        lapses.length === 0
          ? html`<p class="empty">記録はありません。</p>`
          : html`<table class="data-rows dense relay-lapses"><thead><tr><th>時間帯</th><th>事業者</th><th>その時点の判断待ち</th><th>その時点の最終取得日時</th></tr></thead>
          <tbody>${lapses.map((l) => html`<tr><td class="nowrap">${jst(l.hour)}〜</td><td><span class="mono">${l.companyCode}</span> ${l.name}</td><td class="num">${l.awaiting}</td><td class="nowrap">${jst(l.lastFetchedAt) || '未取得'}</td></tr>`)}</tbody></table>`
      }
      </section>`;
    return sendHtml(reply, page(signedIn(request, '廃止取次の監視'), body));
  });
}
