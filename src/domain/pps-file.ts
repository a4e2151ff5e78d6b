/**
 * The files of the grids' data provision sites (データ提供サイト, HALFHOURLY.md A2/A3/B3): the ten BP
 * messages as a registry of file kinds, and the file-name grammar the public importers parse.
 *
 *   W4 VV TT yyyymmddHHMM RR SS[SS] .zip   30分電力量 (W4): VV 01 HV / 11 LV, TT 10 same-day / 20 daily
 *   W5 KK VV yyyymmdd RR SSSSS .zip        確定使用量 (W5): KK 12 fixed / 13 exchange / 14 extra, VV 10 HV / 20 LV
 *
 * The six characters `W4VVTT` / `W5KKVV` are the kind (`W40110` …), `BPID + 情報区分コード`. Sections
 * start at 0 and revisions at 00. A file of a whole day carries HHMM 0000. The name says nothing of
 * its receiver: each retailer sees only its own files, and two retailers hold files of the same name.
 * Pure: no I/O. The schedule and the contents live with the grid (src/grid/provision/).
 */
import { addBusinessDays, nextBusinessDay } from './calendar.ts';
import { addDays, tokyoMidnight, type IsoDate } from './date.ts';

export type PpsVoltage = 'HV' | 'LV';
/** What one file covers: one half-hour of a day, a whole day (48 half-hours), a reading day, or a calendar month. */
export type PpsGranularity = 'slot' | 'day' | 'readingDay' | 'month';

export interface PpsKind {
  /** `W4` + 情報区分コード: the first six characters of the name. */
  readonly code: string;
  readonly bp: 'W4' | 'W5' | 'CSV';
  /** 情報区分コード (JP00002), 4 digits (inferred: HALFHOURLY.md A3). */
  readonly infoCode: string;
  readonly voltage: PpsVoltage;
  readonly granularity: PpsGranularity;
  /** Digits of the section number in the name. */
  readonly sectionDigits: number;
  /** Points per section (B3). */
  readonly sectionPoints: number;
  /** How long a file stays on the site after it became available (B8), in days. */
  readonly retentionDays: number;
  /** The message's name, as the site shows it. */
  readonly title: string;
  /** When a file of the kind is listed and when it is due (HALFHOURLY.md B3/B7): data, read by the schedule. */
  readonly due: PpsDueRule;
}

/**
 * The availability and deadline rule of a kind, relative to its target (the half-hour, day, reading
 * day, special-reading day or exchange day):
 * - `slotEnd`: listed from the half-hour's end + `availableMinutes`, due by its end + `dueMinutes` (public: 60, A6);
 * - `nextMorning`: listed the next day at `availableHour`:00, due the next day at `dueHour`:00 (ours);
 * - `businessDays`: listed on the target day (`sameDay`) or the next business day (`nextBusinessDay`) at
 *   `availableHour`:00, due by the end (24:00) of the `days`-th business day counting the target (public for
 *   月間確定使用量: 4, A6; ours for 臨時検針他);
 * - `beforeMonthly`: listed the next day at `availableHour`:00, due when the 月間確定使用量 file covering the
 *   target is listed (public: the exchange must not come after the monthly file, A6/A9);
 * - `monthAfterNext`: a report of calendar month N (target: N's first day), listed the first business day
 *   after N's end at `availableHour`:00 (ours), due by the end of the `days`-th business day of month N+2
 *   (public for GENSHIWAKE LV 群単位: 4, slide 34).
 */
export type PpsDueRule =
  | { readonly rule: 'slotEnd'; readonly availableMinutes: number; readonly dueMinutes: number }
  | { readonly rule: 'nextMorning'; readonly availableHour: number; readonly dueHour: number }
  | { readonly rule: 'businessDays'; readonly from: 'sameDay' | 'nextBusinessDay'; readonly availableHour: number; readonly days: number }
  | { readonly rule: 'beforeMonthly'; readonly availableHour: number }
  | { readonly rule: 'monthAfterNext'; readonly availableHour: number; readonly days: number };

const sameDayDue: PpsDueRule = { rule: 'slotEnd', availableMinutes: 15, dueMinutes: 60 };
const dailyDue: PpsDueRule = { rule: 'nextMorning', availableHour: 5, dueHour: 12 };
const monthlyDue: PpsDueRule = { rule: 'businessDays', from: 'sameDay', availableHour: 2, days: 4 };
const exchangeDue: PpsDueRule = { rule: 'beforeMonthly', availableHour: 2 };
const specialDue: PpsDueRule = { rule: 'businessDays', from: 'nextBusinessDay', availableHour: 2, days: 4 };

