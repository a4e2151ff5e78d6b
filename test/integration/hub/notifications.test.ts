import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import type { Db } from '../../../src/platform/db/db.ts';
import type { ManualClock } from '../../../src/platform/clock.ts';
import { givenIdentityWorld, testClock } from '../../../src/hub/identity/testing.ts';
import { runMailWork, smtpSender, type MailDeps } from '../../../src/hub/notifications/mail.ts';
import { acknowledgeNotifications, peekNotifications } from '../../../src/hub/notifications/mailbox.ts';
import { notify, type NewNotification } from '../../../src/hub/notifications/notify.ts';
import { givenNotificationAddress, TestSmtpServer } from '../../../src/hub/notifications/testing.ts';

const minute = 60_000;

const decided = (n: number, companyCode = '2001'): NewNotification => ({
  companyCode,
  kind: 'relayDecided',
  subject: `【スイッチング支援システム】廃止取次 R${n} の判断結果`,
  text: `廃止取次 R${n} はOKと判断されました。`,
  refs: { relayNumber: `R${n}` },
});
const awaiting = (n: number, companyCode = '1003'): NewNotification => ({
  companyCode,
  kind: 'relayAwaitingDecision',
  subject: `廃止取次 R${n} が判断を待っています`,
  text: `新小売電気事業者から廃止取次 R${n} が届きました。`,
  refs: { relayNumber: `R${n}`, supplyPointId: '0300000000000000000001' },
});

