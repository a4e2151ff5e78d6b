import { parseArgs } from 'node:util';
import { openMigrated } from '../../operations/database.ts';
import { areaOf, type AreaCode } from '../../domain/area.ts';
import { Grid } from '../../grid/grid.ts';
import { createGridServer } from '../../grid/server.ts';
import { gridOptionsFromEnv, gridUrlVariable } from '../../grid/transport/config.ts';
import { ensureGridServerTls, gridPkiDir } from '../../grid/transport/pki.ts';
import { loadHubPki, pkiDir } from '../../hub/pki/hub-pki.ts';
import { openSystemClock } from '../../hub/sandbox-clock.ts';
import { watchClock, type ClockWatch } from '../../hub/clock/clock-watch.ts';
import { executeDue, runMatching } from '../../grid/applications/jobs.ts';
import { scheduleDueWork } from '../../jobs/due-work.ts';
import { provisionSettingsFromEnv, runPpsWork, schedulePpsWork } from '../../grid/provision/provision.ts';
import { Jobs } from '../../platform/jobs.ts';
import { loadConfig } from '../../platform/config.ts';
import type { Command } from '../command.ts';

export const gridServe: Command = {
  name: 'grid serve',
  summary: "送配電システムを別プロセスで起動する / run some areas' grids as a separate HTTPS process",
  usage: `kirikae grid serve --areas 03,06 [--port 9443] [--host 127.0.0.1] [--hostname NAME]...

Runs the reference grids of the given areas in this process, on the same database as the hub
(DATABASE_URL; PGlite cannot be shared between processes, so use PostgreSQL), behind an HTTPS
server with mutual TLS that accepts only the hub's client certificate (O=H000, OU=api, from the hub
CA under KIRIKAE_HOME/pki). Its server certificate is issued by the hub CA into pki/grid/ for
localhost and the --hostname names.

Point the hub at it with one variable per area, then restart the hub:

  KIRIKAE_GRID_03_URL=https://localhost:9443 KIRIKAE_GRID_06_URL=https://localhost:9443 kirikae start

  --areas A,B     area codes (01–10), required
  --port N        port to listen on, default 9443
  --host ADDR     address to listen on, default 127.0.0.1
  --hostname NAME a host name (or IP) the hub uses to reach this process; repeatable

Environment: KIRIKAE_HOME, DATABASE_URL, KIRIKAE_MODE, KIRIKAE_GRID_USAGE_PASSWORD_CONFIRMATION.`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        areas: { type: 'string' },
        port: { type: 'string', default: '9443' },
        host: { type: 'string', default: '127.0.0.1' },
        hostname: { type: 'string', multiple: true, default: [] },
      },
    });
    if (!values.areas) throw usageError('--areas is required (e.g. --areas 03,06)');
    const areas = [...new Set(values.areas.split(',').map((a) => a.trim().padStart(2, '0')))].map((a) => areaOf(a).code).sort() as AreaCode[];
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw usageError(`--port must be a port number (0–65535), not "${values.port}"`);

    const config = loadConfig();
    // PGlite keeps its data in one process; a second process must share a PostgreSQL server.
    if (!config.databaseUrl) throw usageError("kirikae grid serve shares the hub's database: set DATABASE_URL to the PostgreSQL server the hub uses");
    const { db } = await openMigrated(config);
    let clockWatch: ClockWatch | undefined;
    let jobs: Jobs | undefined;
    try {
      const clock = await openSystemClock(db, config.mode);
      // The hub's administrator moves the sandbox clock: this process follows at once (NOTIFY).
      clockWatch = await watchClock(db, clock);
      const pki = await loadHubPki(pkiDir(config.home), new Date());
      const hostnames = [...new Set(['localhost', '127.0.0.1', '::1', ...values.hostname])];
      const tls = await ensureGridServerTls(pki.dir, pki.ca, new Date(), hostnames);
      const options = gridOptionsFromEnv(process.env, config.mode);
      const grids = areas.map((area) => new Grid({ area, db, clock, options }));
      // This process runs its areas' matching and execution (the hub schedules only its in-process grids).
      jobs = await Jobs.start(db);
      const ppsSettings = provisionSettingsFromEnv(process.env);
      const contexts = new Map(grids.map((g) => [g.area, g.context]));
      await scheduleDueWork(jobs, {
        grids: areas.map((area) => ({ area, db, clock })),
        runMatching,
        executeDue,
        afterDue: (area) => runPpsWork(contexts.get(area as AreaCode)!, ppsSettings),
      });
      await schedulePpsWork(jobs, contexts.values(), ppsSettings);
      const server = createGridServer({ grids, tls, provision: { grids: contexts, settings: ppsSettings } });
      await server.listen({ host: values.host, port });
      const address = server.server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      const base = `https://${values.hostname[0] ?? 'localhost'}:${boundPort}`;
      console.log(`kirikae grid serving areas ${areas.join(', ')} on ${values.host}:${boundPort} (mutual TLS: the hub's client certificate only)`);
      console.log(`  database:  ${db.target}`);
      console.log(`  cert:      ${gridPkiDir(pki.dir)}/server.cert.pem (hub CA)`);
      console.log(`  usage password confirmation: ${options.usagePasswordConfirmation}`);
      console.log(`  data provision sites (registered retailer certificates): ${areas.map((a) => `${base}/grid/${a}/PPS/`).join(' ')}`);
      console.log('  for the hub:');
      for (const area of areas) console.log(`    ${gridUrlVariable(area)}=${base}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      console.log('kirikae grid stopping…');
      await server.close();
    } finally {
      await jobs?.stop();
      await clockWatch?.stop();
      await db.close();
    }
  },
};

/** Reported like a parseArgs error: the message and the usage, exit status 2. */
function usageError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
}
