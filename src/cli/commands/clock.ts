/**
 * `kirikae clock show | advance`: the sandbox clock from a shell. The advance is the same command
 * as the admin API and screen (hub/clock/clock.commands.ts), made by the hub operator (`system`),
 * audited with channel `cli`. It enqueues the due work (matching, execution, delivery retries) in
 * its transaction. With a system running, the advance is made there (embedded database: through its
 * control channel; PostgreSQL: in the database, which every running process follows by NOTIFY), so
 * the running clock moves and the due work runs at once; with none running, at its next start.
 */
import { parseArgs } from 'node:util';
import { formatDuration } from '../../hub/clock/clock.commands.ts';
import { loadConfig } from '../../platform/config.ts';
import type { Command } from '../command.ts';
import { operatorName, withOperatorSession } from '../operator-session.ts';

const jst = (d: Date) => `${new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')} JST`;

const show: Command = {
  name: 'clock show',
  summary: 'システム時刻を表示する / show the system clock (sandbox: real time + offset)',
  usage: `kirikae clock show

Prints the mode, the system's "now" (in Japan) and how far the sandbox clock is ahead of real time.`,
  async run(args) {
    parseArgs({ args, options: {} });
    const status = await withOperatorSession(loadConfig(), 'clock show', (session) => session.call('clock.show', {}));
    const now = new Date(status.now);
    console.log(`mode:    ${status.mode}${status.movable ? ' (movable)' : ' (real time, not movable)'}`);
    console.log(`now:     ${jst(now)}  (${now.toISOString()})`);
    console.log(`offset:  +${formatDuration(status.offsetMs)}`);
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
    const advanced = await withOperatorSession(loadConfig(), 'clock advance', (session) =>
      session.call('clock.advance', { advance: positionals[0], to: values.to, operator: operatorName() }),
    );
    console.log(`advanced ${formatDuration(advanced.advancedMs)}: ${jst(new Date(advanced.from))} → ${jst(new Date(advanced.to))}`);
    console.log(`offset:  +${formatDuration(advanced.offsetMs)}; the due work is queued`);
  },
};

export const clockCommands: readonly Command[] = [show, advance];
