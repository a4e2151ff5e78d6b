import { loadConfig } from '../../platform/config.ts';
import type { Command } from '../command.ts';
import { stopSignal } from '../stop-signal.ts';

export const start: Command = {
  name: 'start',
  summary: 'hub と全10エリアの送配電システムを起動する / start the hub and the reference grids of all 10 areas',
  usage: `kirikae start

Starts the hub and the reference grid systems of all ten areas in this process. With no
DATABASE_URL it uses the embedded PGlite under KIRIKAE_HOME (default ./var) and, in sandbox mode
on the first start, loads demo data. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.

Environment: KIRIKAE_HOME, DATABASE_URL, KIRIKAE_MODE (sandbox|verification|production), HOST, PORT, OPS_PORT and
the others that kirikae config lists (all checked before anything starts).`,
  async run() {
    const started = performance.now();
    const config = loadConfig();
    // Loaded here, not at the top: the other commands need none of the servers.
    const { startSystem } = await import('../../app.ts');
    const system = await startSystem(config);
    // Listened for before "ready" is said: a SIGTERM right after it stops the system cleanly.
    const stopped = stopSignal();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`kirikae ready in ${seconds} s (${config.mode} mode)`);
    if (system.url) console.log(`  hub:      ${system.url} (mutual TLS: a registered client certificate is required)`);
    console.log(`  database: ${system.db.target}`);
    if (config.mode !== 'production') console.log(`  demo:     ${config.home}/DEMO.md (certificates, users, initial passwords)`);
    if (config.mode === 'verification' && system.url) {
      console.log(`  stub:     ${system.url}verification (designated supply point IDs; test progress at /verification/progress)`);
      console.log(`  samples:  ${system.url}grid/03/PPS/test/ (each area's data provision test page; register your certificate at …/PPS/register)`);
    }
    if (system.ops) console.log(`  health:   ${system.ops.url}`);
    console.log(`  clock:    ${system.clock.now().toISOString()}`);
    await stopped;
    console.log('kirikae stopping…');
    await system.stop();
  },
};
