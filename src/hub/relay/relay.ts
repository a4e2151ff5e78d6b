/**
 * The switching termination relay (スイッチング廃止取次, slides 10 and 24–25): its states and the
 * only transitions between them, as a pure function (STYLE.md 4).
 *
 *   register ──▶ 01 awaiting decision ──decide OK──▶ 02 OK ──▶ (the old retailer files its switch-out,
 *                 │   ▲      │                               the new retailer its switch-in; the grid
 *                 │   └modify┘                               matches them: hub/applications, grid)
 *                 ├──decide NG──▶ 03 NG  ──▶ (the new retailer may register a new relay for the point)
 *                 └──cancel────▶ 04 cancelled
 *
 * Only a relay awaiting a decision can be modified, cancelled or decided; a decided relay is never
 * decided again. At most one relay awaits a decision per supply point (the duplicate-relay rule,
 * kept by a unique index). Who may do each step is the policy's (hub/policy.ts): only the new
 * retailer modifies and cancels, only the addressed old retailer decides, and nobody but the two
 * sees a relay.
 */
import type { RelayDecisionCode, RelayNgReasonCode, RelayStatusCode } from '../../domain/codes.ts';
import { relayStatuses } from '../../domain/codes.ts';
import type { IsoDate } from '../../domain/date.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { InterfaceFamily } from '../../interfaces/catalogue/types.ts';

export const relayNumberPrefix = 'RL';

/** 7 digits of serial a day: ten million relays a day is far beyond all switchings of a year's busiest day. */
export const maxRelaySerialPerDay = 9_999_999;

export function formatRelayNumber(day: IsoDate, serial: number): string {
  return `${relayNumberPrefix}${day.replaceAll('-', '')}${String(serial).padStart(7, '0')}`;
}

export const AWAITING: RelayStatusCode = '01';

export interface RelayParties {
  readonly newCompanyCode: string;
  readonly oldCompanyCode: string;
}

/** 需要場所住所, as the interfaces' address group gives it. */
export interface RelayAddress {
  readonly prefecture: string;
  readonly city: string;
  readonly street: string;
  readonly building?: string;
}

/** The address on one line, as screens and e-mails show it. */
export function addressLine(address: RelayAddress | null): string {
  return address ? [address.prefecture, address.city, address.street, address.building ?? ''].join('').trim() : '';
}

/** What the new retailer tells the old one (slide 24). */
export interface RelayDetails {
  readonly supplyPointId: string;
  readonly contractNumber: string | null;
  readonly address: RelayAddress | null;
  readonly holderNameKana: string | null;
  readonly holderName: string | null;
  readonly terminationDate: IsoDate | null;
  readonly oldParticipantCode: string;
  readonly phoneNumber: string | null;
  readonly remarks: string | null;
}

export interface Relay extends RelayParties, RelayDetails {
  readonly relayNumber: string;
  readonly family: InterfaceFamily;
  readonly area: string;
  readonly newParticipantCode: string;
  readonly status: RelayStatusCode;
  readonly decidingPersonName: string | null;
  readonly ngReason: RelayNgReasonCode | null;
  readonly ngText: string | null;
  readonly decidedAt: Date | null;
  readonly registeredAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

export interface RelayDecision {
  readonly decision: RelayDecisionCode;
  readonly decidingPersonName: string;
  readonly ngReason: RelayNgReasonCode | null;
  readonly ngText: string | null;
}

export type RelayCommand =
  | { readonly kind: 'modify'; readonly details: RelayDetails }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'decide'; readonly decision: RelayDecision };

export type RelayEventName = 'registered' | 'modified' | 'cancelled' | 'decidedOk' | 'decidedNg';

export interface RelayTransition {
  readonly status: RelayStatusCode;
  readonly event: RelayEventName;
  /** The fields the transition changes. */
  readonly changes: Partial<Omit<Relay, 'relayNumber' | 'family' | 'newCompanyCode' | 'oldCompanyCode' | 'registeredAt'>>;
}

/** The next state of a relay under a command at `at`, or the refusal of the command. */
export function transition(relay: Pick<Relay, 'status' | 'relayNumber'>, command: RelayCommand, at: Date): RelayTransition {
  if (relay.status !== AWAITING) {
    const params = { relayNumber: relay.relayNumber, status: relayStatuses[relay.status] };
    if (command.kind === 'decide') throw new Refusal('RELAY_ALREADY_DECIDED', { params });
    throw new Refusal('RELAY_NOT_AWAITING', { params });
  }
  switch (command.kind) {
    case 'modify':
      return { status: AWAITING, event: 'modified', changes: { ...command.details, updatedAt: at } };
    case 'cancel':
      return { status: '04', event: 'cancelled', changes: { status: '04', updatedAt: at } };
    case 'decide': {
      const { decision, decidingPersonName, ngReason, ngText } = command.decision;
      if (decision === '01') {
        return {
          status: '02',
          event: 'decidedOk',
          changes: { status: '02', decidingPersonName, ngReason: null, ngText: null, decidedAt: at, updatedAt: at },
        };
      }
      if (!ngReason) throw new Refusal('RELAY_NG_REASON_REQUIRED', { field: 'ngReason' });
      return {
        status: '03',
        event: 'decidedNg',
        changes: { status: '03', decidingPersonName, ngReason, ngText, decidedAt: at, updatedAt: at },
      };
    }
  }
}

/** The company code of a participant code (company code + area digit). */
export function companyOf(participantCode: string): string {
  return participantCode.slice(0, 4);
}
