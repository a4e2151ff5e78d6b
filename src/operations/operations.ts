/**
 * The hub operator's actions on the data, as `kirikae` commands ask for them: one table, run either
 * by the command itself on the database it opened (no system running, or PostgreSQL, which any
 * number of processes share), or — when a system holds the embedded database — by that running
 * system, on the command's behalf, through its control channel (platform/control). Either way the
 * same function runs against the same data, so a suspension is at once in force in the process that
 * serves the certificate, and a clock advance moves the clock that process reads.
 *
 * Inputs and results are plain JSON (dates as ISO strings): they cross a process boundary. This
 * module composes hub and grid (the seed fills the grids' registries), like app.ts.
 */
import { seedRegistry } from '../grid/seed/seed.ts';
import { parseReadingCalendar, replaceReadingCalendar } from '../grid/registry/reading-calendar.repository.ts';
import { gridSchema } from '../grid/schema.ts';
import { areaCodes, areaOf, areas } from '../domain/area.ts';
import { isRefusal, Refusal } from '../domain/refusal.ts';
import { recordAudit } from '../hub/audit/audit.repository.ts';
import { advanceClock, clockStatus, type ClockControl } from '../hub/clock/clock.commands.ts';
import { listCertificates, registerCertificate } from '../hub/identity/certificate.commands.ts';
import type { Certificate } from '../hub/identity/certificate.ts';
import { resume, suspend } from '../hub/identity/suspension.commands.ts';
import { decideRequest, listRequests, type CertificateAuthority } from '../hub/certificates/request.commands.ts';
import { systemActor } from '../hub/policy.ts';
import type { SystemClock } from '../hub/sandbox-clock.ts';
import type { Db } from '../platform/db/db.ts';
import { migrate, type AppliedMigration } from '../platform/db/migrate.ts';
import { allMigrations } from './database.ts';
import type { IsoDate } from '../domain/date.ts';
import { parseIsoDate } from '../domain/date.ts';
import { listPpsCertificates, registerPpsCertificate, setPpsSuspension } from '../grid/provision/site.repository.ts';
import { reissueW4 } from '../grid/provision/schedule.ts';
import { reissueW5 } from '../grid/provision/w5-schedule.ts';
import { listInterruptions, parseJstDateTime, recordInterruption, type Interruption } from '../grid/provision/interruption.repository.ts';
import { parseSupplyPointId } from '../domain/supply-point-id.ts';
import { resolveGridOptions } from '../grid/context.ts';
import { dataModeOf } from '../hub/verification/verification.repository.ts';

export interface OperationDeps {
  readonly db: Db;
  readonly clock: SystemClock;
  /** How this process moves the clock (a running system: with its job queue, so the due work runs now). */
  clockControl(): Promise<ClockControl>;
  /** Migrations applied when this process opened the database: `db.migrate` reports them (once). */
  readonly appliedAtOpen?: readonly AppliedMigration[];
  /** The hub CA and issuance schedule, for approving certificate requests (issued at once in the sandbox). */
  certificates?(): Promise<CertificateAuthority | undefined>;
}

/** Who acts: the operating-system user and host the command ran as, for the audit record. */
export interface OperatorInput {
  readonly operator?: string;
}

export interface CertificateSummary {
  readonly fingerprint256: string;
  readonly companyCode: string;
  readonly usage: string;
  readonly status: string;
  readonly subjectCn: string;
  readonly notAfter: string;
}

