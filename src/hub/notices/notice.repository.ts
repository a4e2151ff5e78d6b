/**
 * Reading and writing notices (`hub.notice`). Thin: SQL in, rows out; the rules are in notice.ts,
 * who may in policy.ts. Dates travel as "YYYY-MM-DD" text both ways, so no time zone touches them.
 */
import type { IsoDate } from '../../domain/date.ts';
import type { Queryable } from '../../platform/db/db.ts';
import type { Notice, NoticeContent } from './notice.ts';

interface NoticeRow {
  notice_id: string | number;
  title: string;
  body: string;
  published_on: string;
  ends_on: string | null;
  author_user_id: string;
  author_name: string | null;
  created_at: Date;
  updated_at: Date;
  updated_by: string;
}

const noticeColumns = `
  n.notice_id, n.title, n.body, to_char(n.published_on, 'YYYY-MM-DD') AS published_on,
  to_char(n.ends_on, 'YYYY-MM-DD') AS ends_on, n.author_user_id, u.name AS author_name,
  n.created_at, n.updated_at, n.updated_by`;

const fromNotice = `FROM hub.notice n LEFT JOIN hub.user_account u ON u.user_id = n.author_user_id`;

export async function insertNotice(q: Queryable, notice: NoticeContent & { authorUserId: string; at: Date }): Promise<number> {
  const { rows } = await q.query<{ notice_id: string | number }>(
    `INSERT INTO hub.notice (title, body, published_on, ends_on, author_user_id, created_at, updated_at, updated_by)
     VALUES ($1, $2, $3::date, $4::date, $5, $6, $6, $5)
     RETURNING notice_id`,
    [notice.title, notice.body, notice.publishedOn, notice.endsOn, notice.authorUserId, notice.at],
  );
  return Number(rows[0]!.notice_id);
}

export async function updateNotice(q: Queryable, noticeId: number, notice: NoticeContent & { by: string; at: Date }): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE hub.notice SET title = $2, body = $3, published_on = $4::date, ends_on = $5::date, updated_at = $6, updated_by = $7
      WHERE notice_id = $1`,
    [noticeId, notice.title, notice.body, notice.publishedOn, notice.endsOn, notice.at, notice.by],
  );
  return rowCount > 0;
}

export async function deleteNotice(q: Queryable, noticeId: number): Promise<boolean> {
  const { rowCount } = await q.query(`DELETE FROM hub.notice WHERE notice_id = $1`, [noticeId]);
  return rowCount > 0;
}

export async function selectNotice(q: Queryable, noticeId: number): Promise<Notice | null> {
  const { rows } = await q.query<NoticeRow>(`SELECT ${noticeColumns} ${fromNotice} WHERE n.notice_id = $1`, [noticeId]);
  return rows[0] ? toNotice(rows[0]) : null;
}

/**
 * Notices newest first (publication date, then the later written), a page at a time. With
 * `shownOn`, only those shown on that day; without, all of them (administrators).
 */
export async function selectNotices(
  q: Queryable,
  filter: { shownOn?: IsoDate },
  page: { limit: number; offset: number },
): Promise<{ items: Notice[]; total: number }> {
  const where = `WHERE $1::date IS NULL OR (n.published_on <= $1::date AND (n.ends_on IS NULL OR n.ends_on >= $1::date))`;
  const values = [filter.shownOn ?? null];
  const { rows } = await q.query<NoticeRow>(
    `SELECT ${noticeColumns} ${fromNotice} ${where}
      ORDER BY n.published_on DESC, n.notice_id DESC LIMIT $2 OFFSET $3`,
    [...values, page.limit, page.offset],
  );
  const count = await q.query<{ total: string | number }>(`SELECT count(*) AS total FROM hub.notice n ${where}`, values);
  return { items: rows.map(toNotice), total: Number(count.rows[0]!.total) };
}

function toNotice(row: NoticeRow): Notice {
  return {
    noticeId: Number(row.notice_id),
    title: row.title,
    body: row.body,
    publishedOn: row.published_on as IsoDate,
    endsOn: row.ends_on as IsoDate | null,
    authorUserId: row.author_user_id,
    authorName: row.author_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}
