/**
 * API運用情報: how each interface was used over a period — calls, and NG results by code — read from
 * the audit log, where every interface call leaves one record with the interface ID as its action
 * and `OK` or the first reception-message code as its result (hub/interfaces/interfaces.routes.ts).
 *
 * Two grouped scans of the log over the period, through its `(action, at, audit_id)` index; the
 * period is bounded (a month) so that the screen stays quick however large the log grows.
 */
import type { Queryable } from '../../platform/db/db.ts';
import type { AuditChannel } from './audit.ts';

/** The longest period the screen sums over, in days. */
export const API_OPERATIONS_MAX_DAYS = 31;

export interface InterfaceUsage {
  readonly interfaceId: string;
  readonly calls: number;
  readonly callsByChannel: Readonly<Partial<Record<AuditChannel, number>>>;
  readonly ng: number;
  /** NG results by reception-message code, the most frequent first. */
  readonly ngByCode: readonly { readonly code: string; readonly count: number }[];
  readonly lastCallAt: Date | null;
}

/** Usage of each of `interfaceIds` from `from` (inclusive) to `to` (exclusive); unused ones have zeros. */
export async function interfaceUsage(q: Queryable, interfaceIds: readonly string[], from: Date, to: Date): Promise<InterfaceUsage[]> {
  const calls = await q.query<{ action: string; channel: AuditChannel; calls: string | number; ng: string | number; last_at: Date }>(
    `SELECT action, channel, count(*) AS calls, count(*) FILTER (WHERE result <> 'OK') AS ng, max(at) AS last_at
       FROM hub.audit_log
      WHERE action = ANY($1::text[]) AND at >= $2 AND at < $3
      GROUP BY action, channel`,
    [interfaceIds, from, to],
  );
  const codes = await q.query<{ action: string; result: string; count: string | number }>(
    `SELECT action, result, count(*) AS count
       FROM hub.audit_log
      WHERE action = ANY($1::text[]) AND at >= $2 AND at < $3 AND result <> 'OK'
      GROUP BY action, result
      ORDER BY count(*) DESC, result`,
    [interfaceIds, from, to],
  );
  return interfaceIds.map((interfaceId) => {
    const rows = calls.rows.filter((r) => r.action === interfaceId);
    const byChannel: Partial<Record<AuditChannel, number>> = {};
    for (const r of rows) byChannel[r.channel] = Number(r.calls);
    const last = rows.reduce<Date | null>((latest, r) => (latest === null || r.last_at > latest ? r.last_at : latest), null);
    return {
      interfaceId,
      calls: rows.reduce((sum, r) => sum + Number(r.calls), 0),
      callsByChannel: byChannel,
      ng: rows.reduce((sum, r) => sum + Number(r.ng), 0),
      ngByCode: codes.rows.filter((r) => r.action === interfaceId).map((r) => ({ code: r.result, count: Number(r.count) })),
      lastCallAt: last,
    };
  });
}
