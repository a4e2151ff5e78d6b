/**
 * The sandbox clock on the API, in the hub's JSON envelope:
 *
 *   GET  /api/v1/admin/clock                       → { mode, now, offsetMs, movable } (any caller)
 *   POST /api/v1/admin/clock { "advance": "3d" }   → moves it forward (the hub operator's API certificate)
 *   POST /api/v1/admin/clock { "to": "2026-12-01T09:00+09:00" }
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/db.ts';
import { Refusal } from '../../domain/refusal.ts';
import { actorOfRequest, callerOf } from '../http/context.ts';
import { advanceClock, clockStatus, type ClockControl } from './clock.commands.ts';

export function registerClockRoutes(app: FastifyInstance, { db, clockControl }: { db: Db; clockControl: ClockControl | undefined }): void {
  app.get('/api/v1/admin/clock', { config: { action: 'clockShow' } }, async (request) => {
    callerOf(request);
    if (!clockControl) throw new Refusal('CLOCK_NOT_MOVABLE');
    return { result: 'OK' as const, messages: [], data: present(clockControl) };
  });

  app.post('/api/v1/admin/clock', { config: { action: 'clockAdvance' } }, async (request) => {
    const actor = actorOfRequest(request);
    if (!clockControl) throw new Refusal('CLOCK_NOT_MOVABLE');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const advanced = await advanceClock(db, clockControl, actor, { advance: body.advance, to: body.to });
    return {
      result: 'OK' as const,
      messages: [],
      data: { ...present(clockControl), from: advanced.from.toISOString(), advancedMs: advanced.advancedMs },
    };
  });
}

function present(control: ClockControl) {
  const status = clockStatus(control.clock);
  return { mode: status.mode, now: status.now.toISOString(), offsetMs: status.offsetMs, movable: status.movable };
}
