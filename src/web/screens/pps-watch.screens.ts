/**
 * The hub administrators' deadline watch of the grids' data provision sites (HALFHOURLY.md B7):
 * for one day of deadlines (default today, on the sandbox clock), per area and file kind, the files
 * due, made on time, late (and the latest, in minutes), and the targets still missing past their
 * deadline. Figures only (policy `pps.monitor`); each grid answers its own (GRID_PPS_STATS).
 *
 *   GET /admin/pps-deadlines?date=YYYY-MM-DD
 */
import type { FastifyInstance } from 'fastify';
import { areaOf } from '../../domain/area.ts';
import { parseIsoDate, type IsoDate } from '../../domain/date.ts';
import { isRefusal, type Refusal } from '../../domain/refusal.ts';
import { sessionOf } from '../../hub/http/context.ts';
import type { InterfaceDeps } from '../../hub/interfaces/call.ts';
import { ppsDeadlineWatch } from '../../hub/provision/pps-watch.queries.ts';
import { html } from '../html.ts';
import { jst } from '../labels.ts';
import { page } from '../layout.ts';
import { sendHtml } from './area.screens.ts';
import { signedIn } from './page-user.ts';

export function registerPpsWatchScreens(app: FastifyInstance, deps: InterfaceDeps): void {
  app.get('/admin/pps-deadlines', { config: { action: 'ppsDeadlines' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const text = (request.query as { date?: string }).date ?? '';
    let date: IsoDate | undefined;
    let refusal: Refusal | undefined;
    try {
      date = text === '' ? undefined : parseIsoDate(text, 'date');
    } catch (error) {
      if (!isRefusal(error)) throw error;
      refusal = error;
    }
    const watches = await ppsDeadlineWatch(deps, actor, date ? { date } : {});
    const shown = watches.find((w) => w.status === 'ok');
    const troubled = watches.flatMap((w) => (w.status === 'ok' ? w.kinds.filter((k) => k.late + k.missing > 0).map(() => w.area) : []));
    const body = html`<form method="get" action="/admin/pps-deadlines" class="card filters">
        <div class="filter-row">
          <div><label for="f-date">期限日</label><input type="date" id="f-date" name="date" value="${shown?.status === 'ok' ? shown.date : text}" class="w-date"></div>
          <div class="filter-actions"><button type="submit">表示</button></div>
        </div>
      </form>
      ${refusal ? html`<p class="refusal" role="alert" data-code="${refusal.code}">${refusal.text}</p>` : null}
      <p class="muted">各エリアの送配電事業者のデータ提供サイトで、${shown?.status === 'ok' ? shown.date : ''} に提供期限が到来したファイルの件数です（${jst(deps.clock.now())} 現在）。期限内・遅延は作成日時と期限の比較、未作成は期限を過ぎても作成されていない対象（コマ・日）の数です。件数のみで、データは表示しません。</p>
      ${troubled.length > 0 ? html`<p class="refusal" role="alert">遅延または未作成のあるエリアがあります: ${[...new Set(troubled)].join('、')}</p>` : null}
      ${watches.map(
        (w) => html`<section class="card pps-watch" data-area="${w.area}"><h2>${w.area} ${areaOf(w.area).name}</h2>
        ${
          w.status !== 'ok'
            ? html`<p class="refusal">送配電システムから回答がありません（${w.reason}）。</p>`
            : html`<table class="data-rows dense"><thead><tr><th>種類</th><th>提供期限</th><th>期限到来</th><th>期限内</th><th>遅延</th><th>最大遅延（分）</th><th>未作成</th><th>最も古い未作成の期限</th></tr></thead>
          <tbody>${w.kinds.map(
            (
              k,
            ) => html`<tr data-kind="${k.kind}"${k.late + k.missing > 0 ? html` class="overdue"` : null}><td>${k.title}（<span class="mono">${k.kind}</span>）</td><td>${k.rule}</td>
            <td class="num">${k.due}</td><td class="num">${k.onTime}</td><td class="num">${k.late > 0 ? html`<span class="bad">${k.late}</span>` : '0'}</td><td class="num">${k.maxLateMinutes}</td>
            <td class="num">${k.missing > 0 ? html`<span class="bad">${k.missing}</span>` : '0'}</td><td class="nowrap">${k.oldestMissingDeadline ? jst(new Date(k.oldestMissingDeadline)) : '—'}</td></tr>`,
          )}</tbody></table>`
        }</section>`,
      )}`;
    return sendHtml(reply, page(signedIn(request, 'データ提供の期限監視'), body), refusal ? 400 : 200);
  });
}