/**
 * The day by whose end a file counted in business days is due: the `n`-th business day counting
 * `date` as the first when it is a business day, else counting from the next one (B7). Reading day
 * Sat 2026-12-26, n = 4: Mon 12-28, then 1-4, 1-5, 1-6 (29 Dec–3 Jan are not business days).
 */
export function nthBusinessDayCounting(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`business days must be a positive integer: ${n}`);
  return addBusinessDays(addBusinessDays(date, 0), n - 1);
}

/** The registry of file kinds. */
export const ppsKinds: readonly PpsKind[] = [
  {
    code: 'W40110',
    bp: 'W4',
    infoCode: '0110',
    voltage: 'HV',
    granularity: 'slot',
    sectionDigits: 2,
    sectionPoints: 10_000,
    retentionDays: 3,
    due: sameDayDue,
    title: '特高・高圧30分電力量',
  },
  {
    code: 'W41110',
    bp: 'W4',
    infoCode: '1110',
    voltage: 'LV',
    granularity: 'slot',
    sectionDigits: 4,
    sectionPoints: 100_000,
    retentionDays: 3,
    due: sameDayDue,
    title: '低圧30分電力量',
  },
  {
    code: 'W40120',
    bp: 'W4',
    infoCode: '0120',
    voltage: 'HV',
    granularity: 'day',
    sectionDigits: 2,
    sectionPoints: 10_000,
    retentionDays: 40,
    due: dailyDue,
    title: '特高・高圧日毎30分電力量',
  },
  {
    code: 'W41120',
    bp: 'W4',
    infoCode: '1120',
    voltage: 'LV',
    granularity: 'day',
    sectionDigits: 4,
    sectionPoints: 100_000,
    retentionDays: 40,
    due: dailyDue,
    title: '低圧日毎30分電力量',
  },
  {
    code: 'W51210',
    bp: 'W5',
    infoCode: '1210',
    voltage: 'HV',
    granularity: 'readingDay',
    sectionDigits: 5,
    sectionPoints: 1_000,
    retentionDays: 396,
    due: monthlyDue,
    title: '特高・高圧月間確定使用量',
  },
  {
    code: 'W51220',
    bp: 'W5',
    infoCode: '1220',
    voltage: 'LV',
    granularity: 'readingDay',
    sectionDigits: 5,
    sectionPoints: 1_000,
    retentionDays: 396,
    due: monthlyDue,
    title: '低圧月間確定使用量',
  },
  {
    code: 'W51310',
    bp: 'W5',
    infoCode: '1310',
    voltage: 'HV',
    granularity: 'readingDay',
    sectionDigits: 5,
    sectionPoints: 1_000,
    retentionDays: 396,
    due: exchangeDue,
    title: '特高・高圧計量器取替',
  },
  {
    code: 'W51320',
    bp: 'W5',
    infoCode: '1320',
    voltage: 'LV',
    granularity: 'readingDay',
    sectionDigits: 5,
    sectionPoints: 1_000,
    retentionDays: 396,
    due: exchangeDue,
    title: '低圧計量器取替',
  },
  {
    code: 'W51410',
    bp: 'W5',
    infoCode: '1410',
    voltage: 'HV',
    granularity: 'readingDay',
    sectionDigits: 5,
    sectionPoints: 1_000,
    retentionDays: 396,
    due: specialDue,
    title: '特高・高圧臨時検針他',
  },
  {
    code: 'W51420',
    bp: 'W5',
    infoCode: '1420',
    voltage: 'LV',
    granularity: 'readingDay',
    sectionDigits: 5,
    sectionPoints: 1_000,
    retentionDays: 396,
    due: specialDue,
    title: '低圧臨時検針他',
  },
];

/**
 * The three standard CSV reports (統一化帳票, slide 34; HALFHOURLY.md B10): one file per receiver and
 * reading day R, `STD_{report}_{area}_{yyyymmdd}_{rr}.csv`. Layouts ours; names and timing public.
 */
/** The reports' rule (slide 34, public: the first business day after R, due by the 5th business day counting R; the hour 03:00 ours). */
const csvDue: PpsDueRule = { rule: 'businessDays', from: 'nextBusinessDay', availableHour: 3, days: 5 };

