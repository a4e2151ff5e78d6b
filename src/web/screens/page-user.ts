import type { FastifyRequest } from 'fastify';
import { callerOf, sessionOf } from '../../hub/http/context.ts';
import { can, isHubAdmin, type Actor } from '../../hub/policy.ts';
import type { NavItem, PageUser } from '../layout.ts';

/** Who is signed in, for the page header. */
export function pageUser(request: FastifyRequest): PageUser {
  const session = sessionOf(request);
  return { userId: session.user.userId, name: session.user.name, participantName: callerOf(request).participant.name };
}

/**
 * The header's menu: every entry the actor may use, in this order; `admin` entries are shown apart.
 * A screen family adds its entry here, with the policy question that decides who sees it.
 */
const menu: readonly { href: string; label: string; admin?: boolean; shown: (actor: Actor) => boolean }[] = [
  { href: '/', label: 'トップ', shown: () => true },
  { href: '/notices', label: 'インフォメーション', shown: (actor) => can(actor, 'notice.read') },
  { href: '/participants', label: '事業者一覧', shown: (actor) => can(actor, 'participant.list') },
  { href: '/relays', label: '廃止取次', shown: (actor) => can(actor, 'relay.list') },
  {
    href: '/mailbox',
    label: 'メールボックス',
    shown: (actor) => isHubAdmin(actor) || can(actor, 'mailbox.read', { companyCode: actor.participant.companyCode }),
  },
  { href: '/interfaces', label: 'APIリポジトリ', shown: () => true },
  { href: '/users', label: 'ユーザ管理', shown: (actor) => isHubAdmin(actor) || can(actor, 'user.list', { companyCode: actor.participant.companyCode }) },
  {
    href: '/certificates',
    label: '証明書',
    shown: (actor) => !isHubAdmin(actor) && can(actor, 'certificate.request', { companyCode: actor.participant.companyCode }),
  },
  { href: '/admin/suspensions', label: '権限停止・再開', admin: true, shown: (actor) => can(actor, 'suspension.manage') },
  { href: '/admin/certificate-requests', label: '証明書申請', admin: true, shown: (actor) => can(actor, 'certificate.decide') },
  { href: '/admin/certificate-expiry', label: '証明書の有効期限', admin: true, shown: (actor) => can(actor, 'certificate.decide') },
  { href: '/admin/suspicions/flags', label: '不正利用の疑い', admin: true, shown: (actor) => can(actor, 'certificate.decide') },
  { href: '/admin/certificates', label: '証明書', admin: true, shown: (actor) => can(actor, 'certificate.manage') },
  { href: '/admin/audit', label: '監査ログ', admin: true, shown: (actor) => can(actor, 'audit.search') },
  { href: '/admin/api-operations', label: 'API運用情報', admin: true, shown: (actor) => can(actor, 'apiOperation.view') },
  { href: '/admin/relays', label: '廃止取次監視', admin: true, shown: (actor) => can(actor, 'relay.monitor') },
  { href: '/admin/statistics', label: 'スイッチング実績', admin: true, shown: (actor) => can(actor, 'statistics.read') },
  { href: '/admin/pps-deadlines', label: 'データ提供期限', admin: true, shown: (actor) => can(actor, 'pps.monitor') },
  { href: '/admin/clock', label: '時計', admin: true, shown: (actor) => can(actor, 'clock.advance') },
];

/** The menu for the signed-in actor, the entry of the current section marked (longest matching path). */
export function navigationFor(actor: Actor, path: string): NavItem[] {
  const shown = menu.filter((m) => m.shown(actor));
  const matches = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`));
  const current = shown.filter((m) => matches(m.href)).sort((a, b) => b.href.length - a.href.length)[0];
  return shown.map((m) => ({ href: m.href, label: m.label, ...(m.admin ? { admin: true } : {}), ...(m === current ? { current: true } : {}) }));
}

/** Header options of a signed-in page. */
export function signedIn(request: FastifyRequest, title: string) {
  const session = sessionOf(request);
  const path = request.url.split('?')[0] ?? '/';
  // During the forced password change no other screen is reachable: no menu to tempt.
  const nav = session.session.mustChangePassword ? [] : navigationFor(session.actor, path);
  return { title, user: pageUser(request), csrfToken: session.csrfToken, nav };
}
