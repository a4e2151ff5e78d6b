/**
 * What a benchmark phase cost in CPU, split by who spent it: this thread (the process's main event
 * loop), the process as a whole (with its worker threads, libuv's pool and V8's helpers), and the
 * PostgreSQL backends serving the bench's database (read from /proc: Linux only, and only when the
 * server runs on this machine; otherwise not given). Also how many statements went through a
 * counted `Db`. Figures are totals; the bench divides them by the requests it made.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Db } from '../src/platform/db/db.ts';

export interface CpuSample {
  readonly thread: number;
  /** Of `thread`, the time in the kernel (system calls: the sockets' writes and reads). */
  readonly threadSystem: number;
  readonly process: number;
  /** CPU µs of each PostgreSQL backend of the bench's database, by process ID. */
  readonly postgres: ReadonlyMap<number, number> | undefined;
  /** Of `postgres`, the time in the kernel (system calls, waking up for each statement). */
  readonly postgresKernel: ReadonlyMap<number, number> | undefined;
  readonly statements: number;
}

/** Clock ticks a second of /proc's utime and stime: 100 on every Linux this runs on. */
const ticksPerSecond = 100;

/** A `Db` that counts the statements sent through it (query, and the transactions' statements). */
export function countingDb<T extends Db>(db: T): { db: T; statements: () => number; texts: ReadonlyMap<string, number> } {
  let count = 0;
  const texts = new Map<string, number>();
  // Keyed by the whole text (a Map look-up: cheap enough not to weigh on what it measures).
  const counted = (text: string) => {
    count++;
    texts.set(text, (texts.get(text) ?? 0) + 1);
  };
  const wrap = <Q extends { query: Db['query'] }>(target: Q): Q =>
    new Proxy(target, {
      get(object, key, receiver) {
        if (key === 'query') {
          return (text: string, ...rest: unknown[]) => {
            counted(text);
            return (object.query as (...a: unknown[]) => unknown).call(object, text, ...rest);
          };
        }
        if (key === 'transaction') {
          return <R>(fn: (tx: Db) => Promise<R>) => (object as unknown as Db).transaction((tx) => fn(wrap(tx as Db)));
        }
        const value = Reflect.get(object, key, receiver);
        return typeof value === 'function' ? value.bind(object) : value;
      },
    });
  return { db: wrap(db), statements: () => count, texts };
}

async function postgresCpuMicros(db: Db): Promise<{ all: Map<number, number>; kernel: Map<number, number> } | undefined> {
  try {
    const { rows } = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
    const all = new Map<number, number>();
    const kernel = new Map<number, number>();
    for (const { pid } of rows) {
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      all.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / ticksPerSecond);
      kernel.set(pid, (Number(fields[12]) * 1_000_000) / ticksPerSecond);
    }
    return { all, kernel };
  } catch {
    return undefined;
  }
}

/** CPU the backends spent between two samples (a backend that started meanwhile counts from zero). */
function postgresSpent(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let spent = 0;
  for (const [pid, micros] of after) spent += micros - (before.get(pid) ?? 0);
  return spent;
}

/** CPU µs of each thread of this process by its name (Linux; empty elsewhere). */
export function threadsCpu(): Map<string, number> {
  const byName = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / ticksPerSecond);
    }
  } catch {
    // Not Linux.
  }
  return byName;
}

export async function sampleCpu(db: Db, statements: () => number): Promise<CpuSample> {
  // This thread's and the process's figures at once, before the round trip that finds the backends
  // (which waits behind the requests in flight on a busy machine).
  const thread = process.threadCpuUsage();
  const all = process.cpuUsage();
  const counted = statements();
  const postgres = await postgresCpuMicros(db);
  return {
    thread: thread.user + thread.system,
    threadSystem: thread.system,
    process: all.user + all.system,
    postgres: postgres?.all,
    postgresKernel: postgres?.kernel,
    statements: counted,
  };
}

/** µs per request of each part between two samples. */
export function perRequest(before: CpuSample, after: CpuSample, requests: number) {
  const per = (a: number, b: number) => Math.round((b - a) / requests);
  return {
    thread: per(before.thread, after.thread),
    threadSystem: per(before.threadSystem, after.threadSystem),
    process: per(before.process, after.process),
    postgres: before.postgres === undefined || after.postgres === undefined ? undefined : per(0, postgresSpent(before.postgres, after.postgres)),
    postgresKernel:
      before.postgresKernel === undefined || after.postgresKernel === undefined
        ? undefined
        : per(0, postgresSpent(before.postgresKernel, after.postgresKernel)),
    statements: (after.statements - before.statements) / requests,
  };
}
