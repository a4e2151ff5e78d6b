/**
 * Moving the sandbox clock forward (slide-less: a sandbox convenience of issue 5). A hub
 * administrator — on the web, by the hub operator's API certificate, or with `kirikae clock advance`
 * — moves "now" forward, so that lead times pass and effective dates arrive without waiting.
 *
 * One transaction: the offset in `hub.sandbox_clock` grows (the row lock orders concurrent
 * advances), NOTIFY `kirikae_clock` tells every process sharing the database (clock-watch.ts), and
 * the `afterAdvance` hook enqueues the due work as a one-off job, so it runs once, at once, in
 * whichever process takes it. Production mode refuses (CLOCK_NOT_MOVABLE); the clock never goes back.
 */
import { Refusal } from '../../domain/refusal.ts';
import { parseDuration } from '../../platform/clock.ts';
import { isMovableMode } from '../../platform/config.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { authorize, type Actor } from '../policy.ts';
import type { SystemClock } from '../sandbox-clock.ts';

/** NOTIFY channel of clock advances; the payload is the new offset in milliseconds. */
export const clockChannel = 'kirikae_clock';

/** The one-off job enqueued by every advance: run the due work now (the composition root works it). */
export const clockAdvancedQueue = 'clock.advanced';

/** Ten years: far beyond any lead time or reading cycle; a bound against typing too many zeros. */
export const maxAdvanceDays = 3_660;

export interface ClockAdvanced {
  readonly from: Date;
  readonly to: Date;
  readonly advancedMs: number;
  readonly offsetMs: number;
}

/** What the hub needs to move the clock: the process's clock, and what to do in the same transaction. */
export interface ClockControl {
  readonly clock: SystemClock;
  /** Runs inside the advance's transaction (enqueue the due work there: it exists only if the advance commits). */
  readonly afterAdvance?: (tx: Queryable, advanced: ClockAdvanced) => Promise<void>;
}

/** The clock control of a process with a job queue: every advance enqueues the due work in its transaction. */
export async function clockControlWithJobs(clock: SystemClock, jobs: Jobs): Promise<ClockControl> {
  await jobs.queue(clockAdvancedQueue);
  return {
    clock,
    afterAdvance: async (tx, advanced) => {
      await jobs.enqueue(tx, clockAdvancedQueue, { offsetMs: advanced.offsetMs });
    },
  };
}

/** How far to move: a duration ("3d", "1d12h") or an instant to move to. Exactly one. */
export interface AdvanceRequest {
  readonly advance?: unknown;
  readonly to?: unknown;
}

export interface ClockStatus {
  readonly mode: SystemClock['mode'];
  readonly now: Date;
  readonly offsetMs: number;
  readonly movable: boolean;
}

export function clockStatus(clock: SystemClock): ClockStatus {
  return { mode: clock.mode, now: clock.now(), offsetMs: clock.offsetMs, movable: isMovableMode(clock.mode) };
}

/** The milliseconds a request asks to move forward, validated; `now` is the clock before moving. */
export function advanceMsOf(request: AdvanceRequest, now: Date): number {
  const hasAdvance = request.advance !== undefined && request.advance !== null && request.advance !== '';
  const hasTo = request.to !== undefined && request.to !== null && request.to !== '';
  if (hasAdvance === hasTo) throw new Refusal('CLOCK_ADVANCE_REQUIRED', { field: 'advance' });
  let ms: number;
  if (hasAdvance) {
    if (typeof request.advance !== 'string') throw new Refusal('CLOCK_DURATION_FORMAT', { field: 'advance' });
    const text = request.advance.normalize('NFKC').trim();
    if (text.startsWith('-')) throw new Refusal('CLOCK_BACKWARDS', { field: 'advance' });
    try {
      ms = parseDuration(text);
    } catch (error) {
      throw error instanceof Refusal ? error.withField('advance') : error;
    }
  } else {
    const to = typeof request.to === 'string' ? parseInstant(request.to) : undefined;
    if (!to) throw new Refusal('CLOCK_INSTANT_FORMAT', { field: 'to' });
    ms = to.getTime() - now.getTime();
    if (ms < 0) throw new Refusal('CLOCK_BACKWARDS', { field: 'to' });
  }
  if (!Number.isSafeInteger(ms) || ms > maxAdvanceDays * 86_400_000) {
    throw new Refusal('CLOCK_TOO_FAR', { field: hasAdvance ? 'advance' : 'to', params: { days: maxAdvanceDays } });
  }
  return ms;
}

/**
 * An instant typed by a person: ISO 8601 with an offset, or a date and time without one, taken as
 * the time in Japan ("2026-12-01", "2026-12-01T09:00", "2026-12-01 09:00").
 */
export function parseInstant(text: string): Date | undefined {
  const input = text.normalize('NFKC').trim().replace(' ', 'T');
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(input);
  if (!m) return undefined;
  const iso = `${m[1]}T${m[2] ?? '00:00'}${m[3] ?? '+09:00'}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  // Reject dates JavaScript rolls over (2026-02-30 → 2026-03-02).
  const [y, mo, d] = m[1]!.split('-').map(Number);
  const check = new Date(Date.UTC(y!, mo! - 1, d!));
  if (check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d) return undefined;
  return date;
}

/** Moves the sandbox clock forward, for `actor` (authorised here). */
export async function advanceClock(db: Db, control: ClockControl, actor: Actor, request: AdvanceRequest): Promise<ClockAdvanced> {
  authorize(actor, 'clock.advance');
  const { clock } = control;
  if (!isMovableMode(clock.mode)) throw new Refusal('CLOCK_NOT_MOVABLE');
  const from = clock.now();
  const ms = advanceMsOf(request, from);
  const offsetMs = await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ offset_ms: number }>(`UPDATE hub.sandbox_clock SET offset_ms = offset_ms + $1, updated_at = now() RETURNING offset_ms`, [
      ms,
    ]);
    const offset = Number(rows[0]!.offset_ms);
    await keepSecurityTimesReal(tx, ms);
    await tx.query(`SELECT pg_notify($1, $2)`, [clockChannel, String(offset)]);
    await control.afterAdvance?.(tx, { from, to: new Date(from.getTime() + ms), advancedMs: ms, offsetMs: offset });
    return offset;
  });
  // This process at once; the others on the NOTIFY, a moment later.
  await clock.refresh(db);
  return { from, to: clock.now(), advancedMs: ms, offsetMs };
}

/**
 * Web sessions and lockouts measure people's real time (30 minutes idle, 12 hours at most, 30
 * minutes locked), not business time: an advance moves their times along with the clock, so
 * nobody is signed out, or let in early, because the sandbox clock jumped.
 */
async function keepSecurityTimesReal(tx: Queryable, ms: number): Promise<void> {
  const by = `${Math.round(ms)} milliseconds`;
  await tx.query(`UPDATE hub.session SET created_at = created_at + $1::interval, last_seen_at = last_seen_at + $1::interval WHERE ended_at IS NULL`, [by]);
  await tx.query(`UPDATE hub.user_account SET locked_until = locked_until + $1::interval WHERE locked_until IS NOT NULL`, [by]);
}

/** "3d 4h 20m" for people: the largest units first, zero units left out. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / seconds);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * seconds;
  }
  return parts.join(' ') || '0s';
}
