/**
 * The application feed (IF_11110, IF_K11110, IF_F11110): the caller's applications of the family
 * in the order they last changed, a page at a time.
 *
 * The cursor is a position in update order, never a timestamp: (a stamp of the writing
 * transaction, a sequence value), both stored on each change. A page only shows changes stamped
 * below the feed's horizon (feed-horizon.ts: the oldest transaction that may still write a position
 * into the feed's tables, not every transaction of the server), so a change committed later always
 * lands after the cursor: a poller misses nothing and, giving back each page's nextCursor, sees
 * no change twice (an application that changes again shows again, once per change seen).
 *
 * In the verification environment the grid stub's applications (grid/stub/, filed on designated
 * IDs) are in the feed too (`withStub`): their changes take positions from the same sequence, so
 * the two tables read as one feed. Usage password applications are not in it (nor the reference's).
 */
import { stages } from '../../domain/codes.ts';
import { tokyoDate, type IsoDate } from '../../domain/date.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ident } from '../../platform/db/db.ts';
import { ok, type InterfaceHandler } from '../context.ts';
import { feedHorizon } from './feed-horizon.ts';
import type { Family } from './rules.ts';
import { text } from './rules.ts';

const familyPattern: Readonly<Record<Family, string>> = { LV: '^IF_[0-9]', HV: '^IF_K', FIT: '^IF_F' };

export interface FeedOptions {
  /** Also the grid stub's applications (table stub_application, migration 0012). */
  readonly withStub?: boolean;
}

export function applicationFeedHandler(family: Family, options: FeedOptions = {}): InterfaceHandler {
  return async (ctx, request) => {
    const since = text(request.body, 'since') ?? '0-0';
    const match = /^(\d{1,20})-(\d{1,19})$/.exec(since);
    if (!match) throw new Refusal('APP_CURSOR_INVALID', { field: 'since' });
    const sizeText = text(request.body, 'pageSize');
    const pageSize = sizeText === undefined ? 100 : Number(sizeText);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500)
      throw new Refusal('GRID_FIELD_INVALID', { field: 'pageSize', params: { field: '取得件数' } });
    const schema = ident(ctx.schema);
    const { rows: fetched } = await ctx.db.query<{
      applicationNumber: string;
      requestId: string;
      applicationKind: string;
      supplyPointId: string;
      stage: keyof typeof stages;
      stageAt: Date;
      effectiveDate: IsoDate | null;
      updatedAt: Date;
      xid: string;
      seq: number;
      published: boolean;
    }>(
      // The rows after the cursor, then which of them the horizon lets out (a prefix: they are in
      // stamp order). The horizon is read only past the snapshot's xmin (feed-horizon.ts, Cost).
      `WITH page AS MATERIALIZED (
         SELECT application_number, COALESCE(retailer_request_id, request_id) AS request_id, application_kind, supply_point_id, stage,
           stage_at, effective_date, updated_at, update_xid, update_seq
         FROM ${options.withStub ? withStubSource(schema) : `${schema}.application`}
         WHERE participant_code = $1 AND interface_id ~ $2
           AND (update_xid, update_seq) > ($3::text::xid8, $4::bigint)
         ORDER BY update_xid, update_seq LIMIT $5)
       SELECT application_number AS "applicationNumber", request_id AS "requestId", application_kind AS "applicationKind",
         supply_point_id AS "supplyPointId", stage, stage_at AS "stageAt", effective_date AS "effectiveDate", updated_at AS "updatedAt",
         update_xid::text AS xid, update_seq AS seq,
         CASE WHEN update_xid < pg_snapshot_xmin(pg_current_snapshot()) THEN true
              ELSE update_xid < ${feedHorizon(ctx.schema, options.withStub ? ['application', 'stub_application'] : ['application'])} END AS published
       FROM page ORDER BY update_xid, update_seq`,
      [request.participantCode, familyPattern[family], match[1], match[2], pageSize + 1],
      // Polled often: planned once per connection (the horizon's subquery costs more to plan than the page).
      { name: `application_feed_${ctx.schema}${options.withStub ? '_stub' : ''}` },
    );
    const held = fetched.findIndex((r) => !r.published);
    const rows = held < 0 ? fetched : fetched.slice(0, held);
    const page = rows.slice(0, pageSize);
    const last = page.at(-1);
    return ok({
      items: page.map((r) => ({
        applicationNumber: r.applicationNumber,
        requestId: r.requestId,
        applicationKind: r.applicationKind,
        supplyPointId: r.supplyPointId,
        stage: r.stage,
        stageName: stages[r.stage],
        stageDate: tokyoDate(r.stageAt),
        scheduledDate: r.effectiveDate,
        updatedAt: r.updatedAt.toISOString(),
      })),
      nextCursor: last ? `${last.xid}-${last.seq}` : since,
      more: rows.length > pageSize ? '1' : '0',
    });
  };
}

/** The reference grid's applications and the stub's (not its usage password applications), as one table of the feed's columns. */
function withStubSource(schema: string): string {
  return `(SELECT application_number, retailer_request_id, request_id, application_kind, supply_point_id, stage, stage_at, effective_date,
             updated_at, update_xid, update_seq, participant_code, interface_id
           FROM ${schema}.application
           UNION ALL
           SELECT application_number, retailer_request_id, request_id, application_kind, supply_point_id, stage, stage_at, scheduled_date,
             stage_at, update_xid, update_seq, participant_code, interface_id
           FROM ${schema}.stub_application WHERE interface_id !~ '10210$') AS application`;
}
