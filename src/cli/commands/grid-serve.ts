import { StubGrid } from '../../grid/stub/stub-grid.ts';
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { CredentialFollower } from '../../grid/provision/credential-follower.ts';
import { hubCredentialSource } from '../../grid/transport/hub-credentials.ts';
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
import { Metrics } from '../../platform/metrics.ts';
import { rateLimitFromEnv, verificationRateLimit } from '../../platform/http/rate-limit.ts';
import { registerProvisionMetrics } from '../../grid/provision/metrics.ts';
import { deadlineWatchOpsPage } from '../../grid/provision/deadlines.ts';
import { startOpsServer, type OpsServer } from '../../platform/http/ops-server.ts';
import type { Db } from '../../platform/db/db.ts';
import { openPostgres } from '../../platform/db/postgres.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { gridMigrations, gridSchema } from '../../grid/schema.ts';
import { hasSupplyPoints } from '../../grid/registry/facility.repository.ts';
import { demoSeed, seedRegistry } from '../../grid/seed/seed.ts';
import { isRefusal } from '../../domain/refusal.ts';
import { log } from '../../platform/log.ts';
import { areaVariable, settingsSchema } from '../../platform/settings.ts';
import { stopSignal } from '../stop-signal.ts';

export const gridServe: Command = {
  name: 'grid serve',
  summary: "送配電システムを別プロセスで起動する / run some areas' grids as a separate HTTPS process",
  usage: `kirikae grid serve --areas 03,06 [--port 9443] [--host 127.0.0.1] [--hostname NAME]...

Runs the reference grids of the given areas in this process, each on the hub's database
(DATABASE_URL; PGlite cannot be shared between processes, so use PostgreSQL) or on a PostgreSQL
database of its own (KIRIKAE_GRID_<AREA>_DATABASE_URL: only that area's schema is created there;
in sandbox mode an empty one gets the area's demo registry), behind an HTTPS
server with mutual TLS that accepts only the hub's client certificate (O=H000, OU=api, from the hub
CA under KIRIKAE_HOME/pki). Its server certificate is issued by the hub CA into pki/grid/ for
localhost and the --hostname names. With KIRIKAE_MODE=verification it serves the grid stub
(designated supply point IDs answered by script, the rest by the reference grid).

Point the hub at it with one variable per area, then restart the hub:

  KIRIKAE_GRID_03_URL=https://localhost:9443 KIRIKAE_GRID_06_URL=https://localhost:9443 kirikae start

  --areas A,B     area codes (01–10), required
  --port N        port to listen on, default 9443
  --host ADDR     address to listen on, default 127.0.0.1
  --hostname NAME a host name (or IP) the hub uses to reach this process; repeatable
  --ops-port N    also serve /health/live, /health/ready (each area's database, the job queue),
                  /metrics and /pps/deadlines (the data provision sites' deadline watch, in
                  Japanese; ?date=YYYY-MM-DD, &format=json) on OPS_HOST (default 127.0.0.1) at
                  this port (0: any free one)

A sandbox grid follows the hub's clock, read from DATABASE_URL; in production mode a grid whose
areas all have their own databases needs no DATABASE_URL (each area's matching and execution then
run on its own database's job queue).

The data provision sites limit each participant's requests per area as the hub does
(KIRIKAE_RATE_LIMIT_PER_MINUTE, KIRIKAE_RATE_LIMIT_BURST; 429 past it).

With KIRIKAE_HUB_URL (and the grid operator's API certificate registered at the hub,
KIRIKAE_GRID_HUB_CERT and KIRIKAE_GRID_HUB_KEY) the data provision sites follow the hub's
suspensions at once (a long poll of /api/v1/credential-status) and refuse a suspended certificate
or participant with 403.

Environment: KIRIKAE_HOME, DATABASE_URL, KIRIKAE_GRID_<AREA>_DATABASE_URL, KIRIKAE_MODE, KIRIKAE_HUB_URL,
KIRIKAE_GRID_HUB_CERT, KIRIKAE_GRID_HUB_KEY,
KIRIKAE_GRID_USAGE_PASSWORD_CONFIRMATION (\`kirikae config\` lists them).`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        areas: { type: 'string' },
        port: { type: 'string', default: '9443' },
        host: { type: 'string', default: '127.0.0.1' },
        hostname: { type: 'string', multiple: true, default: [] },
        'ops-port': { type: 'string' },
      },
    });
    if (!values.areas) throw usageError('--areas is required (e.g. --areas 03,06)');
    const areas = [...new Set(values.areas.split(',').map((a) => a.trim().padStart(2, '0')))].map((a) => areaOf(a).code).sort() as AreaCode[];
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw usageError(`--port must be a port number (0–65535), not "${values.port}"`);

    const config = loadConfig();
    const ownDatabases = config.settings.gridDatabaseUrls;
    const shared = areas.filter((area) => !ownDatabases.has(area));
    // PGlite keeps its data in one process; a second process must share a PostgreSQL server. The
    // sandbox clock is the hub's, in its database: a sandbox grid reads it there whatever holds its data.
    if (!config.databaseUrl && (shared.length > 0 || config.mode === 'sandbox')) {
      throw usageError(
        shared.length > 0
          ? `kirikae grid serve shares the hub's database for areas ${shared.join(', ')}: set DATABASE_URL to the PostgreSQL server the hub uses, or ${gridDatabaseVariable(shared[0]!)} for a database of the area's own`
          : "in sandbox mode the grid follows the hub's clock: set DATABASE_URL to the hub's PostgreSQL (in production the grid needs only its own databases)",
      );
    }
    const opened: Db[] = [];
    let clockWatch: ClockWatch | undefined;
    let follower: CredentialFollower | undefined;
    let hubSource: ReturnType<typeof hubCredentialSource> | undefined;
    const jobsRunning: Jobs[] = [];
    try {
      // The hub's database (the sandbox clock, the job queue the hub's clock advances enqueue on, and
      // the areas without a database of their own), then each area's own database, migrated alone.
      const hubDb = config.databaseUrl ? (await openMigrated(config)).db : undefined;
      if (hubDb) opened.push(hubDb);
      const dbOf = new Map<AreaCode, Db>();
      for (const area of areas) {
        const url = ownDatabases.get(area);
        if (!url) {
          dbOf.set(area, hubDb!);
          continue;
        }
        const db = await openPostgres(url);
        opened.push(db);
        await migrate(db, [gridMigrations(area)]);
        dbOf.set(area, db);
      }
      const clock = await openSystemClock(hubDb ?? dbOf.get(areas[0]!)!, config.mode);
      // The hub's administrator moves the sandbox clock: this process follows at once (NOTIFY).
      if (hubDb) clockWatch = await watchClock(hubDb, clock);
      const pki = await loadHubPki(pkiDir(config.home), new Date());
      const hostnames = [...new Set(['localhost', '127.0.0.1', '::1', ...values.hostname])];
      const tls = await ensureGridServerTls(pki.dir, pki.ca, new Date(), hostnames);
      const options = gridOptionsFromEnv(process.env, config.mode);
      // A sandbox (or verification) area on a database of its own gets the demo registry the hub's database would have had.
      if (config.mode !== 'production') {
        for (const area of areas.filter((a) => ownDatabases.has(a))) {
          const db = dbOf.get(area)!;
          if (await hasSupplyPoints(db, gridSchema(area))) continue;
          await seedRegistry(db, { ...demoSeed, areas: [area] }).catch((error) => {
            if (!(isRefusal(error) && error.code === 'SEED_REGISTRY_NOT_EMPTY')) throw error;
          });
          log('info', 'grid', `area ${area}: loaded the demo registry into its own database`);
        }
      }
      const grids = areas.map((area) => new Grid({ area, db: dbOf.get(area)!, clock, options }));
      // This process runs its areas' matching and execution (the hub schedules only its in-process
      // grids): on the hub's job queue when it has the hub's database (so that the hub's clock
      // advances reach it), else each area on its own database's queue.
      const byJobsDb = new Map<Db, AreaCode[]>();
      for (const area of areas) {
        const jobsDb = hubDb ?? dbOf.get(area)!;
        byJobsDb.set(jobsDb, [...(byJobsDb.get(jobsDb) ?? []), area]);
      }
      const ppsSettings = provisionSettingsFromEnv(process.env);
      const contexts = new Map(grids.map((g) => [g.area, g.context]));
      for (const [jobsDb, jobAreas] of byJobsDb) {
        const jobs = await Jobs.start(jobsDb);
        jobsRunning.push(jobs);
        await scheduleDueWork(jobs, {
          grids: jobAreas.map((area) => ({ area, db: dbOf.get(area)!, clock })),
          runMatching,
          executeDue,
          // The half-hourly files now due (grid/provision), made after the executions.
          afterDue: (area) => runPpsWork(contexts.get(area as AreaCode)!, ppsSettings),
        });
        await schedulePpsWork(
          jobs,
          jobAreas.map((area) => contexts.get(area)!),
          ppsSettings,
        );
      }
      // The hub's suspensions, followed at once by the data provision sites (slide 46; provision/credential-follower.ts).
      const { hubUrl, gridHubCert, gridHubKey } = config.settings;
      if (hubUrl) {
        if (!gridHubCert || !gridHubKey) {
          throw usageError("KIRIKAE_HUB_URL needs KIRIKAE_GRID_HUB_CERT and KIRIKAE_GRID_HUB_KEY: the grid operator's API certificate registered at the hub");
        }
        hubSource = hubCredentialSource({
          hubUrl,
          certPem: await readFile(gridHubCert, 'utf8'),
          keyPem: await readFile(gridHubKey, 'utf8'),
          caPems: pki.tls.caPems,
        });
        follower = new CredentialFollower(hubSource, contexts.values());
        try {
          await follower.catchUp();
        } catch (error) {
          log(
            'warn',
            'credentials',
            `cannot read the hub's suspensions at start (${(error as Error).message}); serving with those already recorded, asking again`,
          );
        }
        follower.start();
      }
      // In verification mode the process serves the grid stub (each in front of its reference grid), as the hub would embed it.
      const server = createGridServer({
        grids: config.mode === 'verification' ? grids.map((grid) => new StubGrid(grid)) : grids,
        tls,
        // The sites' rate limit per participant and area, as the hub's (KIRIKAE_RATE_LIMIT_PER_MINUTE, _BURST).
        provision: {
          grids: contexts,
          settings: ppsSettings,
          verification: config.mode === 'verification',
          rateLimit: { limit: rateLimitFromEnv(process.env, config.mode === 'verification' ? verificationRateLimit : undefined) },
          ...(follower ? { credentials: follower } : {}),
        },
        ready: async () => {
          for (const db of new Set(dbOf.values())) await db.query('SELECT 1');
        },
      });
      await server.listen({ host: values.host, port });
      let ops: OpsServer | undefined;
      if (values['ops-port'] !== undefined) {
        const opsPort = Number(values['ops-port']);
        if (!/^\d+$/.test(values['ops-port']) || opsPort > 65535) throw usageError(`--ops-port must be a port number (0–65535), not "${values['ops-port']}"`);
        const metrics = new Metrics();
        // The job queue's lag and the pool of the database it runs on (one set of these gauges per process).
        metrics.watchDatabase(hubDb ?? dbOf.get(areas[0]!)!);
        // This process's areas' data provision sites: their files' lateness (kirikae_pps_*).
        registerProvisionMetrics(metrics, contexts.values());
        ops = await startOpsServer({
          host: config.settings.opsHost,
          port: opsPort,
          db: hubDb ?? dbOf.get(areas[0]!)!,
          metrics,
          // The grid administrators' deadline watch of the data provision sites (figures only).
          pages: { '/pps/deadlines': deadlineWatchOpsPage(contexts.values()) },
          checks: {
            ...Object.fromEntries(jobsRunning.map((jobs, i) => [jobsRunning.length === 1 ? 'jobs' : `jobs ${i + 1}`, () => jobs.ready()])),
            ...Object.fromEntries(
              areas.map((area) => [`grid ${area}`, async () => void (await dbOf.get(area)!.query(`SELECT 1 FROM ${gridSchema(area)}.supply_point LIMIT 1`))]),
            ),
          },
        });
      }
      // Listened for before the lines a supervisor waits for: a SIGTERM right after them stops cleanly.
      const stopped = stopSignal();
      const address = server.server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      const base = `https://${values.hostname[0] ?? 'localhost'}:${boundPort}`;
      console.log(`kirikae grid serving areas ${areas.join(', ')} on ${values.host}:${boundPort} (mutual TLS: the hub's client certificate only)`);
      for (const area of areas) console.log(`  database ${area}: ${dbOf.get(area)!.target}`);
      if (ops) console.log(`  health:    ${ops.url}`);
      if (follower) console.log(`  hub suspensions: following ${hubUrl} (position ${follower.position})`);
      console.log(`  cert:      ${gridPkiDir(pki.dir)}/server.cert.pem (hub CA)`);
      console.log(`  usage password confirmation: ${options.usagePasswordConfirmation}`);
      console.log(`  data provision sites (registered retailer certificates): ${areas.map((a) => `${base}/grid/${a}/PPS/`).join(' ')}`);
      console.log('  for the hub:');
      for (const area of areas) console.log(`    ${gridUrlVariable(area)}=${base}`);
      await stopped;
      console.log('kirikae grid stopping…');
      await server.close();
      await ops?.close();
    } finally {
      await follower?.stop();
      hubSource?.close();
      for (const jobs of jobsRunning) await jobs.stop();
      await clockWatch?.stop();
      for (const db of opened) await db.close();
    }
  },
};

function gridDatabaseVariable(area: AreaCode): string {
  return areaVariable(settingsSchema.gridDatabaseUrls, area);
}

/** Reported like a parseArgs error: the message and the usage, exit status 2. */
function usageError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
}
