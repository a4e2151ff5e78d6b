/**
 * The `kirikae` command as a user runs it, for the system tests: a separate process with its own
 * environment (on top of this process's), and a KIRIKAE_HOME for it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteDataDir } from './templates.ts';

/** What a finished `kirikae` process left: its exit status and what it printed. */
export interface Ran {
  readonly status: number | null;
  readonly out: string;
  readonly err: string;
}

/** Runs `kirikae ARGS…` to its end, waiting synchronously. */
export function kirikaeSync(env: NodeJS.ProcessEnv, ...args: string[]): Ran {
  const result = spawnSync(process.execPath, ['src/cli/main.ts', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

/** Runs `kirikae ARGS…` to its end, letting this process go on meanwhile (e.g. serve a hub it calls). */
export function kirikae(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (status) => resolve({ status, out, err }));
  });
}

/**
 * A KIRIKAE_HOME for a `kirikae` process: a new temporary folder, by default with an initialised empty
 * embedded database in it (templates.ts), so that the process does not run initdb. `{ database:
 * 'migrated' }` puts a migrated one there (the process skips the migrations: for tests about anything
 * but a first start); `{ database: 'none' }` leaves the folder empty: the process then creates its
 * database itself, as on a user's very first start.
 */
export async function kirikaeHome(prefix: string, options: { database?: 'initialised' | 'migrated' | 'none' } = {}): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), `kirikae-${prefix}-`));
  const database = options.database ?? 'initialised';
  if (database !== 'none') cpSync(await pgliteDataDir(database === 'migrated' ? 'migrated' : 'empty'), join(home, 'pglite'), { recursive: true });
  return home;
}

export interface RunningSystem {
  readonly process: ChildProcess;
  readonly url: string;
  /** What it has logged (on stderr) so far. */
  readonly log: string;
}

/** `kirikae start` in its own process, once it says it is ready. */
export async function startInAnotherProcess(env: NodeJS.ProcessEnv): Promise<RunningSystem> {
  const child = spawn(process.execPath, ['src/cli/main.ts', 'start'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c) => (log += c));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const hub = /^ {2}hub: +(\S+)/m.exec(out)?.[1];
      if (out.includes('kirikae ready') && hub) resolve(hub);
    });
    child.once('exit', (code) => reject(new Error(`kirikae start exited ${code}: ${out}${log}`)));
  });
  return {
    process: child,
    url,
    get log() {
      return log;
    },
  };
}

export async function stop(system: RunningSystem, signal: NodeJS.Signals): Promise<void> {
  if (system.process.exitCode !== null || system.process.signalCode !== null) return;
  const exited = new Promise((resolve) => system.process.once('exit', resolve));
  system.process.kill(signal);
  await exited;
}
