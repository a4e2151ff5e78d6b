/**
 * The application list of the area screens (申込内容一覧照会, slides 24–25): a company's applications
 * as the hub's outbox keeps them (`hub.application_outbox`, migration 0003), one row per
 * application: its registration (update flag 1) with the latest of its filings (corrections,
 * cancellation). Newest update first, a page at a time. The current stage is the grid's: the screen
 * asks it with the status inquiry (…20), as a retailer's system would.
 */
import type { Queryable } from '../../platform/db/db.ts';
import type { UpdateFlag } from './outbox.repository.ts';

export interface ApplicationListFilter {
  readonly companyCode: string;
  readonly area: string;
  /** The application interfaces (…10) listed: one family's. */
  readonly interfaceIds: readonly string[];
  readonly applicationNumber?: string;
  readonly supplyPointId?: string;
  /** 申込種別: the interfaces filing it, and for move-out (two kinds, one interface) the kind in the body. */
  readonly kind?: { readonly interfaceIds: readonly string[]; readonly bodyKind?: string };
  /** Registered at or after / before these instants (the screen gives days in Japan). */
  readonly registeredFrom?: Date;
  readonly registeredBefore?: Date;
}

export interface ApplicationListItem {
  readonly applicationNumber: string;
  readonly interfaceId: string;
  readonly area: string;
  readonly supplyPointId: string;
  readonly requestId: string;
  /** The registration's body as filed (with the kind of a move-out). */
  readonly body: Record<string, unknown>;
  readonly registeredAt: Date;
  /** When the latest filing about it was made. */
  readonly updatedAt: Date;
  readonly filings: number;
  readonly lastUpdateFlag: UpdateFlag;
  /** Every filing reached the grid. */
  readonly delivered: boolean;
}

export interface ApplicationListPage {
  readonly items: readonly ApplicationListItem[];
  readonly total: number;
}

export async function listApplications(
  q: Queryable,
  filter: ApplicationListFilter,
  page: { readonly page: number; readonly size: number },
): Promise<ApplicationListPage> {
  const values: unknown[] = [filter.companyCode, filter.area, filter.interfaceIds];
  const where: string[] = [`r.update_flag = '1'`, `r.company_code = $1`, `r.area = $2`, `r.interface_id = ANY($3::text[])`];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.applicationNumber) where.push(`r.application_number = ${param(filter.applicationNumber)}`);
  if (filter.supplyPointId) where.push(`r.supply_point_id = ${param(filter.supplyPointId)}`);
  if (filter.kind) {
    where.push(`r.interface_id = ANY(${param(filter.kind.interfaceIds)}::text[])`);
    if (filter.kind.bodyKind) where.push(`r.body->>'applicationKind' = ${param(filter.kind.bodyKind)}`);
  }
  if (filter.registeredFrom) where.push(`r.filed_at >= ${param(filter.registeredFrom)}`);
  if (filter.registeredBefore) where.push(`r.filed_at < ${param(filter.registeredBefore)}`);
  const limit = param(page.size);
  const offset = param((page.page - 1) * page.size);
  const { rows } = await q.query<ApplicationListItem & { total: number }>(
    `SELECT r.application_number AS "applicationNumber", r.interface_id AS "interfaceId", r.area, r.supply_point_id AS "supplyPointId",
            r.request_id AS "requestId", r.body - 'attachments' AS body, r.filed_at AS "registeredAt", f.updated_at AS "updatedAt", f.filings::int AS filings,
            f.last_flag AS "lastUpdateFlag", f.delivered, count(*) OVER ()::int AS total
       FROM hub.application_outbox r
       CROSS JOIN LATERAL (
         SELECT max(o.filed_at) AS updated_at, count(*) AS filings, bool_and(o.status = 'delivered') AS delivered,
                (array_agg(o.update_flag ORDER BY o.id DESC))[1] AS last_flag
           FROM hub.application_outbox o WHERE o.application_number = r.application_number) f
      WHERE ${where.join(' AND ')}
      ORDER BY f.updated_at DESC, r.application_number DESC
      LIMIT ${limit} OFFSET ${offset}`,
    values,
  );
  return {
    items: rows.map(({ total: _total, ...item }) => item),
    total: rows[0]?.total ?? (page.page > 1 ? await countOnly(q, where, values.slice(0, -2)) : 0),
  };
}

/** The total when the page asked for lies beyond the last row. */
async function countOnly(q: Queryable, where: readonly string[], values: readonly unknown[]): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.application_outbox r WHERE ${where.join(' AND ')}`, [...values]);
  return rows[0]?.n ?? 0;
}
