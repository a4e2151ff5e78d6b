/**
 * The bytes of W4 files never change from one version of kirikae to the next: a file evicted from
 * the cache is regenerated on download and must match the SHA-256 stored when it was made (B9). The
 * figures below were made before the allocation-free usage model and XML writer, and pin them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import type { IsoDate } from '../../domain/date.ts';
import { ppsKind } from '../../domain/pps-file.ts';
import { defaultW4Settings, entryName, sectionsOf, w4SlotValue, w4ZipBytes, type W4Point } from './w4-files.ts';
import { w4Xml } from './w4-xml.ts';

const kinds = ['household', 'shop', 'office', 'factory', 'solar'] as const;

function points(n: number, voltageClass: string): W4Point[] {
  return Array.from({ length: n }, (_, i) => ({
    receiverCode: '10033',
    supplyPointId: `0313${String(i * 13).padStart(16, '0')}10`,
    customerId: i * 977 + 1,
    meterNumber: i % 3 === 0 ? `9${String(i).padStart(15, '0')}` : `1${String(i).padStart(9, '0')}`,
    voltageClass,
    profileKind: kinds[i % kinds.length]!,
    dailyWh: 1_000 + (i % 97) * 1_500,
    seed: i * 31,
  }));
}

test('the same inputs give the bytes they always gave: LV same-day, HV daily, with values not collected', async () => {
  const date = '2026-11-28' as IsoDate;
  const at = new Date('2026-11-28T09:45:00+09:00');
  const lv = sectionsOf(ppsKind('W41110')!, '03', '10033', date, 19, points(3000, 'LV'))[0]!;
  const hv = sectionsOf(ppsKind('W40120')!, '03', '10033', date, null, points(300, 'HV'))[0]!;
  const lvMissing = { ...defaultW4Settings, missingPerMille: 50 };
  const sha = async (section: typeof lv, settings = defaultW4Settings) => (await w4ZipBytes(section, 0, at, settings)).sha256;
  // The bytes carry the receiver code: these were regenerated from the code when demo codes became numeric (issue 16).
  assert.deepEqual(
    { lv: await sha(lv), lvMissing: await sha(lv, lvMissing), hv: await sha(hv), utf8: await sha(lv, { ...defaultW4Settings, encoding: 'UTF-8' }) },
    {
      lv: '9fd09afd146b983eaa37496a21d38508bd90933e495492e3f515d7866d1246d6',
      lvMissing: '8a42a63c891d6b5560539af6689cd635bdeedb15d43665c1141c4b5bda63957a',
      hv: 'd52d622612328feef20085432708fd0f8027eb4cc90b0c0d5060954d650ff8f6',
      utf8: 'f141fdebc16c1d3427a2d03c8820565dc4ec6f11fcfd8bc5b9e5ee3ca6426132',
    },
  );
});

test('a section large enough to stream (chunk buffers reused as deflate consumes them) holds exactly its XML, every time', async () => {
  // 30,000 LV points: ~5 MB of XML in ~20 chunks, past the 1 MiB held in memory, so the chunks go
  // through the deflate stream and come back to be refilled. A buffer refilled too early would
  // change the archive's bytes or its XML.
  const date = '2026-11-28' as IsoDate;
  const at = new Date('2026-11-28T09:45:00+09:00');
  const kind = ppsKind('W41110')!;
  const section = sectionsOf(kind, '03', '10033', date, 19, points(30_000, 'LV'))[0]!;
  const xml = Buffer.concat([
    ...w4Xml({
      kind,
      area: '03',
      receiverCode: '10033',
      date,
      slot: 19,
      section: 0,
      sections: 1,
      createdAt: at,
      encoding: 'Shift_JIS',
      records: section.points,
      values: (record) => {
        const values = new Int32Array(48);
        values[18] = w4SlotValue(record as W4Point, date, 19, 'LV', defaultW4Settings);
        return values;
      },
    }),
  ]);
  assert.ok(xml.length > 4_000_000, `streamed, not held: ${xml.length} bytes`);
  const first = await w4ZipBytes(section, 0, at, defaultW4Settings);
  const second = await w4ZipBytes(section, 0, at, defaultW4Settings);
  assert.equal(second.sha256, first.sha256, 'the second file (made with reused buffers) is the same bytes');
  assert.equal(createHash('sha256').update(first.bytes).digest('hex'), first.sha256);
  const entries = unzipSync(first.bytes);
  assert.deepEqual(Object.keys(entries), [entryName(first.name)]);
  assert.ok(Buffer.from(entries[entryName(first.name)]!).equals(xml), 'the entry is the XML written in one piece');
});
