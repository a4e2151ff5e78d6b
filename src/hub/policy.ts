/**
 * Who may do what at the hub: the one place that answers it (STYLE.md 3).
 *
 * An actor is a participant, acting through a certificate, and — on the web screens — one of its
 * users. Each rule below is `allow(action, (actor, resource) => boolean)`; an action is allowed
 * when any of its rules says yes, and refused otherwise (deny by default). A suspended participant
 * may do nothing at all.
 *
 * To add an action: name what it is about in `Resources`, then
 * add its rules to `rules`. Callers ask `can(actor, 'relay.view', relay)` or
 * `authorize(actor, 'relay.view', relay)`; the type of the resource follows from the action.
 */
import { Refusal } from '../domain/refusal.ts';
import type { Caller } from './identity/certificate.ts';
import { HUB_COMPANY_CODE, type ParticipantKind, type ParticipantStatus } from './identity/participant.ts';
import type { UserRole } from './identity/user.ts';

export interface Actor {
  readonly participant: {
    readonly companyCode: string;
    readonly kind: ParticipantKind;
    readonly status: ParticipantStatus;
    /** The areas it is registered in (retailers may be in several); absent: none known. */
    readonly areas?: readonly string[];
  };
  /** Absent for system-to-system (API) calls, which are made by the participant as a whole. */
  readonly user?: { readonly userId: string; readonly role: UserRole };
}

/** A user, as the user rules see it: whose it is, and the role it has (or is to be given). */
export interface UserResource {
  readonly companyCode: string;
  readonly role: UserRole;
}

/** A relay, as the relay rules see it: its two retailers. */
export interface RelayResource {
  readonly newCompanyCode: string;
  readonly oldCompanyCode: string;
}

/** What each action is about; `undefined` when it is about nothing in particular. */
export interface Resources {
  /** 事業者一覧: every participant sees every participant. */
  'participant.list': undefined;
  'participant.manage': undefined;
  'certificate.manage': undefined;
  /** 権限停止 of certificates, admin IDs and user IDs (slide 46). */
  'suspension.manage': undefined;
  'audit.search': undefined;
  /** The users of one participant, or of all (`companyCode: null`). */
  'user.list': { readonly companyCode: string | null };
  'user.create': UserResource;
  'user.modify': UserResource;
  'user.delete': UserResource;
  /** Moving the sandbox clock forward. */
  'clock.advance': undefined;
  'lookup.facility': undefined;
  'lookup.usage': undefined;
  /** Filing a wheeling change application (IF_10410 … IF_10910) for a point of an area. */
  'application.file': { readonly area: string };
  /** Following an application (status inquiry, feed): the company that filed it, in its area. */
  'application.view': { readonly companyCode: string; readonly area: string };
  /** The web-only supply point search by address or name (供給地点特定番号検索) in an area's registry. */
  'supplyPoint.search': { readonly area: string };
  /** Registering a termination relay for a point of an area (the new retailer). */
  'relay.register': { readonly area: string };
  /** Seeing a relay and the customer's data in it: only its two retailers. */
  'relay.view': RelayResource;
  /** Modifying or cancelling a relay: only the new retailer that registered it. */
  'relay.modify': RelayResource;
  /** Deciding OK / NG: only the old retailer the relay is addressed to. */
  'relay.decide': RelayResource;
  /** Listing relays (each list shows only the caller's own side). */
  'relay.list': undefined;
  /** The hub operator's view of how long relays wait and who does not fetch them (no personal data). */
  'relay.monitor': undefined;
  /** OCCTO's switching statistics (applications per area, kind and month; switching rate): figures only. */
  'statistics.read': undefined;
  /** The grids' data provision deadline watch (files due, on time, late, missing per area and kind): figures only. */
  'pps.monitor': undefined;
  /** A participant's notifications (pull mailbox IS_40110/IS_40120, mails of the built-in mailbox): its own; the hub admin's screen shows all. */
  'mailbox.read': { readonly companyCode: string };
  /** Reading the hub operator's notices (インフォメーション): every signed-in user. */
  'notice.read': undefined;
  /** Writing, modifying and deleting notices: the hub operator's administrators. */
  'notice.manage': undefined;
  /** API運用情報: calls and NG results per interface, from the audit log. */
  'apiOperation.view': undefined;
  /** Requesting certificates for a participant's users and systems, and downloading them once (issue 19): its administrator. */
  'certificate.request': { readonly companyCode: string };
  /** Approving or refusing certificate requests, and the flags of suspicious use: the hub admins. */
  'certificate.decide': undefined;
  /** Reporting a lost or stolen certificate or ID of a participant (suspended at once, slide 46): its administrator. */
  'suspension.report': { readonly companyCode: string };
  /** Following the suspensions (the grids' data provision sites refuse what the hub suspended). */
  'credential.follow': undefined;
  /** The verification environment's test progress of a participant: its own; hub admins see everyone's (the matrix). */
  'verification.progress': { readonly companyCode: string };
  /** The matrix of every participant's progress and its CSV. */
  'verification.matrix': undefined;
}

export type Action = keyof Resources;

type ResourceArgs<A extends Action> = Resources[A] extends undefined ? [] : [resource: Resources[A]];

interface Rule {
  readonly action: Action;
  readonly test: (actor: Actor, resource: unknown) => boolean;
}

function allow<A extends Action>(action: A, test: (actor: Actor, resource: Resources[A]) => boolean): Rule {
  return { action, test: test as Rule['test'] };
}

