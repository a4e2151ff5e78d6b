/** The mailbox screen over real mutual TLS with signed-in sessions: own mails only, 20 a page, the hub admin sees all. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { startTestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { TEST_PASSWORD, testClock } from '../../../src/hub/identity/testing.ts';
import { runMailWork } from '../../../src/hub/notifications/mail.ts';
import { notify } from '../../../src/hub/notifications/notify.ts';
import { givenNotificationAddress } from '../../../src/hub/notifications/testing.ts';

async function signIn(web: TestClient, userId: string): Promise<void> {
  const login = await web.get('/login');
  assert.equal((await web.post('/login', { form: { _csrf: hiddenField(login.body, '_csrf'), userId, password: TEST_PASSWORD } })).status, 303);
}

forEachBackend('mailbox screen', (backend) => {
  test('a participant reads its own notification mails, newest first, 20 a page; another participant’s mail is not found; the hub admin sees all', async () => {
    await using db = await backend.open();
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const hub = await startTestHub(db, { clock });
    try {
      await givenNotificationAddress(db, '1003', '1003@retailer.example');
      await givenNotificationAddress(db, '2001', '2001@retailer.example');
      await db.transaction(async (tx) => {
        for (let n = 1; n <= 25; n++) {
          clock.advance(60_000);
          await notify(tx, clock.now(), {
            companyCode: '1003',
            kind: 'relayDecided',
            subject: `廃止取次 R${n} の判断結果`,
            text: `R${n} <script>alert(1)</script>`,
            refs: { relayNumber: `R${n}` },
          });
        }
        await notify(tx, clock.now(), { companyCode: '2001', kind: 'matchingComplete', subject: 'B001宛てのマッチング完了', text: '2001' });
      });
      await runMailWork({ db, clock });
      const { rows } = await db.query<{ id: number; companyCode: string }>(`SELECT id, company_code AS "companyCode" FROM hub.mail_outbox ORDER BY id`);
      const aMail = rows.find((r) => r.companyCode === '1003')!.id;
      const bMail = rows.find((r) => r.companyCode === '2001')!.id;

      const a = hub.as('aTerminal');
      await signIn(a, '1003.user');
      const list = await a.get('/mailbox');
      assert.equal(list.status, 200);
      assert.match(list.body, /全25件　1\/2ページ/);
      assert.ok(list.body.indexOf('R25 の判断結果') < list.body.indexOf('R24 の判断結果'), 'newest first');
      assert.ok(!list.body.includes('R5 の判断結果'), 'the 21st mail is on page 2');
      assert.ok(!list.body.includes('B001宛て'));
      assert.ok(list.body.includes('href="/mailbox"'), 'the menu links the mailbox');
      const second = await a.get('/mailbox?page=2');
      assert.ok(second.body.includes('R5 の判断結果') && second.body.includes('R1 の判断結果'));
      const detail = await a.get(`/mailbox/${aMail}`);
      assert.equal(detail.status, 200);
      assert.ok(detail.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the body is escaped');
      assert.ok(!detail.body.includes('<script>alert'));
      assert.ok(detail.body.includes('配信済み（メールボックス）'));
      const foreign = await a.get(`/mailbox/${bMail}`);
      assert.equal(foreign.status, 404);
      assert.match(foreign.body, /MAIL_NOT_FOUND/);
      assert.ok(!foreign.body.includes('B001宛て'));

      const admin = hub.as('hubTerminal');
      await signIn(admin, 'h000.admin');
      const all = await admin.get('/mailbox');
      assert.match(all.body, /全26件/);
      assert.ok(all.body.includes('B001宛て'));
      const onlyB = await admin.get('/mailbox?companyCode=2001');
      assert.match(onlyB.body, /全1件/);
      assert.equal((await admin.get(`/mailbox/${bMail}`)).status, 200);
    } finally {
      await hub.close();
    }
  });
});
