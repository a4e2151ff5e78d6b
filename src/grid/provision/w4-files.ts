/**
 * The W4 files of one area (30分電力量, HALFHOURLY.md B3/B4/B6): who receives which point, the
 * sections, the fingerprint of their inputs, revisions, and the bytes.
 *
 * The point set of a receiver for day D is derived from `supply_period` alone (B6, A7.2): a point is
 * in X's files for D iff a period of X covers D and a smart meter was in service at the point on D.
 * Same-day and daily files of a day are built from one such set, so they hold the same points
 * (A7.1). Points are ordered by supply point ID and cut into sections of the kind's size.
 *
 * Each section has a fingerprint: the SHA-256 of everything its content depends on (kind, day,
 * time code, section count, encoding, and each point's ID, customer, meter and usage parameters).
 * A file set is issued once per (receiver, kind, day, time code); issued again, it changes nothing
 * while the fingerprints are the same, and gives a new revision of every section when one moved
 * (a retroactive change, B4). Content is a pure function of the recorded inputs, so an evicted file
 * regenerates to the stored SHA-256 (B9).
 */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AreaCode } from '../../domain/area.ts';
import type { IsoDate } from '../../domain/date.ts';
import { formatPpsFileName, type PpsKind } from '../../domain/pps-file.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import { SingleEntryZip } from '../../platform/zip.ts';
import type { UsageProfile, UsageProfileKind } from '../registry/facility.ts';
import { hash32, mix32 } from '../registry/random.ts';
import { halfHourlyTenthOfSlot, halfHourlyTenthsInto } from '../registry/usage.ts';
import { recycleChunk, w4Xml, type W4Record, type XmlEncoding } from './w4-xml.ts';

/** A point of a receiver's W4 set for one day. */
export interface W4Point extends W4Record {
  readonly receiverCode: string;
  readonly voltageClass: string;
  readonly profileKind: UsageProfileKind;
  readonly dailyWh: number;
  readonly seed: number;
}

export interface W4Settings {
  readonly encoding: XmlEncoding;
  /**
   * Per mille of LV smart-meter half-hours not collected in time (B2; default 0, off): JP06122 "1"
   * and no value in the same-day file; nine in ten of them are filled in the daily file.
   */
  readonly missingPerMille: number;
}

export const defaultW4Settings: W4Settings = { encoding: 'Shift_JIS', missingPerMille: 0 };

/** Voltage classes of a kind's points: HV files carry 特高 and 高圧. */
function voltageClasses(voltage: PpsKind['voltage'] | 'all'): string[] {
  return voltage === 'HV' ? ['HV', 'EHV'] : voltage === 'LV' ? ['LV'] : ['LV', 'HV', 'EHV'];
}

/** Which W4 voltage a point's files are of. */
export function voltageOf(point: W4Point): PpsKind['voltage'] {
  return point.voltageClass === 'LV' ? 'LV' : 'HV';
}

/**
 * The W4 point set of every receiver for day `date` and the kind's voltage (or both), ordered by
 * receiver and supply point ID; `receiverCode` narrows it to one receiver.
 */
export async function w4Points(q: Queryable, schema: string, voltage: PpsKind['voltage'] | 'all', date: IsoDate, receiverCode?: string): Promise<W4Point[]> {
  const s = ident(schema);
  const { rows } = await q.query<W4Point>(
    `SELECT DISTINCT ON (p.retailer_code, sp.supply_point_id)
            p.retailer_code AS "receiverCode", sp.supply_point_id AS "supplyPointId", p.customer_id AS "customerId",
            m.meter_number AS "meterNumber", sp.voltage_class AS "voltageClass", sp.usage_profile AS "profileKind", sp.usage_daily_wh AS "dailyWh", sp.usage_seed AS "seed"
       FROM ${s}.supply_period p
       JOIN ${s}.supply_point sp ON sp.supply_point_id = p.supply_point_id
       JOIN ${s}.meter m ON m.supply_point_id = p.supply_point_id AND m.kind = 'smart'
                        AND m.installed_on <= $1 AND (m.removed_on IS NULL OR m.removed_on > $1)
      WHERE p.from_date <= $1 AND (p.until_date IS NULL OR p.until_date > $1)
        AND sp.voltage_class = ANY($2::text[]) AND NOT sp.fit_receiving
        AND ($3::text IS NULL OR p.retailer_code = $3)
      ORDER BY p.retailer_code, sp.supply_point_id, m.installed_on DESC, m.meter_number`,
    [date, voltageClasses(voltage), receiverCode ?? null],
  );
  return rows.map((r) => ({ ...r, customerId: Number(r.customerId), dailyWh: Number(r.dailyWh), seed: Number(r.seed) }));
}

