import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { auditedSoon, startTestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { TEST_PASSWORD } from '../../../src/hub/identity/testing.ts';

async function signIn(client: TestClient, userId: string) {
  const form = await client.get('/login');
  const res = await client.post('/login', { form: { _csrf: hiddenField(form.body, '_csrf'), userId, password: TEST_PASSWORD } });
  assert.equal(res.status, 303);
}

const notice = { title: '定期メンテナンス', body: '本文', publishedOn: '2026-04-01', endsOn: '' };

forEachBackend('notice screens over HTTP', (backend) => {
  test('writing a notice needs the session’s CSRF token and the hub admin role, and is audited as noticeCreate', async () => {
    await using db = await backend.open();
    const hub = await startTestHub(db);
    try {
      const admin = hub.as('hubTerminal');
      await signIn(admin, 'h000.admin');
      const forged = await admin.post('/notices', { form: notice });
      assert.equal(forged.status, 403);
      assert.match(forged.body, /HTTP_CSRF/);

      const csrf = hiddenField((await admin.get('/notices/new')).body, '_csrf');
      const created = await admin.post('/notices', { form: { ...notice, _csrf: csrf } });
      assert.equal(created.status, 303);
      assert.match(String(created.headers.location), /^\/notices\/\d+\?saved=created$/);

      const retailer = hub.as('aTerminal');
      await signIn(retailer, '1003.admin');
      assert.equal((await retailer.get('/notices/new')).status, 403);
      const retailerCsrf = hiddenField((await retailer.get('/notices')).body, '_csrf');
      const refused = await retailer.post('/notices', { form: { ...notice, title: '偽のお知らせ', _csrf: retailerCsrf } });
      assert.equal(refused.status, 403);
      assert.match(refused.body, /AUTH_FORBIDDEN/);
      const noticeId = /\/notices\/(\d+)/.exec(String(created.headers.location))![1]!;
      assert.equal((await retailer.post(`/notices/${noticeId}/delete`, { form: { _csrf: retailerCsrf } })).status, 403);
      const list = await retailer.get('/notices');
      assert.match(list.body, /定期メンテナンス/);
      assert.doesNotMatch(list.body, /偽のお知らせ/);
      // Audit records are written after the answer: by now the admin's requests are long answered.
      const audit = await auditedSoon(db, hub.audit, { userId: 'h000.admin', action: 'noticeCreate' });
      assert.deepEqual(audit.entries.map((e) => e.result).sort(), ['HTTP_CSRF', 'OK', 'OK'], 'the forged post, the form and the creation');
      const refusedAudit = await auditedSoon(db, hub.audit, { userId: '1003.admin', action: 'noticeCreate', result: 'AUTH_FORBIDDEN' });
      assert.equal(refusedAudit.entries.length, 2, 'the form and the post, both refused');
    } finally {
      await hub.close();
    }
  });

  test('a refused field keeps every typed value and shows the code next to the field', async () => {
    await using db = await backend.open();
    const hub = await startTestHub(db);
    try {
      const admin = hub.as('hubTerminal');
      await signIn(admin, 'h000.admin');
      const csrf = hiddenField((await admin.get('/notices/new')).body, '_csrf');
      const res = await admin.post('/notices', { form: { ...notice, title: '', body: '<b>太字</b>', _csrf: csrf } });
      assert.equal(res.status, 400);
      assert.match(
        res.body,
        /<p class="field-error" role="alert"><span class="code">NOTICE_TITLE_REQUIRED<\/span> タイトルを1〜100文字で入力してください。<\/p>/,
      );
      assert.match(res.body, /<textarea id="body" name="body"[^>]*>&lt;b&gt;太字&lt;\/b&gt;<\/textarea>/);
      assert.match(res.body, /name="publishedOn" value="2026-04-01"/);
      assert.equal((await admin.get('/notices/999')).status, 404);
    } finally {
      await hub.close();
    }
  });
});
