/**
 * A hub listening on a random port over real mutual TLS, on a test database, with the identity world
 * of hub/identity/testing.ts (the hub and its admin, retailers 1003 and 2001 with their admins,
 * users, terminal and API certificates). Clients are real HTTPS connections presenting real
 * certificates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry, AuditFilter } from '../../src/hub/audit/audit.ts';
import { startAuditWriter } from '../../src/hub/audit/audit-journal.ts';
import { searchAudit } from '../../src/hub/audit/audit.repository.ts';
import type { AuditWriter } from '../../src/hub/http/audit-writer.ts';
import { buildHubServer } from '../../src/hub/http/hub-server.ts';
import { buildCertificate, givenIdentityWorld, testCertificateAuthority, testClock } from '../../src/hub/identity/testing.ts';
import type { ManualClock } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db/db.ts';
import type { GridTransport } from '../../src/interfaces/message.ts';
import type { DeliveryJobs } from '../../src/hub/applications/outbox.commands.ts';
import { issueServerCert } from '../../src/platform/pki/issue.ts';
import { TestClient } from './https-client.ts';
import { KirikaeClient } from '../../src/sdk/client.ts';
import type { FastifyInstance } from 'fastify';
import type { ClockControl } from '../../src/hub/clock/clock.commands.ts';
import type { CertificateAuthority } from '../../src/hub/certificates/request.commands.ts';
import type { Metrics } from '../../src/platform/metrics.ts';
import type { AreaCode } from '../../src/domain/area.ts';
import type { Logger } from '../../src/platform/log.ts';

/** The certificates of the identity world, by the options they were built with. */
export const worldCertificates = {
  hubTerminal: { participantCode: 'H000', terminalName: '広域機関 端末1' },
  aTerminal: { participantCode: '10033', terminalName: '本社 端末1' },
  aApi: { participantCode: '10033', usage: 'api' as const },
  bTerminal: { participantCode: '20016', terminalName: '大阪 端末1' },
};

export interface TestHub {
  readonly base: string;
  readonly clock: ManualClock;
  readonly world: Awaited<ReturnType<typeof givenIdentityWorld>>;
  readonly caPem: string;
  readonly audit: AuditWriter<AuditEntry>;
  /** The folder of the hub's audit journal (a temporary one, removed on close). */
  readonly auditJournalDir: string;
  /** A client presenting one of the world's certificates. */
  sdk(name: keyof typeof worldCertificates, binding?: 'json' | 'soap'): KirikaeClient;
  /** A client presenting one of the world's certificates. */
  as(name: keyof typeof worldCertificates): TestClient;
  /** A client presenting any certificate (or none). */
  withCert(cert: { certPem: string; keyPem: string } | undefined): TestClient;
  close(): Promise<void>;
}

/**
 * The audit entries matching `filter`, waiting (up to 3 s) for the first to be written: the hub
 * journals a request's record before it answers, but inserts it with the next batch.
 */
export async function auditedSoon(db: Db, audit: AuditWriter<AuditEntry>, filter: AuditFilter) {
  const until = Date.now() + 3000;
  for (;;) {
    await audit.flush();
    const page = await searchAudit(db, filter);
    if (page.entries.length > 0 || Date.now() > until) return page;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface TestHubOptions {
  requestsPerMinute?: number;
  requestBurst?: number;
  /** The time the rate limit refills by (default the real time). */
  rateLimitClock?: ManualClock;
  transport?: GridTransport;
  clock?: ManualClock;
  gridTimeoutMs?: number;
  clockControl?: ClockControl;
  jobs?: DeliveryJobs;
  /** The hub CA (the test CA) and issuance schedule for certificate requests (issue 19). */
  certificates?: CertificateAuthority;
  /** The supply points of an area (the statistics' switching rate). */
  supplyPointCount?: (area: AreaCode) => Promise<number | null>;
  /** Where requests are counted (`/metrics`). */
  metrics?: Metrics;
  /** Where the request log lines go. */
  logger?: Logger;
  /** The identity world already on `db` (a second hub process on the same database); default: create it. */
  world?: TestHub['world'];
  /** The verification environment: calls recorded for the test scenarios, its screens and banner. */
  verification?: boolean;
  /** Routes the composition adds (the grids' data provision sites). */
  extraRoutes?: (app: FastifyInstance) => void;
}

export async function startTestHub(db: Db, options: TestHubOptions = {}): Promise<TestHub> {
  const clock = options.clock ?? testClock();
  const world = options.world ?? (await givenIdentityWorld(db, clock));
  const ca = testCertificateAuthority();
  const server = issueServerCert({ ca, hostnames: ['localhost', '127.0.0.1'], now: new Date('2026-01-01T00:00:00Z') });
  const auditJournalDir = mkdtempSync(join(tmpdir(), 'kirikae-audit-journal-'));
  const audit = await startAuditWriter(db, auditJournalDir, { flushIntervalMs: 10 });
  const app = await buildHubServer({
    db,
    clock,
    tls: { keyPem: server.keyPem, certPem: server.certPem, caPems: [ca.certPem] },
    audit,
    ...(options.requestsPerMinute ? { requestsPerMinute: options.requestsPerMinute } : {}),
    ...(options.requestBurst ? { requestBurst: options.requestBurst } : {}),
    ...(options.rateLimitClock ? { rateLimitClock: options.rateLimitClock } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
    ...(options.gridTimeoutMs ? { gridTimeoutMs: options.gridTimeoutMs } : {}),
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(options.clockControl ? { clockControl: options.clockControl } : {}),
    ...(options.certificates ? { certificates: options.certificates } : {}),
    ...(options.verification ? { verification: true } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.supplyPointCount ? { supplyPointCount: options.supplyPointCount } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `https://localhost:${typeof address === 'object' && address ? address.port : 0}`;
  const withCert = (cert: { certPem: string; keyPem: string } | undefined) =>
    new TestClient(base, cert ? { certPem: cert.certPem, keyPem: cert.keyPem, caPem: ca.certPem } : { caPem: ca.certPem });
  return {
    base,
    clock,
    world,
    caPem: ca.certPem,
    audit,
    auditJournalDir,
    as: (name) => withCert(buildCertificate(worldCertificates[name]).cert),
    sdk: (name, binding = 'json') => {
      const cert = buildCertificate(worldCertificates[name]).cert;
      return new KirikaeClient({ baseUrl: base, certPem: cert.certPem, keyPem: cert.keyPem, caPem: ca.certPem, binding });
    },
    withCert,
    close: async () => {
      await app.close();
      await audit.stop();
      rmSync(auditJournalDir, { recursive: true, force: true });
    },
  };
}
