/**
 * Usage password application (使用量照会PW申請) and its status inquiry: IF_10210 / IF_10220 for low
 * voltage, IF_K10210 / IF_K10220 for high voltage; not for LV FIT receiving points (SYSTEM.md §3).
 *
 * Application: input checks refuse at once with NG and store nothing (unknown point, another area,
 * FIT, wrong voltage variant, no current customer, no phone or address, consent in the future).
 * What passes is stored as accepted (stage 01) with an application number (the one the hub gave in
 * `applicationNumber`, as for every application it files; else `UP{area}-…` of the grid's own), then examined — the
 * identity check of usage-password.ts — either at once (`immediate`) or once the next business day
 * has begun (`nextBusinessDay`, on the next status inquiry or by `examineDueUsagePasswordApplications`).
 * The examination ends at 06 complete or 09 refused with the reason's code. When it happens during
 * the application itself, the application's response says so: NG with the reason for 09.
 * Idempotent by (participantCode, requestId) — the retailer's `requestId` field of the request, or
 * the envelope's when the body has none: a repeated request answers with the first application.
 *
 * Status inquiry, by `applicationNumber` or by the applicant's `requestId` (with the supply point, if
 * given, that of the application): only the applicant sees
 * its own applications (another retailer's number is "not found", not "forbidden", so numbers
 * reveal nothing). The first status inquiry after completion
 * issues the password and shows it, once: it is stored hashed only, so no later response can show
 * it again (they show when it was issued and until when it is valid). A lost password means a new
 * application. The inquiry itself succeeds (OK) whatever the stage; stage 09 carries its reason in
 * `messages` (the code) and `refusalReason` (the text).
 *
 * Response data are the catalogue's fields (src/interfaces/catalogue/lookup.ts, fields.ts
 * `applicationAccepted` and `statusResponse`).
 */
import { stages } from '../../domain/codes.ts';
import { nextBusinessDay } from '../../domain/calendar.ts';
import { tokyoDate, type IsoDate } from '../../domain/date.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { InterfaceRequest, InterfaceResponse, ReceptionMessage } from '../../interfaces/message.ts';
import { ng, ok, today, type GridContext, type InterfaceHandler } from '../context.ts';
import { findFacility } from '../registry/facility.repository.ts';
import { fieldLabels } from './fields.ts';
import { takeAttachments } from '../../interfaces/attachments.ts';
import { interfaceById } from '../../interfaces/catalogue/catalogue.ts';
import { storeAttachments } from '../applications/attachment.repository.ts';
import {
  facilityOf,
  notice,
  optionalAddressText,
  optionalDate,
  optionalText,
  requireUsageVariant,
  requiredDate,
  requiredText,
  supplyPointIdOf,
} from './request.ts';
import {
  examine,
  generateUsagePassword,
  hashUsagePassword,
  usagePasswordApplicationNumber,
  usagePasswordApplicationPrefix,
  usagePasswordValidity,
  validUntilFromExpiry,
  type IdentityClaim,
} from './usage-password.ts';
import {
  decideUsagePasswordApplication,
  dueUsagePasswordApplications,
  findUsagePasswordApplication,
  findUsagePasswordApplicationByRequest,
  insertUsagePasswordApplication,
  nextApplicationSerial,
  storeUsagePassword,
  type UsagePasswordApplication,
  type UsagePasswordInterface,
} from './usage-password.repository.ts';

const variants = {
  LV: { application: 'IF_10210', status: 'IF_10220', counterpart: 'IF_K10210' },
  HV: { application: 'IF_K10210', status: 'IF_K10220', counterpart: 'IF_10210' },
} as const;

const statusInterfaceOf: Readonly<Record<UsagePasswordInterface, string>> = { IF_10210: 'IF_10220', IF_K10210: 'IF_K10220' };

