import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { givenIdentityWorld, testClock } from '../../../src/hub/identity/testing.ts';
import { can } from '../../../src/hub/policy.ts';
import { recordAudit } from '../../../src/hub/audit/audit.repository.ts';
import { interfaceUsage } from '../../../src/hub/audit/api-operations.ts';
import { checkNotice, isNewNotice, noticeState } from '../../../src/hub/notices/notice.ts';
import { createNotice, getNotice, listNotices, modifyNotice, removeNotice } from '../../../src/hub/notices/notice.commands.ts';
import { seedDemoNotices } from '../../../src/hub/notices/demo.ts';
import type { IsoDate } from '../../../src/domain/date.ts';

const notice = { title: '定期メンテナンスのお知らせ', body: '4月10日 1:00〜5:00 に\r\nメンテナンスを行います。  \r\n', publishedOn: '2026-04-01' };

test('a notice is checked and normalised: one-line title, body line breaks kept, full-width dates accepted', () => {
  const checked = checkNotice({ title: '  お知らせ\n（重要） ', body: 'a  \r\nb\r\n\r\n', publishedOn: '２０２６/０４/０１', endsOn: '' });
  assert.deepEqual(checked, { title: 'お知らせ （重要）', body: 'a\nb', publishedOn: '2026-04-01', endsOn: null });
});

test('a notice without title or body, with a bad date or an end before its publication, is refused at the field', () => {
  assert.throws(() => checkNotice({ ...notice, title: ' ' }), {
    code: 'NOTICE_TITLE_REQUIRED',
    field: 'title',
    text: 'タイトルを1〜100文字で入力してください。',
  });
  assert.throws(() => checkNotice({ ...notice, title: 'あ'.repeat(101) }), { code: 'NOTICE_TITLE_REQUIRED', field: 'title' });
  assert.throws(() => checkNotice({ ...notice, body: '\n \n' }), { code: 'NOTICE_BODY_REQUIRED', field: 'body' });
  assert.throws(() => checkNotice({ ...notice, publishedOn: '2026-02-30' }), { code: 'DATE_INVALID', field: 'publishedOn' });
  assert.throws(() => checkNotice({ ...notice, endsOn: '4/1' }), { code: 'DATE_FORMAT', field: 'endsOn' });
  assert.throws(() => checkNotice({ ...notice, endsOn: '2026-03-31' }), {
    code: 'NOTICE_ENDS_BEFORE_PUBLISHED',
    field: 'endsOn',
    text: '掲載終了日には掲載日（2026-04-01）以降の日付を指定してください。',
  });
});

test('a notice is shown from its publication date to its end date, both inclusive, and new for a week', () => {
  const n = { publishedOn: '2026-04-01' as IsoDate, endsOn: '2026-04-10' as IsoDate };
  assert.equal(noticeState(n, '2026-03-31' as IsoDate), 'scheduled');
  assert.equal(noticeState(n, '2026-04-01' as IsoDate), 'shown');
  assert.equal(noticeState(n, '2026-04-10' as IsoDate), 'shown');
  assert.equal(noticeState(n, '2026-04-11' as IsoDate), 'ended');
  assert.equal(noticeState({ ...n, endsOn: null }, '2099-01-01' as IsoDate), 'shown');
  assert.equal(isNewNotice(n, '2026-04-07' as IsoDate), true);
  assert.equal(isNewNotice(n, '2026-04-08' as IsoDate), false);
});

