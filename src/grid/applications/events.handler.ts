/**
 * GRID_EVENTS: the hub fetches the grid's application events (matching complete, completed,
 * refused, cancelled; written by the stage machine's `notify` effect into `application_event`) to
 * notify the retailers (hub/notifications/grid-events.ts). Internal, not in the public catalogue,
 * and refused for anyone but the hub.
 *
 * The cursor is a position `{xid}-{eventId}` (a stamp of the writing transaction, the event ID),
 * and a page shows only events stamped below the horizon, as the application feed does
 * (feed-horizon.ts): an event committed later always lands after the cursor, so the hub misses none
 * and, keeping `nextCursor`, sees none twice. The horizon is the oldest transaction that may still
 * write an event (one holding a write lock on the events table), not every transaction of the
 * server: a writer of application events still running holds newer events back until it ends;
 * `heldBack` says so, and the hub asks again shortly (hub/notifications/event-watch.ts).
 *
 * In the verification environment the grid stub's events are read too (`applicationEventsHandlerOf({ withStub: true })`):
 * numbered from the same sequence, the two tables read as one.
 */
import { stages } from '../../domain/codes.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ident } from '../../platform/db/db.ts';
import { ok, type InterfaceHandler } from '../context.ts';
import { feedHorizon } from './feed-horizon.ts';
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
    const { rows: fetched } = await ctx.db.query<{
      eventId: number;
      applicationNumber: string;
      participantCode: string;
      event: GridEvent['event'];
      stage: keyof typeof stages;
      at: Date;
      kind: string;
      supplyPointId: string;
      xid: string;
      published: boolean;
    }>(
      // The events after the cursor, then which of them the horizon lets out (a prefix: they are in
      // stamp order). The horizon is read only past the snapshot's xmin (feed-horizon.ts, Cost).
      `WITH page AS MATERIALIZED (
         SELECT * FROM ${eventSource(ident(ctx.schema), options.withStub === true)} e
         WHERE (e.xid, e.event_id) > ($1::text::xid8, $2::bigint) ORDER BY e.xid, e.event_id LIMIT $3)
       SELECT event_id AS "eventId", application_number AS "applicationNumber", participant_code AS "participantCode", event,
         stage, at, kind, supply_point_id AS "supplyPointId", xid::text AS xid,
         CASE WHEN xid < pg_snapshot_xmin(pg_current_snapshot()) THEN true
              ELSE xid < ${feedHorizon(ctx.schema, options.withStub === true ? ['application_event', 'stub_application_event'] : ['application_event'])} END
           AS published
       FROM page ORDER BY xid, event_id`,
      [match[1], match[2], limit + 1],
      // Polled often (the hub's event watch): planned once per connection.
      { name: `application_events_${ctx.schema}${options.withStub === true ? '_stub' : ''}` },
    );
    const held = fetched.findIndex((r) => !r.published);
    const rows = held < 0 ? fetched : fetched.slice(0, held);
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
    // Events after the page that the horizon still holds back (read in the same statement): ask again soon.
    const heldBack = held >= 0;
    return ok({ events, nextCursor: last ? `${last.xid}-${last.eventId}` : since, more, heldBack });
  };
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
