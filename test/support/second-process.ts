/**
 * A second kirikae process on the same PostgreSQL database, for tests of "two processes at once":
 * a real operating-system process with its own connections, its own job queue and its own memory,
 * as a second hub or grid process in production would be. (PGlite is a single-process database: a
 * second process can never open it, so these tests run on PostgreSQL only.)
 *
 * The parent starts the child with a task and its arguments; the child prints one line "ready" when
 * it has started, waits until the parent closes its stdin (for long-running tasks), and prints its
 * result as one JSON line before it exits.
 *
 *   const child = await startSecondProcess('drainMatching', { url: db.url, area: '03', limit: 7, now });
 *   … work in this process at the same time …
 *   const result = await child.result();
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface SecondProcess<R> {
  /** Tells a long-running task to finish, and gives its result. */
  result(): Promise<R>;
}

const script = fileURLToPath(new URL('./second-process.main.ts', import.meta.url));

export async function startSecondProcess<R>(task: string, args: object): Promise<SecondProcess<R>> {
  const child = spawn(process.execPath, [script, task, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const received: string[] = [];
  let waiting: ((line: string | undefined) => void) | undefined;
  lines.on('line', (line) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(line);
    } else received.push(line);
  });
  lines.on('close', () => waiting?.(undefined));
  const nextLine = () => (received.length > 0 ? Promise.resolve(received.shift()) : new Promise<string | undefined>((resolve) => (waiting = resolve)));
  const failure = async () => new Error(`second process (${task}) exited with ${await exited}: ${Buffer.concat(stderr).toString()}`);
  if ((await nextLine()) !== 'ready') throw await failure();
  return {
    async result() {
      child.stdin.end();
      const line = await nextLine();
      if ((await exited) !== 0 || line === undefined) throw await failure();
      return JSON.parse(line) as R;
    },
  };
}
