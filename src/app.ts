/**
 * The composition root: one kirikae process with the hub and the reference grids of all ten areas.
 *
 * Start-up, in order: open the database (PGlite under KIRIKAE_HOME, or DATABASE_URL), apply
 * migrations (one transaction), open the clock (sandbox: movable, production: real), start the job
 * queue, load demo data on the first start of a sandbox, then listen. Each slow step says so in
 * the log as it begins (the first start of a sandbox takes tens of seconds).
 *
 * The embedded database belongs to this process alone (its data lock): a listening system opens a
 * control channel on the loopback address, so that `kirikae` commands in another terminal act
 * through it on the running system (operations/operations.ts) instead of opening the data again.
 *
 * Only this file (and the CLI) may import both `hub/` and `grid/`: everything else keeps them apart.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { areaCodes } from './domain/area.ts';
import { gridSchema } from './grid/schema.ts';
import { demoSeed, seedRegistry } from './grid/seed/seed.ts';
import { hasSupplyPoints } from './grid/registry/facility.repository.ts';
import { gridTimeoutFromEnv, gridTransportFromConfig, type GridRouting } from './grid/transport/config.ts';
import { ensureHubGridClientTls } from './grid/transport/pki.ts';
import { CredentialFollower, type CredentialSource } from './grid/provision/credential-follower.ts';
import { credentialChangesSince } from './hub/identity/credential-status.queries.ts';
import { nextIdentityChange } from './hub/identity/caller-cache.ts';
import { openSystemClock, type SystemClock } from './hub/sandbox-clock.ts';
import { clockControlWithJobs, type ClockControl } from './hub/clock/clock.commands.ts';
import { watchClock, type ClockWatch } from './hub/clock/clock-watch.ts';
import { executeDue, runMatching } from './grid/applications/jobs.ts';
import { retryDueDeliveries } from './hub/applications/outbox.commands.ts';
import { scheduleDueWork } from './jobs/due-work.ts';
import type { Config } from './platform/config.ts';
import type { Db } from './platform/db/db.ts';
import { PgliteDb } from './platform/db/pglite.ts';
import { startControlServer, type ControlOperation, type ControlServer } from './platform/control/control-server.ts';
import { operatorOperations, reloadTrustOperation } from './operations/operations.ts';
import { replaceTls } from './platform/http/https-server.ts';
import { allMigrations, openMigrated } from './operations/database.ts';
import { Jobs } from './platform/jobs.ts';
import { log } from './platform/log.ts';
import { startOpsServer, type OpsServer } from './platform/http/ops-server.ts';
import { Metrics } from './platform/metrics.ts';
import { observedTransport, registerAuditMetrics, registerHubMetrics } from './hub/metrics/hub-metrics.ts';
import { registerProvisionMetrics } from './grid/provision/metrics.ts';
import { rateLimitFromEnv, verificationRateLimit, type RateLimit } from './platform/http/rate-limit.ts';
import { claimDataMode } from './hub/verification/verification.repository.ts';
import { isRefusal, Refusal } from './domain/refusal.ts';
import { ensureDemoIdentities, makeDemoReports } from './demo/demo.ts';
import type { AuditEntry } from './hub/audit/audit.ts';
import { auditJournalDir, startAuditWriter } from './hub/audit/audit-journal.ts';
import type { AuditWriter } from './hub/http/audit-writer.ts';
import { buildHubServer } from './hub/http/hub-server.ts';
import { startOutboxJobs } from './hub/applications/outbox.jobs.ts';
import { mailSettingsFromEnv, type MailSender } from './hub/notifications/mail.ts';
import { runNotificationWork, startNotificationJobs, type NotificationDeps } from './hub/notifications/notification.jobs.ts';
import { watchGridEvents, type GridEventWatch } from './hub/notifications/event-watch.ts';
import { runFetchCheck, startRelayJobs } from './hub/relay/relay.jobs.ts';
import { certificateSettingsFromEnv, runCertificateWork, startCertificateJobs } from './hub/certificates/certificate.jobs.ts';
import type { AreaCode } from './domain/area.ts';
import { purgeSessions } from './hub/identity/session.commands.ts';
import { loadHubPki, pkiDir, type HubPki } from './hub/pki/hub-pki.ts';
import type { FastifyInstance } from 'fastify';
import { provisionSettingsFromEnv, registerProvisionSite, runPpsWork, schedulePpsWork } from './grid/provision/provision.ts';
import type { ProvisionSettings } from './grid/provision/schedule.ts';

export { allMigrations, openMigrated };

export interface System {
  readonly config: Config;
  readonly db: Db;
  readonly clock: SystemClock;
  readonly jobs: Jobs | undefined;
  readonly ops: OpsServer | undefined;
  /** What `/metrics` of the operations port shows. */
  readonly metrics: Metrics;
  readonly pki: HubPki;
  /** The hub's HTTPS address, when listening. */
  readonly url: string | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Run the job queue's workers and schedules in this process (default true). */
  readonly jobs?: boolean;
  /** Listen on the network (default true; tests and one-shot commands may not). */
  readonly listen?: boolean;
  /** The per-participant rate limit, instead of KIRIKAE_RATE_LIMIT_PER_MINUTE and _BURST. */
  readonly rateLimit?: RateLimit;
  /** The operations port (health, metrics), instead of OPS_PORT (0: any free port). */
  readonly opsPort?: number;
}

