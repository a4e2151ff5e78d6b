/**
 * The sample files of the data provision test page (slide 37: テストページ), shown on each grid's
 * site in the verification environment: one sample of every kind of file the grids provide, with
 * dummy data (points that exist nowhere), made the same every time and never refreshed (no new file
 * every 30 minutes), listed, pulled and downloaded as the real files are (site.routes.ts, `test/`).
 *
 * The registry has one row per kind: `sampleKinds` (every BP kind of domain/pps-file.ts, and the
 * kinds of other formats added to `otherSampleKinds`) and `sampleMakers` (kind code → a function
 * making that kind's sample for a receiver). A kind without a maker is shown as サンプルなし. When
 * a kind's real files land (W5, the standardized CSV reports), add its maker here, made from the
 * same code as the real files with dummy inputs.
 */
import type { AreaCode } from '../../domain/area.ts';
import { addDays, type IsoDate } from '../../domain/date.ts';
import { csvReportKinds, formatCsvReportName, formatPpsFileName, ppsKinds, w5ContentOf, type PpsKind } from '../../domain/pps-file.ts';
import { csvBytes, genshiwakeRows, kwText, maxDemandTenths, ym, ymd, type ReportContent } from './csv-reports.ts';
import { interruptionCauseLabels } from './interruption.repository.ts';
import type { UsageProfileKind } from '../registry/facility.ts';
import { meterMultiplierOf, tenthsUntil } from '../registry/meter.repository.ts';
import type { ProvisionSettings } from './schedule.ts';
import { sectionsOf, w4ZipBytes, type W4Point } from './w4-files.ts';
import { powerFactorOf, w5SectionsOf, w5ZipBytes, type W5ExchangePoint, type W5Point, type W5UsagePoint } from './w5-files.ts';

export interface SampleKind {
  /** The kind's code: `W40110` …, or another format's own. */
  readonly code: string;
  readonly title: string;
  /** Slide 37's three groups: 30分電力量提供BP (W4), 確定使用量通知BP (W5), 標準化帳票 (CSV). */
  readonly format: 'W4' | 'W5' | 'CSV';
}

export interface SampleRequest {
  readonly area: AreaCode;
  /** The caller: the sample is addressed to it, as its real files are. */
  readonly receiverCode: string;
  readonly settings: ProvisionSettings;
}

export interface SampleFile {
  readonly name: string;
  readonly bytes: Buffer;
  readonly contentType: string;
  /** Supply points in it, when the kind has them. */
  readonly points?: number;
}

export type SampleMaker = (request: SampleRequest) => Promise<SampleFile>;

/** The day every sample is of, and the instant it was made: fixed, so a sample never changes. */
export const sampleDate = '2026-04-01' as IsoDate;
export const sampleMadeAt = new Date('2026-04-02T05:00:00+09:00');

/** Kinds of other formats than the BP messages: the standardized CSV reports. */
export const otherSampleKinds: readonly SampleKind[] = csvReportKinds.map((k) => ({ code: k.code, title: k.title, format: 'CSV' as const }));

/** Every kind of file, in the order the test page lists them. */
export const sampleKinds: readonly SampleKind[] = [...ppsKinds.map((k) => ({ code: k.code, title: k.title, format: k.bp })), ...otherSampleKinds];

/** Three dummy points of a voltage: IDs with 00 where the registry has a prefecture (01–47), so they match no real point. */
export function dummyPoints(area: AreaCode, receiverCode: string, voltage: PpsKind['voltage']): W4Point[] {
  const profiles: readonly UsageProfileKind[] = voltage === 'HV' ? ['office', 'factory', 'shop'] : ['household', 'household', 'shop'];
  return profiles.map((profileKind, i) => {
    const serial = (voltage === 'HV' ? 200 : 100) + i + 1;
    return {
      receiverCode,
      supplyPointId: `${area}00${String(serial).padStart(18, '0')}`,
      customerId: serial,
      meterNumber: `1${String(serial).padStart(9, '0')}`,
      voltageClass: voltage,
      profileKind,
      dailyWh: voltage === 'HV' ? 2_400_000 : 9_000,
      seed: serial,
    };
  });
}

