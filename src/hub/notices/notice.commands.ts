/**
 * Notices: hub administrators write, modify and delete them (`notice.manage`); every signed-in user
 * reads those shown today (`notice.read`), administrators all of them. "Today" is the business date
 * of the hub's clock (the sandbox clock in the sandbox).
 */
import { tokyoDate, type IsoDate } from '../../domain/date.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import { pageBounds, type Page, type PageRequest } from '../identity/page.ts';
import { authorize, can, type Actor } from '../policy.ts';
import { checkNotice, type Notice, type NoticeInput } from './notice.ts';
import { deleteNotice, insertNotice, selectNotice, selectNotices, updateNotice } from './notice.repository.ts';

function actorId(actor: Actor): string {
  return actor.user?.userId ?? actor.participant.companyCode;
}

export async function createNotice(db: Db | Queryable, clock: Clock, actor: Actor, input: NoticeInput): Promise<Notice> {
  authorize(actor, 'notice.manage');
  const content = checkNotice(input);
  const noticeId = await insertNotice(db, { ...content, authorUserId: actorId(actor), at: clock.now() });
  return (await selectNotice(db, noticeId))!;
}

export async function modifyNotice(db: Db | Queryable, clock: Clock, actor: Actor, noticeId: number, input: NoticeInput): Promise<Notice> {
  authorize(actor, 'notice.manage');
  const content = checkNotice(input);
  if (!(await updateNotice(db, noticeId, { ...content, by: actorId(actor), at: clock.now() }))) throw notFound(noticeId);
  return (await selectNotice(db, noticeId))!;
}

export async function removeNotice(db: Db | Queryable, actor: Actor, noticeId: number): Promise<void> {
  authorize(actor, 'notice.manage');
  if (!(await deleteNotice(db, noticeId))) throw notFound(noticeId);
}

/** One notice: a reader sees it only while it is shown (otherwise NOTICE_NOT_FOUND), an administrator always. */
export async function getNotice(db: Db | Queryable, clock: Clock, actor: Actor, noticeId: number): Promise<Notice> {
  authorize(actor, 'notice.read');
  const notice = Number.isSafeInteger(noticeId) && noticeId > 0 ? await selectNotice(db, noticeId) : null;
  if (!notice) throw notFound(noticeId);
  if (!can(actor, 'notice.manage')) {
    const today = tokyoDate(clock.now());
    if (notice.publishedOn > today || (notice.endsOn !== null && notice.endsOn < today)) throw notFound(noticeId);
  }
  return notice;
}

/** Notices newest first, 20 a page: those shown today, or (administrators, `all`) every one. */
export async function listNotices(
  db: Db | Queryable,
  clock: Clock,
  actor: Actor,
  options: { all?: boolean } & PageRequest = {},
): Promise<Page<Notice> & { today: IsoDate }> {
  authorize(actor, 'notice.read');
  const today = tokyoDate(clock.now());
  const all = options.all === true && can(actor, 'notice.manage');
  const bounds = pageBounds(options);
  const { items, total } = await selectNotices(db, all ? {} : { shownOn: today }, bounds);
  return { items, total, page: bounds.page, size: bounds.size, today };
}

function notFound(noticeId: number): Refusal {
  return new Refusal('NOTICE_NOT_FOUND', { params: { noticeId: Number.isFinite(noticeId) ? noticeId : '?' } });
}
