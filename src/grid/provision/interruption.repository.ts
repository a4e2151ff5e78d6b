/**
 * Supply restrictions and interruptions (供給の制限・中止) at a grid's points, the input of the CSV
 * report 制限中止割引時間 (HALFHOURLY.md B10). kirikae's grids have no outage system: the sandbox
 * records them with `kirikae grid interruption record` (table `interruption`, migration 0016).
 *
 * Rules (ours unless marked):
 * - times are JST, on half-hour boundaries (the 時刻コード grid of the half-hourly data), `from`
 *   before `until`, at most 31 days;
 * - cause 計画 (planned) or 事故 (accident);
 * - two interruptions of one point never overlap; a FIT receiving point (受電地点) has none (it is
 *   not a demand point, so no discount applies);
 * - 割引率 (discount, % of the month's basic charge): 4 % for each JST calendar day the interruption
 *   touches (延べ日数), at most 100 %. This follows the shape of the tariffs' 制限中止割引 clause
 *   (「延べ日数1日ごとに基本料金の4パーセント」); each grid's 託送供給等約款 has its own details.
 */
import type { AreaCode } from '../../domain/area.ts';
import { addDays, tokyoDate, tokyoMidnight, type IsoDate } from '../../domain/date.ts';
import { Refusal } from '../../domain/refusal.ts';
import { parseSupplyPointId } from '../../domain/supply-point-id.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';

export type InterruptionCause = 'planned' | 'accident';

/** The report's 区分 of each cause. */
export const interruptionCauseLabels: Readonly<Record<InterruptionCause, string>> = { planned: '計画', accident: '事故' };

export interface Interruption {
  readonly id: number;
  readonly supplyPointId: string;
  readonly from: Date;
  readonly until: Date;
  readonly cause: InterruptionCause;
  readonly discountPercent: number;
  readonly note: string | null;
  readonly recordedAt: Date;
  readonly recordedBy: string;
}

export interface InterruptionInput {
  readonly supplyPointId: string;
  readonly from: string;
  readonly until: string;
  readonly cause: string;
  readonly note?: string | null;
}

const halfHourMs = 30 * 60_000;
const maxSpanMs = 31 * 86_400_000;

/** `2026-11-20T09:00`, `2026-11-20 09:00` (JST) or with an explicit offset; refused otherwise. */
export function parseJstDateTime(text: string, field: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/.exec(text.normalize('NFKC').trim());
  if (!m) throw new Refusal('PPS_INTERRUPTION_TIME_FORMAT', { field, params: { field: fieldLabel(field) } });
  const [, y, mo, d, hh, mm, ss = '00', zone = '+09:00'] = m;
  const date = new Date(`${y}-${mo}-${d}T${hh}:${mm}:${ss}${zone}`);
  const roundTrip = new Date(date.getTime() + (zone === 'Z' ? 0 : offsetMinutes(zone!)) * 60_000).toISOString();
  if (Number.isNaN(date.getTime()) || roundTrip.slice(0, 16) !== `${y}-${mo}-${d}T${hh}:${mm}`) {
    throw new Refusal('PPS_INTERRUPTION_TIME_FORMAT', { field, params: { field: fieldLabel(field) } });
  }
  if (date.getTime() % halfHourMs !== 0) throw new Refusal('PPS_INTERRUPTION_NOT_HALF_HOUR', { field, params: { field: fieldLabel(field) } });
  return date;
}

function offsetMinutes(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const [h, m] = zone.slice(1).split(':').map(Number);
  return sign * (h! * 60 + m!);
}

function fieldLabel(field: string): string {
  return field === 'until' ? '終了' : '開始';
}

/** 計画/事故 (or planned/accident). */
export function parseInterruptionCause(text: string): InterruptionCause {
  const value = text.normalize('NFKC').trim();
  if (value === '計画' || value === 'planned') return 'planned';
  if (value === '事故' || value === 'accident') return 'accident';
  throw new Refusal('PPS_INTERRUPTION_CAUSE_INVALID', { field: 'cause', params: { value: value.slice(0, 20) } });
}