/** What the application answers: the catalogue's `applicationAccepted`. */
export type UsagePasswordAccepted = {
  readonly applicationNumber: string;
  readonly requestId: string;
  readonly stage: UsagePasswordApplication['stage'];
  readonly stageName: string;
  /** ISO 8601 instant. */
  readonly receivedAt: string;
};

/** What the status inquiry answers: the catalogue's `statusResponse` with the password fields. */
export type UsagePasswordStatus = {
  readonly applicationNumber: string;
  readonly requestId: string;
  readonly applicationKind: '08';
  readonly supplyPointId: string;
  readonly stage: UsagePasswordApplication['stage'];
  readonly stageName: string;
  /** The business date (in Japan) the current stage was reached. */
  readonly stageDate: IsoDate;
  /** Why it was refused (stage 09), in words; the code is in the response's messages. */
  readonly refusalReason: string | null;
  /** Present only in the one status response that issues it. */
  readonly usagePassword?: string;
  /** The last day on which the password may be used. */
  readonly passwordValidUntil: IsoDate | null;
  readonly history: readonly { stage: string; stageName: string; stageDate: IsoDate; stageAt: string }[];
};

export function usagePasswordApplicationHandler(voltage: 'LV' | 'HV'): InterfaceHandler {
  const variant = variants[voltage];
  return async (ctx, request) => {
    supplyPointIdOf(ctx, request); // a malformed or foreign ID is refused before anything else
    // Identity or consent documents: checked now, kept beside the application.
    const { body, files } = takeAttachments(interfaceById(variant.application)!, request.body);
    request = { ...request, body };
    const claim: IdentityClaim = {
      customerNameKana: requiredText(request, 'customerNameKana'),
      phoneNumber: optionalText(request, 'phoneNumber') ?? null,
      address: optionalAddressText(request, 'address') ?? null,
    };
    const consentDate = requiredDate(request, 'consentDate');
    const day = today(ctx);
    if (consentDate > day) throw new Refusal('GRID_CONSENT_DATE_FUTURE', { field: 'consentDate' });
    const requestedValidUntil = optionalDate(request, 'validUntil') ?? null;
    if (requestedValidUntil !== null) {
      const longest = usagePasswordValidity(ctx.clock.now()).validUntil;
      if (requestedValidUntil < day || requestedValidUntil > longest) {
        throw new Refusal('GRID_USAGE_PASSWORD_VALIDITY_INVALID', { field: 'validUntil', params: { from: day, to: longest } });
      }
    }
    if (claim.phoneNumber === null && claim.address === null) throw new Refusal('GRID_IDENTITY_CONTACT_REQUIRED', { field: 'phoneNumber' });
    const facility = await facilityOf(ctx, request);
    requireUsageVariant(facility, voltage, variant.counterpart);
    if (facility.status !== 'contracted' || facility.customer === null) {
      throw new Refusal('GRID_POINT_VACANT', { field: 'supplyPointId' });
    }

    const requestId = optionalText(request, 'requestId') ?? request.requestId;
    const earlier = await findUsagePasswordApplicationByRequest(ctx.db, ctx.schema, request.participantCode, requestId);
    if (earlier) return applicationResponse(earlier);

    const now = ctx.clock.now();
    const immediate = ctx.options.usagePasswordConfirmation === 'immediate';
    const inserted = await ctx.db.transaction(async (tx) => {
      // The hub numbers every application it files and sends the number along; called without one, the grid numbers it.
      const given = optionalText(request, 'applicationNumber')?.normalize('NFKC').toUpperCase();
      const applicationNumber =
        given ??
        usagePasswordApplicationNumber(ctx.area, tokyoDate(now), await nextApplicationSerial(tx, ctx.schema, usagePasswordApplicationPrefix, tokyoDate(now)));
      const application = await insertUsagePasswordApplication(tx, ctx.schema, {
        applicationNumber,
        interfaceId: variant.application,
        participantCode: request.participantCode,
        requestId,
        supplyPointId: facility.supplyPointId,
        customerNameKana: claim.customerNameKana,
        phoneNumber: claim.phoneNumber,
        address: claim.address,
        consentDate,
        requestedValidUntil,
        acceptedAt: now,
        examinedOn: immediate ? day : nextBusinessDay(day),
      });
      if (application) {
        const key = { applicationNumber: application.applicationNumber, participantCode: request.participantCode, requestId: request.requestId };
        await storeAttachments(tx, ctx.schema, key, files, now);
      }
      if (!application || !immediate) return application;
      return decideUsagePasswordApplication(tx, ctx.schema, application.applicationNumber, examine(claim, facility), now);
    });
    // Undefined only when the same request ID arrived twice at once and the other one was stored.
    const application = inserted ?? (await findUsagePasswordApplicationByRequest(ctx.db, ctx.schema, request.participantCode, requestId));
    if (!application) throw new Error(`usage password application of request ${requestId} vanished`);
    return applicationResponse(application);
  };
}