export function operatorOperations(deps: OperationDeps) {
  const { db } = deps;
  let appliedAtOpen = [...(deps.appliedAtOpen ?? [])];
  const audit = (input: OperatorInput, action: string, result: string, fingerprint: string | null, companyCode: string | null) =>
    recordAudit(db, {
      at: new Date(),
      companyCode,
      userId: systemActor.user!.userId,
      fingerprint256: fingerprint,
      sourceAddress: `cli:${operatorName(input.operator)}`,
      channel: 'cli',
      action,
      result,
    });

  return {
    async 'db.migrate'(_input: Record<string, never>) {
      const applied = [...appliedAtOpen, ...(await migrate(db, allMigrations))];
      appliedAtOpen = [];
      return { target: db.target, applied: applied.map((m) => ({ schema: m.schema, name: m.name })) };
    },

    async seed(input: { points: number; seed: number; replace: boolean }, progress: (report: { loaded: number; total: number }) => void) {
      // The verification environment's registry is the demo's, which DEMO.md and the test scenarios
      // name; replacing it, or loading millions of points, is what slide 20 forbids (high load).
      if ((await dataModeOf(db)) === 'verification') {
        await audit(input as OperatorInput, 'seed', 'VERIFY_OPERATION_REFUSED', null, null);
        throw new Refusal('VERIFY_OPERATION_REFUSED', {
          params: {
            command: 'kirikae seed',
            reason: '検証環境の供給地点はデモのデータで、DEMO.md とテストシナリオが使います。大量データの投入は高負荷のため禁止されています',
          },
        });
      }
      const started = performance.now();
      let last = 0;
      const result = await seedRegistry(db, {
        points: input.points,
        seed: input.seed,
        replace: input.replace === true,
        onProgress: ({ loaded, total }) => {
          // A report every second at most: the caller may be another process.
          if (performance.now() - last < 1000) return;
          last = performance.now();
          progress({ loaded, total });
        },
      });
      return {
        target: db.target,
        points: result.points,
        seconds: (performance.now() - started) / 1000,
        byArea: areas.map((area) => ({ code: area.code, name: area.name, points: result.byArea[area.code] })),
      };
    },

    /**
     * Loads an area's published reading calendar (定例検針日一覧表) of one voltage and year: the year's
     * days replaced in one transaction, whole or not at all (src/grid/registry/reading-calendar.repository.ts).
     */
    async 'grid.readingDays.load'(input: OperatorInput & { area: string; voltage: string; year: number; text: string }) {
      const area = areaOf(String(input.area ?? '')).code;
      const voltage = input.voltage === 'HV' ? 'HV' : 'LV';
      const year = Number(input.year);
      if (!Number.isInteger(year) || year < 2016 || year > 2100) {
        throw new Refusal('GRID_CALENDAR_LINE_INVALID', { field: 'year', params: { line: 0, value: String(input.year) } });
      }
      const rows = parseReadingCalendar(String(input.text ?? ''), year);
      const result = await db.transaction((tx) => replaceReadingCalendar(tx, gridSchema(area), voltage, year, rows));
      await audit(input, 'grid.readingDays.load', 'OK', null, null);
      return { target: db.target, area, voltage, year, ...result };
    },

    async 'clock.show'(_input: Record<string, never>) {
      return presentClock(deps.clock);
    },

    async 'clock.advance'(input: OperatorInput & { advance?: string | undefined; to?: string | undefined }) {
      try {
        const advanced = await advanceClock(db, await deps.clockControl(), systemActor, { advance: input.advance, to: input.to });
        await audit(input, 'clockAdvance', 'OK', null, null);
        return { from: advanced.from.toISOString(), to: advanced.to.toISOString(), advancedMs: advanced.advancedMs, offsetMs: advanced.offsetMs };
      } catch (error) {
        if (isRefusal(error)) await audit(input, 'clockAdvance', error.code, null, null);
        throw error;
      }
    },

    /** Registers a certificate: one `kirikae pki issue` made (`pki.issue`), or an external one (`pki.register`). */
    async 'certificate.register'(input: OperatorInput & { certPem: string; participantCode: string; action: 'pki.issue' | 'pki.register' }) {
      if (typeof input.certPem !== 'string') throw new Refusal('PKI_NO_CERTIFICATE');
      const registered = await registerCertificate(db, deps.clock, {
        certPem: input.certPem,
        participantCode: String(input.participantCode ?? ''),
        registeredBy: systemActor,
      });
      await audit(input, input.action === 'pki.issue' ? 'pki.issue' : 'pki.register', 'OK', registered.fingerprint256, registered.companyCode);
      return summary(registered);
    },

    async 'certificate.list'(input: { companyCode?: string; status?: 'active' | 'suspended'; usage?: 'api' | 'terminal'; page: number }) {
      const page = await listCertificates(
        db,
        {
          ...(input.companyCode ? { companyCode: input.companyCode } : {}),
          ...(input.status === 'active' || input.status === 'suspended' ? { status: input.status } : {}),
          ...(input.usage === 'api' || input.usage === 'terminal' ? { usage: input.usage } : {}),
        },
        { page: input.page, size: 200 },
      );
      return { items: page.items.map(summary), total: page.total, page: page.page, size: page.size };
    },

    /** Certificate requests (issue 19), newest first: the pending ones, or all. */
    async 'certificate.requests'(input: { pending?: boolean }) {
      const requests = await listRequests(db, systemActor, input.pending ? { statuses: ['requested'] } : {});
      return requests.map((r) => ({
        requestId: r.requestId,
        companyCode: r.companyCode,
        boundCode: r.boundCode,
        usage: r.usage,
        subjectCn: r.subjectCn,
        method: r.method,
        status: r.status,
        requestedAt: r.requestedAt.toISOString(),
        renews: r.renews,
      }));
    },

    /** Approves (issued at once or in the next batch) or refuses (with the reason the participant is told) a request. */
    async 'certificate.decide'(input: OperatorInput & { requestId: number; approve: boolean; reason?: string }) {
      const decided = await decideRequest(db, deps.clock, systemActor, await deps.certificates?.(), Number(input.requestId), {
        approve: input.approve === true,
        reason: String(input.reason ?? ''),
      });
      await audit(input, input.approve === true ? 'pki.approve' : 'pki.refuse', 'OK', decided.fingerprint256, decided.companyCode);
      return { requestId: decided.requestId, status: decided.status, fingerprint256: decided.fingerprint256 };
    },

    /** Suspends or resumes a certificate (slide 46): every process serving it refuses it at once. */
    async 'certificate.setStatus'(input: OperatorInput & { fingerprint: string; status: 'suspended' | 'active'; reason: string }) {
      const command = input.status === 'suspended' ? suspend : resume;
      const result = await command(db, deps.clock, systemActor, {
        target: { kind: 'certificate', id: String(input.fingerprint ?? '') },
        reason: String(input.reason ?? ''),
      });
      await audit(input, input.status === 'suspended' ? 'pki.suspend' : 'pki.resume', 'OK', result.target.id, null);
      // The grids' data provision sites refuse (or accept again) the same certificate at once.
      for (const area of areaCodes) {
        await setPpsSuspension(
          db,
          gridSchema(area),
          { fingerprint256: result.target.id },
          input.status === 'suspended' ? { at: new Date(), reason: String(input.reason) } : null,
        );
      }
      return { fingerprint256: result.target.id, status: result.status, changed: result.changed, endedSessions: result.endedSessions };
    },

    /** Registers a retailer's client certificate with an area's data provision site (slide 32). */
    async 'pps.register'(input: OperatorInput & { area: string; certPem: string; participantCode: string }) {
      const area = areaOf(String(input.area)).code;
      const registered = await registerPpsCertificate(db, gridSchema(area), area, { pem: input.certPem, participantCode: input.participantCode }, new Date());
      await audit(input, 'grid.pps.register', 'OK', registered.fingerprint256, registered.participantCode.slice(0, 4));
      return {
        ...registered,
        notAfter: registered.notAfter.toISOString(),
        registeredAt: registered.registeredAt.toISOString(),
        suspendedAt: registered.suspendedAt?.toISOString() ?? null,
      };
    },

    async 'pps.list'(input: { area: string }) {
      const area = areaOf(String(input.area)).code;
      const list = await listPpsCertificates(db, gridSchema(area));
      return list.map((c) => ({
        ...c,
        notAfter: c.notAfter.toISOString(),
        registeredAt: c.registeredAt.toISOString(),
        suspendedAt: c.suspendedAt?.toISOString() ?? null,
      }));
    },

    /** The sandbox's `grid pps reissue`: a new revision of every receiver's files of one target (B4). */
    async 'pps.reissue'(input: OperatorInput & { area: string; kind: string; date: string; slot?: number | null }) {
      const area = areaOf(String(input.area)).code;
      const date: IsoDate = parseIsoDate(String(input.date), 'date');
      const ctx = { area, schema: gridSchema(area), db, clock: deps.clock, options: resolveGridOptions() };
      const kind = String(input.kind);
      const files = kind.startsWith('W5') ? await reissueW5(ctx, kind, date) : await reissueW4(ctx, kind, date, input.slot ?? null);
      await audit(input, 'grid.pps.reissue', 'OK', null, null);
      return { files };
    },

    /**
     * The sandbox's `grid interruption record`: a supply restriction or interruption at one of the
     * area's points, the input of the 制限中止割引時間 report (src/grid/provision/interruption.repository.ts).
     */
    async 'grid.interruption.record'(input: OperatorInput & { area: string; point: string; from: string; until: string; cause: string; note?: string | null }) {
      const area = areaOf(String(input.area ?? '')).code;
      try {
        const recorded = await db.transaction((tx) =>
          recordInterruption(
            tx,
            gridSchema(area),
            area,
            { supplyPointId: input.point, from: input.from, until: input.until, cause: input.cause, note: input.note ?? null },
            `cli:${operatorName(input.operator)}`,
            deps.clock.now(),
          ),
        );
        await audit(input, 'grid.interruption.record', 'OK', null, null);
        return presentInterruption(recorded);
      } catch (error) {
        if (isRefusal(error)) await audit(input, 'grid.interruption.record', error.code, null, null);
        throw error;
      }
    },

    async 'grid.interruption.list'(input: { area: string; point?: string | null; from?: string | null; until?: string | null }) {
      const area = areaOf(String(input.area ?? '')).code;
      const list = await listInterruptions(db, gridSchema(area), {
        ...(input.point ? { supplyPointId: parseSupplyPointId(input.point, 'point') } : {}),
        ...(input.from ? { from: parseJstDateTime(input.from, 'from') } : {}),
        ...(input.until ? { until: parseJstDateTime(input.until, 'until') } : {}),
      });
      return list.map(presentInterruption);
    },
  };
}