/** The hub's published suspensions read from its own tables: the long poll of the API, without HTTP. */
function localCredentialSource(db: Db): CredentialSource {
  return async (since, waitSeconds, signal) => {
    let answer = await credentialChangesSince(db, since);
    if (answer.changes.length === 0 && waitSeconds > 0) {
      await nextIdentityChange(waitSeconds * 1000, signal);
      if (!signal.aborted) answer = await credentialChangesSince(db, since);
    }
    return { changes: answer.changes.map((c) => ({ ...c, at: c.at.toISOString() })), next: answer.next };
  };
}

export async function startSystem(config: Config, options: StartOptions = {}): Promise<System> {
  const { db } = await openMigrated(config, { holder: 'kirikae start' });
  let jobs: Jobs | undefined;
  let ops: OpsServer | undefined;
  let hub: FastifyInstance | undefined;
  let grids: GridRouting | undefined;
  let clockWatch: ClockWatch | undefined;
  let gridEventWatch: GridEventWatch | undefined;
  let credentialFollower: CredentialFollower | undefined;
  let mailSender: MailSender | undefined;
  let control: ControlServer | undefined;
  let audit: AuditWriter<AuditEntry> | undefined;
  const metrics = new Metrics();
  const stop = async () => {
    await credentialFollower?.stop();
    await control?.close();
    await hub?.close();
    grids?.close();
    await ops?.close();
    await audit?.stop();
    await gridEventWatch?.stop();
    await jobs?.stop();
    await clockWatch?.stop();
    mailSender?.close();
    await db.close();
  };
  try {
    // Every request's audit record goes to a journal under KIRIKAE_HOME before it is answered; the
    // records of a process that ended before they reached the database are read back first.
    audit = await startAuditWriter(db, auditJournalDir(config.home));
    // The data belongs to the mode it was first started in: verification data never mixes with another's.
    const dataMode = await claimDataMode(db, config.mode, new Date());
    if (dataMode !== config.mode) throw new Refusal('VERIFY_MODE_DATA_MISMATCH', { params: { dataMode, mode: config.mode } });
    const clock = await openSystemClock(db, config.mode);
    // Another process (or `kirikae clock advance`) may move the sandbox clock: follow it at once.
    clockWatch = await watchClock(db, clock);
    // TLS checks certificates against the real time; the sandbox clock moves only business time.
    if (!existsSync(join(pkiDir(config.home), 'ca.cert.pem'))) log('info', 'pki', `creating the hub's certificate authority in ${pkiDir(config.home)}…`);
    const pki = await loadHubPki(pkiDir(config.home), new Date());
    // The verification environment is set up as the sandbox: demo participants, certificates, registry.
    let demoLoaded = false;
    if (config.mode !== 'production') {
      demoLoaded = await loadDemoData(db);
      if (!existsSync(join(pki.dir, 'api'))) log('info', 'demo', 'issuing the demo certificates (first start only)…');
      const demo = await ensureDemoIdentities(db, clock, pki, config.home);
      if (demo) log('info', 'demo', `issued ${demo.api.length + demo.terminals.length} demo certificates; see ${config.home}/DEMO.md`);
    }
    // The grids of all ten areas: in this process, or over HTTPS where KIRIKAE_GRID_<AREA>_URL says so.
    const routing = await gridTransportFromConfig({
      db,
      clock,
      env: config.env,
      mode: config.mode,
      clientTls: () => ensureHubGridClientTls(pki.dir, pki.ca, new Date()),
    });
    // Every call to a grid counted by outcome (kirikae_grid_calls_total, kirikae_grid_up).
    grids = observedTransport(routing, metrics);
    registerHubMetrics(metrics, db, clock);
    registerAuditMetrics(metrics, audit);
    // The in-process grids' data provision sites: their files' lateness (kirikae_pps_*).
    registerProvisionMetrics(
      metrics,
      [...routing.grids.values()].map((grid) => grid.context),
    );
    // A new sandbox has the last month's standard CSV reports of its demo retailers at once.
    if (demoLoaded) await makeDemoReports([...routing.grids.values()].map((grid) => grid.context));
    metrics.watchDatabase(db);
    for (const area of grids.remote.keys()) log('info', 'grid', `area ${area}: ${grids.describe(area)}`);
    let clockControl: ClockControl = { clock };
    if (grids.grids.size > 0) {
      credentialFollower = new CredentialFollower(
        localCredentialSource(db),
        [...grids.grids.values()].map((g) => g.context),
      );
      await credentialFollower.catchUp();
      credentialFollower.start();
    }
    const certificateSettings = certificateSettingsFromEnv(config.env, config.mode);
    const authority = { ca: pki.ca, schedule: certificateSettings.schedule };
    const certificateWork = { db, clock, authority, thresholds: certificateSettings.thresholds };
    if (options.jobs ?? true) {
      jobs = await Jobs.start(db);
      await scheduleHubJobs(jobs, db, clock);
      // Notifications: grid events fetched and mail sent every minute (SMTP, or the built-in mailbox).
      const mail = mailSettingsFromEnv(config.env);
      mailSender = mail.sender;
      const notifications: NotificationDeps = { mail: { db, clock, ...mail }, events: { db, clock, transport: grids }, areas: areaCodes };
      await scheduleGridJobs(jobs, grids, db, clock, notifications, () => runCertificateWork(certificateWork), provisionSettingsFromEnv(config.env));
      // The grids' data provision sites: the half-hourly files, every 15 minutes and after a clock move.
      await schedulePpsWork(
        jobs,
        [...grids.grids.values()].map((g) => g.context),
        provisionSettingsFromEnv(config.env),
      );
      // The application outbox: deliveries to the grids, and the retry scan every minute.
      await startOutboxJobs(jobs, { db, clock, transport: grids, jobs });
      await startNotificationJobs(jobs, notifications);
      // Notices within seconds: a grid's NOTIFY at the commit of its events (the minute job is the safety net).
      gridEventWatch = await watchGridEvents(db, notifications);
      // The relay: the hourly check of who does not fetch the relays awaiting its decision.
      await startRelayJobs(jobs, { db, clock });
      // Certificates: the batch at each closing time, expiry notices, the suspicion scan (every 5 minutes).
      await startCertificateJobs(jobs, certificateWork);
      // Every clock advance enqueues the due work in its own transaction (scheduleGridJobs works it).
      clockControl = await clockControlWithJobs(clock, jobs);
    }
    let url: string | undefined;
    if (options.listen ?? true) {
      const rateLimit = options.rateLimit ?? rateLimitFromEnv(config.env, config.mode === 'verification' ? verificationRateLimit : undefined);
      const gridRouting = grids;
      const running = jobs;
      ops = await startOpsServer({
        host: config.settings.opsHost,
        port: options.opsPort ?? config.opsPort,
        db,
        metrics,
        checks: {
          ...(running ? { jobs: () => running.ready() } : {}),
          ...Object.fromEntries(areaCodes.map((area) => [`grid ${area}`, () => gridRouting.probe(area)])),
        },
      });
      hub = await buildHubServer({
        db,
        clock,
        tls: pki.tls,
        audit,
        transport: grids,
        clockControl,
        gridTimeoutMs: gridTimeoutFromEnv(config.env),
        ...(jobs ? { jobs } : {}),
        requestsPerMinute: rateLimit.perMinute,
        requestBurst: rateLimit.burst,
        certificates: authority,
        verification: config.mode === 'verification',
        metrics,
        // The statistics' switching rate: the registry of each grid this process runs (remote: unknown).
        supplyPointCount: async (area) => {
          if (!gridRouting.grids.has(area)) return null;
          const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${gridSchema(area)}.supply_point`);
          return rows[0]?.n ?? 0;
        },
        // Each in-process grid's data provision site, carried on the hub's server (HALFHOURLY.md B1),
        // refusing at once what the hub suspends (followed from the hub's tables, as grid serve follows its API).
        extraRoutes: (app) =>
          registerProvisionSite(app, {
            grids: new Map([...(grids?.grids ?? new Map()).entries()].map(([area, grid]) => [area, grid.context])),
            settings: provisionSettingsFromEnv(config.env),
            verification: config.mode === 'verification',
            trustedCaPems: pki.tls.caPems,
            ...(credentialFollower ? { credentials: credentialFollower } : {}),
          }),
      });
      await hub.listen({ host: config.host, port: config.port });
      const address = hub.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      url = `https://${config.host === '127.0.0.1' ? 'localhost' : config.host}:${port}/`;
      // The embedded database is this process's alone: commands in other terminals act through it.
      if (db instanceof PgliteDb && db.lock) {
        const ready = clockControl;
        const server = hub;
        const operations: Record<string, ControlOperation> = {
          ...(operatorOperations({ db, clock, clockControl: async () => ready, certificates: async () => authority }) as unknown as Record<
            string,
            ControlOperation
          >),
          // `kirikae pki init --import`: the CAs trusted now, for the handshakes from now on.
          [reloadTrustOperation]: async () => {
            const reloaded = await loadHubPki(pkiDir(config.home), new Date());
            replaceTls(server, reloaded.tls);
            return { trustedCas: reloaded.tls.caPems.length };
          },
        };
        control = await startControlServer(operations);
        db.lock.publish({ control: { url: control.url, token: control.token } });
      }
    }
    return { config, db, clock, jobs, ops, metrics, pki, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The hub's housekeeping: ended web sessions are deleted once a day (03:30 in Japan). */
async function scheduleHubJobs(jobs: Jobs, db: Db, clock: SystemClock): Promise<void> {
  await jobs.work('hub.purge-sessions', async () => {
    const purged = await purgeSessions(db, clock);
    if (purged > 0) log('info', 'hub', `deleted ${purged} ended web sessions`);
  });
  await jobs.every('hub.purge-sessions', '30 3 * * *');
}

/**
 * The grids' scheduled work: usage password applications waiting for the next business day are
 * examined every 10 minutes (they are also examined when their applicant asks their status).
 */
async function scheduleGridJobs(
  jobs: Jobs,
  grids: GridRouting,
  db: Db,
  clock: SystemClock,
  notifications: NotificationDeps,
  certificateWork: () => Promise<unknown>,
  ppsSettings: ProvisionSettings,
): Promise<void> {
  await jobs.work('grid.examine-usage-passwords', async () => {
    for (const grid of grids.grids.values()) await grid.examineDue();
  });
  await jobs.every('grid.examine-usage-passwords', '*/10 * * * *');
  // Applications: matching every 20 minutes, execution of due ones every 10 minutes and at 00:05,
  // and both (after the outbox's due retries) right after the sandbox clock moves (jobs/due-work.ts).
  await scheduleDueWork(jobs, {
    grids: [...grids.grids.keys()].map((area) => ({ area, db, clock })),
    areas: areaCodes,
    runMatching,
    executeDue,
    retryDueDeliveries: () => retryDueDeliveries({ db, clock, transport: grids, jobs }),
    notify: (areas) => runNotificationWork(notifications, areas as readonly AreaCode[] | undefined),
    checkRelayFetches: () => runFetchCheck(db, clock),
    certificateWork,
    afterDue: async (area) => {
      const grid = grids.grids.get(area as AreaCode);
      if (grid) await runPpsWork(grid.context, ppsSettings);
    },
  });
}

/** On the first start of a sandbox, fills the grids with a small synthetic registry; true when it did. */
async function loadDemoData(db: Db): Promise<boolean> {
  if (!(await registryIsEmpty(db))) return false;
  log('info', 'demo', `loading ${demoSeed.points.toLocaleString()} demo supply points…`);
  const started = performance.now();
  try {
    const result = await seedRegistry(db, demoSeed);
    log('info', 'demo', `loaded ${result.points} demo supply points in ${Math.round(performance.now() - started)} ms`);
    return true;
  } catch (error) {
    // Another process starting at the same moment loaded it first: that is what we wanted.
    if (isRefusal(error) && error.code === 'SEED_REGISTRY_NOT_EMPTY') return false;
    throw error;
  }
}

async function registryIsEmpty(db: Db): Promise<boolean> {
  for (const area of areaCodes) if (await hasSupplyPoints(db, gridSchema(area))) return false;
  return true;
}