function applicationResponse(application: UsagePasswordApplication): InterfaceResponse {
  const data: UsagePasswordAccepted = {
    applicationNumber: application.applicationNumber,
    requestId: application.requestId,
    stage: application.stage,
    stageName: stages[application.stage],
    receivedAt: application.acceptedAt.toISOString(),
  };
  if (application.stage === '09') return ng([refusalOf(application)!], data);
  if (application.stage === '01') return ok(data, [notice('GRID_USAGE_PASSWORD_PENDING', { examinedOn: application.examinedOn })]);
  return ok(data, [], `${statusInterfaceOf[application.interfaceId]} で使用量照会パスワードを照会してください。`);
}

export function usagePasswordStatusHandler(voltage: 'LV' | 'HV'): InterfaceHandler {
  const variant = variants[voltage];
  return async (ctx, request) => {
    let application = await findOwnApplication(ctx, request);
    const { applicationNumber } = application;
    if (application.interfaceId !== variant.application) {
      throw new Refusal('GRID_APPLICATION_OTHER_INTERFACE', {
        field: 'applicationNumber',
        params: { applicationNumber, interfaceId: application.interfaceId, statusInterfaceId: statusInterfaceOf[application.interfaceId] },
      });
    }
    if (application.stage === '01' && today(ctx) >= application.examinedOn) {
      application = await examineApplication(ctx, applicationNumber);
    }
    if (application.stage === '01') {
      return ok(view(application), [notice('GRID_USAGE_PASSWORD_PENDING', { examinedOn: application.examinedOn })]);
    }
    if (application.stage === '09') return ok(view(application), [refusalOf(application)!]);
    if (application.passwordHash === null) {
      const issued = await issuePassword(ctx, applicationNumber, application.requestedValidUntil);
      if (issued) {
        return ok({ ...view(issued.application), usagePassword: issued.password }, [
          notice('GRID_USAGE_PASSWORD_ISSUED', { validUntil: validUntilOf(issued.application)! }),
        ]);
      }
      // Another inquiry issued it a moment ago.
      application = (await findUsagePasswordApplication(ctx.db, ctx.schema, applicationNumber))!;
    }
    return ok(view(application), [
      notice('GRID_USAGE_PASSWORD_SHOWN', { issuedAt: tokyoDateTime(application.passwordIssuedAt!), validUntil: validUntilOf(application)! }),
    ]);
  };
}

/**
 * The caller's application, by number (preferred) or by its request ID; another participant's is
 * not found, exactly like a number that does not exist.
 */
