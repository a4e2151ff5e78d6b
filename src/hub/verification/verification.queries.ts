/**
 * What the verification screens and the API read: a participant's progress through the test
 * scenarios (its own; hub admins anyone's) and the admin's matrix of participants × scenarios,
 * with its CSV. The observer that records each call is `callRecorder`.
 */
import { scenarios } from '../../interfaces/verification/scenarios.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { authorize, type Actor } from '../policy.ts';
import { progressOf, scenarioStatusNames, type ScenarioProgress, type ScenarioStatus } from './progress.ts';
import { callsByParticipant, callsOf, recordCall } from './verification.repository.ts';

/** What `callInterface` tells an observer after answering (hub/interfaces/call.ts). */
export interface AnsweredCall {
  readonly companyCode: string;
  readonly interfaceId: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly response: InterfaceResponse;
}

/** Records every answered call of the verification environment. */
export function callRecorder(db: Queryable, clock: Clock): (call: AnsweredCall) => Promise<void> {
  return async ({ companyCode, interfaceId, body, response }) => {
    const data = response.data ?? {};
    const point = typeof body.supplyPointId === 'string' ? body.supplyPointId : typeof data.supplyPointId === 'string' ? data.supplyPointId : null;
    await recordCall(db, {
      at: clock.now(),
      companyCode,
      interfaceId,
      supplyPointId: point,
      result: response.result,
      codes: response.messages.map((m) => m.code),
      stage: typeof data.stage === 'string' ? data.stage : null,
    });
  };
}

export async function participantProgress(q: Queryable, actor: Actor, companyCode: string): Promise<ScenarioProgress[]> {
  authorize(actor, 'verification.progress', { companyCode });
  const calls = await callsOf(q, companyCode);
  return scenarios.map((s) => progressOf(s, calls));
}

export interface MatrixRow {
  readonly companyCode: string;
  readonly name: string;
  readonly statuses: readonly ScenarioStatus[];
  readonly passed: number;
}

/** Every retailer × every scenario. */
export async function progressMatrix(q: Queryable, actor: Actor): Promise<MatrixRow[]> {
  authorize(actor, 'verification.matrix');
  const { rows: participants } = await q.query<{ companyCode: string; name: string }>(
    `SELECT company_code AS "companyCode", name FROM hub.participant WHERE kind = 'retailer' ORDER BY company_code`,
  );
  const calls = await callsByParticipant(q);
  return participants.map((p) => {
    const statuses = scenarios.map((s) => progressOf(s, calls.get(p.companyCode) ?? []).status);
    return { ...p, statuses, passed: statuses.filter((s) => s === 'passed').length };
  });
}

/** The matrix as CSV (UTF-8 with BOM, for Excel): one row per participant, one column per scenario. */
export function matrixCsv(rows: readonly MatrixRow[]): string {
  const header = ['事業者コード', '事業者名', '合格数', ...scenarios.map((s) => s.id)];
  const lines = [header, ...rows.map((r) => [r.companyCode, r.name, String(r.passed), ...r.statuses.map((s) => scenarioStatusNames[s])])];
  return `\ufeff${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
