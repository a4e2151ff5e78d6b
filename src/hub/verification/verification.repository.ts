/**
 * The verification environment's tables at the hub (migration 0018): the mode the data belongs to,
 * and every interface call answered in verification mode.
 */
import type { Mode } from '../../platform/config.ts';
import type { Queryable } from '../../platform/db/db.ts';
import type { RecordedCall } from './progress.ts';

/** The mode the data was first started in; records `mode` when there is none yet. */
export async function claimDataMode(q: Queryable, mode: Mode, at: Date): Promise<Mode> {
  await q.query('INSERT INTO hub.system_mode (mode, since) VALUES ($1, $2) ON CONFLICT (only_row) DO NOTHING', [mode, at]);
  const { rows } = await q.query<{ mode: Mode }>('SELECT mode FROM hub.system_mode');
  return rows[0]!.mode;
}

/** The mode the data was first started in, or undefined before any start. */
export async function dataModeOf(q: Queryable): Promise<Mode | undefined> {
  const { rows } = await q.query<{ mode: Mode }>('SELECT mode FROM hub.system_mode');
  return rows[0]?.mode;
}

export interface NewCall {
  readonly at: Date;
  readonly companyCode: string;
  readonly interfaceId: string;
  readonly supplyPointId: string | null;
  readonly result: 'OK' | 'NG';
  readonly codes: readonly string[];
  readonly stage: string | null;
}

export async function recordCall(q: Queryable, call: NewCall): Promise<void> {
  await q.query(
    `INSERT INTO hub.verification_call (at, company_code, interface_id, supply_point_id, result, codes, stage)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [call.at, call.companyCode, call.interfaceId, call.supplyPointId, call.result, call.codes, call.stage],
  );
}

/** A participant's calls in the order they were made. */
export async function callsOf(q: Queryable, companyCode: string): Promise<RecordedCall[]> {
  const { rows } = await q.query<RecordedCall & { callId: string | number }>(
    `SELECT call_id AS "callId", at, interface_id AS "interfaceId", supply_point_id AS "supplyPointId", result, codes, stage
     FROM hub.verification_call WHERE company_code = $1 ORDER BY call_id`,
    [companyCode],
  );
  return rows.map((r) => ({ ...r, callId: Number(r.callId) }));
}

/** Every participant that made a call, with its calls (the admin's matrix). */
export async function callsByParticipant(q: Queryable): Promise<Map<string, RecordedCall[]>> {
  const { rows } = await q.query<RecordedCall & { callId: string | number; companyCode: string }>(
    `SELECT call_id AS "callId", company_code AS "companyCode", at, interface_id AS "interfaceId", supply_point_id AS "supplyPointId",
       result, codes, stage
     FROM hub.verification_call ORDER BY company_code, call_id`,
  );
  const byParticipant = new Map<string, RecordedCall[]>();
  for (const { companyCode, ...call } of rows) {
    const calls = byParticipant.get(companyCode) ?? [];
    calls.push({ ...call, callId: Number(call.callId) });
    byParticipant.set(companyCode, calls);
  }
  return byParticipant;
}
