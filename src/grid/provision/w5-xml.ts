/**
 * The XML of a W5 file (確定使用量の通知, HALFHOURLY.md A5/B5), written as a stream of byte chunks:
 * one SBD-MSG with the same message-group header as the W4 files and one JPTRM holding the
 * section's records (JP00002 JP06110 JP06111 JP06112 JP06401 対象年月, then JPM00010 › JPMR00010).
 *
 * - 月間確定使用量 (x210/x220) and 臨時検針他 (x410/x420), one record per point: JP06400 supply point,
 *   JP06119 customer number, JP06402 供給場所 (≤ 70 bytes), JP06403 電圧区分名, JP06404 仕訳コード "1"
 *   (全量: kirikae has no 部分供給), JP06405 提供可否 "0", JP06406 力率 (HV only), JP06407 計器区分
 *   ("1" 30分計量, "2" 月間計量), JP06426/JP06427 the period's kWh (全量 = 仕訳後), JP06445 最大需要電力
 *   (HV only), JP06446 次回定例検針予定日; a special reading adds KR_READING_CAUSE and KR_READING_DATE
 *   (ours), and a meter exchanged in the period KR_METER_EXCHANGE_DATE (ours); with 計器区分 "1"
 *   JPM00013 › JPMR00013 per day (JP06423) › JPM00014 › JPMR00014 per half-hour (JP06219, JP06424
 *   全量, JP06425 仕訳後). The period's kWh is the sum of those half-hours, exactly.
 * - 計量器取替 (x310/x320), one record per exchange: JP06400, JP06119 and the KR_ elements of B5.
 *
 * JP06120 (customer name) is not written, as in the W4 files: a file regenerated after a change of
 * name would not be the same bytes (B9). The `KR_` prefix marks kirikae's own elements (B5).
 */
import iconv from 'iconv-lite';
import type { AreaCode } from '../../domain/area.ts';
import type { IsoDate } from '../../domain/date.ts';
import { slotsPerDay, w5ContentOf, type PpsKind } from '../../domain/pps-file.ts';
import { ChunkWriter, encodedName, gridSenderCode, tenthsText, yyyymmddHHMMSS, type XmlEncoding } from './w4-xml.ts';

/** A point's record in a 月間確定使用量 or 臨時検針他 file. */
export interface W5UsageRecord {
  readonly supplyPointId: string;
  readonly customerId: number;
  readonly voltageClass: 'LV' | 'HV' | 'EHV';
  /** 供給場所: prefecture, city, street and building. */
  readonly address: string;
  /** 力率 in percent (HV and EHV), else null. */
  readonly powerFactor: number | null;
  /** 計器区分コード: "1" a smart meter measured the period, "2" a conventional one (totals only). */
  readonly meterKind: '1' | '2';
  /** The days of the receiver's supply: [from, until). */
  readonly from: IsoDate;
  readonly until: IsoDate;
  /** 次回定例検針予定日. */
  readonly nextReadingDay: IsoDate;
  /** The last meter exchange in the period, if any (KR_METER_EXCHANGE_DATE). */
  readonly exchangeDate: IsoDate | null;
  /** A special reading's cause (KR_READING_CAUSE: 1 switch, 2 move-in, 3 move-out, 9 other) and day. */
  readonly cause: '1' | '2' | '3' | '9' | null;
}

/** An exchange's record in a 計量器取替 file. */
export interface W5ExchangeRecord {
  readonly supplyPointId: string;
  readonly customerId: number;
  readonly on: IsoDate;
  readonly slot: number;
  readonly oldMeter: string;
  readonly oldReading: number;
  readonly newMeter: string;
  readonly newReading: number;
  readonly multiplier: number;
  /** Energy through the old meter since the last reading day, tenths of a kWh. */
  readonly oldTenthsInPeriod: number;
}

export type W5Record = W5UsageRecord | W5ExchangeRecord;

export interface W5Document {
  readonly kind: PpsKind;
  readonly area: AreaCode;
  readonly receiverCode: string;
  /** The reading day, special-reading day or exchange day of the file. */
  readonly date: IsoDate;
  readonly section: number;
  readonly sections: number;
  readonly createdAt: Date;
  readonly encoding: XmlEncoding;
  readonly records: readonly W5Record[];
  /** A point's 48 values of a day, tenths of a kWh (usage records only). */
  readonly dayValues: (record: W5UsageRecord, date: IsoDate) => Int32Array;
}

const nl = '\r\n';
const ymd = (date: IsoDate) => date.replaceAll('-', '');

