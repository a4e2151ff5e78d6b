/**
 * The stages a filing on a designated ID goes through: the first answers the registration, each
 * later one is reached at the applicant's next status inquiry (…20), the last stays. Pure.
 *
 *   complete, switch      03 → 05 → 06          (08 with meter work)
 *   complete, other kinds 10 → 06               (08 with meter work)
 *   complete, usage PW    01 → 06 (the password is issued and shown once)
 *   matchAtOnce           05 → 06
 *   neverMatch            03
 *   refuseLater           03 | 10 | 01 → 09 with the entry's code
 *   ng                    09 with the entry's code, at once
 *
 * Faults (delay, failAfterAccept, answerTwice) change how the answer travels, not the stages: they
 * follow `complete` without meter work.
 */
import type { MessageCode } from '../../domain/messages.ts';
import type { StubBehaviour, StubInterfaceKind } from '../../interfaces/verification/designated.ts';

export type StubStage = '01' | '03' | '05' | '06' | '08' | '09' | '10';

export interface ScriptStep {
  readonly stage: StubStage;
  /** The refusal of a step to 09. */
  readonly code?: MessageCode;
}

export function scriptOf(behaviour: StubBehaviour, kind: StubInterfaceKind): readonly ScriptStep[] {
  const isSwitch = kind === 'switchIn' || kind === 'switchOut';
  const accepted: StubStage = kind === 'usagePasswordApplication' ? '01' : isSwitch ? '03' : '10';
  switch (behaviour.type) {
    case 'ng':
      return [{ stage: '09', code: behaviour.code }];
    case 'refuseLater':
      return [{ stage: accepted }, { stage: '09', code: behaviour.code }];
    case 'neverMatch':
      return [{ stage: '03' }];
    case 'matchAtOnce':
      return [{ stage: '05' }, { stage: '06' }];
    case 'complete':
      return completion(accepted, isSwitch, kind !== 'usagePasswordApplication' && behaviour.meterWork);
    case 'delay':
    case 'failAfterAccept':
    case 'answerTwice':
    case 'timeout':
      return completion(accepted, isSwitch, false);
  }
}

function completion(accepted: StubStage, isSwitch: boolean, meterWork: boolean): ScriptStep[] {
  const done: ScriptStep = { stage: meterWork ? '08' : '06' };
  return isSwitch ? [{ stage: accepted }, { stage: '05' }, done] : [{ stage: accepted }, done];
}

/** Stages from which a filing may still be corrected or cancelled (as the reference grid). */
export const correctableStages: readonly StubStage[] = ['01', '03', '10'];
