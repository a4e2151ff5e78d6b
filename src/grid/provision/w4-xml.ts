/**
 * The XML of a W4 file (30分電力量, HALFHOURLY.md A5/B5), written as a stream of byte chunks: one
 * SBD-MSG with its message-group header (JPMGH) and one JPTRM holding the section's points.
 *
 * - Same-day (x110): JPTRM › JP06219 (the time code) › JPM00010 › JPMR00010 per point.
 * - Daily (x120): JPTRM › JPM00010 › JPMR00010 per time code (JP06219) › JPM00011 › JPMR00011 per point.
 * - A point's record: JP06400 supply point, JP06119 customer number (14 digits), JP06121 meter
 *   number, JP06122 status ("0" value present, "1" not collected) and, with "0", the kWh in
 *   JP06123 (HV) or JP06125 (LV), 0.1 kWh.
 * - JP06120 (customer name) is not written: it "may be absent" (A5), and the name of a past day is
 *   not kept, so a file regenerated after an information change would not be the same bytes (B9).
 *   JP06113–JP06115 are not written either (their meaning is not public, B5).
 *
 * Encoding Shift_JIS (ours, B5) or UTF-8; CRLF; one element per line. Only the header holds
 * non-ASCII text (the grid operator's name), encoded once; records are ASCII and written straight
 * into a chunk buffer, so 1,000,000 records cost no per-record encoder call.
 */
import iconv from 'iconv-lite';
import { areaOf, type AreaCode } from '../../domain/area.ts';
import { participantCodeFor } from '../../domain/participant-code.ts';
import { slotsPerDay, type PpsKind } from '../../domain/pps-file.ts';
import type { IsoDate } from '../../domain/date.ts';

export type XmlEncoding = 'Shift_JIS' | 'UTF-8';

/** One point of a W4 section: who, which meter, and its 48 half-hour values in tenths of a kWh. */
export interface W4Record {
  readonly supplyPointId: string;
  readonly customerId: number;
  readonly meterNumber: string;
}

export interface W4Document {
  readonly kind: PpsKind;
  readonly area: AreaCode;
  readonly receiverCode: string;
  readonly date: IsoDate;
  /** The time code of a same-day file; null for a daily file. */
  readonly slot: number | null;
  /** Section number and count: JPC21 says whether more follow. */
  readonly section: number;
  readonly sections: number;
  /** The file's creation time (JPC14), Japan time: its availability time, so bytes are reproducible. */
  readonly createdAt: Date;
  readonly encoding: XmlEncoding;
  readonly records: readonly W4Record[];
  /**
   * The values of record i: tenths of a kWh per slot (index 0 = time code 1), or -1 for a value not
   * collected (JP06122 "1"). Called once per record, in order; the array is read before the next
   * call (it may be reused).
   */
  readonly values: (record: W4Record, index: number) => Int32Array;
}

const chunkBytes = 256 * 1024;

/**
 * Chunk buffers given back by their consumer (`recycleChunk`), for the next ones. A million records
 * fill ~700 chunks of 256 KiB; each allocated afresh counts as external memory, and every few tens
 * of MB of it V8 runs a full collection, which with a million points in the heap costs 100–300 ms
 * each: about half the time of writing the XML. A few buffers going round cost none.
 */
const spareChunks: ArrayBuffer[] = [];
const spareLimit = 16;

/**
 * Gives back a chunk of a `ChunkWriter` whose bytes nobody reads any more (the deflate stream has
 * consumed it): its buffer serves a later chunk. Anything else (another size) is left alone.
 */
export function recycleChunk(chunk: Uint8Array): void {
  const buffer = chunk.buffer;
  if (buffer instanceof ArrayBuffer && buffer.byteLength === chunkBytes && spareChunks.length < spareLimit && !spareChunks.includes(buffer)) {
    spareChunks.push(buffer);
  }
}