async function findOwnApplication(ctx: GridContext, request: InterfaceRequest): Promise<UsagePasswordApplication> {
  const number = optionalText(request, 'applicationNumber')?.normalize('NFKC').toUpperCase();
  const requestId = optionalText(request, 'requestId');
  if (number === undefined && requestId === undefined) {
    throw new Refusal('GRID_FIELD_REQUIRED', { field: 'applicationNumber', params: { field: fieldLabels.applicationNumber } });
  }
  const application =
    number !== undefined
      ? await findUsagePasswordApplication(ctx.db, ctx.schema, number)
      : await findUsagePasswordApplicationByRequest(ctx.db, ctx.schema, request.participantCode, requestId!);
  // A supply point given besides (it routes an inquiry by requestId to this area) must be the application's.
  const supplyPointId = optionalText(request, 'supplyPointId');
  const samePoint = supplyPointId === undefined || application?.supplyPointId === supplyPointIdOf(ctx, request);
  if (!application || application.participantCode !== request.participantCode || !samePoint) {
    throw number !== undefined
      ? new Refusal('GRID_APPLICATION_NOT_FOUND', { field: 'applicationNumber', params: { applicationNumber: number } })
      : new Refusal('GRID_APPLICATION_NOT_FOUND_BY_REQUEST', { field: 'requestId', params: { requestId: requestId! } });
  }
  return application;
}

/** Examines one application if it is still waiting; returns it as it stands after. */
async function examineApplication(ctx: GridContext, applicationNumber: string): Promise<UsagePasswordApplication> {
  return ctx.db.transaction(async (tx) => {
    const application = (await findUsagePasswordApplication(tx, ctx.schema, applicationNumber, { forUpdate: true }))!;
    if (application.stage !== '01') return application;
    const facility = await findFacility(tx, ctx.schema, application.supplyPointId);
    const decided = await decideUsagePasswordApplication(tx, ctx.schema, applicationNumber, examine(application, facility), ctx.clock.now());
    return decided ?? application;
  });
}

/**
 * Examines the applications whose examination day has come, up to `limit` of them; returns how
 * many. Status inquiries examine their own application anyway; this is for a scheduled batch, so
 * that applications nobody asks about are decided too.
 */
export async function examineDueUsagePasswordApplications(ctx: GridContext, limit = 500): Promise<number> {
  const due = await dueUsagePasswordApplications(ctx.db, ctx.schema, today(ctx), limit);
  for (const applicationNumber of due) await examineApplication(ctx, applicationNumber);
  return due.length;
}

async function issuePassword(
  ctx: GridContext,
  applicationNumber: string,
  requested: IsoDate | null,
): Promise<{ application: UsagePasswordApplication; password: string } | undefined> {
  const password = generateUsagePassword();
  const issuedAt = ctx.clock.now();
  const { salt, hash } = hashUsagePassword(password);
  const application = await storeUsagePassword(ctx.db, ctx.schema, applicationNumber, {
    salt,
    hash,
    issuedAt,
    expiresAt: usagePasswordValidity(issuedAt, requested).expiresAt,
  });
  return application ? { application, password } : undefined;
}

function validUntilOf(application: UsagePasswordApplication): IsoDate | null {
  return application.passwordExpiresAt ? validUntilFromExpiry(application.passwordExpiresAt) : null;
}

function view(application: UsagePasswordApplication): UsagePasswordStatus {
  const history: UsagePasswordStatus['history'][number][] = [
    { stage: '01', stageName: stages['01'], stageDate: tokyoDate(application.acceptedAt), stageAt: application.acceptedAt.toISOString() },
  ];
  if (application.decidedAt) {
    history.push({
      stage: application.stage,
      stageName: stages[application.stage],
      stageDate: tokyoDate(application.decidedAt),
      stageAt: application.decidedAt.toISOString(),
    });
  }
  return {
    applicationNumber: application.applicationNumber,
    requestId: application.requestId,
    applicationKind: '08',
    supplyPointId: application.supplyPointId,
    stage: application.stage,
    stageName: stages[application.stage],
    stageDate: history.at(-1)!.stageDate,
    refusalReason: refusalOf(application)?.text ?? null,
    passwordValidUntil: validUntilOf(application),
    history,
  };
}

function refusalOf(application: UsagePasswordApplication): ReceptionMessage | undefined {
  return application.refusalCode ? new Refusal(application.refusalCode).toDetail() : undefined;
}

/** "2026-11-28 14:05" in Japan. */
function tokyoDateTime(instant: Date): string {
  return new Date(instant.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}