/** One section of a receiver's file set. */
export interface W4Section {
  readonly kind: PpsKind;
  readonly area: AreaCode;
  readonly receiverCode: string;
  readonly date: IsoDate;
  readonly slot: number | null;
  readonly section: number;
  readonly sections: number;
  readonly points: readonly W4Point[];
}

/** Cuts a receiver's points (in supply point ID order) into sections of `size`: at least one, maybe empty (W4 and W5). */
export function cutIntoSections<P>(points: readonly P[], size: number): { section: number; sections: number; points: readonly P[] }[] {
  const sections = Math.max(1, Math.ceil(points.length / size));
  return Array.from({ length: sections }, (_, section) => ({ section, sections, points: points.slice(section * size, (section + 1) * size) }));
}

/** Cuts one receiver's points (in supply point ID order) into the kind's sections. */
export function sectionsOf(kind: PpsKind, area: AreaCode, receiverCode: string, date: IsoDate, slot: number | null, points: readonly W4Point[]): W4Section[] {
  return cutIntoSections(points, kind.sectionPoints).map((cut) => ({ kind, area, receiverCode, date, slot, ...cut }));
}

/** The SHA-256 of a section's inputs (hex). */
export function sectionFingerprint(section: W4Section, settings: W4Settings): string {
  const hash = createHash('sha256');
  hash.update(
    `${section.kind.code}|${section.date}|${section.slot ?? ''}|${section.section}/${section.sections}|${settings.encoding}|${settings.missingPerMille}\n`,
  );
  let batch = '';
  for (const p of section.points) {
    batch += `${p.supplyPointId},${p.customerId},${p.meterNumber},${p.profileKind},${p.dailyWh},${p.seed}\n`;
    if (batch.length > 65_536) {
      hash.update(batch);
      batch = '';
    }
  }
  hash.update(batch);
  return hash.digest('hex');
}

/** Whether a half-hour of a point is not collected in time: deterministic for (point, day, slot). */
function missing(point: W4Point, date: IsoDate, slot: number, perMille: number, daily: boolean): boolean {
  if (perMille <= 0) return false;
  const h = mix32(hash32(point.supplyPointId) ^ mix32(hash32(date) + slot));
  if (h % 1000 >= perMille) return false;
  return !daily || mix32(h) % 10 === 0;
}

/** The 48 values of the point being written (w4Xml reads them before asking for the next point). */
const scratchValues = new Int32Array(48);

/** The usage profile of the point being computed: the model reads it and keeps nothing of it, so one object serves every point. */
const scratchProfile: { kind: UsageProfileKind; dailyWh: number; seed: number } = { kind: 'household', dailyWh: 0, seed: 0 };

function profileOf(point: W4Point): UsageProfile {
  scratchProfile.kind = point.profileKind;
  scratchProfile.dailyWh = point.dailyWh;
  scratchProfile.seed = point.seed;
  return scratchProfile;
}

/**
 * A point's 48 values for the file: the usage model's, with the not-collected ones as -1. With
 * `into`, written there (no allocation per point: the caller reads them before the next call).
 */
export function w4Values(
  point: W4Point,
  date: IsoDate,
  voltage: PpsKind['voltage'],
  daily: boolean,
  settings: W4Settings,
  into: Int32Array = new Int32Array(48),
): Int32Array {
  const values = halfHourlyTenthsInto(point.supplyPointId, profileOf(point), date, into);
  if (settings.missingPerMille > 0 && voltage === 'LV') {
    for (let i = 0; i < values.length; i++) if (missing(point, date, i + 1, settings.missingPerMille, daily)) values[i] = -1;
  }
  return values;
}

