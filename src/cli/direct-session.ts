/**
 * The direct path of an operator's command (operator-session.ts): the command opens the database
 * itself (PostgreSQL, or the embedded folder under its lock) and runs the operations in-process.
 * Loaded only when this path is taken.
 */
import { openMigrated } from '../operations/database.ts';
import { clockControlWithJobs, type ClockControl } from '../hub/clock/clock.commands.ts';
import { openSystemClock } from '../hub/sandbox-clock.ts';
import { certificateSettingsFromEnv } from '../hub/certificates/certificate.jobs.ts';
import { loadHubPki, pkiDir } from '../hub/pki/hub-pki.ts';
import { operatorOperations } from '../operations/operations.ts';
import type { Config } from '../platform/config.ts';
import { Jobs } from '../platform/jobs.ts';
import type { OperatorSession } from './session.ts';

export async function directSession(config: Config, command: string): Promise<OperatorSession> {
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
