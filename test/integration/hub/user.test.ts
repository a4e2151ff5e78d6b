import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { verifyPassword, checkPasswordPolicy } from '../../../src/hub/identity/password.ts';
import { selectUserCredentials } from '../../../src/hub/identity/user.repository.ts';
import { changePassword, createUser, deleteUser, getUser, listUsers, modifyUser, resetPassword } from '../../../src/hub/identity/user.commands.ts';
import { givenIdentityWorld, givenUser, testClock, TEST_PASSWORD } from '../../../src/hub/identity/testing.ts';
import { LOCKOUT_MS, MAX_FAILED_ATTEMPTS } from '../../../src/hub/identity/lockout.ts';

const newUser = { userId: '1003.sato', companyCode: '1003', role: 'user' as const, name: '佐藤 花子', email: 'hanako@example.jp' };

forEachBackend('users', (backend) => {
  test('a participant admin issues a user ID with a random initial password that must be changed', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    const { user, initialPassword } = await createUser(db, clock, actors.aAdmin, { ...newUser, userId: '１００３．Ｓａｔｏ' });
    assert.equal(user.userId, '1003.sato');
    assert.equal(user.companyCode, '1003');
    assert.equal(user.mustChangePassword, true);
    assert.equal(user.status, 'active');
    assert.equal(user.createdBy, '1003.admin');
    assert.doesNotThrow(() => checkPasswordPolicy(initialPassword, { userId: '1003.sato' }));
    const stored = await selectUserCredentials(db, '1003.sato');
    assert.match(stored!.passwordHash!, /^\$scrypt\$/);
    assert.equal(await verifyPassword(initialPassword, stored!.passwordHash!), true);
  });

  test('a participant admin cannot create, see, modify, reset or delete another participant’s users', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    const forbidden = { code: 'AUTH_FORBIDDEN' };
    await assert.rejects(createUser(db, clock, actors.aAdmin, { ...newUser, userId: '2001.sato', companyCode: '2001' }), forbidden);
    await assert.rejects(getUser(db, actors.aAdmin, '2001.user'), forbidden);
    await assert.rejects(modifyUser(db, clock, actors.aAdmin, '2001.user', { name: '乗っ取り' }), forbidden);
    await assert.rejects(resetPassword(db, clock, actors.aAdmin, '2001.user'), forbidden);
    await assert.rejects(deleteUser(db, clock, actors.aAdmin, '2001.user'), forbidden);
    await assert.rejects(listUsers(db, actors.aAdmin, { companyCode: '2001' }), forbidden);
    const untouched = await getUser(db, actors.hubAdmin, '2001.user');
    assert.equal(untouched?.name, 'テスト 太郎');
    assert.equal(untouched?.status, 'active');
  });

  test('a participant admin cannot make anyone a hub admin, and a hub admin only at the hub', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    await assert.rejects(createUser(db, clock, actors.aAdmin, { ...newUser, role: 'hub_admin' }), { code: 'AUTH_FORBIDDEN' });
    await assert.rejects(modifyUser(db, clock, actors.aAdmin, '1003.user', { role: 'hub_admin' }), { code: 'AUTH_FORBIDDEN' });
    await assert.rejects(createUser(db, clock, actors.hubAdmin, { ...newUser, role: 'hub_admin' }), { code: 'AUTH_USER_ROLE' });
    await assert.rejects(createUser(db, clock, actors.hubAdmin, { ...newUser, companyCode: 'H000', userId: 'h000.x', role: 'participant_admin' }), {
      code: 'AUTH_USER_ROLE',
    });
  });

  test('an ordinary user manages no users', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    await assert.rejects(createUser(db, clock, actors.aUser, newUser), { code: 'AUTH_FORBIDDEN' });
    await assert.rejects(listUsers(db, actors.aUser), { code: 'AUTH_FORBIDDEN' });
  });

  test('a hub admin manages every participant’s users', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    await createUser(db, clock, actors.hubAdmin, { ...newUser, userId: '2001.sato', companyCode: '2001' });
    const modified = await modifyUser(db, clock, actors.hubAdmin, '2001.user', { name: '鈴木 一郎', email: 'ichiro@example.jp', role: 'participant_admin' });
    assert.deepEqual([modified.name, modified.email, modified.role], ['鈴木 一郎', 'ichiro@example.jp', 'participant_admin']);
    const all = await listUsers(db, actors.hubAdmin);
    assert.deepEqual(
      all.items.map((u) => u.userId),
      ['1003.admin', '1003.user', '2001.admin', '2001.sato', '2001.user', 'h000.admin'],
    );
  });

  test('lists a participant admin’s own users, 20 a page, with filters', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    for (let i = 1; i <= 21; i++) await givenUser(db, clock, { userId: `1003.u${String(i).padStart(2, '0')}` });
    const first = await listUsers(db, actors.aAdmin);
    assert.equal(first.total, 23);
    assert.equal(first.items.length, 20);
    assert.ok(first.items.every((u) => u.companyCode === '1003'));
    assert.equal((await listUsers(db, actors.aAdmin, {}, { page: 2 })).items.length, 3);
    assert.deepEqual(
      (await listUsers(db, actors.aAdmin, { role: 'participant_admin' })).items.map((u) => u.userId),
      ['1003.admin'],
    );
    assert.equal((await listUsers(db, actors.aAdmin, { text: 'u1' })).total, 10);
  });

  test('a deleted user keeps its row, cannot sign in, and its ID is never issued again', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    const deleted = await deleteUser(db, clock, actors.aAdmin, '1003.user');
    assert.equal(deleted.status, 'deleted');
    assert.deepEqual(deleted.deletedAt, clock.now());
    assert.equal((await selectUserCredentials(db, '1003.user'))?.passwordHash, null);
    assert.equal(
      (await listUsers(db, actors.aAdmin)).items.some((u) => u.userId === '1003.user'),
      false,
    );
    assert.equal((await listUsers(db, actors.aAdmin, { status: 'deleted' })).items[0]?.userId, '1003.user');
    await assert.rejects(createUser(db, clock, actors.aAdmin, { ...newUser, userId: '1003.user' }), { code: 'AUTH_USER_ID_TAKEN' });
    await assert.rejects(modifyUser(db, clock, actors.aAdmin, '1003.user', { name: 'x' }), { code: 'AUTH_USER_NOT_FOUND' });
    await assert.rejects(deleteUser(db, clock, actors.aAdmin, '1003.user'), { code: 'AUTH_USER_NOT_FOUND' });
  });

  test('no one deletes their own user ID, and the reserved ID system cannot be issued', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    await assert.rejects(deleteUser(db, clock, actors.aAdmin, '1003.admin'), { code: 'AUTH_NOT_SELF' });
    await assert.rejects(createUser(db, clock, actors.hubAdmin, { ...newUser, userId: 'system', companyCode: 'H000' }), { code: 'AUTH_USER_ID_TAKEN' });
  });

  test('refuses malformed user IDs, names and e-mail addresses', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    await assert.rejects(createUser(db, clock, actors.aAdmin, { ...newUser, userId: 'ab' }), { code: 'AUTH_USER_ID_FORMAT' });
    await assert.rejects(createUser(db, clock, actors.aAdmin, { ...newUser, userId: '.dot' }), { code: 'AUTH_USER_ID_FORMAT' });
    await assert.rejects(createUser(db, clock, actors.aAdmin, { ...newUser, name: '' }), { code: 'AUTH_USER_NAME_REQUIRED' });
    await assert.rejects(createUser(db, clock, actors.aAdmin, { ...newUser, email: 'no-at-sign' }), { code: 'AUTH_EMAIL_FORMAT' });
  });

  test('a password reset gives a new random password to be changed, and unlocks', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    await db.query(`UPDATE hub.user_account SET locked_until = $2, failed_attempts = 3 WHERE user_id = $1`, [
      '1003.user',
      new Date(clock.now().getTime() + LOCKOUT_MS),
    ]);
    const { user, initialPassword } = await resetPassword(db, clock, actors.aAdmin, '1003.user');
    assert.equal(user.mustChangePassword, true);
    assert.equal(user.lockedUntil, null);
    const stored = await selectUserCredentials(db, '1003.user');
    assert.equal(await verifyPassword(initialPassword, stored!.passwordHash!), true);
    assert.equal(await verifyPassword(TEST_PASSWORD, stored!.passwordHash!), false);
  });

  test('a user changes its own password, which clears the forced change', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenIdentityWorld(db, clock);
    await db.query(`UPDATE hub.user_account SET must_change_password = true WHERE user_id = '1003.user'`);
    const changed = await changePassword(db, clock, '1003.user', TEST_PASSWORD, 'New-Password-2026');
    assert.equal(changed.mustChangePassword, false);
    assert.deepEqual(changed.passwordChangedAt, clock.now());
    assert.equal(await verifyPassword('New-Password-2026', (await selectUserCredentials(db, '1003.user'))!.passwordHash!), true);
  });

  test('a password change refuses a new password that breaks the policy or repeats the current one', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenIdentityWorld(db, clock);
    await assert.rejects(changePassword(db, clock, '1003.user', TEST_PASSWORD, TEST_PASSWORD), { code: 'AUTH_PASSWORD_REUSED' });
    await assert.rejects(changePassword(db, clock, '1003.user', TEST_PASSWORD, 'short'), { code: 'AUTH_PASSWORD_LENGTH' });
    await assert.rejects(changePassword(db, clock, '1003.user', TEST_PASSWORD, 'My-1003.user-pw'), { code: 'AUTH_PASSWORD_CONTAINS_USER_ID' });
  });

  test('a wrong current password counts towards the lock-out', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenIdentityWorld(db, clock);
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i++) {
      await assert.rejects(changePassword(db, clock, '1003.user', 'Wrong-Password-1', 'New-Password-2026'), { code: 'AUTH_PASSWORD_CURRENT_WRONG' });
    }
    await assert.rejects(changePassword(db, clock, '1003.user', 'Wrong-Password-1', 'New-Password-2026'), { code: 'AUTH_LOCKED' });
    await assert.rejects(changePassword(db, clock, '1003.user', TEST_PASSWORD, 'New-Password-2026'), { code: 'AUTH_LOCKED' });
  });
});
