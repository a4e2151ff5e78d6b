/**
 * A participant's progress through the test scenarios, from the calls the verification
 * environment recorded (verification.repository.ts). Pure.
 *
 * The steps of a scenario are taken in order. A step is **matched** by the first call after the
 * previous step's match (same interface, the same kind of supply point) whose answer is the
 * expected one; calls of the step before that which answered otherwise are its **mismatches**,
 * each with why. A step with only mismatching calls is `mismatched` (a later right call still
 * matches it); a step nobody called yet is `notRun`, and so is every step after it.
 */
import type { Expectation, Scenario, ScenarioStep } from '../../interfaces/verification/scenarios.ts';
import { designationOf } from '../../interfaces/verification/designated.ts';

export interface RecordedCall {
  readonly callId: number;
  readonly at: Date;
  readonly interfaceId: string;
  readonly supplyPointId: string | null;
  readonly result: 'OK' | 'NG';
  readonly codes: readonly string[];
  readonly stage: string | null;
}

export type StepStatus = 'matched' | 'mismatched' | 'notRun';
export type ScenarioStatus = 'passed' | 'failed' | 'inProgress' | 'notStarted';

export interface Mismatch {
  readonly call: RecordedCall;
  /** Why, in Japanese: what was expected and what came. */
  readonly reason: string;
}

export interface StepProgress {
  readonly step: ScenarioStep;
  readonly status: StepStatus;
  readonly matchedBy?: RecordedCall;
  readonly mismatches: readonly Mismatch[];
}

export interface ScenarioProgress {
  readonly scenario: Scenario;
  readonly status: ScenarioStatus;
  readonly steps: readonly StepProgress[];
}

export const scenarioStatusNames: Readonly<Record<ScenarioStatus, string>> = {
  passed: '合格',
  failed: '不一致あり',
  inProgress: '実施中',
  notStarted: '未実施',
};

export const stepStatusNames: Readonly<Record<StepStatus, string>> = { matched: '一致', mismatched: '不一致', notRun: '未実施' };

/** Whether a call is one of the step's (its interface, its kind of point). */
export function callOfStep(step: ScenarioStep, call: RecordedCall): boolean {
  if (call.interfaceId !== step.interfaceId) return false;
  if (step.point === undefined) return true;
  if (step.point === 'none') return call.supplyPointId === null;
  const designation = designationOf(call.supplyPointId);
  return step.point === 'ordinary' ? designation === undefined && call.supplyPointId !== null : designation?.entry.number === step.point;
}

/** Undefined when the answer is the expected one, else why not. */
export function differenceFrom(expect: Expectation, call: RecordedCall): string | undefined {
  const wanted = [expect.result, expect.stage ? `工程 ${expect.stage}` : null, expect.code ?? null].filter(Boolean).join(' ');
  const got = [call.result, call.stage ? `工程 ${call.stage}` : null, call.codes.join(', ') || null].filter(Boolean).join(' ');
  const differs =
    call.result !== expect.result ||
    (expect.stage !== undefined && call.stage !== expect.stage) ||
    (expect.code !== undefined && !call.codes.includes(expect.code));
  return differs ? `期待: ${wanted} / 応答: ${got}` : undefined;
}

/** `calls` in the order they were made. */
export function progressOf(scenario: Scenario, calls: readonly RecordedCall[]): ScenarioProgress {
  const steps: StepProgress[] = [];
  let from = 0;
  let blocked = false;
  for (const step of scenario.steps) {
    if (blocked) {
      steps.push({ step, status: 'notRun', mismatches: [] });
      continue;
    }
    const mismatches: Mismatch[] = [];
    let matchedAt = -1;
    for (let i = from; i < calls.length; i++) {
      const call = calls[i]!;
      if (!callOfStep(step, call)) continue;
      const reason = differenceFrom(step.expect, call);
      if (reason === undefined) {
        matchedAt = i;
        break;
      }
      mismatches.push({ call, reason });
    }
    if (matchedAt >= 0) {
      steps.push({ step, status: 'matched', matchedBy: calls[matchedAt]!, mismatches });
      from = matchedAt + 1;
    } else {
      steps.push({ step, status: mismatches.length > 0 ? 'mismatched' : 'notRun', mismatches });
      blocked = true;
    }
  }
  return { scenario, status: statusOf(steps), steps };
}

function statusOf(steps: readonly StepProgress[]): ScenarioStatus {
  if (steps.every((s) => s.status === 'matched')) return 'passed';
  if (steps.some((s) => s.status === 'mismatched')) return 'failed';
  return steps.some((s) => s.status === 'matched') ? 'inProgress' : 'notStarted';
}
