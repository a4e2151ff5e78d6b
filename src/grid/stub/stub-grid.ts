/**
 * The grid stub (一般送配電スタブ) of the verification environment (slides 18–21): another
 * `GridEndpoint`, behind the same transports as the reference grid, that answers the 41 IF_
 * interfaces of one area.
 *
 * - An ordinary supply point ID (and every status inquiry about an application it did not file) is
 *   answered by the reference grid of the area on the environment's own data: its input checks,
 *   its codes, its stages.
 * - A designated ID (interfaces/verification/designated.ts) is answered by the script of its
 *   behaviour: a refusal with the reference grid's code, acceptance and a later refusal, matching
 *   never or at once, completion with or without meter work; or a fault: an answer after N
 *   seconds, no answer at all, failing deliveries after the hub accepted the filing, an answer
 *   given twice. A designated ID used on an interface it does not apply to is refused
 *   VERIFY_NOT_APPLICABLE, naming the interfaces it does apply to.
 *
 * Filings on designated IDs are idempotent by (participant, envelope request ID) like the
 * reference grid's: a redelivery gets the stored answer and changes nothing.
 */
import { stages } from '../../domain/codes.ts';
import { addDays, tokyoDate, type IsoDate } from '../../domain/date.ts';
import type { MessageCode } from '../../domain/messages.ts';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import { hubCompanyCode } from '../../domain/participant-code.ts';
import { interfaces } from '../../interfaces/catalogue/catalogue.ts';
import type { InterfaceRequest, InterfaceResponse, ReceptionMessage } from '../../interfaces/message.ts';
import {
  appliesTo,
  designationOf,
  interfacesOf,
  stubInterfaceOf,
  type Designation,
  type StubFamily,
  type StubInterfaceKind,
} from '../../interfaces/verification/designated.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { applicationKindOf } from '../applications/rules.ts';
import { ng, ok, type GridContext } from '../context.ts';
import type { Grid, GridEndpoint } from '../grid.ts';
import { generateUsagePassword, usagePasswordValidity } from '../lookup/usage-password.ts';
import { correctableStages, scriptOf, type ScriptStep, type StubStage } from './script.ts';
import {
  countDelivery,
  findStubApplication,
  findStubApplicationByRequest,
  insertStubApplication,
  insertStubEvent,
  storeAnswer,
  updateStubApplication,
  type StubApplication,
  type StubEvent,
  type StubHistoryEntry,
} from './stub.repository.ts';
import { applicationFeedHandler } from '../applications/feed.handler.ts';
import { applicationBatchInterfaceId } from '../applications/batch.handler.ts';
import { applicationEventsHandlerOf, gridEventsInterfaceId } from '../applications/events.handler.ts';
import type { InterfaceHandler } from '../context.ts';

/**
 * The application feed and the hub's application events read the stub's applications with the
 * reference grid's: a retailer's system following IF_11110 sees them move, and the hub notifies
 * of them (matching complete, completed) as of the reference grid's.
 */
const withStubHandlers: Readonly<Record<string, InterfaceHandler>> = {
  IF_11110: applicationFeedHandler('LV', { withStub: true }),
  IF_K11110: applicationFeedHandler('HV', { withStub: true }),
  IF_F11110: applicationFeedHandler('FIT', { withStub: true }),
  [gridEventsInterfaceId]: applicationEventsHandlerOf({ withStub: true }),
};

/** Every interface ID of the catalogue, for VERIFY_NOT_APPLICABLE's list of those a designated ID applies to. */
const catalogueIds: readonly string[] = interfaces.map((i) => i.id);

export interface StubGridOptions {
  /** Waits `ms` of real time (a delay fault); tests may pass their own. */
  readonly wait?: (ms: number) => Promise<void>;
}

export class StubGrid implements GridEndpoint {
  readonly area: GridEndpoint['area'];
  readonly reference: Grid;
  readonly #ctx: GridContext;
  readonly #wait: (ms: number) => Promise<void>;

  constructor(reference: Grid, options: StubGridOptions = {}) {
    this.area = reference.area;
    this.reference = reference;
    this.#ctx = reference.context;
    this.#wait = options.wait ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async handle(request: InterfaceRequest): Promise<InterfaceResponse> {
    try {
      return await this.#handle(request);
    } catch (error) {
      if (isRefusal(error)) return ng([error.toDetail()]);
      throw error;
    }
  }

