/**
 * The hub administrators' deadline watch of the grids' data provision sites (HALFHOURLY.md B7): the
 * hub asks each area's grid (GRID_PPS_STATS, over the transport) and shows per area and kind the
 * files due, on time, late and the targets missing, on the sandbox clock; a menu entry leads there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, type TestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint } from '../../../src/grid/testing.ts';
import { runW4Schedule } from '../../../src/grid/provision/schedule.ts';
import { gridTransportFromConfig, type GridRouting } from '../../../src/grid/transport/config.ts';
import { TEST_PASSWORD, testClock } from '../../../src/hub/identity/testing.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';

async function signIn(client: TestClient, userId: string): Promise<TestClient> {
  const form = await client.get('/login');
  const signed = await client.post('/login', { form: { _csrf: hiddenField(form.body, '_csrf'), userId, password: TEST_PASSWORD } });
  assert.equal(signed.status, 303);
  return client;
}

forEachBackend('the data provision deadline watch on the hub’s screens', (backend) => {
  let db: TestDb;
  let hub: TestHub;
  let grids: GridRouting;
  const clock = testClock('2026-11-25T10:00:00+09:00');

  before(async () => {
    db = await backend.open();
    await migrate(db, allGridMigrations);
    grids = await gridTransportFromConfig({ db, clock, env: {} });
    hub = await startTestHub(db, { transport: grids, clock });
    await givenSupplyPoint(db, { retailerCode: '10033' });
    await runW4Schedule(grids.grids.get('03')!.context);
    // Time passes and Tokyo's schedule does not run: half-hours 20 and 21 are missing at 11:31.
    clock.set('2026-11-25T11:31:00+09:00');
  });
  after(async () => {
    await hub.close();
    grids.close();
    await db.close();
  });

  test('the hub admin sees each area’s files due, on time, late and missing, linked from the menu', async () => {
    const admin = await signIn(hub.as('hubTerminal'), 'h000.admin');
    const screen = await admin.get('/admin/pps-deadlines');
    assert.equal(screen.status, 200, screen.body);
    assert.match(screen.body, /href="\/admin\/pps-deadlines"[^>]*>データ提供期限</);
    assert.match(screen.body, /<h1[^>]*>データ提供の期限監視<\/h1>/);
    assert.match(screen.body, /type="date" id="f-date" name="date" value="2026-11-25"/);
    const tokyo = screen.body.slice(screen.body.indexOf('data-area="03"'), screen.body.indexOf('data-area="04"'));
    // Half-hours 1–19 made at the opening (due by 10:30), 20 and 21 due at 11:00 and 11:30 and not made.
    assert.match(tokyo, /<tr data-kind="W41110" class="overdue"><td>低圧30分電力量（<span class="mono">W41110<\/span>）<\/td><td>コマ終了後60分以内/);
    const lv = tokyo.slice(tokyo.indexOf('data-kind="W41110"'), tokyo.indexOf('data-kind="W40120"'));
    assert.match(
      lv,
      /<td class="num">19<\/td><td class="num">19<\/td><td class="num">0<\/td><td class="num">0<\/td>\s*<td class="num"><span class="bad">2<\/span><\/td><td class="nowrap">2026\/11\/25 11:00/,
    );
    assert.match(screen.body, /遅延または未作成のあるエリアがあります: 01、02、03/);
  });

  test('a day of deadlines is chosen by date; a malformed one is refused with its code and text', async () => {
    const admin = await signIn(hub.as('hubTerminal'), 'h000.admin');
    const day = await admin.get('/admin/pps-deadlines?date=2026-11-24');
    assert.equal(day.status, 200);
    assert.match(day.body, /value="2026-11-24"/);
    const bad = await admin.get('/admin/pps-deadlines?date=2026-13-01');
    assert.equal(bad.status, 400);
    assert.match(bad.body, /data-code="DATE_INVALID"/);
  });

  test('a retailer’s user may not see it, nor has it in the menu', async () => {
    const user = await signIn(hub.as('aTerminal'), '1003.user');
    const top = await user.get('/');
    assert.ok(!top.body.includes('/admin/pps-deadlines'));
    const refused = await user.get('/admin/pps-deadlines');
    assert.notEqual(refused.status, 200);
    assert.match(refused.body, /AUTH_FORBIDDEN|権限/);
  });
});
