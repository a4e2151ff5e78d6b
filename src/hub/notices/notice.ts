/**
 * Notices (インフォメーション, slide 22): what the hub operator tells every participant — maintenance
 * windows, rule changes, new interface versions. Plain text: a body is shown with its line breaks,
 * never as markup.
 *
 * A notice is shown from its publication date until its end date (both inclusive, dates in Japan);
 * without an end date it stays. Administrators also see the notices not yet or no longer shown.
 */
import { addDays, parseIsoDate, type IsoDate } from '../../domain/date.ts';
import { Refusal } from '../../domain/refusal.ts';

export const NOTICE_TITLE_MAX = 100;
/** About two screens of text: a notice that needs more links to a document instead. */
export const NOTICE_BODY_MAX = 4000;

export interface Notice {
  readonly noticeId: number;
  readonly title: string;
  readonly body: string;
  readonly publishedOn: IsoDate;
  readonly endsOn: IsoDate | null;
  readonly authorUserId: string;
  /** The author's name, when the author is a user (the demo seed is not). */
  readonly authorName: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly updatedBy: string;
}

/** What a notice says, as typed on the form (dates as text, the end date possibly empty). */
export interface NoticeInput {
  readonly title: string;
  readonly body: string;
  readonly publishedOn: string;
  readonly endsOn?: string;
}

export interface NoticeContent {
  readonly title: string;
  readonly body: string;
  readonly publishedOn: IsoDate;
  readonly endsOn: IsoDate | null;
}

export type NoticeState = 'scheduled' | 'shown' | 'ended';

/**
 * Checks and normalises a notice: the title on one line, the body's line breaks as "\n" with
 * trailing blanks removed, dates in "YYYY-MM-DD" (full-width digits and slashes accepted).
 * The first problem found is refused, naming its field.
 */
export function checkNotice(input: NoticeInput): NoticeContent {
  const title = String(input.title ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  if (title.length < 1 || title.length > NOTICE_TITLE_MAX) throw new Refusal('NOTICE_TITLE_REQUIRED', { field: 'title', params: { max: NOTICE_TITLE_MAX } });
  const body = String(input.body ?? '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
  if (body.length < 1 || body.length > NOTICE_BODY_MAX) throw new Refusal('NOTICE_BODY_REQUIRED', { field: 'body', params: { max: NOTICE_BODY_MAX } });
  const publishedOn = parseIsoDate(String(input.publishedOn ?? ''), 'publishedOn');
  const endsText = String(input.endsOn ?? '').trim();
  const endsOn = endsText === '' ? null : parseIsoDate(endsText, 'endsOn');
  if (endsOn !== null && endsOn < publishedOn) throw new Refusal('NOTICE_ENDS_BEFORE_PUBLISHED', { field: 'endsOn', params: { publishedOn } });
  return { title, body, publishedOn, endsOn };
}

/** Whether a notice is shown on `today`, not yet, or no longer. */
export function noticeState(notice: Pick<Notice, 'publishedOn' | 'endsOn'>, today: IsoDate): NoticeState {
  if (notice.publishedOn > today) return 'scheduled';
  if (notice.endsOn !== null && notice.endsOn < today) return 'ended';
  return 'shown';
}

/** A notice is "new" for a week after its publication (the portal marks it). */
export function isNewNotice(notice: Pick<Notice, 'publishedOn'>, today: IsoDate): boolean {
  return notice.publishedOn <= today && addDays(notice.publishedOn, 7) > today;
}
