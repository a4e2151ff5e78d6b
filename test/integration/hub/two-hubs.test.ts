/**
 * Several hubs, one system: two hub servers on one database (on PostgreSQL each with a pool of its
 * own, as two processes behind a load balancer; on PGlite, which one process holds, on the same
 * one), a client free to reach either. A web session begun on one works on the other and ends on
 * both; a suspension made through one is refused by the other within a second (NOTIFY); the sandbox
 * clock moved through one is the other's at once; the rate limit is one bucket across both.
 *
 * The same rules at the unit of each mechanism, with more cases: caller-cache.test.ts (suspension),
 * clock.test.ts (the clock), rate-limit.test.ts (the shared bucket, exact counts),
 * due-work.test.ts (scheduled work declared by two processes runs once per tick).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, type TestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { openPostgres } from '../../../src/platform/db/postgres.ts';
import type { Db } from '../../../src/platform/db/db.ts';
import { suspend } from '../../../src/hub/identity/suspension.commands.ts';
import { TEST_PASSWORD, testClock } from '../../../src/hub/identity/testing.ts';
import { openSystemClock } from '../../../src/hub/sandbox-clock.ts';
import { watchClock } from '../../../src/hub/clock/clock-watch.ts';
import { advanceClock } from '../../../src/hub/clock/clock.commands.ts';

forEachBackend('two hubs on one database', (backend) => {
  let db: TestDb;
  let other: Db;
  let first: TestHub;
  let second: TestHub;
  before(async () => {
    db = await backend.open();
    other = db.url ? await openPostgres(db.url) : db;
    // A burst of 12 for everyone, so that the shared bucket shows within a few requests.
    // The rate limit refills by a clock of its own, standing still here: no refill during the test.
    const rateLimitClock = testClock();
    first = await startTestHub(db, { requestsPerMinute: 60, requestBurst: 12, rateLimitClock });
    second = await startTestHub(other, { requestsPerMinute: 60, requestBurst: 12, rateLimitClock, world: first.world, clock: first.clock });
  });
  after(async () => {
    await second?.close();
    await first?.close();
    if (other !== db) await other?.close();
    await db?.close();
  });

  test('a web session begun on one hub works on the other, and signing out on the other ends it on both', async () => {
    const onFirst = first.as('aTerminal');
    const form = await onFirst.get('/login');
    const signedIn = await onFirst.post('/login', { form: { _csrf: hiddenField(form.body, '_csrf'), userId: '1003.user', password: TEST_PASSWORD } });
    assert.equal(signedIn.status, 303, signedIn.body);
    const onSecond = second.as('aTerminal');
    for (const [name, value] of onFirst.cookies) onSecond.cookies.set(name, value);
    const portal = await onSecond.get('/');
    assert.equal(portal.status, 200, 'the session is the database’s, not the process’s');
    assert.match(portal.body, /1003\.user|1003/);
    const signOut = await onSecond.post('/logout', { form: { _csrf: hiddenField(portal.body, '_csrf') } });
    assert.ok(signOut.status === 303 || signOut.status === 302, signOut.body);
    const afterwards = await withCookies(first.as('aTerminal'), onFirst.cookies).get('/');
    assert.equal(afterwards.status, 303);
    assert.match(String(afterwards.headers.location), /^\/login/);
  });

  test('a suspension committed through one hub is refused by the other within a second', async () => {
    const retailer = second.sdk('aApi');
    const before = await retailer.call('IF_10110', { supplyPointId: '0300000000000000000001' });
    assert.notEqual(before.messages[0]?.code, 'AUTH_TERMINAL_REFUSED', 'the second hub admits (and remembers) the certificate');
    const fingerprint = first.world.certificates.aApi.certificate.fingerprint256;
    await suspend(db, first.clock, first.world.actors.hubAdmin, { target: { kind: 'certificate', id: fingerprint }, reason: '紛失' });
    const started = Date.now();
    let refusedAfter: number | undefined;
    while (Date.now() - started < 1_000) {
      const status = await second.as('aApi').get('/api/v1/me');
      if (status.status === 403) {
        refusedAfter = Date.now() - started;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(refusedAfter !== undefined, 'the second hub refuses the suspended certificate within 1 s');
    retailer.close();
  });

  test('the sandbox clock moved through one hub is the other’s at once (NOTIFY), and the rate limit is one bucket', async () => {
    const mine = await openSystemClock(db, 'sandbox');
    const theirs = await openSystemClock(other, 'sandbox');
    // Rereading only every hour: only the notification can move it.
    const watch = await watchClock(other, theirs, { refreshMs: 3_600_000 });
    try {
      await advanceClock(db, { clock: mine }, first.world.actors.hubAdmin, { advance: '2d' });
      const until = Date.now() + 1_000;
      while (theirs.offsetMs !== mine.offsetMs && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(theirs.offsetMs, 2 * 86_400_000);
    } finally {
      await watch.stop();
    }
    // 2001's burst of 12, asked of both hubs in turn: 12 admitted in all, then both refuse.
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await (i % 2 === 0 ? first : second).as('bTerminal').get('/login')).status);
    const admitted = statuses.filter((s) => s !== 429).length;
    assert.ok(admitted >= 12 && admitted <= 12 + 2 * 3, `one burst across the two hubs, within the leases they hold (${admitted})`);
    assert.equal(statuses.at(-1), 429);
    assert.equal(statuses.at(-2), 429);
  });
});

function withCookies(client: TestClient, cookies: ReadonlyMap<string, string>): TestClient {
  for (const [name, value] of cookies) client.cookies.set(name, value);
  return client;
}
