import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditWriter } from './audit-writer.ts';

test('writes waiting records in batches of at most maxBatch and everything on stop', async () => {
  const batches: number[][] = [];
  const writer = new AuditWriter<number>({ write: async (e) => void batches.push(e), maxBatch: 3, flushIntervalMs: 60_000 });
  for (let i = 0; i < 7; i++) writer.add(i);
  await writer.stop();
  assert.deepEqual(batches.flat(), [0, 1, 2, 3, 4, 5, 6]);
  assert.ok(batches.every((b) => b.length <= 3));
});

test('keeps a batch the database refused and writes it once the database is back', async () => {
  let down = true;
  const written: string[] = [];
  const writer = new AuditWriter<string>({
    write: async (e) => {
      if (down) throw new Error('connection refused');
      written.push(...e);
    },
    flushIntervalMs: 60_000,
  });
  process.env.KIRIKAE_QUIET = '1';
  writer.add('a');
  writer.add('b');
  await writer.flush();
  assert.deepEqual(written, []);
  down = false;
  writer.add('c');
  await writer.stop();
  assert.deepEqual(written, ['a', 'b', 'c']);
});
