/**
 * Filing, delivering and following applications through the outbox (rules in outbox.ts).
 *
 *   fileApplication    one filing: numbered, stored with its delivery job in one transaction,
 *                      tried at once; answered with the grid's answer or "not yet delivered"
 *   fileApplications   several filings in one transaction (bulk CSV): all or none, delivered by jobs
 *   deliverApplication the pending filings of one application, in order, until one fails
 *   retryDueDeliveries the outbox scan: every application with a filing due for another attempt
 *   statusAtHub        a status inquiry the hub answers itself while the application is undelivered
 */
import { tokyoDate } from '../../domain/date.ts';
import { Refusal } from '../../domain/refusal.ts';
import { interfaceById, type InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import type { GridTransport, InterfaceResponse, ReceptionMessage } from '../../interfaces/message.ts';
import type { FieldValues } from '../../interfaces/validate.ts';
import type { AreaCode } from '../../domain/area.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import { log } from '../../platform/log.ts';
import {
  claimNextFiling,
  insertFiling,
  insertFilings,
  markAttemptFailed,
  markDelivered,
  nextApplicationSerial,
  nextApplicationSerials,
  selectById,
  selectByRequest,
  selectByRequests,
  selectDueApplications,
  selectFilings,
  type NewOutboxRow,
  type OutboxRow,
  type UnnumberedRegistration,
} from './outbox.repository.ts';
import {
  claimMarginMs,
  deliveryIdOf,
  formatApplicationNumber,
  maxSerialPerDay,
  requestContentDigest,
  retryBatchSize,
  retryDelayMs,
  syncDeliveryTimeoutMs,
  updateFlagOf,
} from './outbox.ts';

/** The job that delivers an application's pending filings; enqueued with the filing. */
export const deliveryQueue = 'hub.deliver-application';
/** The outbox scan, every minute. */
export const retryQueue = 'hub.retry-deliveries';
/** The job that delivers due filings in batches (batch-delivery.ts); enqueued once per bulk file. */
export const batchDeliveryQueue = 'hub.deliver-batches';

/** Enqueues a job in the caller's transaction (`Jobs` of platform/jobs.ts). */
export interface DeliveryJobs {
  enqueue(tx: Queryable, name: string, data: object): Promise<unknown>;
}

export interface OutboxDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly transport: GridTransport;
  /** Absent (a hub without a job queue): filings are delivered when filed, asked about or scanned. */
  readonly jobs?: DeliveryJobs | undefined;
}

/** Who files: the retailer's company. */
export interface Filer {
  readonly companyCode: string;
}

export interface Filing {
  readonly def: InterfaceDefinition;
  /** The request, validated against the catalogue. */
  readonly body: FieldValues;
}

function notice(code: 'OUTBOX_NOT_DELIVERED', params: Record<string, string>): ReceptionMessage {
  return new Refusal(code, { params }).toDetail();
}

function ng(code: ConstructorParameters<typeof Refusal>[0], params: Record<string, string | number> = {}, field?: string): InterfaceResponse {
  return { result: 'NG', messages: [new Refusal(code, field ? { params, field } : { params }).toDetail()] };
}

/** What the retailer is told about a filing: the grid's answer once it has one. */
export function answerOf(row: OutboxRow): InterfaceResponse {
  if (row.status === 'delivered' && row.gridAnswer) return row.gridAnswer;
  return {
    result: 'OK',
    messages: [notice('OUTBOX_NOT_DELIVERED', { applicationNumber: row.applicationNumber })],
    data: { applicationNumber: row.applicationNumber, requestId: row.requestId, receivedAt: row.filedAt.toISOString() },
  };
}

/** A filing refused before it is stored; `undefined` when it may be stored. */
async function checkFiling(q: Queryable, filer: Filer, filing: Filing): Promise<InterfaceResponse | undefined> {
  if (updateFlagOf(filing.body) === '1') return undefined;
  const number = String(filing.body.applicationNumber);
  const [registration] = await selectFilings(q, number);
  if (!registration || registration.companyCode !== filer.companyCode) {
    return ng('OUTBOX_APPLICATION_NOT_FOUND', { applicationNumber: number }, 'applicationNumber');
  }
  return undefined;
}

class AlreadyFiled extends Error {}

/** A filing's row before it is numbered (a registration of a group commit is numbered by the statement storing it). */
export function unnumberedFilingRow(filer: Filer, filing: Filing, area: AreaCode, filedAt: Date): UnnumberedRegistration {
  const { body, def } = filing;
  return {
    companyCode: filer.companyCode,
    participantCode: `${filer.companyCode}${area.slice(1)}`,
    requestId: String(body.requestId),
    interfaceId: def.id,
    area,
    supplyPointId: String(body.supplyPointId),
    body,
    filedAt,
  };
}