/** Text in the file's encoding, cut at a character boundary to at most `maxBytes` bytes (B5: never refused). */
export function encodeTruncated(text: string, maxBytes: number, encoding: XmlEncoding): Buffer {
  const enc = (t: string) => (encoding === 'UTF-8' ? Buffer.from(t, 'utf8') : iconv.encode(t, 'Shift_JIS'));
  let bytes = enc(text);
  if (bytes.length <= maxBytes) return bytes;
  const chars = [...text];
  while (chars.length > 0 && bytes.length > maxBytes) {
    chars.pop();
    bytes = enc(chars.join(''));
  }
  return bytes;
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const voltageNames = { LV: '低圧', HV: '高圧', EHV: '特高' } as const;
const encodedVoltage = new Map<string, Buffer>();

function voltageName(voltageClass: W5UsageRecord['voltageClass'], encoding: XmlEncoding): Buffer {
  const key = `${voltageClass}|${encoding}`;
  let bytes = encodedVoltage.get(key);
  if (!bytes) encodedVoltage.set(key, (bytes = encodeTruncated(voltageNames[voltageClass], 4, encoding)));
  return bytes;
}

function header(doc: W5Document): Buffer {
  const sender = gridSenderCode(doc.area);
  const before =
    `<?xml version="1.0" encoding="${doc.encoding}"?>${nl}<SBD-MSG>${nl}<JPMGRP>${nl}<JPMGH>${nl}` +
    `<JPC03>0</JPC03>${nl}<JPC06>${sender}</JPC06>${nl}<JPC09>${doc.receiverCode}</JPC09>${nl}<JPC10>JP</JPC10>${nl}` +
    `<JPC11>${doc.kind.bp}01</JPC11>${nl}<JPC12>${doc.kind.infoCode}</JPC12>${nl}<JPC14>${yyyymmddHHMMSS(doc.createdAt)}</JPC14>${nl}` +
    `<JPC19>CII11</JPC19>${nl}<JPC21>${doc.section + 1 < doc.sections ? '1' : '0'}</JPC21>${nl}</JPMGH>${nl}<JPTRM>${nl}` +
    `<JP00002>${doc.kind.infoCode}</JP00002>${nl}<JP06110>${sender}</JP06110>${nl}<JP06111>`;
  const after = `</JP06111>${nl}<JP06112>${doc.receiverCode}</JP06112>${nl}<JP06401>${ymd(doc.date).slice(0, 6)}</JP06401>${nl}` + `<JPM00010>${nl}`;
  return Buffer.concat([Buffer.from(before, 'latin1'), encodedName(doc.area, doc.encoding), Buffer.from(after, 'latin1')]);
}

const trailer = `</JPM00010>${nl}</JPTRM>${nl}</JPMGRP>${nl}</SBD-MSG>${nl}`;

/** The days of [from, until), in order. */
export function daysOf(from: IsoDate, until: IsoDate): IsoDate[] {
  const days: IsoDate[] = [];
  for (let d = new Date(`${from}T00:00:00Z`).getTime(), end = new Date(`${until}T00:00:00Z`).getTime(); d < end; d += 86_400_000) {
    days.push(new Date(d).toISOString().slice(0, 10) as IsoDate);
  }
  return days;
}

/** A usage record's per-day values, its period total and its largest half-hour (tenths). */
export function usageOf(record: W5UsageRecord, dayValues: W5Document['dayValues']): { days: IsoDate[]; values: Int32Array[]; total: number; max: number } {
  const days = daysOf(record.from, record.until);
  const values = days.map((d) => dayValues(record, d));
  let total = 0;
  let max = 0;
  for (const v of values) {
    for (let i = 0; i < slotsPerDay; i++) {
      total += v[i]!;
      if (v[i]! > max) max = v[i]!;
    }
  }
  return { days, values, total, max };
}

/** The opening of each half-hour's record, made once. */
const slotOpen = Array.from({ length: slotsPerDay }, (_, i) => `<JPMR00014>${nl}<JP06219>${i + 1}</JP06219>${nl}`);
const valueCache: string[] = [];

/** A half-hour's 全量 and 仕訳後 (the same) and the record's end; the common small values made once. */
function slotValues(tenths: number): string {
  const cached = tenths < 10_000 ? valueCache[tenths] : undefined;
  if (cached !== undefined) return cached;
  const kWh = tenthsText(tenths);
  const text = `<JP06424>${kWh}</JP06424>${nl}<JP06425>${kWh}</JP06425>${nl}</JPMR00014>${nl}`;
  if (tenths < 10_000) valueCache[tenths] = text;
  return text;
}

function writeUsage(w: ChunkWriter, doc: W5Document, r: W5UsageRecord, special: boolean): void {
  const { days, values, total, max } = usageOf(r, doc.dayValues);
  const hv = r.voltageClass !== 'LV';
  w.ascii(`<JPMR00010>${nl}<JP06400>${r.supplyPointId}</JP06400>${nl}<JP06119>${String(r.customerId).padStart(14, '0')}</JP06119>${nl}<JP06402>`);
  w.bytes(encodeTruncated(escapeXml(r.address), 70, doc.encoding));
  w.ascii(`</JP06402>${nl}<JP06403>`);
  w.bytes(voltageName(r.voltageClass, doc.encoding));
  const totalText = tenthsText(total);
  w.ascii(
    `</JP06403>${nl}<JP06404>1</JP06404>${nl}<JP06405>0</JP06405>${nl}` +
      (hv && r.powerFactor !== null ? `<JP06406>${r.powerFactor}</JP06406>${nl}` : '') +
      `<JP06407>${r.meterKind}</JP06407>${nl}<JP06426>${totalText}</JP06426>${nl}<JP06427>${totalText}</JP06427>${nl}` +
      (hv ? `<JP06445>${tenthsText(max * 2)}</JP06445>${nl}` : '') +
      `<JP06446>${ymd(r.nextReadingDay)}</JP06446>${nl}` +
      (special ? `<KR_READING_CAUSE>${r.cause ?? '9'}</KR_READING_CAUSE>${nl}<KR_READING_DATE>${ymd(r.until)}</KR_READING_DATE>${nl}` : '') +
      (r.exchangeDate ? `<KR_METER_EXCHANGE_DATE>${ymd(r.exchangeDate)}</KR_METER_EXCHANGE_DATE>${nl}` : ''),
  );
  if (r.meterKind === '1') {
    w.ascii(`<JPM00013>${nl}`);
    for (let d = 0; d < days.length; d++) {
      const v = values[d]!;
      let text = `<JPMR00013>${nl}<JP06423>${ymd(days[d]!)}</JP06423>${nl}<JPM00014>${nl}`;
      for (let i = 0; i < slotsPerDay; i++) text += slotOpen[i]! + slotValues(v[i]!);
      w.ascii(`${text}</JPM00014>${nl}</JPMR00013>${nl}`);
    }
    w.ascii(`</JPM00013>${nl}`);
  }
  w.ascii(`</JPMR00010>${nl}`);
}

function writeExchange(w: ChunkWriter, r: W5ExchangeRecord): void {
  w.ascii(
    `<JPMR00010>${nl}<JP06400>${r.supplyPointId}</JP06400>${nl}<JP06119>${String(r.customerId).padStart(14, '0')}</JP06119>${nl}` +
      `<KR_EXCHANGE_DATE>${ymd(r.on)}</KR_EXCHANGE_DATE>${nl}<KR_EXCHANGE_SLOT>${r.slot}</KR_EXCHANGE_SLOT>${nl}` +
      `<KR_OLD_METER>${r.oldMeter}</KR_OLD_METER>${nl}<KR_OLD_FINAL_READING>${r.oldReading}</KR_OLD_FINAL_READING>${nl}` +
      `<KR_NEW_METER>${r.newMeter}</KR_NEW_METER>${nl}<KR_NEW_INITIAL_READING>${r.newReading}</KR_NEW_INITIAL_READING>${nl}` +
      `<KR_MULTIPLIER>${r.multiplier}</KR_MULTIPLIER>${nl}<KR_OLD_METER_KWH_IN_PERIOD>${tenthsText(r.oldTenthsInPeriod)}</KR_OLD_METER_KWH_IN_PERIOD>${nl}` +
      `</JPMR00010>${nl}`,
  );
}

/** The XML of one W5 file, chunk by chunk. */
export function* w5Xml(doc: W5Document): Generator<Buffer> {
  const w = new ChunkWriter();
  w.bytes(header(doc));
  const content = w5ContentOf(doc.kind);
  for (let r = 0; r < doc.records.length; r++) {
    const record = doc.records[r]!;
    if (content === 'exchange') writeExchange(w, record as W5ExchangeRecord);
    else writeUsage(w, doc, record as W5UsageRecord, content === 'special');
    yield* w.take();
  }
  w.ascii(trailer);
  yield* w.end();
}
