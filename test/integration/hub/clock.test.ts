import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { startTestHub } from '../../support/hub-server.ts';
import type { Db } from '../../../src/platform/db/db.ts';
import { openPostgres } from '../../../src/platform/db/postgres.ts';
import { Jobs } from '../../../src/platform/jobs.ts';
import { searchAudit } from '../../../src/hub/audit/audit.repository.ts';
import {
  buildActor,
  buildCertificate,
  givenCertificate,
  givenIdentityWorld,
  hubAdmin,
  migrateHub,
  TEST_PASSWORD,
  testClock,
} from '../../../src/hub/identity/testing.ts';
import { resolveSession, signIn as signInCommand } from '../../../src/hub/identity/session.commands.ts';
import { systemActor } from '../../../src/hub/policy.ts';
import { openSystemClock, type SystemClock } from '../../../src/hub/sandbox-clock.ts';
import { advanceClock, advanceMsOf, clockAdvancedQueue, clockControlWithJobs, formatDuration, parseInstant } from '../../../src/hub/clock/clock.commands.ts';
import { watchClock } from '../../../src/hub/clock/clock-watch.ts';

const day = 86_400_000;
const now = new Date('2026-04-01T00:00:00Z');

test('an advance is a duration or an instant, exactly one, never backwards, never absurdly far', () => {
  assert.equal(advanceMsOf({ advance: '3d' }, now), 3 * day);
  assert.equal(advanceMsOf({ advance: '１ｄ１２ｈ' }, now), 1.5 * day);
  assert.equal(advanceMsOf({ to: '2026-04-02T09:00+09:00' }, now), day);
  assert.equal(advanceMsOf({ to: '2026-04-02 09:00' }, now), day, 'without an offset: the time in Japan');
  const refused = (request: object, code: string, field?: string) =>
    assert.throws(
      () => advanceMsOf(request, now),
      (e: { code: string; field?: string }) => e.code === code && (field === undefined || e.field === field),
    );
  refused({}, 'CLOCK_ADVANCE_REQUIRED');
  refused({ advance: '1d', to: '2026-05-01' }, 'CLOCK_ADVANCE_REQUIRED');
  refused({ advance: '-1d' }, 'CLOCK_BACKWARDS', 'advance');
  refused({ to: '2026-03-31' }, 'CLOCK_BACKWARDS', 'to');
  refused({ advance: '3 days' }, 'CLOCK_DURATION_FORMAT', 'advance');
  refused({ advance: 3 }, 'CLOCK_DURATION_FORMAT', 'advance');
  refused({ to: '2026-02-30' }, 'CLOCK_INSTANT_FORMAT', 'to');
  refused({ to: 'tomorrow' }, 'CLOCK_INSTANT_FORMAT', 'to');
  refused({ advance: '99999d' }, 'CLOCK_TOO_FAR', 'advance');
  assert.equal(parseInstant('2026-12-01')?.toISOString(), '2026-11-30T15:00:00.000Z');
  assert.equal(formatDuration(3 * day + 4 * 3_600_000 + 20 * 60_000), '3d 4h 20m');
  assert.equal(formatDuration(0), '0s');
});

/** The clock of a second process: its own pool on PostgreSQL; on PGlite (one process), the same database. */
async function secondProcess(db: TestDb): Promise<{ db: Db; close: () => Promise<void> }> {
  if (!db.url) return { db, close: async () => {} };
  const other = await openPostgres(db.url);
  return { db: other, close: () => other.close() };
}

