/**
 * Load through the hub, for the benches: `runLoad` starts the load generator (load.worker.ts) in a
 * thread of its own and resolves with what it measured.
 */
import { Worker } from 'node:worker_threads';

export interface LoadJob {
  readonly url: string;
  /** POST these bodies in turn (with `contentType`, default JSON); absent: GET the URL. */
  readonly bodies?: readonly string[];
  readonly contentType?: string;
  /** Keep-alive connections, each with one request in flight. */
  readonly connections: number;
  readonly durationMs: number;
  /**
   * Open loop: requests sent at this rate (a second), each on whichever connection is free, timed
   * from the moment it was due (a request waiting for a free connection counts its wait), instead
   * of each connection sending its next request when its answer comes (closed loop, the default).
   */
  readonly ratePerSecond?: number;
  /** Requests sent for this long first, on the same connections, neither counted nor timed (default 0). */
  readonly warmUpMs?: number;
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

export interface LoadResult {
  /** Requests answered in the measured window, and its length (open loop: the requests due in it, and its length until the last answer). */
  count: number;
  ms: number;
  latencies: number[];
  /** Requests answered during the warm-up (sent, but not counted or timed). */
  warmUpCount: number;
  /** CPU µs the load generator's thread spent in the measured window (its own cost, not the system's). */
  loadCpu: number;
  loadKernel: number;
  /** TLS handshakes the load generator made (one per connection). */
  clientConnects: number;
}

/** Runs `job`; `onStart` is called when the measured window begins (after the warm-up). */
export function runLoad(job: LoadJob, onStart?: () => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load.worker.ts', import.meta.url), { workerData: job });
    worker.on('message', (message: LoadResult | { started: true }) => {
      if ('started' in message) onStart?.();
      else resolve(message);
    });
    worker.once('error', reject);
  });
}

/** Requests a second of a measured window. */
export const perSecondOf = (r: { readonly count: number; readonly ms: number }): number => Math.round((r.count * 1000) / r.ms);

export function p99(latencies: readonly number[]): number {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length * 0.99)] ?? 0;
}
