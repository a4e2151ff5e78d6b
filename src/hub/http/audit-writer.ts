/**
 * Writes the audit records of requests in small batches, off the request's path: a request does not
 * wait for its audit row, and one INSERT carries many rows. Records are flushed every
 * `flushIntervalMs` or when `maxBatch` are waiting, and on stop. Writes that change state record
 * their audit row in their own transaction instead (they must not exist without it); this writer
 * is for the record of every request, including reads and refusals.
 *
 * If the database refuses a batch, the batch is kept and retried on the next flush (up to
 * `maxPending` rows, beyond which the oldest are dropped with an error log): an outage of the
 * database delays audit rows; it does not stop the hub from refusing or answering requests.
 */
import { log } from '../../platform/log.ts';

export interface AuditWriterOptions<E> {
  readonly write: (entries: E[]) => Promise<void>;
  /** 50 ms: short enough that "who did what just now" is answerable at once. */
  readonly flushIntervalMs?: number;
  /** 500 rows: one INSERT of that many rows is a few ms; larger batches gain little. */
  readonly maxBatch?: number;
  /** 100,000 rows: about a minute of a busy hub's requests held while the database is away. */
  readonly maxPending?: number;
}

export class AuditWriter<E> {
  readonly #write: (entries: E[]) => Promise<void>;
  readonly #maxBatch: number;
  readonly #maxPending: number;
  #pending: E[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(options: AuditWriterOptions<E>) {
    this.#write = options.write;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxPending = options.maxPending ?? 100_000;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 50);
    this.#timer.unref();
  }

  add(entry: E): void {
    this.#pending.push(entry);
    if (this.#pending.length > this.#maxPending) {
      const dropped = this.#pending.splice(0, this.#pending.length - this.#maxPending);
      log('error', 'audit', `dropped ${dropped.length} audit rows: the database has refused them for too long`);
    }
    if (this.#pending.length >= this.#maxBatch) void this.flush();
  }

  /** Writes everything waiting now; resolves when it is written (or has failed and been kept). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, this.#maxBatch);
    let written = false;
    this.#flushing = this.#write(batch).then(
      () => {
        written = true;
      },
      (error: Error) => {
        this.#pending.unshift(...batch);
        log('warn', 'audit', `audit batch of ${batch.length} kept for retry: ${error.message}`);
      },
    );
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
    }
    if (written && this.#pending.length >= this.#maxBatch) await this.flush();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
