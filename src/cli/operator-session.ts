/**
 * Where a hub operator's command acts (issue 12: a command must never open an embedded database a
 * running system holds, and must act on that running system):
 *
 * - PostgreSQL (DATABASE_URL): on the database itself. Any number of processes share it, and every
 *   running hub follows at once: a status change and a clock advance send NOTIFY in their
 *   transaction, and each hub LISTENs (identity/caller-cache.ts, clock/clock-watch.ts).
 * - the embedded PGlite, nothing running: the command opens the folder itself, taking its lock
 *   (platform/db/data-lock.ts) for as long as it works.
 * - the embedded PGlite held by a running system: through that system's control channel, whose
 *   address and token the holder file gives (platform/control). The running system does the work.
 * - the embedded PGlite held by another command, or by a system still starting: refused
 *   (DB_DATA_DIR_LOCKED, naming the holder). Nothing is opened.
 *
 * Either way the command calls the same operations (operations/operations.ts) and gets the same
 * JSON back, so its output does not depend on the path.
 */
import { hostname, userInfo } from 'node:os';
import { openMigrated } from '../operations/database.ts';
import { clockControlWithJobs, type ClockControl } from '../hub/clock/clock.commands.ts';
import { openSystemClock } from '../hub/sandbox-clock.ts';
import { certificateSettingsFromEnv } from '../hub/certificates/certificate.jobs.ts';
import { loadHubPki, pkiDir } from '../hub/pki/hub-pki.ts';
import { isRefusal } from '../domain/refusal.ts';
import { operatorOperations, type OperationInput, type OperationName, type OperationResult } from '../operations/operations.ts';
import type { Config } from '../platform/config.ts';
import { callControl } from '../platform/control/control-client.ts';
import type { ControlChannel } from '../platform/control/control-server.ts';
import { isAlive, lockDataDir, readHolder } from '../platform/db/data-lock.ts';
import { Jobs } from '../platform/jobs.ts';
import { log } from '../platform/log.ts';

export interface OperatorSession {
  /** Where the work is done, for people: the database, or the running system. */
  readonly via: string;
  call<K extends OperationName>(name: K, input: OperationInput<K>, onProgress?: (report: unknown) => void): Promise<OperationResult<K>>;
  close(): Promise<void>;
}

/** `user@host`: who ran the command, for the audit record. */
export const operatorName = () => `${userInfo().username}@${hostname()}`;

/** Opens the path for `command` (e.g. "pki suspend"); the caller closes it. */
export async function openOperatorSession(config: Config, command: string): Promise<OperatorSession> {
  try {
    return await direct(config, command);
  } catch (error) {
    if (!(isRefusal(error) && error.code === 'DB_DATA_DIR_LOCKED')) throw error;
    const holder = readHolder(config.pgliteDir);
    if (!holder?.control || !isAlive(holder.pid)) throw error;
    const channel = holder.control;
    const via = `the running system (${holder.command}, PID ${holder.pid})`;
    log('info', 'cli', `acting through ${via}`);
    return {
      via,
      call: async (name, input, onProgress) => (await callControl(channel, name, input, onProgress)) as never,
      close: async () => {},
    };
  }
}

async function direct(config: Config, command: string): Promise<OperatorSession> {
  const { db, applied } = await openMigrated(config, { holder: `kirikae ${command}` });
  let jobs: Jobs | undefined;
  try {
    const clock = await openSystemClock(db, config.mode);
    let control: ClockControl | undefined;
    const operations = operatorOperations({
      db,
      clock,
      appliedAtOpen: applied,
      // Approving a request in the sandbox issues it at once, with the hub CA of this KIRIKAE_HOME.
      certificates: async () => ({
        ca: (await loadHubPki(pkiDir(config.home), new Date())).ca,
        schedule: certificateSettingsFromEnv(config.env, config.mode).schedule,
      }),
      // A sandbox advance enqueues the due work; the system runs it when it next runs (or now, on PostgreSQL).
      clockControl: async () => {
        if (control) return control;
        if (config.mode === 'production') return (control = { clock });
        jobs = await Jobs.start(db, { schedule: false });
        return (control = await clockControlWithJobs(clock, jobs));
      },
    });
    return {
      via: db.target,
      async call(name, input, onProgress) {
        const operation = operations[name] as (input: unknown, progress: (report: unknown) => void) => Promise<unknown>;
        // Through JSON, as from a running system: the same shapes on both paths.
        return JSON.parse(JSON.stringify(await operation(input, onProgress ?? (() => {})))) as never;
      },
      async close() {
        await jobs?.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * The control channel of the system running on this KIRIKAE_HOME's embedded database, if one is:
 * for what only a running process can do (reload its TLS trust). Never opens the database.
 */
export function runningSystemChannel(config: Config): ControlChannel | undefined {
  if (config.databaseUrl) return undefined;
  try {
    lockDataDir(config.pgliteDir, 'kirikae').release();
    return undefined; // nothing holds it
  } catch (error) {
    if (!(isRefusal(error) && error.code === 'DB_DATA_DIR_LOCKED')) throw error;
    const holder = readHolder(config.pgliteDir);
    return holder?.control && isAlive(holder.pid) ? holder.control : undefined;
  }
}

/** Runs `fn` with a session for `command`, closing it afterwards. */
export async function withOperatorSession<T>(config: Config, command: string, fn: (session: OperatorSession) => Promise<T>): Promise<T> {
  const session = await openOperatorSession(config, command);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
