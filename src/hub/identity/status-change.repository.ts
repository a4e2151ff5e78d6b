/**
 * The history of suspensions and resumptions (`hub.status_change`).
 */
import type { Queryable } from '../../platform/db/db.ts';

export type SuspensionTargetKind = 'participant' | 'certificate' | 'user';
export type SuspendableStatus = 'active' | 'suspended';

export interface SuspensionTarget {
  readonly kind: SuspensionTargetKind;
  /** Company code, certificate fingerprint (SHA-256 hex) or user ID. */
  readonly id: string;
}

export interface StatusChange {
  readonly at: Date;
  readonly target: SuspensionTarget;
  readonly status: SuspendableStatus;
  readonly changedBy: string;
  readonly reason: string;
}

export async function insertStatusChange(q: Queryable, change: StatusChange): Promise<void> {
  await q.query(
    `INSERT INTO hub.status_change (at, target_kind, target_id, status, changed_by, reason)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [change.at, change.target.kind, change.target.id, change.status, change.changedBy, change.reason],
  );
}

export async function selectStatusChanges(q: Queryable, target: SuspensionTarget): Promise<StatusChange[]> {
  const { rows } = await q.query<{
    at: Date;
    target_kind: SuspensionTargetKind;
    target_id: string;
    status: SuspendableStatus;
    changed_by: string;
    reason: string;
  }>(
    `SELECT at, target_kind, target_id, status, changed_by, reason
       FROM hub.status_change
      WHERE target_kind = $1 AND target_id = $2
      ORDER BY at, change_id`,
    [target.kind, target.id],
  );
  return rows.map((r) => ({
    at: r.at,
    target: { kind: r.target_kind, id: r.target_id },
    status: r.status,
    changedBy: r.changed_by,
    reason: r.reason,
  }));
}
