/**
 * GRID_EVENTS: the hub fetches the grid's application events (matching complete, completed,
 * refused, cancelled; written by the stage machine's `notify` effect into `application_event`) to
 * notify the retailers (hub/notifications/grid-events.ts). Internal, not in the public catalogue,
 * and refused for anyone but the hub.
 *
 * The cursor is a position `{xid}-{eventId}` (the writing transaction, the event ID), and a page
 * shows only events of transactions older than every transaction still running, as the
 * application feed does (feed.handler.ts): an event committed later always lands after the
 * cursor, so the hub misses none and, keeping `nextCursor`, sees none twice. The price: a long
 * transaction anywhere on the server (xids are cluster-wide) holds newer events back until it ends;
 * `heldBack` says so, and the hub asks again shortly (hub/notifications/event-watch.ts).
 *
 * In the verification environment the grid stub's events are read too (`applicationEventsHandlerOf({ withStub: true })`):
 * numbered from the same sequence, the two tables read as one.
 */
import { stages } from '../../domain/codes.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ident } from '../../platform/db/db.ts';
import { ok, type InterfaceHandler } from '../context.ts';
import { hubCompanyCode as hubParticipantCode } from '../../domain/participant-code.ts';

export const gridEventsInterfaceId = 'GRID_EVENTS';

export interface GridEvent {
  readonly eventId: number;
  readonly applicationNumber: string;
  /** The applicant (company code + area digit). */
  readonly participantCode: string;
  readonly event: 'matchingComplete' | 'completed' | 'refused' | 'cancelled';
  readonly stage: string;
  readonly stageName: string;
  readonly at: string;
  /** moveIn, moveOut, switchIn, switchOut, infoChange, ampereChange. */
  readonly kind: string;
  readonly supplyPointId: string;
}

export const applicationEventsHandler: InterfaceHandler = applicationEventsHandlerOf();

export function applicationEventsHandlerOf(options: { readonly withStub?: boolean } = {}): InterfaceHandler {
  return async (ctx, request) => {
    if (request.participantCode.slice(0, 4) !== hubParticipantCode) throw new Refusal('MAIL_GRID_EVENTS_HUB_ONLY');
    const since = typeof request.body.since === 'string' && request.body.since !== '' ? request.body.since : '0-0';
    const match = /^(\d{1,20})-(\d{1,19})$/.exec(since);
    if (!match) throw new Refusal('MAIL_GRID_EVENTS_CURSOR_INVALID', { field: 'since', params: { cursor: since.slice(0, 50) } });
    const limit = Math.min(1000, Math.max(1, Number(request.body.limit ?? 500) || 500));
    const { rows } = await ctx.db.query<{
      eventId: number;
      applicationNumber: string;
      participantCode: string;
      event: GridEvent['event'];
      stage: keyof typeof stages;
      at: Date;
      kind: string;
      supplyPointId: string;
      xid: string;
    }>(
      `SELECT e.event_id AS "eventId", e.application_number AS "applicationNumber", e.participant_code AS "participantCode", e.event,
       e.stage, e.at, e.kind, e.supply_point_id AS "supplyPointId", e.xid::text AS xid
     FROM ${eventSource(ident(ctx.schema), options.withStub === true)} e
     WHERE (e.xid, e.event_id) > ($1::text::xid8, $2::bigint) AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY e.xid, e.event_id LIMIT $3`,
      [match[1], match[2], limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const events: GridEvent[] = page.map((r) => ({
      eventId: r.eventId,
      applicationNumber: r.applicationNumber,
      participantCode: r.participantCode,
      event: r.event,
      stage: r.stage,
      stageName: stages[r.stage] ?? r.stage,
      at: r.at.toISOString(),
      kind: r.kind,
      supplyPointId: r.supplyPointId,
    }));
    const more = rows.length > limit;
    // Events after the page that a running transaction's horizon still holds back: ask again soon.
    const heldBack =
      !more &&
      (
        await ctx.db.query<{ held: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM ${positionSource(ident(ctx.schema), options.withStub === true)} e
           WHERE (xid, event_id) > ($1::text::xid8, $2::bigint) AND xid >= pg_snapshot_xmin(pg_current_snapshot())) AS held`,
          last ? [last.xid, last.eventId] : [match[1], match[2]],
        )
      ).rows[0]!.held;
    return ok({ events, nextCursor: last ? `${last.xid}-${last.eventId}` : since, more, heldBack });
  };
}

/** The events' positions alone (whether any is held back): the reference grid's table, and with `withStub` the stub's too. */
function positionSource(schema: string, withStub: boolean): string {
  if (!withStub) return `${schema}.application_event`;
  return `(SELECT xid, event_id FROM ${schema}.application_event UNION ALL SELECT xid, event_id FROM ${schema}.stub_application_event)`;
}

/** The events with their application's kind and supply point: the reference grid's, and with `withStub` the grid stub's too. */
function eventSource(schema: string, withStub: boolean): string {
  const reference = `SELECT e.event_id, e.application_number, e.participant_code, e.event, e.stage, e.at, a.kind, a.supply_point_id, e.xid
     FROM ${schema}.application_event e JOIN ${schema}.application a USING (application_number)`;
  if (!withStub) return `(${reference})`;
  return `(${reference}
     UNION ALL
     SELECT e.event_id, e.application_number, e.participant_code, e.event, e.stage, e.at, e.kind, a.supply_point_id, e.xid
     FROM ${schema}.stub_application_event e JOIN ${schema}.stub_application a USING (application_number))`;
}
