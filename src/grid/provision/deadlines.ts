/**
 * The deadline watch of a data provision site (HALFHOURLY.md B7, issue 13: "lateness … shown to the
 * grid and hub admins"): for one day of deadlines (JST, on the grid's clock, up to now), per file
 * kind,
 *
 * - **due**: the files whose deadline fell in it (every receiver, revisions included);
 * - **on time** / **late**: of those, made by their deadline or after it (and the latest, in minutes);
 * - **missing**: the targets (a half-hour, a day …) whose deadline passed and that are not made yet —
 *   the kind's due rule (`watchedRules`: schedule.ts, w5-schedule.ts) lists the targets, and a target is made when the
 *   schedule's progress passed it (made for every receiver, even none) or a file of it exists.
 *
 * Figures only, never data. Generic over kinds: a kind with a due rule is watched. The grid answers
 * it to the hub as the internal message GRID_PPS_STATS; `kirikae grid serve` shows it on its
 * operations port (`/pps/deadlines`).
 */
import { areaOf, type AreaCode } from '../../domain/area.ts';
import { addDays, parseIsoDate, tokyoDate, tokyoMidnight, type IsoDate } from '../../domain/date.ts';
import { ppsKind } from '../../domain/pps-file.ts';
import { hubCompanyCode } from '../../domain/participant-code.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import type { PpsDeadlineFigures, PpsStatsAnswer } from '../../interfaces/pps-stats.ts';
import { ok, type GridContext, type InterfaceHandler } from '../context.ts';
import { w4ReportWatchRules, type WatchRule } from './schedule.ts';
import { w5WatchRules } from './w5-schedule.ts';

/** Every watched kind's rule: the W4 files and CSV reports (schedule.ts), the W5 files (w5-schedule.ts). */
export const watchedRules: Readonly<Record<string, WatchRule>> = { ...w4ReportWatchRules, ...w5WatchRules };

/** One area's watch: the message's answer (the day is an IsoDate here) with its area. */
export interface DeadlineWatch extends PpsStatsAnswer {
  readonly area: AreaCode;
  readonly date: IsoDate;
}

/** The watch of one day of deadlines (default: today on the grid's clock), up to now. */
export async function deadlineWatch(ctx: GridContext, date?: IsoDate, rules: Readonly<Record<string, WatchRule>> = watchedRules): Promise<DeadlineWatch> {
  const now = ctx.clock.now();
  const day = date ?? tokyoDate(now);
  const from = tokyoMidnight(day);
  const end = tokyoMidnight(addDays(day, 1));
  const to = new Date(Math.min(end.getTime(), now.getTime()));
  const s = ident(ctx.schema);
  const files = await figuresOfFiles(ctx.db, s, from, to);
  const { rows: progress } = await ctx.db.query<{ schedule: string; nextAt: Date }>(`SELECT schedule, next_at AS "nextAt" FROM ${s}.pps_progress`);
  const progressOf = new Map(progress.map((p) => [p.schedule, new Date(p.nextAt)]));
  const kinds: PpsDeadlineFigures[] = [];
  for (const [code, rule] of Object.entries(rules)) {
    const targets = to > from ? rule.due(from, to) : [];
    const made = await targetsWithFiles(ctx.db, s, code, targets);
    const passed = rule.schedule ? progressOf.get(rule.schedule.name) : undefined;
    const missing = targets.filter((t) => !made.has(targetKey(t.date, t.slot)) && !(passed && rule.schedule && passed > rule.schedule.madeBefore(t)));
    const f = files.get(code);
    kinds.push({
      kind: code,
      title: ppsKind(code)?.title ?? code,
      rule: rule.text,
      due: f?.due ?? 0,
      onTime: f?.onTime ?? 0,
      late: f?.late ?? 0,
      maxLateMinutes: f?.maxLateMinutes ?? 0,
      missing: missing.length,
      oldestMissingDeadline: missing[0]?.deadlineAt.toISOString() ?? null,
    });
  }
  return { area: ctx.area, date: day, now: now.toISOString(), kinds };
}

const targetKey = (date: string, slot: number | null) => `${date}|${slot ?? ''}`;

