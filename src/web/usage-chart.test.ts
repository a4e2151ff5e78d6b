import { test } from 'node:test';
import assert from 'node:assert/strict';
import { halfHourlyChart, monthlyChart, niceMax, slotEnd, slotStart } from './usage-chart.ts';

test('axis maxima are round numbers at or above the largest value', () => {
  assert.deepEqual([0, 0.3, 1, 3, 7, 388.5, 1200].map(niceMax), [1, 0.5, 1, 5, 10, 500, 2000]);
  assert.deepEqual([slotStart(1), slotEnd(1), slotStart(48), slotEnd(48)], ['00:00', '00:30', '23:30', '24:00']);
});

test('the monthly chart: a bar per month shown, withheld months marked without a bar, title and description', () => {
  const svg = monthlyChart(
    [
      { month: '2025-11', kWh: undefined },
      { month: '2025-12', kWh: 200 },
      { month: '2026-01', kWh: 500 },
    ],
    { caption: '月別 <使用量>' },
  ).value;
  assert.equal([...svg.matchAll(/<rect class="bar"/g)].length, 2);
  assert.match(svg, /<title id="chart-monthly-title">月別 &lt;使用量&gt;<\/title>/);
  assert.match(svg, /1か月は前の名義人の使用量のため非開示/);
  assert.match(svg, /非開示/);
  assert.match(svg, /data-month="2026-01" data-kwh="500" x="[\d.]+" y="24" width="[\d.]+" height="192"/, 'a bar of the axis maximum reaches the top');
});

test('the day chart: 48 bars with their time slots', () => {
  const svg = halfHourlyChart(
    Array.from({ length: 48 }, (_, i) => ({ slot: i + 1, kWh: (i % 4) * 0.1 })),
    { caption: '30分値', date: '2026-11-24' },
  ).value;
  assert.equal([...svg.matchAll(/<rect class="bar"/g)].length, 48);
  assert.match(svg, /<title>23:30〜24:00: 0\.3 kWh<\/title>/);
  assert.match(svg, />24時</);
});
