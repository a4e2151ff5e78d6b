/**
 * The audit journal of a hub process: where every request's audit record is written before the
 * request is answered (hub/http/audit-writer.ts), under `KIRIKAE_HOME/audit-journal/`, one journal
 * per process life (several `kirikae start` processes may share one home and one database).
 *
 * At start, before serving, `startAuditWriter` reads back the journals of processes that have ended
 * (their lock is free: killed, crashed, or stopped while the database was away) from the position
 * `hub.audit_journal` records for each, inserts what is not in `hub.audit_log` yet — each batch with
 * its position, in one statement — then deletes the journal and its row. A journal whose process
 * still runs is left to it.
 */
import { join } from 'node:path';
import type { Db } from '../../platform/db/db.ts';
import { Journal } from '../../platform/journal.ts';
import { log } from '../../platform/log.ts';
import { AuditWriter, type AuditWriterOptions } from '../http/audit-writer.ts';
import { auditJournalPosition, forgetAuditJournal, recordAuditUpTo } from './audit.repository.ts';
import { auditChannels, type AuditEntry } from './audit.ts';

/** The folder of the hub processes' audit journals in a KIRIKAE_HOME. */
export const auditJournalDir = (home: string) => join(home, 'audit-journal');

/** Records read back and inserted per statement at start. */
const replayBatch = 1_000;

/** A journal line back to its audit entry; throws if the line is not one. */
export function decodeAuditEntry(line: string): AuditEntry {
  const value = JSON.parse(line) as Record<string, unknown>;
  // Only the text JSON makes of a Date: `new Date(null)` or of a number would be a time all the same.
  if (typeof value.at !== 'string') throw new Error('no time');
  const at = new Date(value.at);
  const text = (key: string) => {
    const v = value[key];
    if (v !== null && v !== undefined && typeof v !== 'string') throw new Error(`${key} is not text`);
    return (v as string | null | undefined) ?? null;
  };
  const ids = value.supplyPointIds ?? [];
  if (Number.isNaN(at.getTime())) throw new Error('no time');
  if (!auditChannels.includes(value.channel as never)) throw new Error(`no channel`);
  if (typeof value.action !== 'string' || typeof value.result !== 'string') throw new Error('no action or result');
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw new Error('supply point IDs are not a list of text');
  return {
    at,
    companyCode: text('companyCode'),
    userId: text('userId'),
    fingerprint256: text('fingerprint256'),
    sourceAddress: text('sourceAddress'),
    channel: value.channel as AuditEntry['channel'],
    action: value.action,
    supplyPointIds: ids as string[],
    result: value.result,
    requestId: text('requestId'),
  };
}

/**
 * Inserts the records of the journals in `dir` whose process has ended that are not in the table
 * yet, in order, then deletes those journals. Returns how many records it inserted.
 */
export async function replayAuditJournals(db: Db, dir: string): Promise<number> {
  let replayed = 0;
  for (const journal of Journal.orphans(dir)) {
    try {
      let at = await auditJournalPosition(db, journal.id);
      const from = at;
      let count = 0;
      while (at < journal.position) {
        const read = journal.read(at, replayBatch);
        const entries: AuditEntry[] = [];
        for (const line of read.lines) {
          try {
            entries.push(decodeAuditEntry(line.text));
          } catch (error) {
            log('warn', 'audit', `skipped an unreadable line of the journal ${journal.dir} before position ${line.end}: ${(error as Error).message}`);
          }
        }
        if (entries.length > 0) await recordAuditUpTo(db, entries, { journalId: journal.id, position: read.next });
        count += entries.length;
        if (read.next === at) break;
        at = read.next;
      }
      if (count > 0 || from < journal.position) log('info', 'audit', `read back ${count} audit records of an ended process from ${journal.dir}`);
      replayed += count;
      journal.remove();
      await forgetAuditJournal(db, journal.id);
    } catch (error) {
      journal.close();
      throw error;
    }
  }
  return replayed;
}

/**
 * The journals of ended processes read back, then this process's journal and the writer of its
 * records. `stop()` the writer after the server has closed.
 */
export async function startAuditWriter(
  db: Db,
  dir: string,
  options: Pick<AuditWriterOptions<AuditEntry>, 'flushIntervalMs' | 'maxBatch' | 'maxInMemory'> & { segmentBytes?: number } = {},
): Promise<AuditWriter<AuditEntry>> {
  await replayAuditJournals(db, dir);
  const journal = Journal.create(dir, options.segmentBytes === undefined ? {} : { segmentBytes: options.segmentBytes });
  return new AuditWriter<AuditEntry>({
    ...options,
    journal,
    write: async (entries, upTo) => {
      await recordAuditUpTo(db, entries, { journalId: journal.id, position: upTo ?? 0 });
    },
    decode: decodeAuditEntry,
    forget: () => forgetAuditJournal(db, journal.id),
    recorded: () => auditJournalPosition(db, journal.id),
  });
}