/** The JST calendar days [from, until) touches. */
export function interruptionDays(from: Date, until: Date): IsoDate[] {
  const days: IsoDate[] = [];
  for (let d = tokyoDate(from); tokyoMidnight(d) < until; d = addDays(d, 1)) days.push(d);
  return days;
}

/** 割引率 (%): 4 % per day touched, at most 100 (ours, see the module comment). */
export function discountPercentOf(from: Date, until: Date): number {
  return Math.min(100, 4 * interruptionDays(from, until).length);
}

/** `YYYY-MM-DD HH:MM` in JST. */
export function jstMinute(instant: Date): string {
  return new Date(instant.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** Records an interruption at one of the area's points, or refuses it whole. */
export async function recordInterruption(
  q: Queryable,
  schema: string,
  area: AreaCode,
  input: InterruptionInput,
  recordedBy: string,
  now: Date,
): Promise<Interruption> {
  const supplyPointId = parseSupplyPointId(String(input.supplyPointId ?? ''), 'point');
  const from = parseJstDateTime(String(input.from ?? ''), 'from');
  const until = parseJstDateTime(String(input.until ?? ''), 'until');
  if (until <= from || until.getTime() - from.getTime() > maxSpanMs) {
    throw new Refusal('PPS_INTERRUPTION_PERIOD_INVALID', { field: 'until', params: { from: jstMinute(from), until: jstMinute(until) } });
  }
  const cause = parseInterruptionCause(String(input.cause ?? ''));
  const s = ident(schema);
  if (supplyPointId.slice(0, 2) !== area) throw new Refusal('SPID_NOT_FOUND', { field: 'point' });
  const { rows: points } = await q.query<{ fit: boolean }>(`SELECT fit_receiving AS fit FROM ${s}.supply_point WHERE supply_point_id = $1 FOR UPDATE`, [
    supplyPointId,
  ]);
  if (points.length === 0) throw new Refusal('SPID_NOT_FOUND', { field: 'point' });
  if (points[0]!.fit) throw new Refusal('PPS_INTERRUPTION_FIT_POINT', { field: 'point', params: { supplyPointId } });
  const { rows: overlapping } = await q.query<{ from: Date; until: Date }>(
    `SELECT from_at AS "from", until_at AS "until" FROM ${s}.interruption WHERE supply_point_id = $1 AND from_at < $3 AND $2 < until_at ORDER BY from_at LIMIT 1`,
    [supplyPointId, from, until],
  );
  if (overlapping[0]) {
    throw new Refusal('PPS_INTERRUPTION_OVERLAP', {
      field: 'from',
      params: { supplyPointId, from: jstMinute(overlapping[0].from), until: jstMinute(overlapping[0].until) },
    });
  }
  const note = input.note ? String(input.note).slice(0, 200) : null;
  const { rows } = await q.query<Interruption>(
    `INSERT INTO ${s}.interruption (supply_point_id, from_at, until_at, cause, discount_percent, note, recorded_at, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${columns}`,
    [supplyPointId, from, until, cause, discountPercentOf(from, until), note, now, recordedBy],
  );
  return normalize(rows[0]!);
}

const columns = `id, supply_point_id AS "supplyPointId", from_at AS "from", until_at AS "until", cause, discount_percent AS "discountPercent",
  note, recorded_at AS "recordedAt", recorded_by AS "recordedBy"`;

function normalize(r: Interruption): Interruption {
  return { ...r, id: Number(r.id), discountPercent: Number(r.discountPercent) };
}

/** The area's interruptions starting in [from, until) (all when not given), of one point if given, oldest first. */
export async function listInterruptions(
  q: Queryable,
  schema: string,
  filter: { supplyPointId?: string; from?: Date; until?: Date } = {},
): Promise<Interruption[]> {
  const { rows } = await q.query<Interruption>(
    `SELECT ${columns} FROM ${ident(schema)}.interruption
      WHERE ($1::text IS NULL OR supply_point_id = $1) AND ($2::timestamptz IS NULL OR from_at >= $2) AND ($3::timestamptz IS NULL OR from_at < $3)
      ORDER BY from_at, supply_point_id, id`,
    [filter.supplyPointId ?? null, filter.from ?? null, filter.until ?? null],
  );
  return rows.map(normalize);
}
