/**
 * The retailer's client for a grid's data provision site (データ提供サイト, HALFHOURLY.md B8/B12):
 * list the files, download one (resuming a partial download with Range, checking size and SHA-256),
 * and `parseW4` / `parseW5`, reference parsers that turn a W4 or W5 file (ZIP of one SBD-MSG XML) into typed records.
 *
 *   const site = new PpsClient({ baseUrl: 'https://localhost:8443/grid/03/PPS/', certPem, keyPem, caPem });
 *   const { files } = await site.list();                      // the JSON twin, every page
 *   const zip = await site.download(files[0].name);           // bytes, checked against size and sha256
 *   const w4 = parseW4(zip);                                  // { kind, date, slot, records: [...] }
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { finished } from 'node:stream/promises';
import { XMLParser } from 'fast-xml-parser';
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';

export { CsvReportError, parseCsvReport, type CsvReport, type GenshiwakeRow, type KeiyakukwRow, type SeigenchushiRow } from './csv-report.ts';

/** The folder of the site a file is downloaded from: `report/` for a CSV report, `30min/` otherwise. */
export function receiverDir(name: string): string {
  return name.startsWith('STD_') ? 'report/' : '30min/';
}

export interface PpsClientOptions {
  /** The site, e.g. `https://localhost:8443/grid/03/PPS/` (in the hub's process) or a grid server's. */
  readonly baseUrl: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
  readonly timeoutMs?: number;
}

/** A file as the JSON list describes it. */
export interface PpsFileInfo {
  readonly name: string;
  readonly kind: string;
  readonly infoCode: string;
  readonly target: string;
  readonly slot: number | null;
  readonly revision: number;
  readonly section: number;
  readonly sections: number;
  readonly points: number;
  readonly size: number;
  readonly sha256: string;
  readonly availableAt: string;
  readonly deadlineAt: string;
  readonly supersededBy?: string;
}

export class PpsHttpError extends Error {
  readonly status: number;
  readonly body: string;

