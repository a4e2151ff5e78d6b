import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from './journal.ts';

process.env.KIRIKAE_QUIET = '1';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kirikae-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('lines are read back with their positions, across segments, from any line’s end', (t) => {
  const dir = tempDir(t);
  const journal = Journal.create(dir, { segmentBytes: 64 });
  const ends = Array.from({ length: 20 }, (_, i) => journal.append(`{"n":${i},"text":"日本語"}`)!);
  assert.ok(journal.segmentCount > 3);
  assert.equal(ends.at(-1), journal.position);
  const all = journal.read(0, 100);
  assert.deepEqual(
    all.lines.map((line) => JSON.parse(line.text).n),
    Array.from({ length: 20 }, (_, i) => i),
  );
  assert.deepEqual(
    all.lines.map((line) => line.end),
    ends,
  );
  assert.equal(all.next, journal.position);
  const some = journal.read(ends[6]!, 5);
  assert.deepEqual(
    some.lines.map((line) => JSON.parse(line.text).n),
    [7, 8, 9, 10, 11],
  );
  assert.equal(some.next, ends[11]);
  journal.release(ends[11]!);
  assert.deepEqual(
    journal.read(ends[11]!, 100).lines.map((line) => JSON.parse(line.text).n),
    [12, 13, 14, 15, 16, 17, 18, 19],
    'what is after the position survives the release',
  );
  assert.throws(() => journal.read(0, 1), /no segment at position 0/, 'released segments are gone');
  journal.remove();
});

test('a journal whose process holds it is no orphan; once closed it is, and its last line cut short is skipped', (t) => {
  const dir = tempDir(t);
  const journal = Journal.create(dir);
  journal.append('{"n":1}');
  journal.append('{"n":2}');
  assert.deepEqual(Journal.orphans(dir), [], 'held by this process');
  journal.close();
  // A crash in the middle of a write: the line has no newline.
  const [segment] = readdirSync(journal.dir);
  appendFileSync(join(journal.dir, segment!), '{"n":3,"tr');
  const [orphan] = Journal.orphans(dir);
  assert.ok(orphan);
  assert.equal(orphan.position, statSync(join(journal.dir, segment!)).size);
  const read = orphan.read(0, 100);
  assert.deepEqual(
    read.lines.map((line) => line.text),
    ['{"n":1}', '{"n":2}'],
  );
  assert.equal(read.next, orphan.position, 'the cut line is passed over');
  assert.deepEqual(Journal.orphans(dir), [], 'taken by the first that found it');
  orphan.remove();
  assert.deepEqual(readdirSync(dir), []);
  mkdirSync(join(dir, 'notes'));
  assert.deepEqual(Journal.orphans(dir), [], 'a folder not named as a journal is no journal');
  assert.deepEqual(readdirSync(dir), ['notes'], 'and is left alone');
});

test('an orphan is read only to its end, and cannot be written', (t) => {
  const dir = tempDir(t);
  const journal = Journal.create(dir, { segmentBytes: 16 });
  for (let i = 0; i < 5; i++) journal.append(`line ${i}`);
  journal.close();
  const [orphan] = Journal.orphans(dir);
  assert.throws(() => orphan!.append('more'), /not this process's to write/);
  assert.equal(orphan!.read(0, 100).lines.length, 5);
  orphan!.remove();
});