export function newFilingRow(filer: Filer, filing: Filing, area: AreaCode, applicationNumber: string, deliveryId: string, filedAt: Date): NewOutboxRow {
  const row = unnumberedFilingRow(filer, filing, area, filedAt);
  return { ...row, applicationNumber, deliveryId, updateFlag: updateFlagOf(filing.body), body: { ...row.body, applicationNumber } };
}

/** Stores one filing and enqueues its delivery, in the caller's transaction; undefined if the request ID is taken. */
async function storeFiling(q: Queryable, deps: OutboxDeps, filer: Filer, filing: Filing): Promise<OutboxRow | undefined> {
  const { body } = filing;
  const supplyPointId = String(body.supplyPointId);
  const area = supplyPointId.slice(0, 2) as AreaCode;
  const flag = updateFlagOf(body);
  const filedAt = deps.clock.now();
  let applicationNumber: string;
  let deliveryId: string;
  if (flag === '1') {
    const serial = await nextApplicationSerial(q, area, tokyoDate(filedAt));
    if (serial > maxSerialPerDay) throw new Refusal('OUTBOX_NUMBERS_EXHAUSTED', { params: { area } });
    applicationNumber = formatApplicationNumber(area, tokyoDate(filedAt), serial);
    deliveryId = applicationNumber;
  } else {
    applicationNumber = String(body.applicationNumber);
    // Locked: two corrections filed at once get distinct delivery IDs.
    const filings = await selectFilings(q, applicationNumber, { lock: true });
    deliveryId = deliveryIdOf(applicationNumber, filings.length + 1);
  }
  const row = await insertFiling(q, newFilingRow(filer, filing, area, applicationNumber, deliveryId, filedAt));
  if (row) await deps.jobs?.enqueue(q, deliveryQueue, { applicationNumber });
  return row;
}

/**
 * Why a request ID used before may not be used for this filing: another interface, or the same
 * interface with other content (outbox.ts, "request content"); undefined for a resend.
 */
function reuseRefusal(existing: OutboxRow, filing: Filing): InterfaceResponse | undefined {
  if (existing.interfaceId !== filing.def.id) {
    return ng('OUTBOX_REQUEST_ID_REUSED', { requestId: existing.requestId, interfaceId: existing.interfaceId }, 'requestId');
  }
  if (requestContentDigest(existing.interfaceId, existing.body) !== requestContentDigest(filing.def.id, filing.body)) {
    return ng('OUTBOX_REQUEST_ID_OTHER_CONTENT', { requestId: existing.requestId, applicationNumber: existing.applicationNumber }, 'requestId');
  }
  return undefined;
}

/**
 * The answer to a request ID used before: for a resend, the first answer (the grid's answer to the
 * filing when it was delivered, never the application's current state); otherwise the refusal.
 */
async function again(deps: OutboxDeps, existing: OutboxRow, filing: Filing, options: { deliver: boolean }): Promise<InterfaceResponse> {
  const refused = reuseRefusal(existing, filing);
  if (refused) return refused;
  if (existing.status === 'delivered' || !options.deliver) return answerOf(existing);
  // Still pending: the retailer asking again is a good moment to try the grid again.
  await deliverApplication(deps, existing.applicationNumber, { timeoutMs: syncDeliveryTimeoutMs });
  return answerOf((await selectById(deps.db, existing.id))!);
}

/**
 * Files one application: idempotent by (company, requestId), numbered for a registration, stored
 * and enqueued in one transaction, then tried at once with a short timeout.
 */
export async function fileApplication(deps: OutboxDeps, filer: Filer, filing: Filing, options: { syncTimeoutMs?: number } = {}): Promise<InterfaceResponse> {
  const requestId = String(filing.body.requestId);
  const existing = await selectByRequest(deps.db, filer.companyCode, requestId);
  if (existing) return again(deps, existing, filing, { deliver: true });
  const refused = await checkFiling(deps.db, filer, filing);
  if (refused) return refused;
  let row: OutboxRow;
  try {
    row = await deps.db.transaction(async (tx) => {
      const stored = await storeFiling(tx, deps, filer, filing);
      // Filed by a concurrent request with the same ID: roll back (and give back the serial).
      if (!stored) throw new AlreadyFiled();
      return stored;
    });
  } catch (error) {
    if (!(error instanceof AlreadyFiled)) throw error;
    const first = await selectByRequest(deps.db, filer.companyCode, requestId);
    return again(deps, first!, filing, { deliver: false });
  }
  await deliverApplication(deps, row.applicationNumber, { timeoutMs: options.syncTimeoutMs ?? syncDeliveryTimeoutMs });
  return answerOf((await selectById(deps.db, row.id))!);
}

