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
    receiverCode: 'A0033',
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
  const lv = sectionsOf(ppsKind('W41110')!, '03', 'A0033', date, 19, points(3000, 'LV'))[0]!;
  const hv = sectionsOf(ppsKind('W40120')!, '03', 'A0033', date, null, points(300, 'HV'))[0]!;
  const lvMissing = { ...defaultW4Settings, missingPerMille: 50 };
  const sha = async (section: typeof lv, settings = defaultW4Settings) => (await w4ZipBytes(section, 0, at, settings)).sha256;
  assert.deepEqual(
    { lv: await sha(lv), lvMissing: await sha(lv, lvMissing), hv: await sha(hv), utf8: await sha(lv, { ...defaultW4Settings, encoding: 'UTF-8' }) },
    {
      lv: 'bc7dcd0e6c2fed1df14220fc731062c4e13ed9d606a54af388039de88f259b50',
      lvMissing: 'd06a11c9413ee48f6c824ec1c6125571b0dd046a61d6b34ca64fda6d402fc9a5',
      hv: 'b6aeccc569038922d6e18fe5f91db045bd8750536d3ab6f37dffc53fe30b3f1e',
      utf8: '03a0e85ca04ea2c7e74d6f8211df65e98b3e88955f918834fcaa2b8cab7b823e',
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
  const section = sectionsOf(kind, '03', 'A0033', date, 19, points(30_000, 'LV'))[0]!;
  const xml = Buffer.concat([
    ...w4Xml({
      kind,
      area: '03',
      receiverCode: 'A0033',
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