async function figuresOfFiles(q: Queryable, s: string, from: Date, to: Date) {
  const { rows } = await q.query<{ kind: string; due: number; onTime: number; late: number; maxLateMinutes: number }>(
    `SELECT kind, count(*)::int AS due, count(*) FILTER (WHERE materialized_at <= deadline_at)::int AS "onTime",
            count(*) FILTER (WHERE materialized_at > deadline_at)::int AS late,
            COALESCE(ceil(max(EXTRACT(EPOCH FROM materialized_at - deadline_at)) FILTER (WHERE materialized_at > deadline_at) / 60), 0)::int AS "maxLateMinutes"
       FROM ${s}.pps_file WHERE deadline_at > $1 AND deadline_at <= $2 GROUP BY kind`,
    [from, to],
  );
  return new Map(rows.map((r) => [r.kind, { due: Number(r.due), onTime: Number(r.onTime), late: Number(r.late), maxLateMinutes: Number(r.maxLateMinutes) }]));
}

async function targetsWithFiles(q: Queryable, s: string, kind: string, targets: readonly { date: IsoDate }[]): Promise<Set<string>> {
  if (targets.length === 0) return new Set();
  const dates = [...new Set(targets.map((t) => t.date))];
  const { rows } = await q.query<{ date: string; slot: number | null }>(
    `SELECT DISTINCT to_char(target_date, 'YYYY-MM-DD') AS date, slot FROM ${s}.pps_file WHERE kind = $1 AND target_date = ANY($2::date[])`,
    [kind, dates],
  );
  return new Set(rows.map((r) => targetKey(r.date, r.slot === null ? null : Number(r.slot))));
}

/** GRID_PPS_STATS: the deadline watch, for the hub's administrators (internal; the hub only). */
export const ppsStatsHandler: InterfaceHandler = async (ctx, request) => {
  if (request.participantCode.slice(0, 4) !== hubCompanyCode) throw new Refusal('PPS_STATS_HUB_ONLY');
  const date = request.body.date;
  return ok({ ...(await deadlineWatch(ctx, date === undefined || date === null || date === '' ? undefined : parseIsoDate(String(date), 'date'))) });
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function jst(iso: string): string {
  return new Date(new Date(iso).getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** The grid administrator's page (the operations port of `kirikae grid serve`), in Japanese. */
export function deadlineWatchPage(watches: readonly DeadlineWatch[]): string {
  const sections = watches
    .map((w) => {
      const rows = w.kinds
        .map(
          (k) =>
            `<tr data-kind="${k.kind}"${k.late + k.missing > 0 ? ' class="bad"' : ''}><td>${escapeHtml(k.title)}（${k.kind}）</td><td>${escapeHtml(k.rule)}</td><td class="num">${k.due}</td><td class="num">${k.onTime}</td><td class="num">${k.late}</td><td class="num">${k.maxLateMinutes}</td><td class="num">${k.missing}</td><td>${k.oldestMissingDeadline ? jst(k.oldestMissingDeadline) : '—'}</td></tr>`,
        )
        .join('\n');
      return `<section data-area="${w.area}"><h2>${w.area} ${escapeHtml(areaOf(w.area).name)}（${escapeHtml(areaOf(w.area).gridOperatorName)}）</h2>
<table><thead><tr><th>種類</th><th>提供期限</th><th>期限到来</th><th>期限内</th><th>遅延</th><th>最大遅延（分）</th><th>未作成</th><th>最も古い未作成の期限</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
    })
    .join('\n');
  const first = watches[0];
  return `<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>データ提供の期限監視</title>
<style>body{font-family:sans-serif;margin:1.5rem}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .5rem}.num{text-align:right}.bad{background:#fdd}</style></head>
<body><h1>データ提供の期限監視</h1>
<form method="get"><label>期限日 <input type="date" name="date" value="${first?.date ?? ''}"></label> <button type="submit">表示</button></form>
<p>${first ? `${first.date} に期限が到来したファイル（${jst(first.now)} 現在、送配電システムの時計）。` : ''}「未作成」は期限を過ぎても作成されていない対象（コマ・日）の数です。件数のみを表示します。</p>
${sections}
</body></html>`;
}

/** The operations port's `/pps/deadlines` of these grids (`?date=YYYY-MM-DD`, default today; `&format=json`). */
export function deadlineWatchOpsPage(grids: Iterable<GridContext>) {
  const contexts = [...grids];
  return async (query: URLSearchParams) => {
    const text = query.get('date') ?? '';
    let date: IsoDate | undefined;
    try {
      date = text === '' ? undefined : parseIsoDate(text, 'date');
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return { status: 400, contentType: 'text/plain; charset=utf-8', body: `${error.code}: ${error.text}\n` };
    }
    const watches = [];
    for (const ctx of contexts) watches.push(await deadlineWatch(ctx, date));
    if (query.get('format') === 'json') return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ areas: watches }) };
    return { contentType: 'text/html; charset=utf-8', body: deadlineWatchPage(watches) };
  };
}
