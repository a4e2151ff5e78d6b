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
import { isRefusal } from '../domain/refusal.ts';
import type { OperatorSession } from './session.ts';
import type { Config } from '../platform/config.ts';
import { callControl } from '../platform/control/control-client.ts';
import type { ControlChannel } from '../platform/control/control-server.ts';
import { isAlive, lockDataDir, readHolder } from '../platform/db/data-lock.ts';
import { log } from '../platform/log.ts';

export type { OperatorSession } from './session.ts';

/** `user@host`: who ran the command, for the audit record. */
export const operatorName = () => `${userInfo().username}@${hostname()}`;

/**
 * Opens the path for `command` (e.g. "pki suspend"); the caller closes it. The direct path (the
 * database, the operations, the job queue) is loaded only when it is taken: a command that acts
 * through a running system starts in a fraction of the time.
 */
export async function openOperatorSession(config: Config, command: string): Promise<OperatorSession> {
  const running = runningSystem(config);
  if (running) return channelSession(running);
  const { directSession } = await import('./direct-session.ts');
  try {
    return await directSession(config, command);
  } catch (error) {
    // Another process took the folder between the look and the open: act through it if it is a system.
    if (!(isRefusal(error) && error.code === 'DB_DATA_DIR_LOCKED')) throw error;
    const holder = runningSystem(config);
    if (!holder) throw error;
    return channelSession(holder);
  }
}

interface RunningSystem {
  readonly channel: ControlChannel;
  readonly via: string;
}

function channelSession({ channel, via }: RunningSystem): OperatorSession {
  log('info', 'cli', `acting through ${via}`);
  return {
    via,
    call: async (name, input, onProgress) => (await callControl(channel, name, input, onProgress)) as never,
    close: async () => {},
  };
}

/** The system running on this KIRIKAE_HOME's embedded database, if one holds it. Never opens the database. */
function runningSystem(config: Config): RunningSystem | undefined {
  if (config.databaseUrl) return undefined;
  try {
    lockDataDir(config.pgliteDir, 'kirikae').release();
    return undefined; // nothing holds it
  } catch (error) {
    if (!(isRefusal(error) && error.code === 'DB_DATA_DIR_LOCKED')) throw error;
    const holder = readHolder(config.pgliteDir);
    if (!holder?.control || !isAlive(holder.pid)) return undefined;
    return { channel: holder.control, via: `the running system (${holder.command}, PID ${holder.pid})` };
  }
}

/**
 * The control channel of the system running on this KIRIKAE_HOME's embedded database, if one is:
 * for what only a running process can do (reload its TLS trust). Never opens the database.
 */
export function runningSystemChannel(config: Config): ControlChannel | undefined {
  return runningSystem(config)?.channel;
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
