/**
 * The W5 settled-usage files (HALFHOURLY.md B11, issue 14):
 *
 * - "pps W5 section": one LV 月間確定使用量 section of 1,000 points (a reading month of 30 days: 30 × 48
 *   × 2 ≈ 2,900 values each) regenerated as the site does after eviction: the usage model's values,
 *   the XML streamed through deflate into a ZIP and hashed. Targets: ≤ 5 s, resident memory growth
 *   < 100 MB.
 * - "pps W5 reading day": every W5 file of one reading day for KIRIKAE_BENCH_PPS_W5_POINTS LV points
 *   (default 1,000,000; 1/20 of them read that day: 50 sections of 1,000), time and its ratio to
 *   raw deflate (zlib, level 6, one call per section) of the same XML bytes, measured in the same run.
 *   The deadline is the 4th business day; the figure shows how far within it the day's files are.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import type { IsoDate } from '../src/domain/date.ts';
import { ppsKind } from '../src/domain/pps-file.ts';
import { defaultW4Settings } from '../src/grid/provision/w4-files.ts';
import { w5DayValues, w5SectionsOf, writeW5Zip, type W5Section, type W5UsagePoint } from '../src/grid/provision/w5-files.ts';
import { w5Xml, type W5Record } from '../src/grid/provision/w5-xml.ts';
import { seconds } from './support.ts';

const dayPoints = Number(process.env.KIRIKAE_BENCH_PPS_W5_POINTS ?? 1_000_000);
const kind = ppsKind('W51220')!;
const readingDay = '2026-12-08' as IsoDate;
const at = new Date('2026-12-08T02:00:00+09:00');

function syntheticPoints(n: number, offset = 0): W5UsagePoint[] {
  const kinds = ['household', 'household', 'household', 'shop', 'office'] as const;
  return Array.from({ length: n }, (_, j) => {
    const i = offset + j;
    return {
      receiverCode: '10033',
      supplyPointId: `0313${String(i).padStart(16, '0')}10`,
      customerId: i + 1,
      voltageClass: 'LV',
      address: '東京都千代田区本町2丁目14番3号',
      powerFactor: null,
      meterKind: '1',
      from: '2026-11-08' as IsoDate,
      until: readingDay,
      nextReadingDay: '2027-01-09' as IsoDate,
      exchangeDate: null,
      cause: null,
      profileKind: kinds[i % kinds.length]!,
      dailyWh: 8_000 + (i % 7) * 1_000,
      seed: i,
    };
  });
}

async function zipSection(section: W5Section): Promise<number> {
  let zipped = 0;
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      zipped += chunk.length;
      cb();
    },
  });
  await writeW5Zip(section, 0, at, defaultW4Settings, sink);
  return zipped;
}

function xmlOf(section: W5Section): Buffer {
  return Buffer.concat([
    ...w5Xml({
      kind,
      area: '03',
      receiverCode: '10033',
      date: readingDay,
      section: section.section,
      sections: section.sections,
      createdAt: at,
      encoding: 'Shift_JIS',
      records: section.points as readonly W5Record[],
      dayValues: w5DayValues,
    }),
  ]);
}

export async function ppsW5SectionBench(): Promise<void> {
  const [section] = w5SectionsOf(kind, '03', '10033', readingDay, syntheticPoints(1_000));
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssMax = rssBefore;
  const sample = setInterval(() => {
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const zipped = await zipSection(section!);
  const ms = performance.now() - started;
  clearInterval(sample);
  rssMax = Math.max(rssMax, process.memoryUsage().rss);
  console.log(
    `pps W5 section: 1,000 LV points × 30 days regenerated in ${seconds(ms)} s (${(zipped / 1e6).toFixed(1)} MB ZIP), ` +
      `memory +${((rssMax - rssBefore) / 1e6).toFixed(0)} MB (target ≤ 5 s, < 100 MB)`,
  );
}

export async function ppsW5DayBench(): Promise<void> {
  const read = Math.max(1, Math.round(dayPoints / 20));
  const sections = w5SectionsOf(kind, '03', '10033', readingDay, syntheticPoints(read));
  let zipped = 0;
  const started = performance.now();
  for (const section of sections) zipped += await zipSection(section);
  const pipelineMs = performance.now() - started;
  let xmlBytes = 0;
  let deflateMs = 0;
  for (const section of sections) {
    const xml = xmlOf(section);
    xmlBytes += xml.length;
    const t = performance.now();
    const raw = deflateRawSync(xml, { level: 6 });
    deflateMs += performance.now() - t;
    createHash('sha256').update(raw);
  }
  console.log(
    `pps W5 reading day: ${dayPoints.toLocaleString()} LV points, ${read.toLocaleString()} read (${sections.length} sections) in ${seconds(pipelineMs)} s ` +
      `(${(xmlBytes / 1e9).toFixed(2)} GB XML → ${(zipped / 1e6).toFixed(0)} MB ZIP); raw deflate of the same bytes ${seconds(deflateMs)} s: ` +
      `ratio ${((deflateMs / pipelineMs) * 100).toFixed(0)} % (deadline: the 4th business day)`,
  );
}