  constructor(status: number, body: string) {
    super(
      `the site answered HTTP ${status}: ${body
        .replace(/<[^>]+>/g, ' ')
        .trim()
        .slice(0, 300)}`,
    );
    this.name = 'PpsHttpError';
    this.status = status;
    this.body = body;
  }
}

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export class PpsClient {
  readonly #base: URL;
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(options: PpsClientOptions) {
    this.#base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.#agent = new Agent({ cert: options.certPem, key: options.keyPem, ca: options.caPem, keepAlive: true, minVersion: 'TLSv1.2' });
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  close(): void {
    this.#agent.destroy();
  }

  /** Every file after `cursor` (all pages), in the order the site wrote them, with the cursor to resume from. */
  async list(options: { kind?: string; from?: string; to?: string; cursor?: string } = {}): Promise<{ files: PpsFileInfo[]; cursor: string }> {
    const files: PpsFileInfo[] = [];
    let cursor = options.cursor ?? '0';
    for (;;) {
      const query = new URLSearchParams({
        cursor,
        ...(options.kind ? { kind: options.kind } : {}),
        ...(options.from ? { from: options.from } : {}),
        ...(options.to ? { to: options.to } : {}),
      });
      const response = await this.#get(`v1/files?${query}`);
      if (response.status !== 200) throw new PpsHttpError(response.status, response.body.toString('utf8'));
      const page = JSON.parse(response.body.toString('utf8')) as { files: PpsFileInfo[]; nextCursor: string };
      files.push(...page.files);
      if (page.nextCursor === cursor) return { files, cursor };
      cursor = page.nextCursor;
    }
  }

  /**
   * The FileListReceiver list (the public clients' way): names and sizes from its `<comment>`; of the
   * half-hourly files (`30min`, default) or of the standard CSV reports (`report`).
   */
  async listReceiver(folder: '30min' | 'report' = '30min'): Promise<{ name: string; size: number }[]> {
    const response = await this.#get(`${folder}/FileListReceiver`);
    if (response.status !== 200) throw new PpsHttpError(response.status, iconv.decode(response.body, 'Shift_JIS'));
    return parseFileListComment(iconv.decode(response.body, 'Shift_JIS'));
  }

  /** One file's bytes, checked against `expected` size and SHA-256 when given. */
  async download(name: string, expected?: { size: number; sha256: string }): Promise<Buffer> {
    const response = await this.#get(`${receiverDir(name)}FileReceiver?${new URLSearchParams({ file: name })}`);
    if (response.status !== 200) throw new PpsHttpError(response.status, response.body.toString('utf8'));
    if (expected) checkBytes(name, response.body, expected);
    return response.body;
  }

  /**
   * Downloads into `path`, resuming from what a previous, interrupted run left there (Range, with
   * If-Range so a changed file starts over), then checks size and SHA-256 of the whole. `onProgress`
   * is told the bytes held so far.
   */
  async downloadTo(path: string, expected: { size: number; sha256: string }, name: string, onProgress?: (held: number, size: number) => void): Promise<void> {
    const held = existsSync(path) ? statSync(path).size : 0;
    if (held > expected.size) throw new Error(`${path} is larger than ${name} (${held} > ${expected.size} bytes)`);
    if (held < expected.size) {
      const headers: Record<string, string> = held > 0 ? { range: `bytes=${held}-`, 'if-range': `"${expected.sha256}"` } : {};
      await new Promise<void>((resolve, reject) => {
        const req = request(
          new URL(`${receiverDir(name)}FileReceiver?${new URLSearchParams({ file: name })}`, this.#base),
          { agent: this.#agent, headers, timeout: this.#timeoutMs },
          (res) => {
            if (res.statusCode !== 200 && res.statusCode !== 206) {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => reject(new PpsHttpError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
              return;
            }
            const append = res.statusCode === 206;
            const out = createWriteStream(path, { flags: append ? 'a' : 'w' });
            let count = append ? held : 0;
            res.on('data', (c: Buffer) => {
              count += c.length;
              onProgress?.(count, expected.size);
            });
            res.pipe(out);
            finished(out).then(resolve, reject);
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer from ${this.#base.host} within ${this.#timeoutMs} ms`)));
        req.on('error', reject);
        req.end();
      });
    }
    const { readFileSync } = await import('node:fs');
    checkBytes(name, readFileSync(path), expected);
  }

  #get(path: string): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.#base), { agent: this.#agent, timeout: this.#timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${this.#base.host} within ${this.#timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }
}

export class PpsIntegrityError extends Error {}

function checkBytes(name: string, bytes: Buffer, expected: { size: number; sha256: string }): void {
  if (bytes.length !== expected.size) throw new PpsIntegrityError(`${name}: ${bytes.length} bytes, the list says ${expected.size}`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== expected.sha256) throw new PpsIntegrityError(`${name}: SHA-256 ${sha256}, the list says ${expected.sha256}`);
}

/** Names and sizes of a FileListReceiver page's `<comment>rfilename1:"…",rfilesize1:"…",…</comment>`. */
export function parseFileListComment(page: string): { name: string; size: number }[] {
  const comment = /<comment>([\s\S]*?)<\/comment>/.exec(page)?.[1] ?? '';
  const names = new Map<number, string>();
  const sizes = new Map<number, number>();
  for (const m of comment.matchAll(/rfile(name|size)(\d+):"([^"]*)"/g)) {
    if (m[1] === 'name') names.set(Number(m[2]), m[3]!);
    else sizes.set(Number(m[2]), Number(m[3]));
  }
  return [...names.entries()].sort((a, b) => a[0] - b[0]).map(([i, name]) => ({ name, size: sizes.get(i) ?? -1 }));
}

/** One point's value of one half-hour; `kWh` null when not collected (status ≠ "0"). */
export interface W4Value {
  readonly supplyPointId: string;
  readonly customerNumber: string;
  readonly customerName?: string;
  readonly meterNumber: string;
  readonly slot: number;
  readonly status: string;
  readonly kWh: number | null;
}

export interface W4File {
  readonly entryName: string;
  readonly encoding: string;
  readonly infoCode: string;
  readonly senderCode: string;
  readonly senderName: string;
  readonly receiverCode: string;
  /** yyyy-mm-dd */
  readonly date: string;
  /** The time code of a same-day file; null for a daily one. */
  readonly slot: number | null;
  /** JPC21: more sections follow. */
  readonly moreSections: boolean;
  readonly values: W4Value[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name) => name === 'JPMR00010' || name === 'JPMR00011',
  processEntities: false,
});

/**
 * Reads a W4 file (30分電力量): a ZIP of one XML, Shift_JIS or UTF-8 by its declaration. Same-day and
 * daily files both come out as one value per point and half-hour.
 */
export function parseW4(zip: Uint8Array): W4File {
  const entries = Object.entries(unzipSync(zip));
  if (entries.length !== 1) throw new Error(`a W4 file holds one XML entry, this one ${entries.length}`);
  const [entryName, bytes] = entries[0]!;
  const head = Buffer.from(bytes.subarray(0, 100)).toString('latin1');
  const encoding = /encoding="([^"]+)"/.exec(head)?.[1] ?? 'UTF-8';
  const text = iconv.decode(Buffer.from(bytes), encoding);
  // biome-ignore lint/suspicious/noExplicitAny: the parsed tree is checked element by element below
  const doc = parser.parse(text) as any;
  const group = doc['SBD-MSG'].JPMGRP;
  const trm = group.JPTRM;
  const date = String(trm.JP06116);
  const slot = trm.JP06219 === undefined ? null : Number(trm.JP06219);
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JPMR00010/JPMR00011 record
  const value = (r: any, s: number): W4Value => {
    const kwh = r.JP06123 ?? r.JP06125;
    return {
      supplyPointId: String(r.JP06400),
      customerNumber: String(r.JP06119),
      ...(r.JP06120 === undefined ? {} : { customerName: String(r.JP06120) }),
      meterNumber: String(r.JP06121),
      slot: s,
      status: String(r.JP06122),
      kWh: String(r.JP06122) === '0' && kwh !== undefined ? Number(kwh) : null,
    };
  };
  const values: W4Value[] = [];
  const list = trm.JPM00010 === '' ? {} : trm.JPM00010;
  if (slot !== null) for (const r of list.JPMR00010 ?? []) values.push(value(r, slot));
  else
    for (const group of list.JPMR00010 ?? []) {
      const s = Number(group.JP06219);
      const inner = group.JPM00011 === '' ? {} : group.JPM00011;
      for (const r of inner.JPMR00011 ?? []) values.push(value(r, s));
    }
  return {
    entryName,
    encoding,
    infoCode: String(trm.JP00002),
    senderCode: String(trm.JP06110),
    senderName: String(trm.JP06111),
    receiverCode: String(trm.JP06112),
    date: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`,
    slot,
    moreSections: String(group.JPMGH.JPC21) === '1',
    values,
  };
}

/** One day of a W5 usage record: the 48 half-hours' kWh (全量; 仕訳後 is the same in kirikae, 仕訳コード 1). */
export interface W5Day {
  /** yyyy-mm-dd (JP06423) */
  readonly date: string;
  readonly kWh: number[];
  readonly allocatedKWh: number[];
}

/** A point's record in a 月間確定使用量 (x210/x220) or 臨時検針他 (x410/x420) file. */
export interface W5UsageRecord {
  readonly supplyPointId: string;
  readonly customerNumber: string;
  readonly customerName?: string;
  readonly address: string;
  readonly voltageName: string;
  readonly allocationCode: string;
  /** JP06405: "0" provided; "1" not, and nothing more is given. */
  readonly provided: string;
  readonly powerFactor: number | null;
  /** JP06407: "1" 30分計量 (days given), "2" 月間計量 (totals only). */
  readonly meterKind: string | null;
  readonly totalKWh: number | null;
  readonly allocatedTotalKWh: number | null;
  readonly maxDemandKw: number | null;
  readonly nextReadingDay: string | null;
  /** 臨時検針他: KR_READING_CAUSE (1 switch, 2 move-in, 3 move-out, 9 other) and KR_READING_DATE. */
  readonly readingCause: string | null;
  readonly readingDate: string | null;
  /** KR_METER_EXCHANGE_DATE: the meter was exchanged in the period. */
  readonly meterExchangeDate: string | null;
  readonly days: W5Day[];
}

/** A record of a 計量器取替 file (x310/x320). */
export interface W5ExchangeRecord {
  readonly supplyPointId: string;
  readonly customerNumber: string;
  readonly date: string;
  readonly slot: number;
  readonly oldMeter: string;
  readonly oldFinalReading: number;
  readonly newMeter: string;
  readonly newInitialReading: number;
  readonly multiplier: number;
  readonly oldMeterKWhInPeriod: number;
}

interface W5Common {
  readonly entryName: string;
  readonly encoding: string;
  readonly senderCode: string;
  readonly senderName: string;
  readonly receiverCode: string;
  /** JP06401 対象年月, yyyy-mm. */
  readonly month: string;
  readonly moreSections: boolean;
}

export type W5File =
  | (W5Common & { readonly content: 'monthly' | 'special'; readonly infoCode: string; readonly records: W5UsageRecord[] })
  | (W5Common & { readonly content: 'exchange'; readonly infoCode: string; readonly records: W5ExchangeRecord[] });

const w5Parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name) => name === 'JPMR00010' || name === 'JPMR00013' || name === 'JPMR00014',
  processEntities: true,
});

const isoOf = (yyyymmdd: unknown) => {
  const t = String(yyyymmdd);
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}`;
};
const numberOrNull = (v: unknown) => (v === undefined ? null : Number(v));
const textOrNull = (v: unknown) => (v === undefined ? null : String(v));

/**
 * Reads a W5 file (確定使用量の通知): 月間確定使用量, 計量器取替 or 臨時検針他, by its 情報区分コード. A
 * ZIP of one XML, Shift_JIS or UTF-8 by its declaration.
 */
export function parseW5(zip: Uint8Array): W5File {
  const entries = Object.entries(unzipSync(zip));
  if (entries.length !== 1) throw new Error(`a W5 file holds one XML entry, this one ${entries.length}`);
  const [entryName, bytes] = entries[0]!;
  const head = Buffer.from(bytes.subarray(0, 100)).toString('latin1');
  const encoding = /encoding="([^"]+)"/.exec(head)?.[1] ?? 'UTF-8';
  // biome-ignore lint/suspicious/noExplicitAny: the parsed tree is checked element by element below
  const doc = w5Parser.parse(iconv.decode(Buffer.from(bytes), encoding)) as any;
  const group = doc['SBD-MSG'].JPMGRP;
  const trm = group.JPTRM;
  const infoCode = String(trm.JP00002);
  if (!/^1[234][12]0$/.test(infoCode)) throw new Error(`not a W5 file: 情報区分コード ${infoCode}`);
  const month = String(trm.JP06401);
  const common: W5Common = {
    entryName,
    encoding,
    senderCode: String(trm.JP06110),
    senderName: String(trm.JP06111),
    receiverCode: String(trm.JP06112),
    month: `${month.slice(0, 4)}-${month.slice(4, 6)}`,
    moreSections: String(group.JPMGH.JPC21) === '1',
  };
  const list = trm.JPM00010 === '' ? {} : trm.JPM00010;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JPMR00010 records
  const records: any[] = list.JPMR00010 ?? [];
  if (infoCode.startsWith('13')) {
    return {
      ...common,
      content: 'exchange',
      infoCode,
      records: records.map((r) => ({
        supplyPointId: String(r.JP06400),
        customerNumber: String(r.JP06119),
        date: isoOf(r.KR_EXCHANGE_DATE),
        slot: Number(r.KR_EXCHANGE_SLOT),
        oldMeter: String(r.KR_OLD_METER),
        oldFinalReading: Number(r.KR_OLD_FINAL_READING),
        newMeter: String(r.KR_NEW_METER),
        newInitialReading: Number(r.KR_NEW_INITIAL_READING),
        multiplier: Number(r.KR_MULTIPLIER),
        oldMeterKWhInPeriod: Number(r.KR_OLD_METER_KWH_IN_PERIOD),
      })),
    };
  }
  return {
    ...common,
    content: infoCode.startsWith('12') ? 'monthly' : 'special',
    infoCode,
    records: records.map((r): W5UsageRecord => {
      const daysList = r.JPM00013 === undefined || r.JPM00013 === '' ? {} : r.JPM00013;
      // biome-ignore lint/suspicious/noExplicitAny: parsed JPMR00013 records
      const days: W5Day[] = (daysList.JPMR00013 ?? []).map((d: any) => {
        const slots = d.JPM00014 === '' ? {} : d.JPM00014;
        const kWh: number[] = [];
        const allocatedKWh: number[] = [];
        for (const s of slots.JPMR00014 ?? []) {
          kWh[Number(s.JP06219) - 1] = Number(s.JP06424);
          allocatedKWh[Number(s.JP06219) - 1] = Number(s.JP06425);
        }
        return { date: isoOf(d.JP06423), kWh, allocatedKWh };
      });
      return {
        supplyPointId: String(r.JP06400),
        customerNumber: String(r.JP06119),
        ...(r.JP06120 === undefined ? {} : { customerName: String(r.JP06120) }),
        address: String(r.JP06402 ?? ''),
        voltageName: String(r.JP06403 ?? ''),
        allocationCode: String(r.JP06404 ?? ''),
        provided: String(r.JP06405 ?? ''),
        powerFactor: numberOrNull(r.JP06406),
        meterKind: textOrNull(r.JP06407),
        totalKWh: numberOrNull(r.JP06426),
        allocatedTotalKWh: numberOrNull(r.JP06427),
        maxDemandKw: numberOrNull(r.JP06445),
        nextReadingDay: r.JP06446 === undefined ? null : isoOf(r.JP06446),
        readingCause: textOrNull(r.KR_READING_CAUSE),
        readingDate: r.KR_READING_DATE === undefined ? null : isoOf(r.KR_READING_DATE),
        meterExchangeDate: r.KR_METER_EXCHANGE_DATE === undefined ? null : isoOf(r.KR_METER_EXCHANGE_DATE),
        days,
      };
    }),
  };
}
