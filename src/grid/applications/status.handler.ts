/**
 * Status inquiry of a wheeling change application (…20): by applicationNumber, or by the
 * applicant's requestId (its own field, or the delivery's). Only the applicant sees its
 * applications: another participant's number is "not found". OK whatever the stage; a refused
 * (09) application carries its reason in messages and refusalReason; the history lists every
 * transition (a correction repeats its stage).
 */
import { stages } from '../../domain/codes.ts';
import { tokyoDate } from '../../domain/date.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ok, type InterfaceHandler } from '../context.ts';
import { findApplication, findApplicationByRequest, historyOf } from './application.repository.ts';
import { statusInterfaceOf, text } from './rules.ts';

export function applicationStatusHandler(applicationInterfaceId: string): InterfaceHandler {
  return async (ctx, request) => {
    const number = text(request.body, 'applicationNumber')?.normalize('NFKC').toUpperCase();
    const requestId = text(request.body, 'requestId');
    if (number === undefined && requestId === undefined) {
      throw new Refusal('GRID_FIELD_REQUIRED', { field: 'applicationNumber', params: { field: '申込番号' } });
    }
    const application =
      number !== undefined
        ? await findApplication(ctx.db, ctx.schema, number)
        : await findApplicationByRequest(ctx.db, ctx.schema, request.participantCode, requestId!);
    const point = text(request.body, 'supplyPointId');
    if (!application || application.participantCode !== request.participantCode || (point !== undefined && point !== application.supplyPointId)) {
      throw number !== undefined
        ? new Refusal('GRID_APPLICATION_NOT_FOUND', { field: 'applicationNumber', params: { applicationNumber: number } })
        : new Refusal('GRID_APPLICATION_NOT_FOUND_BY_REQUEST', { field: 'requestId', params: { requestId: requestId! } });
    }
    if (application.interfaceId !== applicationInterfaceId) {
      throw new Refusal('GRID_APPLICATION_OTHER_INTERFACE', {
        field: 'applicationNumber',
        params: {
          applicationNumber: application.applicationNumber,
          interfaceId: application.interfaceId,
          statusInterfaceId: statusInterfaceOf(application.interfaceId),
        },
      });
    }
    const data = {
      applicationNumber: application.applicationNumber,
      requestId: application.retailerRequestId ?? application.requestId,
      applicationKind: application.applicationKind,
      supplyPointId: application.supplyPointId,
      stage: application.stage,
      stageName: stages[application.stage],
      stageDate: tokyoDate(application.stageAt),
      scheduledDate: application.effectiveDate,
      refusalReason: application.refusalText,
      history: await historyOf(ctx.db, ctx.schema, application.applicationNumber),
    };
    const messages = application.stage === '09' && application.refusalCode ? [{ code: application.refusalCode, text: application.refusalText ?? '' }] : [];
    return ok(data, messages);
  };
}
