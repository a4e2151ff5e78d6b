import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { searchAudit } from '../../../src/hub/audit/audit.repository.ts';
import { LOCKOUT_MS, MAX_FAILED_ATTEMPTS } from '../../../src/hub/identity/lockout.ts';
import { resolveSession, signIn, signOut, purgeSessions } from '../../../src/hub/identity/session.commands.ts';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../../src/hub/identity/session.ts';
import { setParticipantStatus, setUserStatus, setCertificateStatus } from '../../../src/hub/identity/suspension.commands.ts';
import { changePassword, deleteUser, resetPassword } from '../../../src/hub/identity/user.commands.ts';
import { givenIdentityWorld, givenUser, testClock, TEST_PASSWORD } from '../../../src/hub/identity/testing.ts';

const from = '203.0.113.7';

forEachBackend('sign-in and sessions', (backend) => {
  test('signs in with a terminal certificate of the user’s participant, the user ID and the password', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    const caller = certificates.aTerminal.caller;
    const signedIn = await signIn(db, clock, { caller, userId: ' 1003.User ', password: TEST_PASSWORD, sourceAddress: from });
    assert.equal(signedIn.user.userId, '1003.user');
    assert.equal(signedIn.mustChangePassword, false);
    assert.match(signedIn.sessionToken, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(signedIn.csrfToken, signedIn.sessionToken);

    const resolved = await resolveSession(db, clock, signedIn.sessionToken, caller);
    assert.equal(resolved.user.userId, '1003.user');
    assert.equal(resolved.csrfToken, signedIn.csrfToken);
    assert.equal(resolved.session.fingerprint256, caller.certificate.fingerprint256);
    assert.deepEqual(resolved.actor, { participant: { companyCode: '1003', kind: 'retailer', status: 'active' }, user: { userId: '1003.user', role: 'user' } });
  });

  test('keeps only the SHA-256 of the session token', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    const { sessionToken } = await signIn(db, clock, {
      caller: certificates.aTerminal.caller,
      userId: '1003.user',
      password: TEST_PASSWORD,
      sourceAddress: from,
    });
    const { rows } = await db.query<{ t: string }>(`SELECT row_to_json(s)::text AS t FROM hub.session s`);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.t.includes(sessionToken), false);
  });

  test('refuses an API certificate for web sign-in', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    await assert.rejects(signIn(db, clock, { caller: certificates.aApi.caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: from }), {
      code: 'AUTH_API_CERT_FOR_WEB',
    });
  });

  test('refuses another participant’s terminal certificate, once the password is right', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    const caller = certificates.bTerminal.caller;
    await assert.rejects(signIn(db, clock, { caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: from }), {
      code: 'AUTH_CERT_OTHER_PARTICIPANT',
    });
    await assert.rejects(signIn(db, clock, { caller, userId: '1003.user', password: 'Wrong-Password-1', sourceAddress: from }), { code: 'AUTH_LOGIN_FAILED' });
  });

  test('a wrong password and an unknown user ID get the same refusal', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    const caller = certificates.aTerminal.caller;
    const expected = { code: 'AUTH_LOGIN_FAILED', text: 'ユーザIDまたはパスワードが正しくありません。' };
    await assert.rejects(signIn(db, clock, { caller, userId: '1003.user', password: 'Wrong-Password-1', sourceAddress: from }), expected);
    await assert.rejects(signIn(db, clock, { caller, userId: '1003.nobody', password: TEST_PASSWORD, sourceAddress: from }), expected);
    await assert.rejects(signIn(db, clock, { caller, userId: '!', password: TEST_PASSWORD, sourceAddress: from }), expected);
  });

  test('locks a user out after 5 wrong passwords, even for the right one, and unlocks after 30 minutes', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    const caller = certificates.aTerminal.caller;
    const attempt = (password: string) => signIn(db, clock, { caller, userId: '1003.user', password, sourceAddress: from });
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i++) await assert.rejects(attempt('Wrong-Password-1'), { code: 'AUTH_LOGIN_FAILED' });
    await assert.rejects(attempt('Wrong-Password-1'), { code: 'AUTH_LOCKED', text: /2026-04-01 09:30 までロック/ });
    await assert.rejects(attempt(TEST_PASSWORD), { code: 'AUTH_LOCKED' });
    clock.advance(LOCKOUT_MS - 1000);
    await assert.rejects(attempt(TEST_PASSWORD), { code: 'AUTH_LOCKED' });
    clock.advance(1000);
    const signedIn = await attempt(TEST_PASSWORD);
    assert.equal(signedIn.user.userId, '1003.user');
  });

  test('a success resets the count of failures', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    const caller = certificates.aTerminal.caller;
    const attempt = (password: string) => signIn(db, clock, { caller, userId: '1003.user', password, sourceAddress: from });
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i++) await assert.rejects(attempt('Wrong-Password-1'), { code: 'AUTH_LOGIN_FAILED' });
    await attempt(TEST_PASSWORD);
    await assert.rejects(attempt('Wrong-Password-1'), { code: 'AUTH_LOGIN_FAILED' });
  });

  test('refuses a suspended user once the password is right', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates, actors } = await givenIdentityWorld(db, clock);
    await setUserStatus(db, clock, actors.hubAdmin, '1003.user', { status: 'suspended', reason: 'ID流出の疑い' });
    await assert.rejects(signIn(db, clock, { caller: certificates.aTerminal.caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: from }), {
      code: 'AUTH_USER_SUSPENDED',
    });
  });

  test('a deleted user cannot sign in', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates, actors } = await givenIdentityWorld(db, clock);
    await deleteUser(db, clock, actors.aAdmin, '1003.user');
    await assert.rejects(signIn(db, clock, { caller: certificates.aTerminal.caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: from }), {
      code: 'AUTH_LOGIN_FAILED',
    });
  });

  test('a new or reset user signs in to a session that demands a password change first', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates, actors } = await givenIdentityWorld(db, clock);
    const caller = certificates.aTerminal.caller;
    const { initialPassword } = await resetPassword(db, clock, actors.aAdmin, '1003.user');
    const signedIn = await signIn(db, clock, { caller, userId: '1003.user', password: initialPassword, sourceAddress: from });
    assert.equal(signedIn.mustChangePassword, true);
    assert.equal((await resolveSession(db, clock, signedIn.sessionToken, caller)).session.mustChangePassword, true);
    await changePassword(db, clock, '1003.user', initialPassword, 'Brand-New-Pass-7');
    assert.equal((await resolveSession(db, clock, signedIn.sessionToken, caller)).session.mustChangePassword, false);
  });

  test('a session idle for 30 minutes ends; activity keeps it open up to 12 hours', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    const caller = certificates.aTerminal.caller;
    const { sessionToken } = await signIn(db, clock, { caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: from });
    const start = clock.now().getTime();
    let requests = 0;
    while (clock.now().getTime() + SESSION_IDLE_MS - 60_000 < start + SESSION_ABSOLUTE_MS) {
      clock.advance(SESSION_IDLE_MS - 60_000);
      await resolveSession(db, clock, sessionToken, caller);
      requests++;
    }
    assert.equal(requests, 24);
    clock.set(new Date(start + SESSION_ABSOLUTE_MS));
    await assert.rejects(resolveSession(db, clock, sessionToken, caller), { code: 'AUTH_SESSION_EXPIRED' });

    const idle = await signIn(db, clock, { caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: from });
    clock.advance(SESSION_IDLE_MS);
    await assert.rejects(resolveSession(db, clock, idle.sessionToken, caller), { code: 'AUTH_SESSION_EXPIRED' });
    clock.set(new Date(clock.now().getTime() - SESSION_IDLE_MS));
    await assert.rejects(resolveSession(db, clock, idle.sessionToken, caller), { code: 'AUTH_SESSION_EXPIRED' }, 'an ended session stays ended');
  });

  test('a session presented with another certificate is refused and ended', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    const { sessionToken } = await signIn(db, clock, {
      caller: certificates.aTerminal.caller,
      userId: '1003.user',
      password: TEST_PASSWORD,
      sourceAddress: from,
    });
    await assert.rejects(resolveSession(db, clock, sessionToken, certificates.aApi.caller), { code: 'AUTH_SESSION_CERT_MISMATCH' });
    await assert.rejects(resolveSession(db, clock, sessionToken, certificates.aTerminal.caller), { code: 'AUTH_SESSION_CERT_MISMATCH' });
  });

  test('suspending a user ends its sessions in flight at once', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates, actors } = await givenIdentityWorld(db, clock);
    const caller = certificates.aTerminal.caller;
    const { sessionToken } = await signIn(db, clock, { caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: from });
    const other = await signIn(db, clock, { caller, userId: '1003.admin', password: TEST_PASSWORD, sourceAddress: from });
    const result = await setUserStatus(db, clock, actors.hubAdmin, '1003.user', { status: 'suspended', reason: '不正利用の疑い' });
    assert.equal(result.endedSessions, 1);
    await assert.rejects(resolveSession(db, clock, sessionToken, caller), { code: 'AUTH_USER_SUSPENDED' });
    await setUserStatus(db, clock, actors.hubAdmin, '1003.user', { status: 'active', reason: '調査完了' });
    await assert.rejects(resolveSession(db, clock, sessionToken, caller), { code: 'AUTH_USER_SUSPENDED' }, 'resuming does not revive a session');
    assert.equal((await resolveSession(db, clock, other.sessionToken, caller)).user.userId, '1003.admin');
  });

  test('a user suspended behind the commands’ back is caught and its session ended on the next request', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    const caller = certificates.aTerminal.caller;
    const { sessionToken } = await signIn(db, clock, { caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: from });
    await db.query(`UPDATE hub.user_account SET status = 'suspended', suspended_at = now(), suspended_by = 'sql' WHERE user_id = '1003.user'`);
    await assert.rejects(resolveSession(db, clock, sessionToken, caller), { code: 'AUTH_USER_SUSPENDED' });
    const { rows } = await db.query<{ end_reason: string }>(`SELECT end_reason FROM hub.session`);
    assert.deepEqual(rows, [{ end_reason: 'user_suspended' }]);
  });

  test('suspending a participant or a certificate ends the sessions made with it', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates, actors } = await givenIdentityWorld(db, clock);
    const a = await signIn(db, clock, { caller: certificates.aTerminal.caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: from });
    const b = await signIn(db, clock, { caller: certificates.bTerminal.caller, userId: '2001.user', password: TEST_PASSWORD, sourceAddress: from });
    assert.equal((await setParticipantStatus(db, clock, actors.hubAdmin, '1003', { status: 'suspended', reason: '調査' })).endedSessions, 1);
    await assert.rejects(resolveSession(db, clock, a.sessionToken, certificates.aTerminal.caller), { code: 'AUTH_TERMINAL_REFUSED' });
    assert.equal(
      (await setCertificateStatus(db, clock, actors.hubAdmin, certificates.bTerminal.certificate.fingerprint256, { status: 'suspended', reason: '紛失' }))
        .endedSessions,
      1,
    );
    await assert.rejects(resolveSession(db, clock, b.sessionToken, certificates.bTerminal.caller), { code: 'AUTH_TERMINAL_REFUSED' });
  });

  test('signing out ends the session; unknown and malformed tokens are refused', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    const caller = certificates.aTerminal.caller;
    const { sessionToken } = await signIn(db, clock, { caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: from });
    await signOut(db, clock, sessionToken);
    await assert.rejects(resolveSession(db, clock, sessionToken, caller), { code: 'AUTH_SESSION_INVALID' });
    await assert.rejects(resolveSession(db, clock, 'x'.repeat(43), caller), { code: 'AUTH_SESSION_INVALID' });
    await assert.rejects(resolveSession(db, clock, 'nonsense', caller), { code: 'AUTH_SESSION_INVALID' });
  });

  test('every sign-in attempt is in the audit log, with no user named for an unknown ID', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    const caller = certificates.aTerminal.caller;
    const attempt = (userId: string, password: string, c = caller) =>
      signIn(db, clock, { caller: c, userId, password, sourceAddress: from, requestId: `r-${userId}` }).catch(() => undefined);
    await attempt('1003.user', TEST_PASSWORD);
    await attempt('1003.user', 'Wrong-Password-1');
    await attempt('1003.ghost', TEST_PASSWORD);
    await attempt('1003.user', TEST_PASSWORD, certificates.aApi.caller);
    const { entries } = await searchAudit(db, { action: 'login' });
    assert.deepEqual(entries.map((e) => [e.userId, e.result]).reverse(), [
      ['1003.user', 'OK'],
      ['1003.user', 'AUTH_LOGIN_FAILED'],
      [null, 'AUTH_LOGIN_FAILED'],
      [null, 'AUTH_API_CERT_FOR_WEB'],
    ]);
    const first = entries.at(-1)!;
    assert.deepEqual(
      {
        companyCode: first.companyCode,
        fingerprint256: first.fingerprint256,
        sourceAddress: first.sourceAddress,
        channel: first.channel,
        requestId: first.requestId,
      },
      { companyCode: '1003', fingerprint256: caller.certificate.fingerprint256, sourceAddress: from, channel: 'web', requestId: 'r-1003.user' },
    );
  });

  test('old sessions are purged a day after they could last have been used', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    await signIn(db, clock, { caller: certificates.aTerminal.caller, userId: '1003.user', password: TEST_PASSWORD, sourceAddress: from });
    clock.advance(SESSION_ABSOLUTE_MS);
    assert.equal(await purgeSessions(db, clock), 0);
    clock.advance(86_400_000 + 1);
    assert.equal(await purgeSessions(db, clock), 1);
  });

  test('a participant admin made with givenUser signs in too (factories agree with the commands)', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { certificates } = await givenIdentityWorld(db, clock);
    await givenUser(db, clock, { userId: '1003.extra', password: 'Another-Pass-42' });
    const signedIn = await signIn(db, clock, { caller: certificates.aTerminal.caller, userId: '1003.extra', password: 'Another-Pass-42', sourceAddress: null });
    assert.equal(signedIn.user.companyCode, '1003');
  });
});