export function isHubAdmin(actor: Actor): boolean {
  return actor.participant.kind === 'hub' && actor.user?.role === 'hub_admin';
}

/** A participant administrator (企業内管理者) acting on its own participant's users, never on hub admins. */
function isParticipantAdminOf(actor: Actor, user: { companyCode: string | null; role?: UserRole }): boolean {
  return actor.user?.role === 'participant_admin' && actor.participant.companyCode === user.companyCode && user.role !== 'hub_admin';
}

/** The hub operator's own system, by its API certificate (no user): e.g. a test harness moving the sandbox clock. */
function isHubOperatorSystem(actor: Actor): boolean {
  return actor.participant.kind === 'hub' && actor.user === undefined;
}

/** A retailer registered in the area (applications are made per area, slide 10). */
function isRetailerIn(actor: Actor, area: string): boolean {
  return actor.participant.kind === 'retailer' && (actor.participant.areas ?? []).includes(area);
}

function isKind(...kinds: ParticipantKind[]): (actor: Actor) => boolean {
  return (actor) => kinds.includes(actor.participant.kind);
}

const rules: readonly Rule[] = [
  allow('participant.list', () => true),
  allow('participant.manage', isHubAdmin),
  allow('certificate.manage', isHubAdmin),
  allow('suspension.manage', isHubAdmin),
  allow('audit.search', isHubAdmin),
  allow('clock.advance', isHubAdmin),
  allow('clock.advance', isHubOperatorSystem),

  allow('user.list', isHubAdmin),
  allow('user.list', isParticipantAdminOf),
  allow('user.create', isHubAdmin),
  allow('user.create', isParticipantAdminOf),
  allow('user.modify', isHubAdmin),
  allow('user.modify', isParticipantAdminOf),
  allow('user.delete', isHubAdmin),
  allow('user.delete', isParticipantAdminOf),

  allow('lookup.facility', isKind('retailer', 'hub')),
  allow('lookup.usage', isKind('retailer', 'hub')),

  allow('application.file', (actor, { area }) => isRetailerIn(actor, area)),
  allow('application.view', (actor, { companyCode, area }) => isRetailerIn(actor, area) && actor.participant.companyCode === companyCode),
  allow('supplyPoint.search', (actor, { area }) => isRetailerIn(actor, area)),

  allow('relay.register', (actor, { area }) => isRetailerIn(actor, area)),
  allow('relay.list', isKind('retailer')),
  allow('relay.view', (actor, relay) => isKind('retailer')(actor) && [relay.newCompanyCode, relay.oldCompanyCode].includes(actor.participant.companyCode)),
  allow('relay.modify', (actor, relay) => isKind('retailer')(actor) && actor.participant.companyCode === relay.newCompanyCode),
  allow('relay.decide', (actor, relay) => isKind('retailer')(actor) && actor.participant.companyCode === relay.oldCompanyCode),
  allow('relay.monitor', isHubAdmin),
  allow('relay.monitor', isHubOperatorSystem),
  allow('statistics.read', isHubAdmin),
  allow('statistics.read', isHubOperatorSystem),
  allow('pps.monitor', isHubAdmin),
  allow('pps.monitor', isHubOperatorSystem),

  allow('mailbox.read', (actor, { companyCode }) => actor.participant.companyCode === companyCode),
  allow('mailbox.read', isHubAdmin),

  allow('notice.read', (actor) => actor.user !== undefined),
  allow('notice.manage', isHubAdmin),
  allow('apiOperation.view', isHubAdmin),

  allow('certificate.request', isHubAdmin),
  allow('certificate.request', (actor, { companyCode }) => isParticipantAdminOf(actor, { companyCode })),
  allow('certificate.decide', isHubAdmin),
  allow('suspension.report', isHubAdmin),
  allow('suspension.report', (actor, { companyCode }) => isParticipantAdminOf(actor, { companyCode })),
  allow('credential.follow', isKind('grid', 'hub')),
  allow('verification.progress', (actor, { companyCode }) => actor.participant.companyCode === companyCode),
  allow('verification.progress', isHubAdmin),
  allow('verification.matrix', isHubAdmin),
];

export function can<A extends Action>(actor: Actor, action: A, ...resource: ResourceArgs<A>): boolean {
  if (actor.participant.status !== 'active') return false;
  return rules.some((rule) => rule.action === action && rule.test(actor, resource[0]));
}

/** Like `can`, but refuses with AUTH_FORBIDDEN. */
export function authorize<A extends Action>(actor: Actor, action: A, ...resource: ResourceArgs<A>): void {
  if (!can(actor, action, ...resource)) throw new Refusal('AUTH_FORBIDDEN');
}

/** Every action, for screens that list what an actor may do and for tests. */
export const actions: readonly Action[] = [...new Set(rules.map((r) => r.action))];

/** The actor of a request: the certificate's participant, and the signed-in user on the web. */
export function actorOf(caller: Pick<Caller, 'participant'>, user?: { userId: string; role: UserRole }): Actor {
  const { companyCode, kind, status } = caller.participant;
  return user ? { participant: { companyCode, kind, status }, user: { userId: user.userId, role: user.role } } : { participant: { companyCode, kind, status } };
}

/**
 * The hub operator acting on its own, without a person: the CLI, the demo seed and start-up
 * registration of the hub's certificates. Its user ID `system` is reserved: no user can take it.
 */
export const systemActor: Actor = {
  participant: { companyCode: HUB_COMPANY_CODE, kind: 'hub', status: 'active' },
  user: { userId: 'system', role: 'hub_admin' },
};