/** The outcome of one filing of a batch: refused before storing, or stored (new or filed before). */
export type BatchOutcome =
  | { readonly ok: false; readonly answer: InterfaceResponse }
  /** `row` undefined: valid, but not stored because another filing of the batch was refused. */
  | { readonly ok: true; readonly row: OutboxRow | undefined; readonly repeated: boolean };

/**
 * Files several applications in one transaction (the bulk CSV): every filing is checked first, and
 * if any is refused nothing is stored. Request IDs filed before with the same content give their first filing back
 * (a file sent twice files nothing twice). Set-based: the request IDs looked up in one statement,
 * the registrations numbered per area and day in one statement and stored in one per 5,000; the
 * delivery is one job for the file (batch-delivery.ts: many applications per grid message), with
 * the outbox scan behind it.
 */
export async function fileApplications(deps: OutboxDeps, filer: Filer, filings: readonly Filing[]): Promise<BatchOutcome[]> {
  return deps.db.transaction(async (tx) => {
    const existing = new Map(
      (
        await selectByRequests(
          tx,
          filer.companyCode,
          filings.map((f) => String(f.body.requestId)),
        )
      ).map((r) => [r.requestId, r]),
    );
    // First every check; `undefined`: new, to be stored once all passed.
    const checked: (BatchOutcome | undefined)[] = [];
    for (const filing of filings) {
      const before = existing.get(String(filing.body.requestId));
      const refused = before && reuseRefusal(before, filing);
      if (refused) {
        checked.push({ ok: false, answer: refused });
      } else if (before) {
        checked.push({ ok: true, row: before, repeated: true });
      } else {
        const refused = await checkFiling(tx, filer, filing);
        checked.push(refused ? { ok: false, answer: refused } : undefined);
      }
    }
    if (checked.some((c) => c && !c.ok)) return checked.map((c) => c ?? { ok: true, row: undefined, repeated: false });
    const outcomes: (BatchOutcome | undefined)[] = [...checked];
    // Registrations: numbered per area and day at once, stored together.
    const filedAt = deps.clock.now();
    const day = tokyoDate(filedAt);
    const registrations = filings.flatMap((filing, index) => (checked[index] === undefined && updateFlagOf(filing.body) === '1' ? [{ filing, index }] : []));
    const byArea = Map.groupBy(registrations, (r) => String(r.filing.body.supplyPointId).slice(0, 2) as AreaCode);
    const rows: { index: number; row: NewOutboxRow }[] = [];
    // Areas in order: concurrent filers take the counters' row locks in the same order, never in a cycle.
    for (const [area, items] of [...byArea].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const first = await nextApplicationSerials(tx, area, day, items.length);
      if (first + items.length - 1 > maxSerialPerDay) throw new Refusal('OUTBOX_NUMBERS_EXHAUSTED', { params: { area } });
      for (const [k, { filing, index }] of items.entries()) {
        const applicationNumber = formatApplicationNumber(area, day, first + k);
        rows.push({ index, row: newFilingRow(filer, filing, area, applicationNumber, applicationNumber, filedAt) });
      }
    }
    const inserted = new Map(
      (
        await insertFilings(
          tx,
          rows.map((r) => r.row),
        )
      ).map((r) => [r.requestId, r]),
    );
    for (const { index, row } of rows) {
      const stored = inserted.get(row.requestId);
      if (!stored) throw new Error(`request ID ${row.requestId} was filed concurrently; send the file again`);
      outcomes[index] = { ok: true, row: stored, repeated: false };
    }
    if (rows.length > 0) await deps.jobs?.enqueue(tx, batchDeliveryQueue, { areas: [...byArea.keys()] });
    // Corrections and cancellations: one at a time, in the file's order.
    for (const [index, filing] of filings.entries()) {
      if (outcomes[index]) continue;
      const row = await storeFiling(tx, deps, filer, filing);
      if (!row) throw new Error(`request ID ${String(filing.body.requestId)} was filed concurrently; send the file again`);
      outcomes[index] = { ok: true, row, repeated: false };
    }
    return outcomes as BatchOutcome[];
  });
}

/**
 * Delivers the pending filings of one application to its grid, oldest first, until one fails or
 * another deliverer holds the application. A grid's answer (OK or NG) is kept and ends the
 * filing's delivery; a grid that cannot answer leaves the filing pending, due again after
 * `retryDelayMs`. Returns whether everything of the application is delivered now.
 */
