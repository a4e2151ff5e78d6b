import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { unzipSync } from 'fflate';
import { dosDateTime, SingleEntryZip } from './zip.ts';

async function zip(chunks: Buffer[], name = 'a.xml', at = new Date('2026-11-28T00:45:00+09:00'), bufferBytes?: number): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    new SingleEntryZip({ name, modifiedAt: at, ...(bufferBytes === undefined ? {} : { bufferBytes }) }),
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

test('an independent reader (fflate) gets back the one entry, its name and its bytes', async () => {
  const content = Buffer.from(`<?xml version="1.0"?>\r\n<a>${'x'.repeat(300_000)}</a>\r\n`);
  const bytes = await zip([content.subarray(0, 1000), content.subarray(1000)]);
  const entries = unzipSync(bytes);
  assert.deepEqual(Object.keys(entries), ['a.xml']);
  assert.ok(Buffer.from(entries['a.xml']!).equals(content));
  assert.ok(bytes.length < content.length / 50, 'compressed');
});

test('the same name, time and content give the same bytes, however the content is chunked', async () => {
  const content = Buffer.from('abc'.repeat(100_000));
  const a = await zip([content]);
  const b = await zip([content.subarray(0, 7), content.subarray(7, 70_000), content.subarray(70_000)]);
  assert.equal(createHash('sha256').update(a).digest('hex'), createHash('sha256').update(b).digest('hex'));
  const c = await zip([content], 'a.xml', new Date('2026-11-28T01:15:00+09:00'));
  assert.notDeepEqual(a, c, 'the entry time is part of the bytes');
});

test('an empty entry is a valid archive too', async () => {
  const entries = unzipSync(await zip([]));
  assert.equal(entries['a.xml']!.length, 0);
});

test('the DOS time is the time in Japan', () => {
  const { date, time } = dosDateTime(new Date('2026-11-27T15:45:10Z')); // 2026-11-28 00:45:10 JST
  assert.equal(date, ((2026 - 1980) << 9) | (11 << 5) | 28);
  assert.equal(time, (0 << 11) | (45 << 5) | 5);
});

test('a small entry compressed in one call and the same entry streamed give the same bytes', async () => {
  const content = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `<r>${(i * 7919) % 1000}</r>`).join('\r\n'));
  const whole = await zip([content]);
  const streamed = await zip([content.subarray(0, 1000), content.subarray(1000)], 'a.xml', undefined, 0);
  assert.ok(whole.equals(streamed));
  assert.ok(Buffer.from(unzipSync(streamed)['a.xml']!).equals(content));
});
