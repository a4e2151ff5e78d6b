/**
 * One process at a time on an embedded data directory. PGlite is PostgreSQL inside one process:
 * two processes writing the same folder corrupt it (issue 12 saw `RuntimeError: Aborted()` on the
 * next start). Whoever opens the folder — `kirikae start`, a one-off command — takes this lock first,
 * and a second opener is refused (DB_DATA_DIR_LOCKED) before it touches a file.
 *
 * The lock is the operating system's: an exclusive SQLite transaction held open on `<dir>.lock`
 * (node:sqlite locks the file with fcntl on Unix and LockFileEx on Windows). The kernel drops it when
 * the holder ends, however it ends — exit, crash, `kill -9`, power loss — so a stale lock cannot
 * exist and nothing has to guess from a PID whether its holder is still alive. It also holds within
 * one process: a second `lockDataDir` of the same folder is refused too.
 *
 * Beside it, `<dir>.holder.json` (readable by the owner only) says who holds it — PID, command,
 * since — and, for a running hub, how to reach its control channel (platform/control). It is written
 * after the lock is taken and believed only while the lock is held: a file left by a killed process
 * is overwritten by the next holder.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { dirname } from 'node:path';
import { Refusal } from '../../domain/refusal.ts';

/** Who holds a data directory, as its holder wrote it. */
export interface DataDirHolder {
  readonly pid: number;
  /** What holds it, e.g. "kirikae start". */
  readonly command: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  /** A running hub's control channel (platform/control/control-server.ts). */
  readonly control?: { readonly url: string; readonly token: string };
}

export interface DataLock {
  readonly dir: string;
  /** Adds to what the holder file says (a hub publishes its control channel once listening). */
  publish(extra: Pick<DataDirHolder, 'control'>): void;
  /** Lets the next process in. Idempotent. */
  release(): void;
}

/**
 * The open lock files of this process. Held here, not only by the caller: a collected DatabaseSync
 * closes its file, and the lock would go with it while the caller still works on the data.
 */
const held = new Set<DatabaseSync>();

export const lockPathOf = (dir: string) => `${dir}.lock`;
export const holderPathOf = (dir: string) => `${dir}.holder.json`;

/** Takes the lock of `dir` for `command`, or refuses with DB_DATA_DIR_LOCKED naming the holder. */
export function lockDataDir(dir: string, command: string): DataLock {
  mkdirSync(dirname(dir), { recursive: true });
  // timeout 0: a held lock is answered at once ("database is locked"), never waited for.
  const sqlite = new DatabaseSync(lockPathOf(dir), { timeout: 0 });
  try {
    // The journal in memory: the lock file stays empty, with no journal beside it.
    sqlite.exec('PRAGMA journal_mode = MEMORY');
    sqlite.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    sqlite.close();
    if (isBusy(error)) throw lockedRefusal(dir);
    throw error;
  }
  held.add(sqlite);
  let holder: DataDirHolder = { pid: process.pid, command, since: new Date().toISOString() };
  let released = false;
  const lock: DataLock = {
    dir,
    publish(extra) {
      if (released) return;
      holder = { ...holder, ...extra };
      writeHolder(dir, holder);
    },
    release() {
      if (released) return;
      released = true;
      // The holder file first: once the lock is free, a new holder may already have written its own.
      rmSync(holderPathOf(dir), { force: true });
      sqlite.close(); // ends the transaction: the lock is free
      held.delete(sqlite);
    },
  };
  try {
    writeHolder(dir, holder);
  } catch (error) {
    lock.release();
    throw error;
  }
  return lock;
}

/** What the holder file says, if anything; to be believed only while the lock is held. */
export function readHolder(dir: string): DataDirHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(holderPathOf(dir), 'utf8')) as DataDirHolder;
    return typeof parsed.pid === 'number' && typeof parsed.command === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The refusal for a held directory, naming its holder when the holder file says who. */
export function lockedRefusal(dir: string): Refusal {
  const holder = readHolder(dir);
  const who = holder && isAlive(holder.pid) ? `${holder.command}, PID ${holder.pid}` : '起動中のプロセス';
  return new Refusal('DB_DATA_DIR_LOCKED', { params: { dir, holder: who } });
}

/** True if a process with this PID exists (it may belong to another user: EPERM). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isBusy(error: unknown): boolean {
  // SQLITE_BUSY (5); SQLITE_LOCKED (6) within one process.
  const errcode = (error as { errcode?: number }).errcode;
  return errcode === 5 || errcode === 6;
}

/** Written whole or not at all (a reader never sees half a file), readable by the owner only. */
function writeHolder(dir: string, holder: DataDirHolder): void {
  const path = holderPathOf(dir);
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}
