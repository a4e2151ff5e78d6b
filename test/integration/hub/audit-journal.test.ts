/**
 * The audit journal against a real database: a hub process's records reach `hub.audit_log` exactly
 * once, in order, whether the process is killed (its journal read back at the next start from the
 * position recorded with each batch) or the database refuses batches for longer than memory holds.
 * (A real `kirikae start` killed with SIGKILL: test/system/audit-journal.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachBackend } from '../../support/backends.ts';
import { migrateHub } from '../../../src/hub/identity/testing.ts';
import type { AuditEntry } from '../../../src/hub/audit/audit.ts';
import { decodeAuditEntry, replayAuditJournals, startAuditWriter } from '../../../src/hub/audit/audit-journal.ts';
import { auditJournalPosition, recordAuditUpTo } from '../../../src/hub/audit/audit.repository.ts';
import { AuditWriter } from '../../../src/hub/http/audit-writer.ts';
import type { Db } from '../../../src/platform/db/db.ts';
import { Journal } from '../../../src/platform/journal.ts';

process.env.KIRIKAE_QUIET = '1';

const t0 = new Date('2026-04-01T00:00:00Z');

function entry(n: number): AuditEntry {
  return {
    at: new Date(t0.getTime() + n),
    companyCode: '1003',
    userId: null,
    fingerprint256: 'a'.repeat(64),
    sourceAddress: '203.0.113.7',
    channel: 'api',
    action: 'IF_10110',
    supplyPointIds: [`03${String(n).padStart(20, '0')}`],
    result: n % 3 === 0 ? 'SPID_NOT_FOUND' : 'OK',
    requestId: `r${n}`,
  };
}

/** The request IDs in the table, in the order they were inserted. */
async function recorded(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ request_id: string }>('SELECT request_id FROM hub.audit_log ORDER BY audit_id');
  return rows.map((row) => row.request_id);
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `r${from + i}`);

function journalDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kirikae-audit-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A hub's writer as startAuditWriter makes it, with the database's batches passing through `around`. */
function writerOn(db: Db, dir: string, around: (insert: () => Promise<void>) => Promise<void>, options: { maxBatch?: number; maxInMemory?: number } = {}) {
  const journal = Journal.create(dir, { segmentBytes: 8 * 1024 });
  const writer: AuditWriter<AuditEntry> = new AuditWriter<AuditEntry>({
    ...options,
    journal,
    write: (entries, upTo) => around(() => recordAuditUpTo(db, entries, { journalId: journal.id, position: upTo ?? 0 })),
    decode: decodeAuditEntry,
    recorded: () => auditJournalPosition(db, journal.id),
    flushIntervalMs: 60_000,
  });
  return { journal, writer };
}

forEachBackend('audit journal', (backend) => {
  test('a process killed with records not yet inserted: the next start inserts exactly those, in order, before serving', async (t) => {
    await using db = await backend.open();
    await migrateHub(db);
    const dir = journalDir(t);
    const { journal, writer } = writerOn(db, dir, (insert) => insert());
    for (let n = 0; n < 5; n++) writer.add(entry(n));
    await writer.flush();
    for (let n = 5; n < 8; n++) writer.add(entry(n));
    writer.abandon(); // killed: three records in the journal only
    assert.deepEqual(await recorded(db), ids(0, 5));

    const next = await startAuditWriter(db, dir);
    assert.deepEqual(await recorded(db), ids(0, 8), 'read back before the writer is handed out');
    const restored = (await db.query<AuditEntry & { supply_point_ids: string[]; at: Date }>('SELECT * FROM hub.audit_log WHERE request_id = $1', ['r6']))
      .rows[0]!;
    assert.deepEqual([restored.at, restored.supply_point_ids], [entry(6).at, entry(6).supplyPointIds]);
    assert.equal(existsSync(journal.dir), false, 'the ended process’s journal is deleted');
    assert.equal(await auditJournalPosition(db, journal.id), 0, 'and forgotten');
    await next.stop();
    assert.deepEqual(readdirSync(dir), []);
  });

  test('killed right after a batch was inserted, before anything else: nothing is inserted twice (the position is in the batch’s statement)', async (t) => {
    await using db = await backend.open();
    await migrateHub(db);
    const dir = journalDir(t);
    let crashAfterInsert = false;
    const { writer } = writerOn(db, dir, async (insert) => {
      await insert();
      if (crashAfterInsert) {
        writer.abandon();
        throw new Error('killed');
      }
    });
    for (let n = 0; n < 4; n++) writer.add(entry(n));
    await writer.flush();
    for (let n = 4; n < 9; n++) writer.add(entry(n));
    crashAfterInsert = true;
    await writer.flush();
    assert.deepEqual(await recorded(db), ids(0, 9));
    assert.equal(await replayAuditJournals(db, dir), 0);
    assert.deepEqual(await recorded(db), ids(0, 9));
    assert.deepEqual(readdirSync(dir), []);
  });

  test('the database refusing batches for longer than memory holds: nothing dropped, every record there once, in order, once it is back', async (t) => {
    await using db = await backend.open();
    await migrateHub(db);
    const dir = journalDir(t);
    let down = true;
    const { journal, writer } = writerOn(
      db,
      dir,
      async (insert) => {
        if (down) throw new Error('connection refused');
        await insert();
      },
      { maxBatch: 100, maxInMemory: 200 },
    );
    for (let n = 0; n < 2_000; n++) {
      writer.add(entry(n));
      if (n % 150 === 0) await writer.flush();
    }
    assert.equal(writer.inMemory, 200);
    assert.ok(writer.spilled && journal.segmentCount > 10, `${journal.segmentCount} segments`);
    assert.deepEqual(await recorded(db), []);
    down = false;
    await writer.flush();
    assert.deepEqual(await recorded(db), ids(0, 2_000));
    assert.equal(journal.segmentCount, 1, 'the segments read back are deleted');
    assert.equal(await auditJournalPosition(db, journal.id), journal.position);
    await writer.stop();
    assert.deepEqual(await recorded(db), ids(0, 2_000));
  });

  test('a record cut short by a crash mid-write is skipped with a warning, not a failed start; a journal still held by its process is left alone', async (t) => {
    await using db = await backend.open();
    await migrateHub(db);
    const dir = journalDir(t);
    const { journal, writer } = writerOn(db, dir, (insert) => insert());
    for (let n = 0; n < 3; n++) writer.add(entry(n));
    writer.abandon();
    const segment = readdirSync(journal.dir).find((name) => name.endsWith('.jsonl'))!;
    appendFileSync(join(journal.dir, segment), JSON.stringify(entry(3)).slice(0, 40));
    const live = Journal.create(dir); // another hub process's, on the same home
    live.append(JSON.stringify(entry(99)));

    const next = await startAuditWriter(db, dir);
    assert.deepEqual(await recorded(db), ids(0, 3));
    assert.equal(existsSync(journal.dir), false);
    assert.ok(existsSync(live.dir), 'the live journal is its process’s');
    await next.stop();
    live.close();
    assert.equal(await replayAuditJournals(db, dir), 1, 'once its process has ended, it is read back');
    assert.deepEqual(await recorded(db), [...ids(0, 3), 'r99']);
  });
});
