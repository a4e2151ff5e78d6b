import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../platform/journal.ts';
import { AuditWriter, type AuditWriterOptions } from './audit-writer.ts';

process.env.KIRIKAE_QUIET = '1';

/**
 * A table and its journal positions, written together as one statement writes them (or refused
 * whole while `down`), and the journal folder the writer's journal lives in.
 */
function database<E>() {
  const state = { rows: [] as E[], position: 0, down: false, statements: 0, loseAnswers: false };
  const write = async (entries: E[], upTo: number | undefined) => {
    if (state.down) throw new Error('connection refused');
    state.statements++;
    state.rows.push(...entries);
    if (upTo !== undefined) state.position = Math.max(state.position, upTo);
    if (state.loseAnswers) throw new Error('connection lost after commit');
  };
  return { state, write, recorded: async () => state.position };
}

function writerOn<E>(dir: string, db: ReturnType<typeof database<E>>, options: Partial<AuditWriterOptions<E>> = {}) {
  const journal = Journal.create(dir, { segmentBytes: 4096 });
  const writer = new AuditWriter<E>({
    journal,
    write: db.write,
    recorded: db.recorded,
    decode: (line) => JSON.parse(line) as E,
    flushIntervalMs: 60_000,
    ...options,
  });
  return { journal, writer };
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kirikae-audit-writer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('writes waiting records in batches of at most maxBatch, everything on stop, then deletes its journal', async (t) => {
  const dir = tempDir(t);
  const db = database<number>();
  const { journal, writer } = writerOn(dir, db, { maxBatch: 3 });
  for (let i = 0; i < 7; i++) writer.add(i);
  assert.ok(existsSync(journal.dir), 'the records are in the journal before any is written');
  await writer.stop();
  assert.deepEqual(db.state.rows, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(db.state.statements, 3, 'batches of 3, 3 and 1');
  assert.equal(db.state.position, journal.position, 'the last batch recorded the journal’s end');
  assert.deepEqual(readdirSync(dir), [], 'the journal and its lock are gone');
});

test('keeps a batch the database refused and writes it once the database is back', async (t) => {
  const db = database<string>();
  const { writer } = writerOn(tempDir(t), db);
  db.state.down = true;
  writer.add('a');
  writer.add('b');
  await writer.flush();
  assert.deepEqual(db.state.rows, []);
  db.state.down = false;
  writer.add('c');
  await writer.stop();
  assert.deepEqual(db.state.rows, ['a', 'b', 'c']);
});

test('a batch the database took but whose answer was lost is not written again', async (t) => {
  const db = database<string>();
  const { writer } = writerOn(tempDir(t), db);
  writer.add('a');
  writer.add('b');
  db.state.loseAnswers = true;
  await writer.flush(); // committed, but the writer saw an error
  db.state.loseAnswers = false;
  writer.add('c');
  await writer.stop();
  assert.deepEqual(db.state.rows, ['a', 'b', 'c']);
});

test('while the database is away beyond the memory bound nothing is dropped: the rest waits in the journal and comes back in order, once each', async (t) => {
  const dir = tempDir(t);
  const db = database<number>();
  const { journal, writer } = writerOn(dir, db, { maxBatch: 50, maxInMemory: 100 });
  db.state.down = true;
  for (let i = 0; i < 3_000; i++) {
    writer.add(i);
    if (i % 97 === 0) await writer.flush(); // the timer's flushes, all refused
  }
  assert.equal(writer.inMemory, 100, 'memory holds the bound, no more');
  assert.ok(writer.spilled);
  assert.ok(journal.segmentCount > 1, 'the journal rolled past 4 KiB segments');
  db.state.down = false;
  for (let i = 3_000; i < 3_010; i++) writer.add(i);
  await writer.flush();
  assert.deepEqual(
    db.state.rows,
    Array.from({ length: 3_010 }, (_, i) => i),
  );
  assert.equal(writer.spilled, false);
  assert.equal(writer.inMemory, 0);
  assert.equal(journal.segmentCount, 1, 'segments wholly written are deleted');
  writer.add(3_010); // back to memory
  assert.equal(writer.inMemory, 1);
  await writer.stop();
  assert.equal(db.state.rows.length, 3_011);
  assert.deepEqual(readdirSync(dir), []);
});

test('segments are rolled past their size and deleted once every record in them is written', async (t) => {
  const dir = tempDir(t);
  const db = database<{ n: number; pad: string }>();
  const { journal, writer } = writerOn(dir, db, { maxBatch: 10 });
  const pad = 'x'.repeat(300);
  for (let n = 0; n < 40; n++) writer.add({ n, pad }); // ~12 KiB: three segments of 4 KiB at least
  const segments = readdirSync(journal.dir).filter((name) => name.endsWith('.jsonl'));
  assert.ok(segments.length >= 3, segments.join(' '));
  await writer.flush();
  assert.deepEqual(
    readdirSync(journal.dir).filter((name) => name.endsWith('.jsonl')),
    [segments.at(-1)],
    'only the segment being written is left',
  );
  assert.equal(db.state.rows.length, 40);
  await writer.stop();
});

test('a stop while the database is away leaves the journal for the next start', async (t) => {
  const dir = tempDir(t);
  const db = database<string>();
  const { journal, writer } = writerOn(dir, db);
  db.state.down = true;
  writer.add('a');
  await writer.stop();
  assert.ok(existsSync(journal.dir));
  const [orphan] = Journal.orphans(dir);
  assert.equal(orphan?.id, journal.id, 'its lock is free: the next start takes it over');
  assert.deepEqual(
    orphan.read(0, 10).lines.map((line) => line.text),
    ['"a"'],
  );
  orphan.remove();
});

test('its backlog tells what waits for the database: records, journal bytes and the oldest record’s age, also beyond the memory bound, and nothing once written', async (t) => {
  const db = database<number>();
  const { journal, writer } = writerOn(tempDir(t), db, { maxBatch: 50, maxInMemory: 100 });
  assert.deepEqual(writer.backlog(), { records: 0, journalBytes: 0, oldestSeconds: 0 });
  db.state.down = true;
  const first = Date.now();
  for (let i = 0; i < 250; i++) writer.add(i);
  await writer.flush(); // refused
  const waiting = writer.backlog(first + 90_000);
  assert.equal(waiting.records, 250, '100 in memory and 150 in the journal only');
  assert.equal(waiting.journalBytes, journal.position);
  assert.ok(waiting.oldestSeconds >= 89 && waiting.oldestSeconds <= 91, `${waiting.oldestSeconds} s`);
  db.state.down = false;
  await writer.flush();
  assert.equal(db.state.rows.length, 250);
  assert.deepEqual(writer.backlog(), { records: 0, journalBytes: 0, oldestSeconds: 0 });
  writer.add(250);
  assert.equal(writer.backlog().records, 1);
  assert.ok(writer.backlog().journalBytes > 0);
  await writer.stop();
});