async function eventually(check: () => boolean, ms = 3_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('not within time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

forEachBackend('sandbox clock', (backend) => {
  test('a hub admin moves it forward; another process sees it through NOTIFY, not by waiting for its periodic reread', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const clock = await openSystemClock(db, 'sandbox');
    const second = await secondProcess(db);
    const theirs = await openSystemClock(second.db, 'sandbox');
    const watch = await watchClock(second.db, theirs, { refreshMs: 3_600_000 });
    try {
      assert.ok(watch.listening);
      const before = theirs.now().getTime();
      const advanced = await advanceClock(db, { clock }, hubAdmin, { advance: '3d' });
      assert.equal(advanced.advancedMs, 3 * day);
      assert.equal(clock.offsetMs, 3 * day);
      await eventually(() => theirs.offsetMs === 3 * day);
      assert.ok(theirs.now().getTime() - before >= 3 * day);
      const { rows } = await db.query<{ offset_ms: number }>('SELECT offset_ms FROM hub.sandbox_clock');
      assert.equal(rows[0]!.offset_ms, 3 * day);
    } finally {
      await watch.stop();
      await second.close();
    }
  });

  test('refused: production mode, a participant that is not the hub, backwards, a malformed duration — nothing moves', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const clock = await openSystemClock(db, 'sandbox');
    const production = await openSystemClock(db, 'production');
    await assert.rejects(advanceClock(db, { clock: production }, hubAdmin, { advance: '1d' }), { code: 'CLOCK_NOT_MOVABLE' });
    for (const actor of [
      buildActor({ role: 'participant_admin' }),
      buildActor({ role: null }),
      buildActor({ companyCode: 'H000', kind: 'hub', role: 'user' }),
    ]) {
      await assert.rejects(advanceClock(db, { clock }, actor, { advance: '1d' }), { code: 'AUTH_FORBIDDEN' });
    }
    await assert.rejects(advanceClock(db, { clock }, hubAdmin, { advance: '-1d' }), { code: 'CLOCK_BACKWARDS' });
    await assert.rejects(advanceClock(db, { clock }, hubAdmin, { to: '2020-01-01' }), { code: 'CLOCK_BACKWARDS' });
    await assert.rejects(advanceClock(db, { clock }, hubAdmin, { advance: 'soon' }), { code: 'CLOCK_DURATION_FORMAT' });
    assert.equal(clock.offsetMs, 0);
    assert.equal((await db.query<{ offset_ms: number }>('SELECT offset_ms FROM hub.sandbox_clock')).rows[0]!.offset_ms, 0);
  });

  test('the due work is enqueued in the advance’s transaction: one job per advance, none when it fails', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const clock = await openSystemClock(db, 'sandbox');
    const jobs = await Jobs.start(db, { schedule: false });
    try {
      const control = await clockControlWithJobs(clock, jobs);
      await advanceClock(db, control, systemActor, { advance: '1d' });
      const failing = {
        clock,
        afterAdvance: async () => {
          throw new Error('the queue failed');
        },
      };
      await assert.rejects(advanceClock(db, failing, systemActor, { advance: '1d' }), /the queue failed/);
      assert.equal(clock.offsetMs, day, 'the failed advance left the clock where it was');
      const { rows } = await db.query<{ data: { offsetMs: number } }>(`SELECT data FROM pgboss.job WHERE name = $1`, [clockAdvancedQueue]);
      assert.deepEqual(
        rows.map((r) => r.data),
        [{ offsetMs: day }],
      );
    } finally {
      await jobs.stop();
    }
  });
});

async function signIn(client: TestClient, userId: string): Promise<void> {
  const form = await client.get('/login');
  const res = await client.post('/login', { form: { _csrf: hiddenField(form.body, '_csrf'), userId, password: TEST_PASSWORD } });
  assert.equal(res.status, 303);
}

async function openClock(db: Db, mode: 'sandbox' | 'production'): Promise<SystemClock> {
  await migrateHub(db);
  return openSystemClock(db, mode);
}

