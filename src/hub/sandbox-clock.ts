/**
 * The clock of a running system. Production: the real time, never movable. Sandbox: the real time
 * plus an offset kept in `hub.sandbox_clock`, which a hub administrator moves forward only, so that
 * every process sharing the database sees the same "now" and due jobs run as if the time had passed.
 */
import { Refusal } from '../domain/refusal.ts';
import type { Mode } from '../platform/config.ts';
import type { Queryable } from '../platform/db/db.ts';
import { OffsetClock, systemClock, type Clock } from '../platform/clock.ts';

export interface SystemClock extends Clock {
  readonly mode: Mode;
  /** How far the sandbox clock is ahead of the real time (always 0 in production). */
  readonly offsetMs: number;
  /** Reloads the offset from the database (another process may have moved it). */
  refresh(q: Queryable): Promise<void>;
  /** Moves the sandbox clock forward by `ms` and persists it. Refused in production. */
  advance(q: Queryable, ms: number): Promise<Date>;
}

export async function openSystemClock(q: Queryable, mode: Mode): Promise<SystemClock> {
  if (mode === 'production') {
    return {
      mode,
      offsetMs: 0,
      now: () => systemClock.now(),
      refresh: async () => {},
      advance: async () => {
        throw new Refusal('CLOCK_NOT_MOVABLE');
      },
    };
  }
  const clock = new OffsetClock(await readOffset(q));
  return {
    mode,
    get offsetMs() {
      return clock.offsetMs;
    },
    now: () => clock.now(),
    refresh: async (q2) => {
      const offset = await readOffset(q2);
      if (offset > clock.offsetMs) clock.advance(offset - clock.offsetMs);
    },
    advance: async (q2, ms) => {
      if (!Number.isSafeInteger(ms) || ms < 0) throw new Refusal('CLOCK_BACKWARDS');
      const { rows } = await q2.query<{ offset_ms: number }>(
        `UPDATE hub.sandbox_clock SET offset_ms = offset_ms + $1, updated_at = now() RETURNING offset_ms`,
        [ms],
      );
      const offset = rows[0]!.offset_ms;
      clock.advance(offset - clock.offsetMs);
      return clock.now();
    },
  };
}

async function readOffset(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ offset_ms: number }>('SELECT offset_ms FROM hub.sandbox_clock');
  return rows[0]?.offset_ms ?? 0;
}