/** A W4 kind's sample: the real file's code on the dummy points (a same-day file: time code 1). */
function w4Sample(kind: PpsKind): SampleMaker {
  return async ({ area, receiverCode, settings }) => {
    const slot = kind.granularity === 'slot' ? 1 : null;
    const [section] = sectionsOf(kind, area, receiverCode, sampleDate, slot, dummyPoints(area, receiverCode, kind.voltage));
    const { name, bytes } = await w4ZipBytes(section!, 0, sampleMadeAt, settings);
    if (name !== formatPpsFileName({ kind, date: sampleDate, slot, revision: 0, section: 0 })) throw new Error(`sample of ${kind.code} named ${name}`);
    return { name, bytes, contentType: 'application/zip', points: section!.points.length };
  };
}

/** The sample's reading month: the dummy points read on the 1st (sampleDate), the month before. */
const sampleMonthStart = '2026-03-02' as IsoDate;

/** A W5 kind's sample: the real file's code on the dummy points (a month to the reading day; a switch; an exchange). */
function w5Sample(kind: PpsKind): SampleMaker {
  return async ({ area, receiverCode, settings }) => {
    const content = w5ContentOf(kind);
    const points: W5Point[] = dummyPoints(area, receiverCode, kind.voltage).map((p, i): W5Point => {
      if (content === 'exchange') {
        const slot = 21;
        const subject = { supplyPointId: p.supplyPointId, usageProfile: { kind: p.profileKind, dailyWh: p.dailyWh, seed: p.seed } };
        const multiplier = meterMultiplierOf(p.voltageClass);
        return {
          receiverCode,
          supplyPointId: p.supplyPointId,
          customerId: p.customerId,
          on: sampleDate,
          slot,
          oldMeter: `5${p.meterNumber.slice(1)}`,
          oldReading: Math.floor(tenthsUntil(subject, '2016-04-01' as IsoDate, sampleDate, slot) / 10 / multiplier),
          newMeter: `2${p.meterNumber.slice(1)}`,
          newReading: 0,
          multiplier,
          oldTenthsInPeriod: tenthsUntil(subject, sampleMonthStart, sampleDate, slot),
          coveredBy: '2026-05-01' as IsoDate,
        } satisfies W5ExchangePoint;
      }
      return {
        receiverCode,
        supplyPointId: p.supplyPointId,
        customerId: p.customerId,
        voltageClass: kind.voltage === 'HV' ? 'HV' : 'LV',
        address: '（サンプル）東京都千代田区本町1丁目1番1号',
        powerFactor: kind.voltage === 'HV' ? powerFactorOf(p.supplyPointId) : null,
        // One point of three measured by a conventional meter (totals only).
        meterKind: i === 2 ? '2' : '1',
        from: sampleMonthStart,
        until: sampleDate,
        nextReadingDay: '2026-05-01' as IsoDate,
        exchangeDate: null,
        cause: content === 'special' ? '1' : null,
        profileKind: p.profileKind,
        dailyWh: p.dailyWh,
        seed: p.seed,
      } satisfies W5UsagePoint;
    });
    const [section] = w5SectionsOf(kind, area, receiverCode, sampleDate, points);
    const { name, bytes } = await w5ZipBytes(section!, 0, sampleMadeAt, settings);
    if (name !== formatPpsFileName({ kind, date: sampleDate, slot: null, revision: 0, section: 0 })) throw new Error(`sample of ${kind.code} named ${name}`);
    return { name, bytes, contentType: 'application/zip', points: section!.points.length };
  };
}

/** Kind code → its sample's maker. Add a row when a kind's real files land. */

/**
 * A CSV report's sample: the real layout, encoding and name (csv-reports.ts) on rows of the dummy
 * points, computed from the same usage model: reading day 2026-04-01, the month before it.
 */