export const csvReportKinds: readonly PpsKind[] = [
  {
    code: 'STD_GENSHIWAKE',
    bp: 'CSV',
    infoCode: 'GENSHIWAKE',
    voltage: 'LV',
    granularity: 'readingDay',
    sectionDigits: 0,
    sectionPoints: Number.MAX_SAFE_INTEGER,
    retentionDays: 396,
    title: '発電者の仕訳後の電力量のお知らせ',
    due: csvDue,
  },
  {
    // The LV 群単位 variant (slide 34): LV FIT receiving points, per calendar month N (the name's yyyymm).
    code: 'STD_GENSHIWAKE_G',
    bp: 'CSV',
    infoCode: 'GENSHIWAKE_G',
    voltage: 'LV',
    granularity: 'month',
    sectionDigits: 0,
    sectionPoints: Number.MAX_SAFE_INTEGER,
    retentionDays: 396,
    title: '発電者の仕訳後の電力量のお知らせ（低圧群単位）',
    due: { rule: 'monthAfterNext', availableHour: 3, days: 4 },
  },
  {
    code: 'STD_KEIYAKUKW',
    bp: 'CSV',
    infoCode: 'KEIYAKUKW',
    voltage: 'HV',
    granularity: 'readingDay',
    sectionDigits: 0,
    sectionPoints: Number.MAX_SAFE_INTEGER,
    retentionDays: 396,
    title: '契約電力算定結果内訳',
    due: csvDue,
  },
  {
    code: 'STD_SEIGENCHUSHI',
    bp: 'CSV',
    infoCode: 'SEIGENCHUSHI',
    voltage: 'LV',
    granularity: 'readingDay',
    sectionDigits: 0,
    sectionPoints: Number.MAX_SAFE_INTEGER,
    retentionDays: 396,
    title: '制限中止割引時間',
    due: csvDue,
  },
];

const byCode = new Map([...ppsKinds, ...csvReportKinds].map((k) => [k.code, k]));

export function ppsKind(code: string): PpsKind | undefined {
  return byCode.get(code);
}

/** The W4 (half-hourly) kinds. */
export const w4Kinds = ppsKinds.filter((k) => k.bp === 'W4');
/** The W5 (settled usage) kinds. */
export const w5Kinds = ppsKinds.filter((k) => k.bp === 'W5');

/** What a W5 kind carries: 12 月間確定使用量, 13 計量器取替, 14 臨時検針他 (the name's KK). */
export type W5Content = 'monthly' | 'exchange' | 'special';

export function w5ContentOf(kind: PpsKind): W5Content {
  if (kind.bp !== 'W5') throw new RangeError(`not a W5 kind: ${kind.code}`);
  return kind.infoCode.startsWith('12') ? 'monthly' : kind.infoCode.startsWith('13') ? 'exchange' : 'special';
}

export interface PpsFileName {
  readonly kind: PpsKind;
  /** The target day (W4) or reading day (W5). */
  readonly date: IsoDate;
  /** 1–48 for a same-day file (time code: slot n starts at (n−1)×30 min), else null. */
  readonly slot: number | null;
  readonly revision: number;
  readonly section: number;
}

/** Half-hours per day (時刻コード 1–48). */
export const slotsPerDay = 48;

/** "HHMM" of a time code's start: slot 1 → "0000", slot 48 → "2330". */
export function slotStart(slot: number): string {
  const minutes = (slot - 1) * 30;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
}

/** Total length of a name of this kind, `.zip` excluded: HV W4 22, LV W4 24, W5 21 (A3). */
export function nameLength(kind: PpsKind): number {
  return kind.bp === 'W4' ? 6 + 12 + 2 + kind.sectionDigits : 6 + 8 + 2 + kind.sectionDigits;
}

export function formatPpsFileName(file: PpsFileName): string {
  const { kind, date, slot, revision, section } = file;
  if (!Number.isInteger(revision) || revision < 0 || revision > 99) throw new RangeError(`revision ${revision} out of 00–99`);
  if (!Number.isInteger(section) || section < 0 || section >= 10 ** kind.sectionDigits) throw new RangeError(`section ${section} out of range`);
  const ymd = date.replaceAll('-', '');
  const rr = String(revision).padStart(2, '0');
  const ss = String(section).padStart(kind.sectionDigits, '0');
  if (kind.bp === 'W5') return `${kind.code}${ymd}${rr}${ss}.zip`;
  if (kind.granularity === 'slot') {
    if (slot === null || !Number.isInteger(slot) || slot < 1 || slot > slotsPerDay) throw new RangeError(`slot ${slot} out of 1–48`);
    return `${kind.code}${ymd}${slotStart(slot)}${rr}${ss}.zip`;
  }
  return `${kind.code}${ymd}0000${rr}${ss}.zip`;
}