/**
 * Only a running system has TLS to reload: it adds this operation (app.ts), which makes the CAs
 * trusted now (`kirikae pki init --import`) count for the handshakes from then on.
 */
export const reloadTrustOperation = 'tls.reloadTrust';

export type OperatorOperations = ReturnType<typeof operatorOperations>;
export type OperationName = keyof OperatorOperations;
export type OperationInput<K extends OperationName> = Parameters<OperatorOperations[K]>[0];
export type OperationResult<K extends OperationName> = Awaited<ReturnType<OperatorOperations[K]>>;

export function presentClock(clock: SystemClock) {
  const status = clockStatus(clock);
  return { mode: status.mode, now: status.now.toISOString(), offsetMs: status.offsetMs, movable: status.movable };
}

function presentInterruption(i: Interruption) {
  return {
    id: i.id,
    supplyPointId: i.supplyPointId,
    from: i.from.toISOString(),
    until: i.until.toISOString(),
    cause: i.cause,
    discountPercent: i.discountPercent,
    note: i.note,
    recordedAt: i.recordedAt.toISOString(),
    recordedBy: i.recordedBy,
  };
}

function summary(c: Certificate): CertificateSummary {
  return {
    fingerprint256: c.fingerprint256,
    companyCode: c.companyCode,
    usage: c.usage,
    status: c.status,
    subjectCn: c.subjectCn,
    notAfter: c.notAfter.toISOString(),
  };
}

/** `user@host` as the command reported it; anything else is recorded as unknown. */
function operatorName(text: unknown): string {
  return typeof text === 'string' && /^[^\s\p{Cc}]{1,200}$/u.test(text) ? text : 'unknown';
}
