/**
 * Writes the audit records of requests, so that none is lost when the hub process dies or the
 * database is away for long. Writes that change state record their audit row in their own
 * transaction instead (they must not exist without it); this writer is for the record of every
 * request, including reads and refusals.
 *
 * `add` first appends the record to this process's journal (platform/journal.ts: one synchronous
 * write, no fsync), so once it returns the record survives a `kill -9` of the process; the hub calls
 * it before the answer is sent. The record is also kept in memory, and inserted from there in small
 * batches every `flushIntervalMs` or when `maxBatch` are waiting: one INSERT carries many rows, and a
 * request never waits for the database. Each batch records, in the same statement, the journal
 * position it reaches (`write(entries, upTo)`), so a journal read back after a crash starts exactly
 * after the records already inserted. Segments wholly inserted are deleted.
 *
 * If the database refuses a batch, it is kept and retried on the next flush, less what the database
 * turns out to have taken (`recorded`: its answer may be what was lost). Beyond `maxInMemory`
 * records waiting, new ones stay in the journal only and are read back from it, in order, once the
 * database takes the ones in memory: an outage of any length delays audit rows; it neither drops them
 * nor stops the hub from answering. A record the journal could not take (disk full) is kept in
 * memory (logged as an error), inserted like the others, and is then only as safe as memory.
 */
import { log } from '../../platform/log.ts';
import type { Journal } from '../../platform/journal.ts';

export interface AuditWriterOptions<E> {
  readonly journal: Journal;
  /** Inserts a batch and, in the same statement, records the journal position after it (if given). */
  readonly write: (entries: E[], upTo: number | undefined) => Promise<void>;
  /** A record as one line of the journal (default JSON). */
  readonly encode?: (entry: E) => string;
  /** A journal line back to its record; throws if it is not one (the line is then skipped, with a warning). */
  readonly decode: (line: string) => E;
  /** Called once the journal is removed on a clean stop, every record of it inserted. */
  readonly forget?: () => Promise<void>;
  /**
   * The position the database has recorded, asked after a batch failed: the database may have
   * committed it and only its answer was lost, and what it took is not written again.
   */
  readonly recorded?: () => Promise<number>;
  /** 50 ms: short enough that "who did what just now" is answerable at once. */
  readonly flushIntervalMs?: number;
  /** 500 rows: one INSERT of that many rows is a few ms; larger batches gain little. At most 1,000. */
  readonly maxBatch?: number;
  /** 10,000 records (a few MB): beyond that, while the database is away, records wait in the journal only. */
  readonly maxInMemory?: number;
}

interface Held<E> {
  readonly entry: E;
  /** The journal position after it. */
  readonly end: number;
  /** When it was added (ms, the process's real time), for the backlog's age. */
  readonly added: number;
}

/** What waits for the database, for the metrics (per process). */
export interface AuditBacklog {
  /** Records not yet in the database: in memory, and (while the database was away) in the journal only. */
  readonly records: number;
  /** Bytes of the journal not yet in the database. */
  readonly journalBytes: number;
  /** Seconds the oldest record not yet in the database has waited (0 when none waits). */
  readonly oldestSeconds: number;
}

interface Batch<E> {
  readonly entries: E[];
  readonly upTo: number | undefined;
  /** Once written. */
  done(): void;
  /** Once refused. */
  putBack(): void;
}