/** One half-hour's value of a point (time code `slot`, 1–48) for a same-day file: `w4Values(…)[slot − 1]`. */
export function w4SlotValue(point: W4Point, date: IsoDate, slot: number, voltage: PpsKind['voltage'], settings: W4Settings): number {
  if (settings.missingPerMille > 0 && voltage === 'LV' && missing(point, date, slot, settings.missingPerMille, false)) return -1;
  return halfHourlyTenthOfSlot(point.supplyPointId, profileOf(point), date, slot - 1);
}

/** The file's ZIP entry name: the file name's stem with `.xml` (B9). */
export function entryName(fileName: string): string {
  return fileName.replace(/\.zip$/, '.xml');
}

/**
 * The chunks of a generator, with a turn of the event loop after each and at each pause point (an
 * empty chunk, w4-xml.ts): zlib compresses on the thread pool, and its completion (which hands it
 * the next chunk) is only seen when the main thread gets back to the loop. Without these turns the
 * XML of several chunks is made while the pool idles, then the pool compresses them while the main
 * thread waits; with them the two run side by side. A chunk takes zlib a few milliseconds and a
 * batch of records between pause points a fraction of one, so zlib waits little for its next chunk.
 */
export async function* paced(chunks: Iterable<Buffer>): AsyncGenerator<Buffer> {
  for (const chunk of chunks) {
    if (chunk.length > 0) yield chunk;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The bytes of a section's file, streamed: XML → deflate → `sink`. Returns size and SHA-256. */
export async function writeW4Zip(
  section: W4Section,
  revision: number,
  availableAt: Date,
  settings: W4Settings,
  sink: Writable,
): Promise<{ name: string; size: number; sha256: string }> {
  const name = formatPpsFileName({ kind: section.kind, date: section.date, slot: section.slot, revision, section: section.section });
  const daily = section.slot === null;
  const xml = w4Xml({
    kind: section.kind,
    area: section.area,
    receiverCode: section.receiverCode,
    date: section.date,
    slot: section.slot,
    section: section.section,
    sections: section.sections,
    createdAt: availableAt,
    encoding: settings.encoding,
    records: section.points,
    // A same-day file reads one slot of each point: computed alone, without ordering the 48 rests.
    values:
      section.slot === null
        ? (record) => w4Values(record as W4Point, section.date, section.kind.voltage, daily, settings, scratchValues)
        : (record) => {
            scratchValues[section.slot! - 1] = w4SlotValue(record as W4Point, section.date, section.slot!, section.kind.voltage, settings);
            return scratchValues;
          },
  });
  const counted = countingSink(sink);
  await pipeline(
    Readable.from(paced(xml), { objectMode: false }),
    new SingleEntryZip({ name: entryName(name), modifiedAt: availableAt, consumed: recycleChunk }),
    counted.stream,
  );
  return { name, ...counted.result() };
}

/** A stream into `sink` (ended with it) that counts and hashes what passes: the ZIP's size and SHA-256. */
export function countingSink(sink: Writable): { stream: Writable; result: () => { size: number; sha256: string } } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      if (sink.write(chunk)) callback();
      else sink.once('drain', () => callback());
    },
    final(callback) {
      sink.end(callback);
    },
  });
  return { stream, result: () => ({ size, sha256: hash.digest('hex') }) };
}

/** The same, into memory (sections are sized to stay a few tens of MB zipped). */
export async function w4ZipBytes(
  section: W4Section,
  revision: number,
  availableAt: Date,
  settings: W4Settings,
): Promise<{ name: string; bytes: Buffer; sha256: string }> {
  return zipIntoMemory((sink) => writeW4Zip(section, revision, availableAt, settings, sink));
}

/** A ZIP that `write` streams into its sink, kept in memory (a W4 or W5 section). */
export async function zipIntoMemory(
  write: (sink: Writable) => Promise<{ name: string; sha256: string }>,
): Promise<{ name: string; bytes: Buffer; sha256: string }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const { name, sha256 } = await write(sink);
  return { name, bytes: Buffer.concat(chunks), sha256 };
}