forEachBackend('sandbox clock through the hub', (backend) => {
  test('the hub operator’s API certificate moves it: POST /api/v1/admin/clock; refusals in the envelope; audited', async () => {
    await using db = await backend.open();
    const clock = await openClock(db, 'sandbox');
    const hub = await startTestHub(db, { clockControl: { clock } });
    try {
      await givenCertificate(db, testClock(), { participantCode: 'H000', usage: 'api' });
      const operator = hub.withCert(buildCertificate({ participantCode: 'H000', usage: 'api' }).cert);
      const shown = await operator.get('/api/v1/admin/clock');
      assert.equal(shown.status, 200);
      assert.deepEqual({ ...shown.json().data, now: undefined }, { mode: 'sandbox', now: undefined, offsetMs: 0, movable: true });

      const moved = await operator.post('/api/v1/admin/clock', { json: { advance: '3d' } });
      assert.equal(moved.status, 200, moved.body);
      assert.equal(moved.json().result, 'OK');
      assert.equal(moved.json().data.offsetMs, 3 * day);
      assert.equal(clock.offsetMs, 3 * day);

      const back = await operator.post('/api/v1/admin/clock', { json: { to: '2020-01-01T00:00:00+09:00' } });
      assert.equal(back.status, 400);
      assert.deepEqual(back.json(), { result: 'NG', messages: [{ code: 'CLOCK_BACKWARDS', text: '時計を戻すことはできません。', field: 'to' }] });
      const malformed = await operator.post('/api/v1/admin/clock', { json: { advance: 'three days' } });
      assert.equal(malformed.json().messages[0].code, 'CLOCK_DURATION_FORMAT');

      const retailer = await hub.as('aApi').post('/api/v1/admin/clock', { json: { advance: '1d' } });
      assert.equal(retailer.status, 403);
      assert.equal(retailer.json().messages[0].code, 'AUTH_FORBIDDEN');
      assert.equal((await hub.as('aApi').get('/api/v1/admin/clock')).json().data.offsetMs, 3 * day, 'anyone may read the clock');
      assert.equal(clock.offsetMs, 3 * day);

      let audit = await searchAudit(db, { action: 'clockAdvance' });
      // Requests are recorded after they are answered: wait for the last one's record.
      for (let i = 0; i < 150 && audit.entries.length < 4; i++) {
        await hub.audit.flush();
        audit = await searchAudit(db, { action: 'clockAdvance' });
        if (audit.entries.length < 4) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(audit.entries.map((e) => [e.companyCode, e.result]).sort(), [
        ['1003', 'AUTH_FORBIDDEN'],
        ['H000', 'CLOCK_BACKWARDS'],
        ['H000', 'CLOCK_DURATION_FORMAT'],
        ['H000', 'OK'],
      ]);
    } finally {
      await hub.close();
    }
  });

  test('production mode refuses on the API with CLOCK_NOT_MOVABLE', async () => {
    await using db = await backend.open();
    const clock = await openClock(db, 'production');
    const hub = await startTestHub(db, { clockControl: { clock } });
    try {
      await givenCertificate(db, testClock(), { participantCode: 'H000', usage: 'api' });
      const operator = hub.withCert(buildCertificate({ participantCode: 'H000', usage: 'api' }).cert);
      const res = await operator.post('/api/v1/admin/clock', { json: { advance: '1d' } });
      assert.equal(res.status, 400);
      assert.equal(res.json().messages[0].code, 'CLOCK_NOT_MOVABLE');
    } finally {
      await hub.close();
    }
  });

  test('a hub admin moves it on the web form /admin/clock, linked from the portal; others are refused', async () => {
    await using db = await backend.open();
    const clock = await openClock(db, 'sandbox');
    const hub = await startTestHub(db, { clockControl: { clock } });
    try {
      const admin = hub.as('hubTerminal');
      await signIn(admin, 'h000.admin');
      assert.ok((await admin.get('/')).body.includes('href="/admin/clock"'));
      const form = await admin.get('/admin/clock');
      assert.equal(form.status, 200);
      const csrf = hiddenField(form.body, '_csrf');
      const done = await admin.post('/admin/clock', { form: { _csrf: csrf, advance: '1d12h', to: '' } });
      assert.equal(done.status, 200);
      assert.ok(done.body.includes('時計を 1d 12h 進めました'), done.body);
      assert.equal(clock.offsetMs, 1.5 * day);
      const wrong = await admin.post('/admin/clock', { form: { _csrf: csrf, advance: 'next week', to: '' } });
      assert.equal(wrong.status, 400);
      assert.ok(wrong.body.includes('CLOCK_DURATION_FORMAT'));
      assert.ok(wrong.body.includes('value="next week"'), 'what was typed is kept');

      const user = hub.as('aTerminal');
      await signIn(user, '1003.admin');
      assert.ok(!(await user.get('/')).body.includes('/admin/clock'));
      assert.equal((await user.get('/admin/clock')).status, 403);
      const refused = await user.post('/admin/clock', { form: { _csrf: hiddenField((await user.get('/')).body, '_csrf'), advance: '1d' } });
      assert.equal(refused.status, 403);
      assert.equal(clock.offsetMs, 1.5 * day);
    } finally {
      await hub.close();
    }
  });
});

forEachBackend("sandbox clock and people's time", (backend) => {
  test('an advance of days neither signs anyone out nor ends a lockout early: sessions and lockouts keep real time', async () => {
    await using db = await backend.open();
    const clock = await openClock(db, 'sandbox');
    const world = await givenIdentityWorld(db, clock);
    const caller = world.certificates.aTerminal.caller;
    const signed = await signInCommand(db, clock, { caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: null });
    for (let i = 0; i < 5; i++) {
      await assert.rejects(signInCommand(db, clock, { caller, userId: '1003.admin', password: 'wrong', sourceAddress: null }));
    }
    await advanceClock(db, { clock }, hubAdmin, { advance: '3d' });
    const session = await resolveSession(db, clock, signed.sessionToken, caller);
    assert.equal(session.user.userId, '1003.user', 'still signed in after three days of business time');
    await assert.rejects(
      signInCommand(db, clock, { caller, userId: '1003.admin', password: TEST_PASSWORD, sourceAddress: null }),
      (e: { code: string }) => e.code === 'AUTH_LOCKED',
      'still locked: thirty real minutes have not passed',
    );
  });
});
