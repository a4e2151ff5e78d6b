/**
 * Charts of usage info (IF_10310 / IF_K10310), drawn on the server as inline SVG: no client
 * JavaScript, no external library. Each chart is an image with a <title> and a <desc> for screen
 * readers, axis labels, and one bar per value with its own <title> (shown on hover); the numbers are
 * also given in a table next to it (usage.screens do that), so nothing is only in the picture.
 *
 * - monthly: one bar per reading month (13), withheld months marked 非開示 without a bar;
 * - half-hourly: 48 bars of one day's 30-minute values.
 */
import { html, type Html } from './html.ts';

export interface MonthBar {
  readonly month: string;
  /** Undefined when withheld (a previous name-holder's month). */
  readonly kWh: number | undefined;
}

export interface SlotBar {
  /** 1 = 00:00–00:30 … 48 = 23:30–24:00. */
  readonly slot: number;
  readonly kWh: number;
}

/** A round axis maximum at or above `value`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= value) return m * power;
  return 10 * power;
}

const kWhText = (v: number) => v.toLocaleString('ja-JP', { maximumFractionDigits: 3 });
const round = (v: number) => Math.round(v * 10) / 10;

/** HH:MM at the start of a slot. */
export function slotStart(slot: number): string {
  const minutes = (slot - 1) * 30;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** HH:MM at the end of a slot (24:00 for the last). */
export function slotEnd(slot: number): string {
  const minutes = slot * 30;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function yAxis(frame: Frame, max: number, unit: string): Html {
  const plotHeight = frame.height - frame.top - frame.bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return html`<g class="axis y">${ticks.map((t) => {
    const y = round(frame.top + plotHeight * (1 - t));
    return html`<line class="grid" x1="${frame.left}" x2="${frame.width - frame.right}" y1="${y}" y2="${y}"></line>
      <text x="${frame.left - 6}" y="${y + 4}" text-anchor="end">${kWhText(max * t)}</text>`;
  })}<text class="unit" x="${frame.left - 6}" y="${frame.top - 6}" text-anchor="end">${unit}</text></g>`;
}

/** The bar chart of the 13 reading months. */
export function monthlyChart(months: readonly MonthBar[], options: { caption: string }): Html {
  const frame: Frame = { width: 620, height: 260, left: 64, right: 20, top: 24, bottom: 44 };
  const max = niceMax(Math.max(0, ...months.map((m) => m.kWh ?? 0)));
  const plotWidth = frame.width - frame.left - frame.right;
  const plotHeight = frame.height - frame.top - frame.bottom;
  const step = plotWidth / Math.max(1, months.length);
  const barWidth = round(step * 0.7);
  const shown = months.filter((m) => m.kWh !== undefined);
  const total = shown.reduce((sum, m) => sum + (m.kWh ?? 0), 0);
  const desc =
    `${months[0]?.month ?? ''}から${months.at(-1)?.month ?? ''}までの${months.length}か月の使用量の棒グラフ。` +
    `表示${shown.length}か月の合計 ${kWhText(total)} kWh、最大 ${kWhText(Math.max(0, ...shown.map((m) => m.kWh ?? 0)))} kWh。` +
    (shown.length < months.length ? `${months.length - shown.length}か月は前の名義人の使用量のため非開示。` : '');
  return html`<svg class="chart monthly" role="img" aria-labelledby="chart-monthly-title chart-monthly-desc" viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" xmlns="http://www.w3.org/2000/svg">
    <title id="chart-monthly-title">${options.caption}</title>
    <desc id="chart-monthly-desc">${desc}</desc>
    ${yAxis(frame, max, 'kWh')}
    <g class="bars">${months.map((m, i) => {
      const x = round(frame.left + step * i + (step - barWidth) / 2);
      const label = html`<text class="x-label" x="${round(x + barWidth / 2)}" y="${frame.height - frame.bottom + 16}" text-anchor="middle">${m.month.slice(2).replace('-', '/')}</text>`;
      if (m.kWh === undefined) {
        return html`<g class="withheld"><text x="${round(x + barWidth / 2)}" y="${frame.top + plotHeight - 6}" text-anchor="middle">非開示</text>${label}</g>`;
      }
      const h = round((m.kWh / max) * plotHeight);
      return html`<rect class="bar" data-month="${m.month}" data-kwh="${m.kWh}" x="${x}" y="${round(frame.top + plotHeight - h)}" width="${barWidth}" height="${h}"><title>${m.month}: ${kWhText(m.kWh)} kWh</title></rect>${label}`;
    })}</g>
    <line class="axis-line" x1="${frame.left}" x2="${frame.width - frame.right}" y1="${frame.top + plotHeight}" y2="${frame.top + plotHeight}"></line>
    <text class="axis-title" x="${frame.left + plotWidth / 2}" y="${frame.height - 6}" text-anchor="middle">検針月（年/月）</text>
  </svg>`;
}

/** The bar chart of one day's 48 half-hourly values. */
export function halfHourlyChart(slots: readonly SlotBar[], options: { caption: string; date: string }): Html {
  const frame: Frame = { width: 620, height: 260, left: 64, right: 20, top: 24, bottom: 44 };
  const max = niceMax(Math.max(0, ...slots.map((s) => s.kWh)));
  const plotWidth = frame.width - frame.left - frame.right;
  const plotHeight = frame.height - frame.top - frame.bottom;
  const step = plotWidth / 48;
  const barWidth = round(step * 0.75);
  const total = slots.reduce((sum, s) => sum + s.kWh, 0);
  const peak = slots.reduce<SlotBar | undefined>((best, s) => (!best || s.kWh > best.kWh ? s : best), undefined);
  const desc =
    `${options.date}の30分ごとの使用量（${slots.length}コマ）の棒グラフ。合計 ${kWhText(total)} kWh` +
    (peak ? `、最大は ${slotStart(peak.slot)}〜${slotEnd(peak.slot)} の ${kWhText(peak.kWh)} kWh。` : '。');
  return html`<svg class="chart half-hourly" role="img" aria-labelledby="chart-day-title chart-day-desc" viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" xmlns="http://www.w3.org/2000/svg">
    <title id="chart-day-title">${options.caption}</title>
    <desc id="chart-day-desc">${desc}</desc>
    ${yAxis(frame, max, 'kWh')}
    <g class="bars">${slots.map((s) => {
      const x = round(frame.left + step * (s.slot - 1) + (step - barWidth) / 2);
      const h = round((s.kWh / max) * plotHeight);
      return html`<rect class="bar" data-slot="${s.slot}" data-kwh="${s.kWh}" x="${x}" y="${round(frame.top + plotHeight - h)}" width="${barWidth}" height="${h}"><title>${slotStart(s.slot)}〜${slotEnd(s.slot)}: ${kWhText(s.kWh)} kWh</title></rect>`;
    })}</g>
    <g class="axis x">${[0, 3, 6, 9, 12, 15, 18, 21, 24].map((hour) => {
      const x = round(frame.left + step * hour * 2);
      return html`<line class="tick" x1="${x}" x2="${x}" y1="${frame.top + plotHeight}" y2="${frame.top + plotHeight + 4}"></line><text x="${x}" y="${frame.height - frame.bottom + 16}" text-anchor="middle">${hour}時</text>`;
    })}</g>
    <line class="axis-line" x1="${frame.left}" x2="${frame.width - frame.right}" y1="${frame.top + plotHeight}" y2="${frame.top + plotHeight}"></line>
    <text class="axis-title" x="${frame.left + plotWidth / 2}" y="${frame.height - 6}" text-anchor="middle">時刻（30分ごと）</text>
  </svg>`;
}
