/**
 * Jobs and schedules on PostgreSQL, with pg-boss: the same queue on the embedded PGlite and on a
 * PostgreSQL server. Several processes sharing one database share the work, and a scheduled
 * batch (the 20-minute matching, effective-date execution, retries) fires once per tick however
 * many processes run, because pg-boss claims each cron tick in the database.
 *
 * A job that must exist exactly when some state is written is enqueued in the caller's transaction
 * with `enqueue(tx, …)`: it commits or rolls back with the state (the outbox rule).
 */
import { PgBoss, fromPglite, type Job, type SendOptions } from 'pg-boss';
import type { Db, Queryable } from './db/db.ts';
import { PgliteDb } from './db/pglite.ts';
import { PostgresDb } from './db/postgres.ts';
import { log } from './log.ts';

export type { Job };

export const jobsSchema = 'pgboss';

export interface JobsOptions {
  /** Run pg-boss's cron ticker and maintenance in this process (default true). */
  readonly schedule?: boolean;
  /** Seconds between polls of an idle worker: short in tests, the default (2 s) in service. */
  readonly pollingIntervalSeconds?: number;
}

export class Jobs {
  readonly boss: PgBoss;
  readonly #pollingIntervalSeconds: number;
  #stopped = false;

  private constructor(boss: PgBoss, pollingIntervalSeconds: number) {
    this.boss = boss;
    this.#pollingIntervalSeconds = pollingIntervalSeconds;
  }

  static async start(db: Db, options: JobsOptions = {}): Promise<Jobs> {
    const common = { schema: jobsSchema, schedule: options.schedule ?? true, supervise: options.schedule ?? true };
    let boss: PgBoss;
    if (db instanceof PgliteDb) {
      boss = new PgBoss({ ...common, db: fromPglite(db.pglite), backend: 'pglite' });
    } else if (db instanceof PostgresDb) {
      // A few connections of its own: workers poll while request handlers use the main pool.
      boss = new PgBoss({ ...common, connectionString: db.url, max: 4, application_name: 'kirikae-jobs' });
    } else {
      throw new Error(`no job queue for backend ${db.backend}`);
    }
    boss.on('error', (error) => log('error', 'jobs', error.message));
    await boss.start();
    return new Jobs(boss, options.pollingIntervalSeconds ?? 2);
  }

  /** Resolves when the queue's database answers and this process's pg-boss runs (readiness). */
  async ready(): Promise<void> {
    if (this.#stopped) throw new Error('the job queue has stopped');
    await this.boss.getQueues();
  }

  /** Creates a queue if it does not exist yet. */
  async queue(name: string): Promise<void> {
    await this.boss.createQueue(name);
  }

  /** Enqueues a job inside the caller's transaction: it exists only if the transaction commits. */
  async enqueue(tx: Queryable, name: string, data: object, options: SendOptions = {}): Promise<string | null> {
    return this.boss.send(name, data, { ...options, db: asBossDb(tx) });
  }

  /** Enqueues a job on its own. */
  async send(name: string, data: object, options: SendOptions = {}): Promise<string | null> {
    return this.boss.send(name, data, options);
  }

  /** Runs `handler` for every job of the queue, a batch at a time. */
  async work<T extends object>(name: string, handler: (jobs: Job<T>[]) => Promise<void>, batchSize = 1): Promise<string> {
    await this.queue(name);
    return this.boss.work<T>(name, { batchSize, pollingIntervalSeconds: this.#pollingIntervalSeconds }, handler);
  }

  /** Enqueues a job on the queue at every tick of a cron expression (Asia/Tokyo). */
  async every(name: string, cron: string, data: object = {}): Promise<void> {
    await this.queue(name);
    await this.boss.schedule(name, cron, data, { tz: 'Asia/Tokyo' });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.boss.stop({ graceful: true, close: true, timeout: 10_000 });
  }
}

/** Lets pg-boss run a statement on our Queryable (a transaction or the database). */
function asBossDb(q: Queryable) {
  return { executeSql: (text: string, values?: unknown[]) => q.query(text, values) };
}