function csvSample(kind: PpsKind): SampleMaker {
  return async ({ area, receiverCode }) => {
    const points = dummyPoints(area, receiverCode, kind.voltage);
    const subjects = points.map((p) => ({
      point: p,
      subject: { supplyPointId: p.supplyPointId, usageProfile: { kind: p.profileKind, dailyWh: p.dailyWh, seed: p.seed } },
    }));
    const name = (p: W4Point) => `検証用ダミー${p.customerId}`;
    const monthFrom = '2026-03-01' as IsoDate;
    const rows: (string | number)[][] = [];
    if (kind.code === 'STD_GENSHIWAKE') {
      const days = { from: addDays(sampleDate, -1), until: sampleDate };
      for (const { point, subject } of subjects)
        rows.push(...genshiwakeRows(subject, days, [point.supplyPointId, name(point), ym(sampleDate), ymd(sampleDate)]));
    } else if (kind.code === 'STD_GENSHIWAKE_G') {
      // LV 群単位: the calendar month before the sample date, every day of it.
      const days = { from: monthFrom, until: sampleDate };
      for (const { point, subject } of subjects) rows.push(...genshiwakeRows(subject, days, [point.supplyPointId, name(point), ym(monthFrom)]));
    } else if (kind.code === 'STD_KEIYAKUKW') {
      for (const { point, subject } of subjects) {
        const current = maxDemandTenths(subject, monthFrom, sampleDate);
        const previous = maxDemandTenths(subject, '2025-04-01' as IsoDate, monthFrom);
        const contract = Math.max(current.tenths, previous.tenths);
        rows.push([
          point.supplyPointId,
          name(point),
          ym(sampleDate),
          ymd(sampleDate),
          kwText(current.tenths),
          ymd(current.date),
          current.slot,
          kwText(previous.tenths),
          ym(previous.date),
          kwText(contract),
          kwText(contract),
          '無',
        ]);
      }
    } else {
      const [first] = points;
      rows.push([first!.supplyPointId, name(first!), ym(sampleDate), '2026/03/10 09:00', '2026/03/10 12:00', '3.0', '4.0', interruptionCauseLabels.planned]);
    }
    const content: ReportContent = { rows, points: new Set(rows.map((r) => r[0])).size };
    return {
      name: formatCsvReportName({ kind, area, date: kind.granularity === 'month' ? monthFrom : sampleDate, revision: 0 }),
      bytes: csvBytes(kind, content).bytes,
      contentType: 'text/csv; charset=Shift_JIS',
      points: content.points,
    };
  };
}

/** Kind code → its sample's maker: every kind has one. */
export const sampleMakers: Readonly<Record<string, SampleMaker>> = Object.fromEntries([
  ...ppsKinds.map((k) => [k.code, k.bp === 'W4' ? w4Sample(k) : w5Sample(k)] as const),
  ...csvReportKinds.map((k) => [k.code, csvSample(k)] as const),
]);

export function sampleMakerOf(code: string): SampleMaker | undefined {
  return Object.hasOwn(sampleMakers, code) ? sampleMakers[code] : undefined;
}

/** The samples of every kind that has a maker, for one receiver (made once per area, receiver and settings, then kept). */
export async function samplesFor(request: SampleRequest): Promise<{ kind: SampleKind; file: SampleFile }[]> {
  const key = `${request.area}|${request.receiverCode}|${request.settings.encoding}|${request.settings.missingPerMille}`;
  let made = cache.get(key);
  if (!made) {
    made = Promise.all(
      sampleKinds.flatMap((kind) => {
        const maker = sampleMakerOf(kind.code);
        return maker ? [maker(request).then((file) => ({ kind, file }))] : [];
      }),
    );
    cache.set(key, made);
    // A failure is not kept: the next request tries again.
    made.catch(() => cache.delete(key));
    if (cache.size > 1000) cache.delete(cache.keys().next().value!);
  }
  return made;
}

const cache = new Map<string, Promise<{ kind: SampleKind; file: SampleFile }[]>>();