/** Parses a file name; undefined for anything that is not exactly a name of the grammar. */
export function parsePpsFileName(name: string): PpsFileName | undefined {
  const m = /^(W[45]\d{4})(\d+)\.zip$/.exec(name);
  if (!m) return undefined;
  const kind = byCode.get(m[1]!);
  if (!kind || 6 + m[2]!.length !== nameLength(kind)) return undefined;
  const digits = m[2]!;
  const date = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}` as IsoDate;
  if (addDays(date, 0) !== date) return undefined; // 2026-02-30 and the like
  let rest = digits.slice(8);
  let slot: number | null = null;
  if (kind.bp === 'W4') {
    const hh = Number(rest.slice(0, 2));
    const mm = Number(rest.slice(2, 4));
    rest = rest.slice(4);
    if (kind.granularity === 'slot') {
      if (hh > 23 || (mm !== 0 && mm !== 30)) return undefined;
      slot = hh * 2 + mm / 30 + 1;
    } else if (hh !== 0 || mm !== 0) return undefined;
  }
  return { kind, date, slot, revision: Number(rest.slice(0, 2)), section: Number(rest.slice(2)) };
}

/**
 * When a file of a `businessDays` kind for target day `target` is listed and due: listed on the
 * target day or the next business day at the rule's hour, due by the end of the `days`-th business
 * day counting the target (`nthBusinessDayCounting`).
 */
export function businessDaysTiming(due: PpsDueRule, target: IsoDate): { availableAt: Date; deadlineAt: Date } {
  if (due.rule !== 'businessDays') throw new RangeError(`not a business-day rule: ${due.rule}`);
  const availableDay = due.from === 'sameDay' ? target : nextBusinessDay(target);
  return {
    availableAt: new Date(tokyoMidnight(availableDay).getTime() + due.availableHour * 3_600_000),
    deadlineAt: tokyoMidnight(addDays(nthBusinessDayCounting(target, due.days), 1)),
  };
}

/**
 * When a report of calendar month N (`month`: N's first day) of a `monthAfterNext` kind is listed and
 * due: listed the first business day after N's end at the rule's hour; due by the end of the rule's
 * `days`-th business day of N+2 (the 4th business day of January is 7 January in 2027: 1–3 January are
 * not business days).
 */
export function monthlyReportTiming(kind: PpsKind, month: IsoDate): { availableAt: Date; deadlineAt: Date } {
  const due = kind.due;
  if (due.rule !== 'monthAfterNext') throw new RangeError(`${kind.code} is not a monthly report`);
  if (month.slice(8) !== '01') throw new RangeError(`a month is named by its first day: ${month}`);
  const next = firstOfNextMonth(month);
  const available = addBusinessDays(addDays(next, -1), 1);
  const last = nthBusinessDayCounting(firstOfNextMonth(next), due.days);
  return { availableAt: new Date(tokyoMidnight(available).getTime() + due.availableHour * 3_600_000), deadlineAt: tokyoMidnight(addDays(last, 1)) };
}

/** The first day of the month after `date`'s. */
export function firstOfNextMonth(date: IsoDate): IsoDate {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return (m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`) as IsoDate;
}

/**
 * The name of a standard CSV report: `STD_{report}_{area}_{yyyymmdd}_{rr}.csv` (B10); a report of a
 * calendar month (LV 群単位) `STD_{report}_{area}_{yyyymm}_{rr}.csv` (ours).
 */
export function formatCsvReportName(file: { kind: PpsKind; area: string; date: IsoDate; revision: number }): string {
  if (file.kind.bp !== 'CSV') throw new RangeError(`${file.kind.code} is not a CSV report`);
  if (!Number.isInteger(file.revision) || file.revision < 0 || file.revision > 99) throw new RangeError(`revision ${file.revision} out of 00–99`);
  if (!/^(0[1-9]|10)$/.test(file.area)) throw new RangeError(`area ${file.area}`);
  const monthly = file.kind.granularity === 'month';
  if (monthly && file.date.slice(8) !== '01') throw new RangeError(`a month is named by its first day: ${file.date}`);
  const target = monthly ? file.date.slice(0, 7).replace('-', '') : file.date.replaceAll('-', '');
  return `${file.kind.code}_${file.area}_${target}_${String(file.revision).padStart(2, '0')}.csv`;
}

/** Parses a CSV report's name; undefined for anything that is not exactly one. A month's report has its first day as `date`. */
export function parseCsvReportName(name: string): { kind: PpsKind; area: string; date: IsoDate; revision: number } | undefined {
  const m = /^(STD_[A-Z]+(?:_G)?)_(0[1-9]|10)_(\d{4})(\d{2})(\d{2})?_(\d{2})\.csv$/.exec(name);
  if (!m) return undefined;
  const kind = byCode.get(m[1]!);
  if (kind?.bp !== 'CSV') return undefined;
  if ((kind.granularity === 'month') !== (m[5] === undefined)) return undefined;
  const date = `${m[3]}-${m[4]}-${m[5] ?? '01'}` as IsoDate;
  if (addDays(date, 0) !== date) return undefined;
  return { kind, area: m[2]!, date, revision: Number(m[6]) };
}