export class AuditWriter<E> {
  readonly #journal: Journal;
  readonly #write: (entries: E[], upTo: number | undefined) => Promise<void>;
  readonly #encode: (entry: E) => string;
  readonly #decode: (line: string) => E;
  readonly #forget: (() => Promise<void>) | undefined;
  readonly #recorded: (() => Promise<number>) | undefined;
  readonly #maxBatch: number;
  readonly #maxInMemory: number;
  /**
   * Journaled records in memory, in journal order: from the last position written up to the
   * journal's position, or up to `#spilledFrom`.
   */
  #memory: Held<E>[] = [];
  /** Set while records from this position on are in the journal only, to be read back from it. */
  #spilledFrom: number | undefined;
  /** Records the journal refused: inserted without a position, after the journaled ones held. */
  #unjournaled: { readonly entry: E; readonly added: number }[] = [];
  /** Records in the journal only (from `#spilledFrom` on), and when the first of them was added (ms). */
  #spilledCount = 0;
  #spilledSince = 0;
  /** The journal position up to which the database has every record. */
  #writtenUpTo: number;
  /** A batch failed: whether the database took it is to be asked before the next. */
  #uncertain = false;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(options: AuditWriterOptions<E>) {
    this.#journal = options.journal;
    this.#write = options.write;
    this.#encode = options.encode ?? ((entry) => JSON.stringify(entry));
    this.#decode = options.decode;
    this.#forget = options.forget;
    this.#recorded = options.recorded;
    this.#maxBatch = Math.min(options.maxBatch ?? 500, 1_000);
    this.#maxInMemory = Math.max(options.maxInMemory ?? 10_000, this.#maxBatch);
    this.#writtenUpTo = options.journal.position;
    this.#timer = setInterval(() => void this.#flushDue(), options.flushIntervalMs ?? 50);
    this.#timer.unref();
  }

  /** Records in memory (bounded by maxInMemory, unless the journal refuses records). */
  get inMemory(): number {
    return this.#memory.length + this.#unjournaled.length;
  }

  /** Whether records wait in the journal only (beyond maxInMemory while the database was away). */
  get spilled(): boolean {
    return this.#spilledFrom !== undefined;
  }

  /**
   * What waits for the database now. While records wait in the journal only, their count and age
   * are those of the records spilled since memory was last full: the age is the first spilled
   * record's, an upper bound once the catching up has begun.
   */
  backlog(now = Date.now()): AuditBacklog {
    const oldest = Math.min(
      this.#memory[0]?.added ?? Infinity,
      this.#unjournaled[0]?.added ?? Infinity,
      this.#spilledFrom === undefined ? Infinity : this.#spilledSince,
    );
    return {
      records: this.#memory.length + this.#unjournaled.length + (this.#spilledFrom === undefined ? 0 : this.#spilledCount),
      journalBytes: Math.max(0, this.#journal.position - this.#writtenUpTo),
      oldestSeconds: oldest === Infinity ? 0 : Math.max(0, (now - oldest) / 1000),
    };
  }

  /** Journals the record (it survives the process from now on) and queues it for the database. */
  add(entry: E): void {
    const journal = this.#journal;
    const before = journal.position;
    const end = journal.append(this.#encode(entry));
    const added = Date.now();
    if (end === undefined) {
      this.#unjournaled.push({ entry, added }); // only in memory: the journal's error is logged
    } else if (this.#spilledFrom === undefined) {
      if (this.#memory.length < this.#maxInMemory) {
        this.#memory.push({ entry, end, added });
      } else {
        this.#spilledFrom = before;
        this.#spilledCount = 1;
        this.#spilledSince = added;
        log('warn', 'audit', `${this.#memory.length} audit records wait for the database: the next ones wait in the journal ${journal.dir}`);
      }
    } else {
      this.#spilledCount++;
    }
    if (this.#memory.length >= this.#maxBatch && !this.#flushing) void this.#flushDue();
  }

  /** Writes everything waiting now; resolves when it is written (or a batch has failed and is kept). */
  async flush(): Promise<void> {
    await this.#run(true);
  }

  /**
   * The timer's flush: the records waiting, then more only while full batches wait (or the journal is
   * being caught up with): the records that come during a write wait for the next tick, so that a
   * busy hub writes one statement per tick, not one per write's duration.
   */
  async #flushDue(): Promise<void> {
    if (this.#flushing) return;
    await this.#run(false);
  }

  async #run(all: boolean): Promise<void> {
    while (this.#flushing) await this.#flushing;
    const run = this.#drain(all);
    this.#flushing = run;
    try {
      await run;
    } finally {
      this.#flushing = undefined;
    }
  }

  /** Writes what is waiting and, if all of it is written, deletes the journal; else leaves it to the next start. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    if (this.#memory.length > 0 || this.#unjournaled.length > 0 || this.#spilledFrom !== undefined) {
      this.#journal.close();
      log('warn', 'audit', `stopped with audit records not yet in the database: the next start reads them from ${this.#journal.dir}`);
      return;
    }
    this.#journal.remove();
    try {
      await this.#forget?.();
    } catch (error) {
      log('warn', 'audit', `the removed journal ${this.#journal.id} is still named in the database: ${(error as Error).message}`);
    }
  }

  /**
   * Stops at once, writing nothing more: the journal is left to the next start, as a killed process
   * leaves it (for a process that cannot wait for the database, and for the tests of that start).
   * Records the journal had refused (held in memory only) go with it.
   */
  abandon(): void {
    clearInterval(this.#timer);
    this.#memory = [];
    this.#unjournaled = [];
    this.#spilledFrom = undefined;
    this.#journal.close();
  }

  async #drain(all: boolean): Promise<void> {
    if (this.#uncertain && this.#recorded) {
      let at: number;
      try {
        at = await this.#recorded();
      } catch {
        return; // still away: the next flush asks again
      }
      this.#uncertain = false;
      let taken = 0;
      while (taken < this.#memory.length && this.#memory[taken]!.end <= at) taken++;
      this.#memory.splice(0, taken);
      this.#writtenUpTo = Math.max(this.#writtenUpTo, at);
      if (this.#spilledFrom !== undefined && this.#spilledFrom < at) this.#spilledFrom = at >= this.#journal.position ? undefined : at;
      if (taken > 0) log('info', 'audit', `the database had taken ${taken} audit records of a batch it seemed to refuse: not written again`);
    }
    for (let batch = this.#next(); batch; batch = this.#next()) {
      try {
        await this.#write(batch.entries, batch.upTo);
      } catch (error) {
        batch.putBack();
        this.#uncertain = true;
        log('warn', 'audit', `audit batch of ${batch.entries.length} kept for retry: ${(error as Error).message}`);
        return;
      }
      batch.done();
      if (batch.upTo !== undefined) {
        this.#writtenUpTo = Math.max(this.#writtenUpTo, batch.upTo);
        this.#journal.release(batch.upTo);
      }
      const catchingUp = this.#memory.length === 0 && this.#unjournaled.length === 0 && this.#spilledFrom !== undefined;
      if (!all && !catchingUp && this.#memory.length < this.#maxBatch && this.#unjournaled.length < this.#maxBatch) return;
    }
  }

  /** The next batch to write: records in memory first, then those only in the journal, in order. */
  #next(): Batch<E> | undefined {
    if (this.#memory.length > 0) {
      const taken = this.#memory.splice(0, this.#maxBatch);
      return {
        entries: taken.map((held) => held.entry),
        upTo: taken.at(-1)!.end,
        done: () => {},
        putBack: () => this.#memory.unshift(...taken),
      };
    }
    if (this.#unjournaled.length > 0) {
      const taken = this.#unjournaled.splice(0, this.#maxBatch);
      return { entries: taken.map((held) => held.entry), upTo: undefined, done: () => {}, putBack: () => this.#unjournaled.unshift(...taken) };
    }
    while (this.#spilledFrom !== undefined) {
      const read = this.#journal.read(this.#spilledFrom, this.#maxBatch);
      const entries: E[] = [];
      for (const line of read.lines) {
        try {
          entries.push(this.#decode(line.text));
        } catch (error) {
          log('warn', 'audit', `skipped an unreadable line of the journal ${this.#journal.dir} before position ${line.end}: ${(error as Error).message}`);
        }
      }
      const caughtUp = () => {
        this.#spilledFrom = read.next;
        this.#spilledCount = Math.max(0, this.#spilledCount - read.lines.length);
        // Appends are synchronous: at this point nothing is between the read and the journal's end.
        if (read.next >= this.#journal.position) this.#spilledFrom = undefined;
      };
      if (entries.length === 0) {
        if (read.next === this.#spilledFrom) return undefined; // nothing readable yet: not to spin on it
        caughtUp();
        continue;
      }
      return { entries, upTo: read.next, done: caughtUp, putBack: () => {} };
    }
    return undefined;
  }
}