forEachBackend('notifications: e-mail outbox and pull mailbox', (backend) => {
  async function withWorld(fn: (w: { db: TestDb; clock: ManualClock; send: (n: NewNotification) => Promise<void> }) => Promise<void>) {
    await using db = await backend.open();
    const clock = testClock('2026-11-25T10:00:00+09:00');
    await givenIdentityWorld(db, clock);
    await givenNotificationAddress(db, '1003', '1003@retailer.example');
    await givenNotificationAddress(db, '2001', '2001@retailer.example');
    await fn({ db, clock, send: (n) => db.transaction((tx) => notify(tx, clock.now(), n)) });
  }

  async function mailRows(db: Db) {
    const { rows } = await db.query<{ status: string; attempts: number; kind: string; messageId: string; to: string; body: string; lastError: string | null }>(
      `SELECT status, attempts, kind, message_id AS "messageId", to_address AS "to", body, last_error AS "lastError" FROM hub.mail_outbox ORDER BY id`,
    );
    return rows;
  }

  test('a notification is recorded only with the transaction that caused it', async () => {
    await withWorld(async ({ db, clock }) => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await notify(tx, clock.now(), decided(1));
          throw new Error('the change failed');
        }),
      );
      assert.equal((await peekNotifications(db, '2001')).notifications.length, 0);
      assert.equal((await mailRows(db)).length, 0);
    });
  });

  test('SMTP down then up: the mail waits, is retried, and arrives exactly once with its Message-ID', async () => {
    await withWorld(async ({ db, clock, send }) => {
      const smtp = await new TestSmtpServer().start();
      await smtp.stop();
      const sender = smtpSender(smtp.url);
      const deps: MailDeps = { db, clock, sender };
      try {
        await send(decided(1));
        const down = await runMailWork(deps);
        assert.deepEqual([down.sent, down.failed], [0, 1]);
        let [row] = await mailRows(db);
        assert.equal(row!.status, 'pending');
        assert.equal(row!.attempts, 1);
        assert.ok(row!.lastError, 'the failure is recorded');

        await smtp.start();
        assert.equal((await runMailWork(deps)).sent, 0, 'not before its retry is due');
        clock.advance(2 * minute);
        // Two senders at once (two processes): the row is claimed by one of them.
        const [first, second] = await Promise.all([runMailWork(deps), runMailWork({ ...deps, sender: smtpSender(smtp.url) })]);
        assert.equal(first.sent + second.sent, 1);
        assert.equal(smtp.received.length, 1);
        [row] = await mailRows(db);
        assert.equal(row!.status, 'sent');
        assert.equal(row!.attempts, 2);
        assert.equal(smtp.received[0]!.messageId, row!.messageId);
        assert.deepEqual(smtp.received[0]!.to, ['2001@retailer.example']);
        assert.match(smtp.received[0]!.text, /取次番号: R1/);

        clock.advance(60 * minute);
        assert.equal((await runMailWork(deps)).sent, 0, 'never sent twice');
        assert.equal(smtp.received.length, 1);
      } finally {
        sender.close();
        await smtp.stop();
      }
    });
  });

  test('relays awaiting a decision: at most one digest per participant per interval, every relay in the pull mailbox', async () => {
    await withWorld(async ({ db, clock, send }) => {
      const deps: MailDeps = { db, clock, digestIntervalMs: 10 * minute };
      for (const n of [1, 2, 3]) await send(awaiting(n));
      await send(awaiting(9, '2001'));
      let run = await runMailWork(deps);
      assert.equal(run.digests, 2, 'one digest for each of 1003 and 2001');
      let mails = await mailRows(db);
      const a003 = mails.filter((m) => m.to === '1003@retailer.example');
      assert.equal(a003.length, 1);
      assert.equal(a003[0]!.kind, 'digest');
      assert.equal(a003[0]!.status, 'sent');
      for (const n of [1, 2, 3]) assert.match(a003[0]!.body, new RegExp(`R${n}`));

      clock.advance(5 * minute);
      await send(awaiting(4));
      await send(awaiting(5));
      run = await runMailWork(deps);
      assert.equal(run.digests, 0, 'within the interval: no second digest');
      clock.advance(5 * minute);
      run = await runMailWork(deps);
      assert.equal(run.digests, 1);
      mails = (await mailRows(db)).filter((m) => m.to === '1003@retailer.example');
      assert.equal(mails.length, 2);
      assert.match(mails[1]!.body, /R4/);
      assert.match(mails[1]!.body, /R5/);
      assert.doesNotMatch(mails[1]!.body, /R1\b/);

      // Other kinds: one mail each, at once.
      await send(decided(7));
      await send(decided(8));
      await runMailWork(deps);
      assert.equal((await mailRows(db)).filter((m) => m.kind === 'single').length, 2);

      const { rows: box } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.mailbox_message WHERE company_code = '1003'`);
      assert.equal(box[0]!.n, 2, 'the built-in mailbox holds the two digests');
      const pulled = await peekNotifications(db, '1003', { size: 100 });
      assert.deepEqual(
        pulled.notifications.map((n) => n.refs.relayNumber),
        ['R1', 'R2', 'R3', 'R4', 'R5'],
      );
    });
  });

  test('a participant without a notification address gets no e-mail, but its pull mailbox has everything', async () => {
    await withWorld(async ({ db, clock, send }) => {
      await db.query(`DELETE FROM hub.notification_address WHERE company_code = '2001'`);
      await send(decided(1));
      await send(awaiting(2, '2001'));
      await runMailWork({ db, clock });
      assert.equal((await mailRows(db)).length, 0);
      assert.equal((await peekNotifications(db, '2001')).notifications.length, 2);
    });
  });

  test('pull mailbox: peeked oldest first, acknowledged ones never again, unacknowledged ones again after the lease', async () => {
    await withWorld(async ({ db, clock, send }) => {
      for (const n of [1, 2, 3, 4, 5]) await send(decided(n));
      await send(decided(99, '1003'));
      const t0 = new Date('2026-11-25T01:00:00Z');
      const first = await peekNotifications(db, '2001', { size: 2, leaseMs: minute, now: t0 });
      assert.deepEqual(
        first.notifications.map((n) => n.refs.relayNumber),
        ['R1', 'R2'],
      );
      assert.equal(first.remaining, 3);
      assert.equal(first.notifications[0]!.kind, 'relayDecided');
      assert.ok(first.token);
      const second = await peekNotifications(db, '2001', { size: 2, leaseMs: minute, now: t0 });
      assert.deepEqual(
        second.notifications.map((n) => n.refs.relayNumber),
        ['R3', 'R4'],
        'leased ones are not handed out again',
      );

      assert.equal((await acknowledgeNotifications(db, '2001', { token: first.token! }, clock.now())).acknowledged, 2);
      assert.equal((await acknowledgeNotifications(db, '2001', { token: first.token! }, clock.now())).acknowledged, 0, 'acknowledging again is harmless');

      // The second peek's lease runs out unacknowledged: R3 and R4 come again, then R5.
      const later = new Date(t0.getTime() + minute + 1);
      const third = await peekNotifications(db, '2001', { size: 10, leaseMs: minute, now: later });
      assert.deepEqual(
        third.notifications.map((n) => n.refs.relayNumber),
        ['R3', 'R4', 'R5'],
      );
      assert.deepEqual(
        third.notifications.map((n) => n.deliveryCount),
        [2, 2, 1],
      );
      await acknowledgeNotifications(db, '2001', { ids: third.notifications.map((n) => n.id) }, clock.now());
      const after = await peekNotifications(db, '2001', { now: new Date(later.getTime() + 10 * minute) });
      assert.equal(after.notifications.length, 0);
      assert.equal(after.token, undefined);
      assert.equal(after.remaining, 0);

      // Another participant's notification cannot be acknowledged.
      const other = await peekNotifications(db, '1003', { now: later });
      await assert.rejects(acknowledgeNotifications(db, '2001', { ids: [other.notifications[0]!.id] }, clock.now()), { code: 'MAIL_NOTIFICATION_UNKNOWN' });
      assert.equal((await acknowledgeNotifications(db, '2001', { token: other.token! }, clock.now())).acknowledged, 0);
      await assert.rejects(acknowledgeNotifications(db, '2001', {}, clock.now()), { code: 'MAIL_ACK_NOTHING' });
    });
  });

  test('two pollers of one retailer at once (on PostgreSQL with connections of their own, as two processes): each notification handed out to one of them, all acknowledged once', async () => {
    await withWorld(async ({ db, clock }) => {
      const total = 200;
      await db.transaction(async (tx) => {
        for (let n = 1; n <= total; n++) await notify(tx, clock.now(), decided(n));
      });
      const second: Db = db.url ? await (await import('../../../src/platform/db/postgres.ts')).openPostgres(db.url) : db;
      try {
        const handedOut: number[] = [];
        const poll = async (pool: Db) => {
          for (;;) {
            const peeked = await peekNotifications(pool, '2001', { size: 7, leaseMs: 10 * minute });
            if (peeked.notifications.length === 0) return;
            handedOut.push(...peeked.notifications.map((n) => n.id));
            await acknowledgeNotifications(pool, '2001', { token: peeked.token! }, clock.now());
          }
        };
        await Promise.all([poll(db), poll(second), poll(db), poll(second)]);
        assert.equal(handedOut.length, total, 'no notification handed out twice');
        assert.equal(new Set(handedOut).size, total, 'every notification handed out');
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.notification WHERE acknowledged_at IS NULL`);
        assert.equal(rows[0]!.n, 0);
      } finally {
        if (second !== db) await second.close();
      }
    });
  });
});
