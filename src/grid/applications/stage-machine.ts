/**
 * The processing stages (受付工程) of a wheeling change application, as pure transitions per kind:
 * `transition(state, event)` → `{ next, effects }`, or a refusal of the event (`{ refused }`) when
 * the event is not allowed in that stage. Nothing here reads or writes anything: the handlers and
 * jobs persist `next`, record the transition in the history, and carry out the `effects`.
 *
 *   switch-in / switch-out:   01 ─accepted→ 03 ─matched→ 05 ─executed→ 06 (08 with meter work)
 *                                            03 ─matchExpired→ 09
 *   move-in, move-out, ampere change, customer / generator info change:
 *                             01 ─accepted→ 10 ─executed→ 06 (08 with meter work)
 *   any kind:                 01 ─refused→ 09;  01/03/10 ─corrected→ same stage;  01/03/10 ─cancelled→ 09
 *
 * Correction and cancellation are allowed while the application is in progress: not once matching
 * is complete (05), nor when complete (06/08) or refused (09). A cancelled application is refused
 * (09) with the reason "cancelled by the applicant": the stage codes have no code of their own for it.
 */
import type { StageCode } from '../../domain/codes.ts';
import type { MessageCode } from '../../domain/messages.ts';

export const applicationKindNames = ['moveIn', 'moveOut', 'switchIn', 'switchOut', 'infoChange', 'ampereChange'] as const;
export type ApplicationKind = (typeof applicationKindNames)[number];

/** The stages an application of this system ever takes (02 and 04 are not used by the reference grid). */
export type ApplicationStage = Extract<StageCode, '01' | '03' | '05' | '06' | '08' | '09' | '10'>;

export interface ApplicationState {
  readonly kind: ApplicationKind;
  readonly stage: ApplicationStage;
}

export type ApplicationEvent =
  | { readonly type: 'accepted' }
  | { readonly type: 'refused'; readonly reason: MessageCode }
  | { readonly type: 'corrected' }
  | { readonly type: 'cancelled' }
  | { readonly type: 'matched' }
  /** No match in time (`APP_MATCH_EXPIRED`, or the reason given: the named date can no longer be kept). */
  | { readonly type: 'matchExpired'; readonly reason?: MessageCode }
  | { readonly type: 'executed'; readonly meterWork: boolean };

export type ApplicationEventType = ApplicationEvent['type'];

/** What the caller must do besides storing the new stage. */
export type Effect =
  /** A switch waits for its counterpart: try to match it at once. */
  | { readonly type: 'tryMatching' }
  /** Record a notification event for the applicant (application_event). */
  | { readonly type: 'notify'; readonly event: 'matchingComplete' | 'completed' | 'refused' | 'cancelled' }
  /** Change the supply point as the application says. */
  | { readonly type: 'applyToSupplyPoint' };

export type Transition =
  | { readonly next: ApplicationState; readonly effects: readonly Effect[]; readonly reason?: MessageCode }
  | { readonly refused: MessageCode };

export const inProgressStages: readonly ApplicationStage[] = ['01', '03', '10'];
/** Stages in which an application still holds its supply point (conflicts with another one). */
export const openStages: readonly ApplicationStage[] = ['01', '03', '05', '10'];

export function isSwitch(kind: ApplicationKind): boolean {
  return kind === 'switchIn' || kind === 'switchOut';
}

function to(state: ApplicationState, stage: ApplicationStage, effects: readonly Effect[] = [], reason?: MessageCode): Transition {
  const next = { kind: state.kind, stage };
  return reason === undefined ? { next, effects } : { next, effects, reason };
}

export function transition(state: ApplicationState, event: ApplicationEvent): Transition {
  const { stage, kind } = state;
  switch (event.type) {
    case 'accepted':
      if (stage !== '01') break;
      return isSwitch(kind) ? to(state, '03', [{ type: 'tryMatching' }]) : to(state, '10');
    case 'refused':
      if (stage !== '01') break;
      return to(state, '09', [{ type: 'notify', event: 'refused' }], event.reason);
    case 'corrected':
      if (!inProgressStages.includes(stage)) return { refused: 'APP_NOT_CORRECTABLE' };
      return to(state, stage, isSwitch(kind) && stage === '03' ? [{ type: 'tryMatching' }] : []);
    case 'cancelled':
      if (!inProgressStages.includes(stage)) return { refused: 'APP_NOT_CANCELLABLE' };
      return to(state, '09', [{ type: 'notify', event: 'cancelled' }], 'APP_CANCELLED');
    case 'matched':
      if (!isSwitch(kind) || stage !== '03') break;
      return to(state, '05', [{ type: 'notify', event: 'matchingComplete' }]);
    case 'matchExpired':
      if (!isSwitch(kind) || stage !== '03') break;
      return to(state, '09', [{ type: 'notify', event: 'refused' }], event.reason ?? 'APP_MATCH_EXPIRED');
    case 'executed': {
      const due: ApplicationStage = isSwitch(kind) ? '05' : '10';
      if (stage !== due) break;
      const effects: Effect[] = kind === 'switchOut' ? [] : [{ type: 'applyToSupplyPoint' }];
      effects.push({ type: 'notify', event: 'completed' });
      return to(state, event.meterWork ? '08' : '06', effects);
    }
  }
  return { refused: 'APP_TRANSITION_ILLEGAL' };
}