  async #handle(request: InterfaceRequest): Promise<InterfaceResponse> {
    if (request.interfaceId === applicationBatchInterfaceId) return this.#batch(request);
    const withStub = Object.hasOwn(withStubHandlers, request.interfaceId) ? withStubHandlers[request.interfaceId] : undefined;
    if (withStub) return withStub(this.#ctx, request);
    const itf = stubInterfaceOf(request.interfaceId);
    if (itf?.status) return (await this.#status(request)) ?? this.reference.handle(request);
    const designation = designationOf(request.body.supplyPointId);
    if (!itf || !designation || String(request.body.supplyPointId).slice(0, 2) !== this.area) return this.reference.handle(request);
    const { entry, behaviour } = designation;
    if (!appliesTo(entry, request.interfaceId, request.body.updateFlag)) {
      return ng([
        new Refusal('VERIFY_NOT_APPLICABLE', {
          field: 'supplyPointId',
          params: {
            supplyPointId: String(request.body.supplyPointId),
            behaviour: entry.description,
            interfaceId: request.interfaceId,
            interfaces: interfacesOf(entry, catalogueIds).join(', '),
          },
        }).toDetail(),
      ]);
    }
    if (behaviour.type === 'timeout') return new Promise<never>(() => {});
    if (behaviour.type === 'delay') await this.#wait(behaviour.seconds * 1000);
    if (itf.kind === 'facility' || itf.kind === 'usage') {
      // A look-up stores nothing: a refusal, or (after a delay) the reference grid's own answer.
      return behaviour.type === 'ng' ? ng([refusalOf(behaviour.code, request, this.area, this.#today())]) : this.reference.handle(request);
    }
    return this.#file(request, itf.kind, itf.family, designation);
  }

  /**
   * A batch of filings from the hub (bulk CSV, group commit): the filings on this area's designated
   * IDs are answered by the script, each as if it came alone, the others go to the reference grid in
   * one batch. A designated filing whose script never answers (a timeout) is left undecided, as a
   * batch leaves a filing it could not decide: the hub delivers it again later.
   */
  async #batch(request: InterfaceRequest): Promise<InterfaceResponse> {
    const filings = Array.isArray(request.body.filings) ? (request.body.filings as InterfaceRequest[]) : [];
    const ours = (f: InterfaceRequest) =>
      typeof f === 'object' &&
      f !== null &&
      typeof f.body === 'object' &&
      f.body !== null &&
      String(f.body.supplyPointId).slice(0, 2) === this.area &&
      designationOf(f.body.supplyPointId) !== undefined;
    if (!filings.some(ours) || request.participantCode.slice(0, 4) !== hubCompanyCode) return this.reference.handle(request);
    const rest = filings.filter((f) => !ours(f));
    const answers: (InterfaceResponse | null)[] = filings.map(() => null);
    if (rest.length > 0) {
      const theirs = await this.reference.handle({ ...request, body: { ...request.body, filings: rest } });
      if (theirs.result !== 'OK') return theirs; // the batch itself refused (not from the hub, malformed)
      const restAnswers = (theirs.data as { answers: (InterfaceResponse | null)[] }).answers;
      let at = 0;
      for (const [index, filing] of filings.entries()) if (!ours(filing)) answers[index] = restAnswers[at++] ?? null;
    }
    for (const [index, filing] of filings.entries()) {
      if (!ours(filing)) continue;
      if (designationOf(filing.body.supplyPointId)?.behaviour.type === 'timeout') continue;
      answers[index] = await this.handle(filing);
    }
    return ok({ answers });
  }

  /** A filing (usage password application or wheeling change) on a designated ID. */
  async #file(request: InterfaceRequest, kind: StubInterfaceKind, family: StubFamily, designation: Designation): Promise<InterfaceResponse> {
    const { db, schema } = this.#ctx;
    const { behaviour } = designation;
    const delivery = await countDelivery(db, schema, request.participantCode, request.requestId);
    if (delivery.response) return delivery.response;
    if (behaviour.type === 'failAfterAccept' && delivery.attempts <= behaviour.times) {
      throw new Error(`verification stub: delivery ${delivery.attempts} of ${request.requestId} fails on purpose (${designation.entry.number})`);
    }
    const answer = await db.transaction(async (tx) => {
      const response = await this.#answerFiling(tx, request, kind, family, designation);
      await storeAnswer(tx, schema, request.participantCode, request.requestId, response);
      return response;
    });
    if (behaviour.type === 'answerTwice' && delivery.attempts === 1) {
      throw new Error(
        `verification stub: the answer to ${request.requestId} is lost on purpose (${designation.entry.number}); its redelivery is answered again`,
      );
    }
    return answer;
  }

  async #answerFiling(
    tx: Queryable,
    request: InterfaceRequest,
    kind: StubInterfaceKind,
    family: StubFamily,
    designation: Designation,
  ): Promise<InterfaceResponse> {
    const { schema, clock } = this.#ctx;
    const body = request.body;
    const now = clock.now();
    const flag = String(body.updateFlag ?? '1');
    const { behaviour } = designation;
    if (flag !== '1') {
      if (behaviour.type === 'ng') return ng([refusalOf(behaviour.code, request, this.area, this.#today())]);
      const number = String(body.applicationNumber ?? '')
        .normalize('NFKC')
        .toUpperCase();
      const application = await findStubApplication(tx, schema, number, true);
      if (!application || application.participantCode !== request.participantCode || application.interfaceId !== request.interfaceId) {
        return ng([new Refusal('GRID_APPLICATION_NOT_FOUND', { field: 'applicationNumber', params: { applicationNumber: number } }).toDetail()]);
      }
      if (!correctableStages.includes(application.stage)) {
        return ng([
          new Refusal(flag === '3' ? 'APP_NOT_CANCELLABLE' : 'APP_NOT_CORRECTABLE', {
            field: 'applicationNumber',
            params: { applicationNumber: number },
          }).toDetail(),
        ]);
      }
      const cancelled = flag === '3';
      const refusal = cancelled ? new Refusal('APP_CANCELLED') : undefined;
      const stage: StubStage = cancelled ? '09' : application.stage;
      const moved: StubApplication = {
        ...application,
        stage,
        script: cancelled ? [] : application.script,
        refusalCode: refusal?.code ?? null,
        refusalText: refusal?.text ?? null,
        history: [...application.history, historyEntry(stage, now)],
        stageAt: now,
      };
      await updateStubApplication(tx, schema, moved);
      if (cancelled) await recordEvent(tx, schema, moved, 'cancelled', now);
      return ok(registrationData(moved, body));
    }
    const [first, ...rest] = scriptOf(behaviour, kind);
    const refusal = first!.code ? refusalOf(first!.code, request, this.area, this.#today()) : undefined;
    const application: StubApplication = {
      applicationNumber: typeof body.applicationNumber === 'string' ? body.applicationNumber : await this.#numberFor(tx, kind),
      interfaceId: request.interfaceId,
      participantCode: request.participantCode,
      requestId: request.requestId,
      retailerRequestId: typeof body.requestId === 'string' ? body.requestId : null,
      supplyPointId: String(body.supplyPointId),
      applicationKind:
        kind === 'usagePasswordApplication' || kind === 'facility' || kind === 'usage'
          ? '08'
          : applicationKindOf(kind, family, { applicationKind: family === 'FIT' ? '12' : '01', ...body }),
      stage: first!.stage,
      script: rest,
      refusalCode: refusal?.code ?? null,
      refusalText: refusal?.text ?? null,
      scheduledDate: scheduledDateOf(body, now),
      usagePassword: null,
      passwordShown: false,
      history: [historyEntry(first!.stage, now)],
      acceptedAt: now,
      stageAt: now,
    };
    await insertStubApplication(tx, schema, application);
    // Refused at once (09), or matched at once (05): the events a registration can give.
    const event = eventOf('01', application.stage);
    if (event) await recordEvent(tx, schema, application, event, now);
    const data = registrationData(application, body);
    if (refusal) return ng([refusal], data);
    if (kind === 'usagePasswordApplication') return ok(data, [notice('GRID_USAGE_PASSWORD_PENDING', { examinedOn: tokyoDate(now) })]);
    return ok(data);
  }

  /** A status inquiry about an application the stub filed (undefined: not the stub's, the reference grid answers). */
  async #status(request: InterfaceRequest): Promise<InterfaceResponse | undefined> {
    const { db, schema, clock } = this.#ctx;
    const number = typeof request.body.applicationNumber === 'string' ? request.body.applicationNumber.normalize('NFKC').toUpperCase() : undefined;
    const requestId = typeof request.body.requestId === 'string' ? request.body.requestId : undefined;
    return db.transaction(async (tx) => {
      const found =
        number !== undefined
          ? await findStubApplication(tx, schema, number, true)
          : requestId !== undefined
            ? await findStubApplicationByRequest(tx, schema, request.participantCode, requestId)
            : undefined;
      if (!found || found.participantCode !== request.participantCode) return undefined;
      const application = number === undefined ? ((await findStubApplication(tx, schema, found.applicationNumber, true)) ?? found) : found;
      const filedWith = application.interfaceId;
      if (filedWith.replace(/10$/, '20') !== request.interfaceId) {
        throw new Refusal('GRID_APPLICATION_OTHER_INTERFACE', {
          field: 'applicationNumber',
          params: { applicationNumber: application.applicationNumber, interfaceId: filedWith, statusInterfaceId: filedWith.replace(/10$/, '20') },
        });
      }
      const now = clock.now();
      let current = application;
      const [next, ...rest] = application.script;
      if (next) current = await this.#advance(tx, application, next, rest, request, now);
      return statusAnswer(tx, schema, current, now);
    });
  }

  async #advance(
    tx: Queryable,
    application: StubApplication,
    step: ScriptStep,
    rest: readonly ScriptStep[],
    request: InterfaceRequest,
    now: Date,
  ): Promise<StubApplication> {
    const itf = stubInterfaceOf(application.interfaceId)!;
    const refusal = step.code ? refusalAt(step.code, application.stage, request, this.area, this.#today()) : undefined;
    const issuing = itf.kind === 'usagePasswordApplication' && step.stage === '06';
    const moved: StubApplication = {
      ...application,
      stage: step.stage,
      script: rest,
      refusalCode: refusal?.code ?? null,
      refusalText: refusal?.text ?? null,
      usagePassword: issuing ? generateUsagePassword() : application.usagePassword,
      history: [...application.history, historyEntry(step.stage, now)],
      stageAt: now,
    };
    await updateStubApplication(tx, this.#ctx.schema, moved);
    const event = eventOf(application.stage, moved.stage);
    if (event) await recordEvent(tx, this.#ctx.schema, moved, event, now);
    return moved;
  }

  #today(): IsoDate {
    return tokyoDate(this.#ctx.clock.now());
  }

  async #numberFor(tx: Queryable, kind: StubInterfaceKind): Promise<string> {
    const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::int + 1 AS n FROM ${this.#ctx.schema}.stub_application`);
    const day = tokyoDate(this.#ctx.clock.now()).replaceAll('-', '');
    return `${kind === 'usagePasswordApplication' ? 'UP' : 'AP'}${this.area}-${day}9${String(rows[0]!.n).padStart(5, '0')}`;
  }
}

/** The event a stage change gives, as the reference grid's stage machine notifies: matching complete, completed, refused. */
function eventOf(from: StubStage, to: StubStage): StubEvent | undefined {
  if (from === to) return undefined;
  if (to === '05') return 'matchingComplete';
  if (to === '06' || to === '08') return 'completed';
  if (to === '09') return 'refused';
  return undefined;
}

/** Records an event of a wheeling change application (usage password applications have none, as the reference grid's). */
async function recordEvent(tx: Queryable, schema: string, a: StubApplication, event: StubEvent, at: Date): Promise<void> {
  const kind = stubInterfaceOf(a.interfaceId)?.kind;
  if (!kind || kind === 'usagePasswordApplication' || kind === 'facility' || kind === 'usage') return;
  await insertStubEvent(tx, schema, a, kind, event, a.stage, at);
}

function historyEntry(stage: StubStage, at: Date): StubHistoryEntry {
  return { stage, stageName: stages[stage], stageDate: tokyoDate(at), stageAt: at.toISOString() };
}

function registrationData(a: StubApplication, body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    applicationNumber: a.applicationNumber,
    requestId: a.retailerRequestId ?? (typeof body.requestId === 'string' ? body.requestId : a.requestId),
    stage: a.stage,
    stageName: stages[a.stage],
    receivedAt: a.acceptedAt.toISOString(),
  };
}

async function statusAnswer(tx: Queryable, schema: string, a: StubApplication, now: Date): Promise<InterfaceResponse> {
  const messages: ReceptionMessage[] = a.stage === '09' && a.refusalCode ? [{ code: a.refusalCode, text: a.refusalText ?? '' }] : [];
  const base = {
    applicationNumber: a.applicationNumber,
    requestId: a.retailerRequestId ?? a.requestId,
    applicationKind: a.applicationKind,
    supplyPointId: a.supplyPointId,
    stage: a.stage,
    stageName: stages[a.stage],
    stageDate: tokyoDate(a.stageAt),
    refusalReason: a.refusalText,
    history: a.history,
  };
  if (stubInterfaceOf(a.interfaceId)?.kind !== 'usagePasswordApplication') return ok({ ...base, scheduledDate: a.scheduledDate }, messages);
  if (a.stage === '01') return ok({ ...base, passwordValidUntil: null }, [notice('GRID_USAGE_PASSWORD_PENDING', { examinedOn: tokyoDate(now) })]);
  if (a.stage !== '06' || !a.usagePassword) return ok({ ...base, passwordValidUntil: null }, messages);
  const validity = usagePasswordValidity(a.stageAt);
  if (!a.passwordShown) {
    await updateStubApplication(tx, schema, { ...a, passwordShown: true });
    return ok({ ...base, passwordValidUntil: validity.validUntil, usagePassword: a.usagePassword }, [
      notice('GRID_USAGE_PASSWORD_ISSUED', { validUntil: validity.validUntil }),
    ]);
  }
  const issuedAt = new Date(a.stageAt.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
  return ok({ ...base, passwordValidUntil: validity.validUntil }, [notice('GRID_USAGE_PASSWORD_SHOWN', { issuedAt, validUntil: validity.validUntil })]);
}

function notice(code: MessageCode, params: Record<string, string>): ReceptionMessage {
  return new Refusal(code, { params }).toDetail();
}

function scheduledDateOf(body: Readonly<Record<string, unknown>>, now: Date): string {
  for (const field of ['requestedDate', 'changeDate']) if (typeof body[field] === 'string') return body[field];
  return addDays(tokyoDate(now), 10);
}

/** Where each scripted refusal points, as the reference grid's refusals do. */
const fieldOfCode: Partial<Record<MessageCode, string>> = {
  GRID_CONSENT_DATE_FUTURE: 'consentDate',
  GRID_IDENTITY_CONTACT_REQUIRED: 'phoneNumber',
  GRID_USAGE_PASSWORD_WRONG: 'usagePassword',
  GRID_USAGE_PASSWORD_EXPIRED: 'usagePassword',
  GRID_USAGE_PASSWORD_CUSTOMER_CHANGED: 'usagePassword',
  GRID_USAGE_DATE_OUT_OF_RANGE: 'halfHourlyDate',
  APP_CURRENT_RETAILER_MISMATCH: 'currentRetailerCode',
  APP_NEW_RETAILER_IS_SELF: 'newRetailerCode',
  APP_AMPERE_INVALID: 'contractAmpere',
  APP_DATE_TOO_EARLY: 'requestedDate',
  APP_NOT_CORRECTABLE: 'applicationNumber',
  APP_NOT_CANCELLABLE: 'applicationNumber',
  APP_KIND_MISMATCH: 'applicationNumber',
  GRID_APPLICATION_NOT_FOUND: 'applicationNumber',
};

const noField: readonly MessageCode[] = ['APP_MATCH_EXPIRED', 'VERIFY_REFUSED_AT_STAGE', 'GRID_IDENTITY_NAME_MISMATCH', 'GRID_IDENTITY_CONTACT_MISMATCH'];

/** The refusal `code` with its message's values filled in as the reference grid fills them. */
export function refusalOf(code: MessageCode, request: InterfaceRequest, area: string, today: IsoDate): ReceptionMessage {
  const body = request.body;
  const id = request.interfaceId;
  const variant = (prefix: '' | 'K' | 'F') => id.replace(/^IF_[KF]?/, `IF_${prefix}`);
  const params: Record<string, string | number> = {
    applicationNumber: typeof body.applicationNumber === 'string' ? body.applicationNumber : `AP${area}-${today.replaceAll('-', '')}000001`,
    interfaceId: interfaceIdOf(code, id, variant),
    given: typeof body.currentRetailerCode === 'string' ? body.currentRetailerCode : '',
    kind: 'スイッチング開始',
    area,
    field: '希望日',
    earliest: addDays(today, 10),
    from: addDays(today, -400),
    to: addDays(today, -1),
    days: 8,
    validUntil: today,
  };
  const field = noField.includes(code) ? undefined : (fieldOfCode[code] ?? 'supplyPointId');
  return new Refusal(code, field ? { field, params } : { params }).toDetail();
}

function refusalAt(code: MessageCode, stage: StubStage, request: InterfaceRequest, area: string, today: IsoDate): ReceptionMessage {
  if (code === 'VERIFY_REFUSED_AT_STAGE') return new Refusal(code, { params: { stage, stageName: stages[stage] } }).toDetail();
  return refusalOf(code, request, area, today);
}

/** The interface a refusal's text names: the variant of the right family, or (APP_KIND_MISMATCH) another kind's. */
function interfaceIdOf(code: MessageCode, id: string, variant: (prefix: '' | 'K' | 'F') => string): string {
  if (code === 'APP_WRONG_FAMILY_HV' || code === 'GRID_POINT_IS_HV') return variant('K');
  if (code === 'APP_WRONG_FAMILY_FIT') return variant('F');
  if (code === 'APP_KIND_MISMATCH') return id === 'IF_10810' ? 'IF_10610' : 'IF_10810';
  return variant('');
}
