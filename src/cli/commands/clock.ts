/**
 * `kirikae clock show | advance`: the sandbox clock from a shell. The advance is the same command
 * as the admin API and screen (hub/clock/clock.commands.ts), made by the hub operator (`system`),
 * audited with channel `cli`. It enqueues the due work (matching, execution, delivery retries) in
 * its transaction: a running system takes it at once; with the embedded PGlite, which one process
 * holds at a time, the system takes it at its next start.
 */
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { openMigrated } from '../../app.ts';
import { recordAudit } from '../../hub/audit/audit.repository.ts';
import { advanceClock, clockControlWithJobs, clockStatus, formatDuration } from '../../hub/clock/clock.commands.ts';
import { systemActor } from '../../hub/policy.ts';
import { openSystemClock } from '../../hub/sandbox-clock.ts';
import { isRefusal } from '../../domain/refusal.ts';
import { loadConfig } from '../../platform/config.ts';
import { Jobs } from '../../platform/jobs.ts';
import type { Command } from '../command.ts';

const jst = (d: Date) => `${new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')} JST`;

const show: Command = {
  name: 'clock show',
  summary: 'システム時刻を表示する / show the system clock (sandbox: real time + offset)',
  usage: `kirikae clock show

Prints the mode, the system's "now" (in Japan) and how far the sandbox clock is ahead of real time.`,
  async run(args) {
    parseArgs({ args, options: {} });
    const config = loadConfig();
    const { db } = await openMigrated(config);
    try {
      const status = clockStatus(await openSystemClock(db, config.mode));
      console.log(`mode:    ${status.mode}${status.movable ? ' (movable)' : ' (real time, not movable)'}`);
      console.log(`now:     ${jst(status.now)}  (${status.now.toISOString()})`);
      console.log(`offset:  +${formatDuration(status.offsetMs)}`);
    } finally {
      await db.close();
    }
  },
};

const advance: Command = {
  name: 'clock advance',
  summary: 'サンドボックスの時計を進める / move the sandbox clock forward',
  usage: `kirikae clock advance DURATION
kirikae clock advance --to INSTANT

Moves the sandbox clock forward for every process sharing the database, then runs the due work
(matching, execution of applications whose date has come, delivery retries) at once. Never back;
refused in production mode (CLOCK_NOT_MOVABLE).

  DURATION      3d, 12h, 20m, 90s, 1w or combined: 1d12h
  --to INSTANT  2026-12-01T09:00+09:00, or 2026-12-01 09:00 (time in Japan)`,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { to: { type: 'string' } } });
    const config = loadConfig();
    const { db } = await openMigrated(config);
    const audit = async (result: string) =>
      recordAudit(db, {
        at: new Date(),
        companyCode: systemActor.participant.companyCode,
        userId: systemActor.user!.userId,
        fingerprint256: null,
        sourceAddress: `cli:${userInfo().username}@${hostname()}`,
        channel: 'cli',
        action: 'clockAdvance',
        result,
      });
    let jobs: Jobs | undefined;
    try {
      const clock = await openSystemClock(db, config.mode);
      if (config.mode === 'sandbox') jobs = await Jobs.start(db, { schedule: false });
      const control = jobs ? await clockControlWithJobs(clock, jobs) : { clock };
      try {
        const advanced = await advanceClock(db, control, systemActor, { advance: positionals[0], to: values.to });
        await audit('OK');
        console.log(`advanced ${formatDuration(advanced.advancedMs)}: ${jst(advanced.from)} → ${jst(advanced.to)}`);
        console.log(`offset:  +${formatDuration(advanced.offsetMs)}; the due work is queued`);
      } catch (error) {
        if (isRefusal(error)) await audit(error.code);
        throw error;
      }
    } finally {
      await jobs?.stop();
      await db.close();
    }
  },
};

export const clockCommands: readonly Command[] = [show, advance];
