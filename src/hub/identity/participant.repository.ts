/**
 * Reading and writing participants and their per-area codes. Thin: SQL in, rows out; the rules
 * (shapes, areas by kind, who may) live in participant.ts, the commands and policy.ts.
 */
import type { AreaCode } from '../../domain/area.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { participantCodesOf, type Participant, type ParticipantKind, type ParticipantStatus } from './participant.ts';

interface ParticipantRow {
  company_code: string;
  kind: ParticipantKind;
  name: string;
  status: ParticipantStatus;
  suspended_at: Date | null;
  suspended_by: string | null;
  suspension_reason: string | null;
  created_at: Date;
  areas: AreaCode[];
}

const participantColumns = `
  p.company_code, p.kind, p.name, p.status, p.suspended_at, p.suspended_by, p.suspension_reason, p.created_at,
  ARRAY(SELECT a.area_code FROM hub.participant_area a WHERE a.company_code = p.company_code ORDER BY a.area_code) AS areas`;

export async function insertParticipant(
  q: Queryable,
  p: { companyCode: string; kind: ParticipantKind; name: string; areas: readonly AreaCode[]; at: Date; by: string },
): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO hub.participant (company_code, kind, name, created_at, created_by)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (company_code) DO NOTHING`,
    [p.companyCode, p.kind, p.name, p.at, p.by],
  );
  if (rowCount === 0) return false;
  if (p.areas.length > 0) {
    await q.query(
      `INSERT INTO hub.participant_area (participant_code, company_code, area_code)
       SELECT code, $1, area FROM unnest($2::text[], $3::text[]) AS t(code, area)`,
      [p.companyCode, participantCodesOf(p.companyCode, p.areas), p.areas],
    );
  }
  return true;
}

export async function selectParticipant(q: Queryable, companyCode: string): Promise<Participant | null> {
  const { rows } = await q.query<ParticipantRow>(`SELECT ${participantColumns} FROM hub.participant p WHERE p.company_code = $1`, [companyCode]);
  return rows[0] ? toParticipant(rows[0]) : null;
}

/** The company a per-area participant code belongs to, or null. */
export async function selectCompanyOfParticipantCode(q: Queryable, participantCode: string): Promise<string | null> {
  const { rows } = await q.query<{ company_code: string }>(`SELECT company_code FROM hub.participant_area WHERE participant_code = $1`, [participantCode]);
  return rows[0]?.company_code ?? null;
}

export interface ParticipantFilter {
  readonly kind?: ParticipantKind;
  readonly status?: ParticipantStatus;
  readonly area?: AreaCode;
  /** Part of the name, or the beginning of a company or participant code. */
  readonly text?: string;
}

function filterSql(filter: ParticipantFilter): { where: string; values: unknown[] } {
  const text = filter.text?.normalize('NFKC').trim() || null;
  return {
    where: `($1::text IS NULL OR p.kind = $1)
        AND ($2::text IS NULL OR p.status = $2)
        AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM hub.participant_area a
                                           WHERE a.company_code = p.company_code AND a.area_code = $3))
        AND ($4::text IS NULL OR strpos(p.name, $4) > 0 OR strpos(p.company_code, upper(left($4, 4))) = 1)`,
    values: [filter.kind ?? null, filter.status ?? null, filter.area ?? null, text],
  };
}

export async function selectParticipants(
  q: Queryable,
  filter: ParticipantFilter,
  limit: number,
  offset: number,
): Promise<{ items: Participant[]; total: number }> {
  const { where, values } = filterSql(filter);
  const { rows } = await q.query<ParticipantRow>(
    `SELECT ${participantColumns} FROM hub.participant p WHERE ${where}
      ORDER BY p.company_code LIMIT $5 OFFSET $6`,
    [...values, limit, offset],
  );
  const count = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.participant p WHERE ${where}`, values);
  return { items: rows.map(toParticipant), total: count.rows[0]?.n ?? 0 };
}

/** The participant's status, locking its row for the rest of the caller's transaction. */
export async function selectParticipantStatusForUpdate(q: Queryable, companyCode: string): Promise<ParticipantStatus | null> {
  const { rows } = await q.query<{ status: ParticipantStatus }>(`SELECT status FROM hub.participant WHERE company_code = $1 FOR UPDATE`, [companyCode]);
  return rows[0]?.status ?? null;
}

export async function updateParticipantStatus(
  q: Queryable,
  companyCode: string,
  status: ParticipantStatus,
  suspension: { at: Date; by: string; reason: string } | null,
): Promise<void> {
  await q.query(
    `UPDATE hub.participant
        SET status = $2, suspended_at = $3, suspended_by = $4, suspension_reason = $5
      WHERE company_code = $1`,
    [companyCode, status, suspension?.at ?? null, suspension?.by ?? null, suspension?.reason ?? null],
  );
}

function toParticipant(row: ParticipantRow): Participant {
  return {
    companyCode: row.company_code,
    kind: row.kind,
    name: row.name,
    status: row.status,
    suspension: row.suspended_at && row.suspended_by !== null ? { at: row.suspended_at, by: row.suspended_by, reason: row.suspension_reason ?? '' } : null,
    areas: row.areas,
    participantCodes: participantCodesOf(row.company_code, row.areas),
    createdAt: row.created_at,
  };
}