function newChunk(need: number): Buffer {
  if (need <= chunkBytes) {
    const spare = spareChunks.pop();
    if (spare) return Buffer.from(spare, 0, chunkBytes);
  }
  return Buffer.allocUnsafe(Math.max(chunkBytes, need));
}

/** The grid operator's participant code: the sender (JP06110, JPC06) of every file of the area. */
export function gridSenderCode(area: AreaCode): string {
  return participantCodeFor(`G0${area}`, area);
}

/**
 * Collects ASCII bytes into fixed-size buffers and hands each full one on. The records' bytes are
 * written straight in (constants copied, texts and numbers byte by byte): a million records make
 * no string or buffer of their own. The W5 files (w5-xml.ts) write through it too.
 */
export class ChunkWriter {
  #buffer = newChunk(chunkBytes);
  #at = 0;
  readonly #out: Buffer[] = [];

  ascii(text: string): void {
    if (this.#at + text.length > this.#buffer.length) this.#spill(text.length);
    this.#at += this.#buffer.write(text, this.#at, 'latin1');
  }

  bytes(bytes: Uint8Array): void {
    if (this.#at + bytes.length > this.#buffer.length) this.#spill(bytes.length);
    this.#buffer.set(bytes, this.#at);
    this.#at += bytes.length;
  }

  /** Room for `need` more bytes, so that the unchecked writes below stay inside the buffer. */
  reserve(need: number): void {
    if (this.#at + need > this.#buffer.length) this.#spill(need);
  }

  /** Bytes (a short constant), after `reserve`: one copy (a native copy beats a byte loop even for 20 bytes). */
  put(bytes: Uint8Array): void {
    this.#buffer.set(bytes, this.#at);
    this.#at += bytes.length;
  }

  /** An ASCII text, unchecked: after `reserve`. */
  putText(text: string): void {
    const buffer = this.#buffer;
    let at = this.#at;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i) & 0xff;
    this.#at = at;
  }

  /** A non-negative integer in decimal, zero-padded to `width` digits (at least), unchecked. */
  putDigits(value: number, width: number): void {
    if (value <= 0x7fff_ffff && (value | 0) === value) {
      // A 31-bit integer (customer numbers, values): integer division, no floating point.
      let digits = 1;
      for (let v = value; v >= 10; v = (v / 10) | 0) digits++;
      const n = Math.max(width, digits);
      const buffer = this.#buffer;
      const at = this.#at;
      let v = value;
      for (let i = at + n - 1; i >= at; i--) {
        const q = (v / 10) | 0;
        buffer[i] = 0x30 + v - q * 10;
        v = q;
      }
      this.#at = at + n;
      return;
    }
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    const n = Math.max(width, digits);
    const buffer = this.#buffer;
    let v = value;
    for (let i = this.#at + n - 1; i >= this.#at; i--) {
      buffer[i] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
    this.#at += n;
  }

  #spill(need: number): void {
    if (this.#at > 0) this.#out.push(this.#buffer.subarray(0, this.#at));
    this.#buffer = newChunk(need);
    this.#at = 0;
  }

  /** The chunks filled so far (taken: the writer forgets them). */
  take(): Buffer[] {
    return this.#out.splice(0);
  }

  end(): Buffer[] {
    if (this.#at > 0) this.#out.push(this.#buffer.subarray(0, this.#at));
    // The last buffer now belongs to its chunk (which may be recycled): any later write starts a new one.
    this.#buffer = Buffer.alloc(0);
    this.#at = 0;
    return this.#out.splice(0);
  }
}

const nl = '\r\n';

/** Tenths of a kWh as the files write them: `12.3`. */
export function tenthsText(tenths: number): string {
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

export function yyyymmddHHMMSS(instant: Date): string {
  return new Date(instant.getTime() + 9 * 3_600_000).toISOString().replace(/\D/g, '').slice(0, 14);
}

const encodedNames = new Map<string, Buffer>();

/** The grid operator's name in the file's encoding, encoded once per area and encoding. */
export function encodedName(area: AreaCode, encoding: XmlEncoding): Buffer {
  const key = `${area}|${encoding}`;
  let bytes = encodedNames.get(key);
  if (!bytes) {
    const name = areaOf(area).gridOperatorName;
    bytes = encoding === 'UTF-8' ? Buffer.from(name, 'utf8') : iconv.encode(name, 'Shift_JIS');
    encodedNames.set(key, bytes);
  }
  return bytes;
}

function header(doc: W4Document): Buffer {
  const sender = gridSenderCode(doc.area);
  // ASCII but for the operator's name, which is spliced in already encoded.
  const [before, after] = headerText(doc, sender).split('\u0000') as [string, string];
  return Buffer.concat([Buffer.from(before, 'latin1'), encodedName(doc.area, doc.encoding), Buffer.from(after, 'latin1')]);
}

function headerText(doc: W4Document, sender: string): string {
  return (
    `<?xml version="1.0" encoding="${doc.encoding}"?>${nl}<SBD-MSG>${nl}<JPMGRP>${nl}<JPMGH>${nl}` +
    `<JPC03>0</JPC03>${nl}<JPC06>${sender}</JPC06>${nl}<JPC09>${doc.receiverCode}</JPC09>${nl}<JPC10>JP</JPC10>${nl}` +
    `<JPC11>${doc.kind.bp}01</JPC11>${nl}<JPC12>${doc.kind.infoCode}</JPC12>${nl}<JPC14>${yyyymmddHHMMSS(doc.createdAt)}</JPC14>${nl}` +
    `<JPC19>CII11</JPC19>${nl}<JPC21>${doc.section + 1 < doc.sections ? '1' : '0'}</JPC21>${nl}</JPMGH>${nl}<JPTRM>${nl}` +
    `<JP00002>${doc.kind.infoCode}</JP00002>${nl}<JP06110>${sender}</JP06110>${nl}<JP06111>\u0000</JP06111>${nl}` +
    `<JP06112>${doc.receiverCode}</JP06112>${nl}<JP06116>${doc.date.replaceAll('-', '')}</JP06116>${nl}` +
    (doc.slot === null ? '' : `<JP06219>${doc.slot}</JP06219>${nl}`) +
    `<JPM00010>${nl}`
  );
}

const trailer = `</JPM00010>${nl}</JPTRM>${nl}</JPMGRP>${nl}</SBD-MSG>${nl}`;

/** The most bytes one record takes: its fixed text, the IDs (22, 14, up to 16) and a value. */
const recordReserve = 512;

const ascii = (text: string) => Buffer.from(text, 'latin1');

/** The constant pieces of a record, as bytes. */
function recordPieces(open: string, valueTag: string) {
  return {
    open: ascii(`<${open}>${nl}<JP06400>`),
    customer: ascii(`</JP06400>${nl}<JP06119>`),
    meter: ascii(`</JP06119>${nl}<JP06121>`),
    // The end of the meter number with the status: one copy instead of two.
    missing: ascii(`</JP06121>${nl}<JP06122>1</JP06122>${nl}</${open}>${nl}`),
    value: ascii(`</JP06121>${nl}<JP06122>0</JP06122>${nl}<${valueTag}>`),
    close: ascii(`</${valueTag}>${nl}</${open}>${nl}`),
  };
}

type Pieces = ReturnType<typeof recordPieces>;

/**
 * The opening of a point's record up to its meter number (JP06400, JP06119 of 14 digits, JP06121's
 * text): everything but the status and value.
 */
function putRecordHead(w: ChunkWriter, p: Pieces, record: W4Record): void {
  w.put(p.open);
  w.putText(record.supplyPointId);
  w.put(p.customer);
  w.putDigits(record.customerId, 14);
  w.put(p.meter);
  w.putText(record.meterNumber);
}

/** The status and value (JP06122 "1" for a value not collected, else "0" and the kWh with one decimal), and the record's end. */
function putRecordTail(w: ChunkWriter, p: Pieces, tenths: number): void {
  if (tenths < 0) w.put(p.missing);
  else {
    w.put(p.value);
    w.putDigits(Math.floor(tenths / 10), 1);
    w.put(dot);
    w.putDigits(tenths % 10, 1);
    w.put(p.close);
  }
}

const dot = ascii('.');

/**
 * Records are written in batches by plain functions, the generator only handing out chunks between
 * them: V8 optimizes a plain function's loop while it runs (on-stack replacement), a generator's
 * only from its next call, so a section written by the generator itself ran unoptimized (and
 * allocated) for much of a first, cold file. A batch is also how often a streaming consumer may let
 * the event loop turn: after each, the generator yields the chunks filled, or an empty chunk if none
 * is full yet (a pause point: `paced` in w4-files.ts, so that zlib is handed its next chunk soon
 * after it finishes one; a consumer that only collects bytes may ignore it).
 */
const batchRecords = 256;
const pause = Buffer.alloc(0);

/** The same-day records [from, to): one time code, each record's value at `slotIndex`. */
function writeSlotRecords(w: ChunkWriter, p: Pieces, doc: W4Document, slotIndex: number, from: number, to: number): void {
  for (let r = from; r < to; r++) {
    const record = doc.records[r]!;
    w.reserve(recordReserve + record.supplyPointId.length + record.meterNumber.length);
    putRecordHead(w, p, record);
    putRecordTail(w, p, doc.values(record, r)[slotIndex]!);
  }
}

/** The daily file's records [from, to) of time code `slot + 1`, from the section's values (point-major, 48 each). */
function writeDailyRecords(w: ChunkWriter, p: Pieces, records: readonly W4Record[], all: Int32Array, slot: number, from: number, to: number): void {
  for (let r = from; r < to; r++) {
    const record = records[r]!;
    w.reserve(recordReserve + record.supplyPointId.length + record.meterNumber.length);
    putRecordHead(w, p, record);
    putRecordTail(w, p, all[r * slotsPerDay + slot]!);
  }
}

/** The chunks filled so far, or a pause point if none. */
function* batchEnd(w: ChunkWriter): Generator<Buffer> {
  const chunks = w.take();
  if (chunks.length === 0) yield pause;
  else yield* chunks;
}

/** The XML of one W4 file, chunk by chunk (each ~256 KiB), with empty chunks as pause points between batches. */
export function* w4Xml(doc: W4Document): Generator<Buffer> {
  const w = new ChunkWriter();
  w.bytes(header(doc));
  const valueTag = doc.kind.voltage === 'HV' ? 'JP06123' : 'JP06125';
  const n = doc.records.length;
  if (doc.slot !== null) {
    const p = recordPieces('JPMR00010', valueTag);
    for (let from = 0; from < n; from += batchRecords) {
      writeSlotRecords(w, p, doc, doc.slot - 1, from, Math.min(n, from + batchRecords));
      yield* batchEnd(w);
    }
  } else {
    // Daily: slot-major, so every point's 48 values are computed once, up front, for the section.
    const p = recordPieces('JPMR00011', valueTag);
    const all = new Int32Array(n * slotsPerDay);
    for (let r = 0; r < n; r++) all.set(doc.values(doc.records[r]!, r), r * slotsPerDay);
    for (let slot = 0; slot < slotsPerDay; slot++) {
      w.ascii(`<JPMR00010>${nl}<JP06219>${slot + 1}</JP06219>${nl}<JPM00011>${nl}`);
      for (let from = 0; from < n; from += batchRecords) {
        writeDailyRecords(w, p, doc.records, all, slot, from, Math.min(n, from + batchRecords));
        yield* batchEnd(w);
      }
      w.ascii(`</JPM00011>${nl}</JPMR00010>${nl}`);
    }
  }
  w.ascii(trailer);
  yield* w.end();
}