export async function deliverApplication(deps: OutboxDeps, applicationNumber: string, options: { timeoutMs?: number } = {}): Promise<'delivered' | 'pending'> {
  const timeoutMs = options.timeoutMs ?? syncDeliveryTimeoutMs * 3;
  for (;;) {
    const row = await claimNextFiling(deps.db, applicationNumber, timeoutMs + claimMarginMs);
    if (!row) {
      const filings = await selectFilings(deps.db, applicationNumber);
      return filings.some((f) => f.status === 'pending') ? 'pending' : 'delivered';
    }
    let answer: InterfaceResponse;
    try {
      answer = await deps.transport.send(
        row.area as AreaCode,
        { interfaceId: row.interfaceId, participantCode: row.participantCode, requestId: row.deliveryId, body: row.body },
        { timeoutMs },
      );
    } catch (error) {
      const next = new Date(deps.clock.now().getTime() + retryDelayMs(row.attempts));
      await markAttemptFailed(deps.db, row.id, (error as Error).message ?? String(error), next);
      log('warn', 'outbox', `${row.deliveryId} (${row.interfaceId}) not delivered, attempt ${row.attempts}: ${(error as Error).message}`);
      return 'pending';
    }
    await markDelivered(deps.db, row.id, answer, deps.clock.now());
  }
}

/**
 * The outbox scan: delivers every application with a filing due by now (business time), up to
 * `limit` applications per call. Called every minute by a job and right after the sandbox clock
 * moves (so a retry due "later" is due at once when the clock jumps past it).
 */
export async function retryDueDeliveries(
  deps: OutboxDeps,
  options: { limit?: number; timeoutMs?: number } = {},
): Promise<{ delivered: number; pending: number }> {
  const numbers = await selectDueApplications(deps.db, deps.clock.now(), options.limit ?? retryBatchSize);
  let delivered = 0;
  let pending = 0;
  for (const number of numbers) {
    const outcome = await deliverApplication(deps, number, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
    if (outcome === 'delivered') delivered++;
    else pending++;
  }
  return { delivered, pending };
}

/** What the hub knows of an application asked about, for the status inquiry's route. */
export interface KnownApplication {
  readonly registration: OutboxRow;
  /** Answered by the hub (still undelivered), or undefined: ask the grid, with this body. */
  readonly answer: InterfaceResponse | undefined;
  readonly forwardBody: FieldValues;
}

/**
 * A status inquiry (…20) about an application in the outbox, found by its number or by the request
 * ID of any of its filings, so the area is the hub's to know. Asked on another interface's status
 * inquiry, it is GRID_APPLICATION_OTHER_INTERFACE. Until its registration is delivered
 * the hub answers: OK, notice OUTBOX_NOT_DELIVERED, no stage. After that the grid answers, asked by
 * application number (also when the retailer asked by its requestId). Undefined: the hub has no
 * such application; the grid is asked as it was.
 */
export async function findForStatus(q: Queryable, companyCode: string, def: InterfaceDefinition, body: FieldValues): Promise<KnownApplication | undefined> {
  let registration: OutboxRow | undefined;
  if (typeof body.applicationNumber === 'string') {
    [registration] = await selectFilings(q, body.applicationNumber);
  } else if (typeof body.requestId === 'string') {
    const filing = await selectByRequest(q, companyCode, body.requestId);
    if (filing) [registration] = await selectFilings(q, filing.applicationNumber);
  }
  if (!registration) return undefined;
  const forwardBody: FieldValues = { applicationNumber: registration.applicationNumber };
  const statusId = registration.interfaceId.replace(/10$/, '20');
  if (statusId !== def.id) {
    return {
      registration,
      forwardBody,
      answer: ng('GRID_APPLICATION_OTHER_INTERFACE', {
        applicationNumber: registration.applicationNumber,
        interfaceId: registration.interfaceId,
        statusInterfaceId: statusId,
      }),
    };
  }
  if (registration.status === 'delivered') return { registration, answer: undefined, forwardBody };
  const filedDef = interfaceById(registration.interfaceId);
  const kind =
    typeof registration.body.applicationKind === 'string'
      ? registration.body.applicationKind
      : filedDef?.applicationKinds?.length === 1
        ? filedDef.applicationKinds[0]
        : undefined;
  return {
    registration,
    forwardBody,
    answer: {
      result: 'OK',
      messages: [notice('OUTBOX_NOT_DELIVERED', { applicationNumber: registration.applicationNumber })],
      data: {
        applicationNumber: registration.applicationNumber,
        requestId: registration.requestId,
        ...(kind ? { applicationKind: kind } : {}),
        supplyPointId: registration.supplyPointId,
      },
    },
  };
}