forEachBackend('notices', (backend) => {
  test('only hub admins write notices; every signed-in user reads them, API callers do not', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    for (const actor of [actors.aAdmin, actors.aUser]) {
      await assert.rejects(createNotice(db, clock, actor, notice), { code: 'AUTH_FORBIDDEN' });
      assert.equal(can(actor, 'notice.read'), true);
    }
    assert.equal(can({ participant: actors.aUser.participant }, 'notice.read'), false);
    const created = await createNotice(db, clock, actors.hubAdmin, notice);
    assert.equal(created.title, notice.title);
    assert.equal(created.body, '4月10日 1:00〜5:00 に\nメンテナンスを行います。');
    assert.equal(created.authorUserId, 'h000.admin');
    assert.equal(created.authorName, 'テスト 太郎');
    await assert.rejects(modifyNotice(db, clock, actors.aAdmin, created.noticeId, notice), { code: 'AUTH_FORBIDDEN' });
    await assert.rejects(removeNotice(db, actors.aAdmin, created.noticeId), { code: 'AUTH_FORBIDDEN' });
    assert.equal((await getNotice(db, clock, actors.aUser, created.noticeId)).title, notice.title);
  });

  test('readers see the notices shown today, newest first, 20 a page; admins also the scheduled and ended ones', async () => {
    await using db = await backend.open();
    const clock = testClock(); // 2026-04-01 in Japan
    const { actors } = await givenIdentityWorld(db, clock);
    for (let day = 1; day <= 25; day++) {
      await createNotice(db, clock, actors.hubAdmin, { ...notice, title: `お知らせ${day}`, publishedOn: `2026-03-${String(day).padStart(2, '0')}` });
    }
    const scheduled = await createNotice(db, clock, actors.hubAdmin, { ...notice, title: '予定', publishedOn: '2026-04-02' });
    const ended = await createNotice(db, clock, actors.hubAdmin, { ...notice, title: '終了', publishedOn: '2026-03-01', endsOn: '2026-03-31' });
    const first = await listNotices(db, clock, actors.aUser);
    assert.equal(first.total, 25);
    assert.equal(first.items.length, 20);
    assert.deepEqual(
      first.items.slice(0, 3).map((n) => n.title),
      ['お知らせ25', 'お知らせ24', 'お知らせ23'],
    );
    const second = await listNotices(db, clock, actors.aUser, { page: 2 });
    assert.deepEqual(
      second.items.map((n) => n.title),
      ['お知らせ5', 'お知らせ4', 'お知らせ3', 'お知らせ2', 'お知らせ1'],
    );
    await assert.rejects(getNotice(db, clock, actors.aUser, scheduled.noticeId), { code: 'NOTICE_NOT_FOUND' });
    await assert.rejects(getNotice(db, clock, actors.aUser, ended.noticeId), { code: 'NOTICE_NOT_FOUND' });
    assert.equal((await listNotices(db, clock, actors.aUser, { all: true })).total, 25, 'a reader cannot ask for all');
    const all = await listNotices(db, clock, actors.hubAdmin, { all: true });
    assert.equal(all.total, 27);
    assert.equal(all.items[0]!.title, '予定');
    clock.advance(86_400_000);
    assert.equal((await getNotice(db, clock, actors.aUser, scheduled.noticeId)).title, '予定', 'shown from its publication date');
  });

  test('a hub admin modifies and deletes a notice; a missing one is NOTICE_NOT_FOUND', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    const created = await createNotice(db, clock, actors.hubAdmin, notice);
    clock.advance(60_000);
    const modified = await modifyNotice(db, clock, actors.hubAdmin, created.noticeId, { ...notice, title: '【延期】定期メンテナンス', endsOn: '2026-04-30' });
    assert.equal(modified.title, '【延期】定期メンテナンス');
    assert.equal(modified.endsOn, '2026-04-30');
    assert.ok(modified.updatedAt > created.updatedAt);
    await removeNotice(db, actors.hubAdmin, created.noticeId);
    await assert.rejects(getNotice(db, clock, actors.hubAdmin, created.noticeId), {
      code: 'NOTICE_NOT_FOUND',
      text: `お知らせ（番号 ${created.noticeId}）は見つかりません。`,
    });
    await assert.rejects(removeNotice(db, actors.hubAdmin, created.noticeId), { code: 'NOTICE_NOT_FOUND' });
    await assert.rejects(modifyNotice(db, clock, actors.hubAdmin, 999, notice), { code: 'NOTICE_NOT_FOUND' });
  });

  test('the demo notices are written once, on an empty table', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenIdentityWorld(db, clock);
    assert.equal(await seedDemoNotices(db, clock), 2);
    assert.equal(await seedDemoNotices(db, clock), 0);
    const shown = await listNotices(db, clock, {
      participant: { companyCode: '1003', kind: 'retailer', status: 'active' },
      user: { userId: '1003.user', role: 'user' },
    });
    assert.equal(shown.total, 2);
    assert.equal(shown.items[0]!.authorName, null);
  });

  test('API operation info counts each interface’s calls by channel and its NG results by code, over the period only', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenIdentityWorld(db, clock);
    const at = new Date('2026-04-01T10:00:00+09:00');
    const entry = (action: string, result: string, channel: 'api' | 'soap' | 'web' = 'api', when = at) => ({
      at: when,
      companyCode: '1003',
      userId: null,
      fingerprint256: null,
      sourceAddress: '127.0.0.1',
      channel,
      action,
      result,
    });
    await recordAudit(db, [
      entry('IF_10110', 'OK'),
      entry('IF_10110', 'OK', 'soap'),
      entry('IF_10110', 'SPID_NOT_FOUND'),
      entry('IF_10110', 'SPID_NOT_FOUND', 'soap'),
      entry('IF_10110', 'IF_REQUIRED'),
      entry('IF_10110', 'OK', 'api', new Date('2026-03-31T23:59:59+09:00')),
      entry('IF_10110', 'OK', 'api', new Date('2026-04-02T00:00:00+09:00')),
      entry('login', 'OK', 'web'),
    ]);
    const [facility, usage] = await interfaceUsage(db, ['IF_10110', 'IF_10210'], new Date('2026-04-01T00:00:00+09:00'), new Date('2026-04-02T00:00:00+09:00'));
    assert.equal(facility!.calls, 5);
    assert.deepEqual(facility!.callsByChannel, { api: 3, soap: 2 });
    assert.equal(facility!.ng, 3);
    assert.deepEqual(facility!.ngByCode, [
      { code: 'SPID_NOT_FOUND', count: 2 },
      { code: 'IF_REQUIRED', count: 1 },
    ]);
    assert.equal(facility!.lastCallAt?.getTime(), at.getTime());
    assert.deepEqual(usage, { interfaceId: 'IF_10210', calls: 0, callsByChannel: {}, ng: 0, ngByCode: [], lastCallAt: null });
  });
});
