/**
 * OCCTO's switching statistics on the screen (hub administrators, policy `statistics.read`): per
 * month, the applications of each area by kind, and each area's switching rate; with a CSV download.
 *
 *   GET /admin/statistics?from=2026-01&to=2026-12
 *   GET /admin/statistics.csv?from=…&to=…
 */
import type { FastifyInstance } from 'fastify';
import { areaCodes, areaOf } from '../../domain/area.ts';
import { sessionOf } from '../../hub/http/context.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { statisticsCsv, statisticsKinds, switchingStatistics, type StatisticsKind } from '../../hub/statistics/statistics.queries.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { sendHtml } from './area.screens.ts';
import { signedIn } from './page-user.ts';

export function registerStatisticsScreens(app: FastifyInstance, deps: HubDeps): void {
  app.get('/admin/statistics', { config: { action: 'statistics' } }, async (request, reply) => {
    const query = request.query as { from?: string; to?: string };
    const stats = await switchingStatistics(deps.db, sessionOf(request).actor, deps.clock.now(), query, deps.supplyPointCount);
    const months = [...new Set(stats.monthly.map((m) => m.month))];
    const total = (month: string, area: string, kind?: StatisticsKind) =>
      stats.monthly.filter((m) => m.month === month && m.area === area && (kind === undefined || m.kind === kind)).reduce((sum, m) => sum + m.applications, 0);
    const csvHref = `/admin/statistics.csv?from=${encodeURIComponent(stats.from)}&to=${encodeURIComponent(stats.to)}`;
    const body = html`<form method="get" action="/admin/statistics" class="card filters">
        <div class="filter-row">
          <div><label for="f-from">開始月</label><input type="month" id="f-from" name="from" value="${stats.from}" class="w-date"></div>
          <div><label for="f-to">終了月</label><input type="month" id="f-to" name="to" value="${stats.to}" class="w-date"></div>
          <div class="filter-actions"><button type="submit">集計</button> <a href="${csvHref}" download>CSVダウンロード</a></div>
        </div>
      </form>
      <section class="card"><h2>スイッチング率（${stats.to}末まで）</h2>
      <table class="data-rows dense switching-rates"><thead><tr><th>エリア</th><th>スイッチング開始件数（累計）</th><th>供給地点数</th><th>スイッチング率</th></tr></thead>
      <tbody>${stats.rates.map(
        (r) => html`<tr data-area="${r.area}"><td>${r.area} ${r.areaName}</td><td class="num">${r.switchIns.toLocaleString('ja-JP')}</td>
          <td class="num">${r.supplyPoints === null ? '—' : r.supplyPoints.toLocaleString('ja-JP')}</td><td class="num">${r.ratePercent === null ? '—' : `${r.ratePercent.toFixed(2)}%`}</td></tr>`,
      )}</tbody></table></section>
      <section class="card"><h2>申込件数（月別・エリア別・申込種別）</h2>
      ${
        months.length === 0
          ? html`<p class="empty">${stats.from}〜${stats.to} に受け付けた申込はありません。</p>`
          : html`<table class="data-rows dense switching-monthly"><thead><tr><th>集計月</th><th>エリア</th>${Object.values(statisticsKinds).map((name) => html`<th>${name}</th>`)}<th>計</th></tr></thead>
        <tbody>${months.flatMap((month) =>
          areaCodes
            .filter((area) => total(month, area) > 0)
            .map(
              (area) =>
                html`<tr data-month="${month}" data-area="${area}"><td>${month}</td><td>${area} ${areaOf(area).name}</td>${(
                  Object.keys(statisticsKinds) as StatisticsKind[]
                ).map((kind) => html`<td class="num">${total(month, area, kind)}</td>`)}<td class="num">${total(month, area)}</td></tr>`,
            ),
        )}</tbody></table>`
      }
      <p class="muted">件数は、ハブが受け付け送配電システムが受理した申込（登録）を受付月（日本時間）で数えたものです（低圧・高圧・低圧FITの合計。取消しは差し引きません）。</p></section>`;
    return sendHtml(reply, page(signedIn(request, 'スイッチング実績（統計）'), body));
  });

  app.get('/admin/statistics.csv', { config: { action: 'statisticsCsv' } }, async (request, reply) => {
    const query = request.query as { from?: string; to?: string };
    const stats = await switchingStatistics(deps.db, sessionOf(request).actor, deps.clock.now(), query, deps.supplyPointCount);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="switching-${stats.from}-${stats.to}.csv"`)
      .send(statisticsCsv(stats));
  });
}
