import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { startTestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { TEST_PASSWORD } from '../../../src/hub/identity/testing.ts';

async function signIn(client: TestClient, userId: string) {
  const form = await client.get('/login');
  const res = await client.post('/login', { form: { _csrf: hiddenField(form.body, '_csrf'), userId, password: TEST_PASSWORD } });
  assert.equal(res.status, 303);
}

forEachBackend('participant registration screen', (backend) => {
  test('a hub admin admits a retailer in two areas; refusals sit next to their field with what was typed kept; retailers may not', async () => {
    await using db = await backend.open();
    const hub = await startTestHub(db);
    try {
      const admin = hub.as('hubTerminal');
      await signIn(admin, 'h000.admin');
      const list = await admin.get('/participants');
      assert.match(list.body, /href="\/admin\/participants\/new"/);
      const csrf = hiddenField((await admin.get('/admin/participants/new')).body, '_csrf');

      const badCode = await admin.post('/admin/participants', {
        form: { _csrf: csrf, companyCode: 'D0', name: '新規電力株式会社', kind: 'retailer', areas: ['03', '06'] },
      });
      assert.equal(badCode.status, 400);
      assert.match(badCode.body, /class="field-error"[^>]*><span class="code">AUTH_COMPANY_CODE_FORMAT/);
      assert.match(badCode.body, /value="新規電力株式会社"/);
      assert.match(badCode.body, /value="06" checked/);

      const noArea = await admin.post('/admin/participants', { form: { _csrf: csrf, companyCode: '4001', name: '新規電力株式会社', kind: 'retailer' } });
      assert.match(noArea.body, /AUTH_PARTICIPANT_AREAS/);

      const created = await admin.post('/admin/participants', {
        form: { _csrf: csrf, companyCode: '４００１', name: '新規電力株式会社', kind: 'retailer', areas: ['03', '06'] },
      });
      assert.equal(created.status, 303);
      assert.equal(created.headers.location, '/participants?text=4001');
      const shown = await admin.get('/participants?text=4001');
      assert.match(shown.body, /40013 40016/);

      const again = await admin.post('/admin/participants', { form: { _csrf: csrf, companyCode: '4001', name: '別名', kind: 'retailer', areas: ['03'] } });
      assert.match(again.body, /AUTH_PARTICIPANT_EXISTS/);

      const retailer = hub.as('aTerminal');
      await signIn(retailer, '1003.admin');
      assert.doesNotMatch((await retailer.get('/participants')).body, /admin\/participants\/new/);
      assert.equal((await retailer.get('/admin/participants/new')).status, 403);
    } finally {
      await hub.close();
    }
  });
});
