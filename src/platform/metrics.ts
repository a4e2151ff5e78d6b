/**
 * Prometheus metrics (prom-client), served by the operations port at `/metrics`. One registry per
 * process (a test may make several). What a process counts itself — requests, latency, grid calls —
 * is per process: Prometheus sums the hubs. What is read from the database at each scrape — backlog,
 * job lag, relays waiting, mail — is the whole system's, the same from every hub: take it from one
 * (`max by`), never sum it. README "Metrics" lists every metric.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from './db/db.ts';
import { PostgresDb } from './db/postgres.ts';
import { jobsSchema } from './jobs.ts';
import { log } from './log.ts';

export interface RequestLabels {
  /** The interface ID (IF_10110, IS_20110…) or the screen/route name (audit action). */
  readonly interface: string;
  /** json, soap, web. */
  readonly binding: string;
  /** OK or NG (a refusal of any kind, or an error). */
  readonly result: 'OK' | 'NG';
  /** The refusal's stable code ('' when OK). */
  readonly code: string;
}

/**
 * `read`, shared by the gauges of one scrape: prom-client collects every metric of a scrape at once,
 * so gauges showing columns of the same rows (a backlog and its age) ask the database once.
 */
export function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'interface' | 'binding' | 'result' | 'code'>;
  readonly requestSeconds: Histogram<'interface' | 'binding' | 'result'>;
  readonly gridCalls: Counter<'area' | 'outcome'>;
  readonly gridUp: Gauge<'area'>;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'kirikae_process_' });
    this.requests = new Counter({
      name: 'kirikae_requests_total',
      help: 'Requests answered by this hub process, by interface (or screen), binding, result and refusal code',
      labelNames: ['interface', 'binding', 'result', 'code'],
      registers: [this.registry],
    });
    this.requestSeconds = new Histogram({
      name: 'kirikae_request_duration_seconds',
      help: 'Time from receiving a request to its answer, by interface, binding and result',
      labelNames: ['interface', 'binding', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.gridCalls = new Counter({
      name: 'kirikae_grid_calls_total',
      help: "Calls from this hub process to an area's grid, by outcome (answered, or the GRID_UNAVAILABLE reason)",
      labelNames: ['area', 'outcome'],
      registers: [this.registry],
    });
    this.gridUp = new Gauge({
      name: 'kirikae_grid_up',
      help: "1 if the area's grid answered this hub process's last call (or readiness probe), 0 if it did not",
      labelNames: ['area'],
      registers: [this.registry],
    });
  }

  /** Counts one answered request. */
  observeRequest(labels: RequestLabels, seconds: number): void {
    this.requests.inc({ interface: labels.interface, binding: labels.binding, result: labels.result, code: labels.code });
    this.requestSeconds.observe({ interface: labels.interface, binding: labels.binding, result: labels.result }, seconds);
  }

  /** Records the outcome of a call to a grid ('ok', or why it was unavailable). */
  observeGrid(area: string, outcome: string): void {
    this.gridCalls.inc({ area, outcome });
    this.gridUp.set({ area }, outcome === 'ok' ? 1 : 0);
  }

  /**
   * A gauge whose values are read at each scrape (from the database): `read` returns one value per
   * label set. A failing read leaves the gauge empty for that scrape and logs why.
   */
  gaugeFromScrape<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => Promise<readonly { labels: Record<L, string>; value: number }[]>,
  ): void {
    new Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const { labels, value } of await read()) this.set(labels as never, value);
        } catch (error) {
          log('warn', 'metrics', `${name}: ${(error as Error).message}`);
        }
      },
    });
  }

  /** The database's pool (PostgreSQL) and the job queue's lag, read at each scrape. */
  watchDatabase(db: Db, jobsClock: () => Date = () => new Date()): void {
    if (db instanceof PostgresDb) {
      const pool = db.pool;
      this.gaugeFromScrape(
        'kirikae_db_pool_connections',
        "Connections of this process's database pool, by state (total, idle, waiting = queries waiting for a connection)",
        ['state'],
        async () => [
          { labels: { state: 'total' }, value: pool.totalCount },
          { labels: { state: 'idle' }, value: pool.idleCount },
          { labels: { state: 'waiting' }, value: pool.waitingCount },
        ],
      );
    }
    this.gaugeFromScrape('kirikae_job_queue_ready', 'Jobs ready to run and not yet taken, by queue', ['queue'], async () =>
      (await queueLag(db, jobsClock())).map((row) => ({ labels: { queue: row.queue }, value: row.ready })),
    );
    this.gaugeFromScrape(
      'kirikae_job_queue_lag_seconds',
      'How long the oldest job ready to run has waited to be taken, by queue (0 when none waits)',
      ['queue'],
      async () => (await queueLag(db, jobsClock())).map((row) => ({ labels: { queue: row.queue }, value: row.lagSeconds })),
    );
  }

  /** The text Prometheus scrapes. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

interface QueueLag {
  readonly queue: string;
  readonly ready: number;
  readonly lagSeconds: number;
}

/** Jobs due (start_after passed) and not taken, per queue, and the wait of the oldest. Real time: pg-boss runs on it. */
export async function queueLag(db: Db, now: Date): Promise<QueueLag[]> {
  const { rows } = await db.query<{ queue: string; ready: string; lag: number | null }>(
    `SELECT q.name AS queue, count(j.id)::text AS ready,
            COALESCE(EXTRACT(EPOCH FROM ($1::timestamptz - min(j.start_after))), 0)::float8 AS lag
       FROM ${jobsSchema}.queue q
       LEFT JOIN ${jobsSchema}.job j ON j.name = q.name AND j.state IN ('created', 'retry') AND j.start_after <= $1
      GROUP BY q.name ORDER BY q.name`,
    [now],
  );
  return rows.map((row) => ({ queue: row.queue, ready: Number(row.ready), lagSeconds: Math.max(0, row.lag ?? 0) }));
}
