import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { identifyCaller } from '../../../src/hub/identity/certificate.commands.ts';
import { getParticipant } from '../../../src/hub/identity/participant.commands.ts';
import { listStatusChanges, resume, suspend } from '../../../src/hub/identity/suspension.commands.ts';
import { getUser } from '../../../src/hub/identity/user.commands.ts';
import { givenIdentityWorld, testClock } from '../../../src/hub/identity/testing.ts';

forEachBackend('suspension (権限停止)', (backend) => {
  test('a hub admin suspends a user with who, when and why, and resumes it', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    const suspended = await suspend(db, clock, actors.hubAdmin, { target: { kind: 'user', id: '1003.USER' }, reason: 'ID流出の疑い' });
    assert.deepEqual(suspended, { target: { kind: 'user', id: '1003.user' }, status: 'suspended', changed: true, endedSessions: 0 });
    const user = await getUser(db, actors.hubAdmin, '1003.user');
    assert.equal(user?.status, 'suspended');
    assert.deepEqual(user?.suspension, { at: clock.now(), by: 'h000.admin', reason: 'ID流出の疑い' });

    clock.advance(3_600_000);
    await resume(db, clock, actors.hubAdmin, { target: { kind: 'user', id: '1003.user' }, reason: '調査完了' });
    const resumed = await getUser(db, actors.hubAdmin, '1003.user');
    assert.equal(resumed?.status, 'active');
    assert.equal(resumed?.suspension, null);
    const history = await listStatusChanges(db, { kind: 'user', id: '1003.user' });
    assert.deepEqual(
      history.map((h) => [h.status, h.changedBy, h.reason]),
      [
        ['suspended', 'h000.admin', 'ID流出の疑い'],
        ['active', 'h000.admin', '調査完了'],
      ],
    );
  });

  test('suspends a whole participant, and its certificates stop working with it', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors, certificates } = await givenIdentityWorld(db, clock);
    await suspend(db, clock, actors.hubAdmin, { target: { kind: 'participant', id: '2001' }, reason: '不正アクセスの疑い' });
    assert.equal((await getParticipant(db, '2001'))?.status, 'suspended');
    await assert.rejects(identifyCaller(db, clock, certificates.bTerminal.certificate.fingerprint256), { code: 'AUTH_TERMINAL_REFUSED' });
    await resume(db, clock, actors.hubAdmin, { target: { kind: 'participant', id: '2001' }, reason: '調査完了' });
    assert.equal((await identifyCaller(db, clock, certificates.bTerminal.certificate.fingerprint256)).participant.status, 'active');
  });

  test('suspends a certificate by its fingerprint in any common spelling', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors, certificates } = await givenIdentityWorld(db, clock);
    const fingerprint = certificates.aApi.certificate.fingerprint256;
    const colons = fingerprint.toUpperCase().match(/../g)!.join(':');
    const result = await suspend(db, clock, actors.hubAdmin, { target: { kind: 'certificate', id: colons }, reason: '鍵の漏えい' });
    assert.equal(result.target.id, fingerprint);
    await assert.rejects(identifyCaller(db, clock, fingerprint), { code: 'AUTH_TERMINAL_REFUSED' });
  });

  test('only hub admins suspend or resume', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    for (const actor of [actors.aAdmin, actors.aUser]) {
      await assert.rejects(suspend(db, clock, actor, { target: { kind: 'user', id: '1003.user' }, reason: 'x' }), { code: 'AUTH_FORBIDDEN' });
      await assert.rejects(resume(db, clock, actor, { target: { kind: 'user', id: '1003.user' }, reason: 'x' }), { code: 'AUTH_FORBIDDEN' });
    }
  });

  test('no one suspends their own user ID or their own participant', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    await assert.rejects(suspend(db, clock, actors.hubAdmin, { target: { kind: 'user', id: 'h000.admin' }, reason: 'x' }), { code: 'AUTH_NOT_SELF' });
    await assert.rejects(suspend(db, clock, actors.hubAdmin, { target: { kind: 'participant', id: 'H000' }, reason: 'x' }), { code: 'AUTH_NOT_SELF' });
  });

  test('a reason is required, and unknown targets are refused', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    await assert.rejects(suspend(db, clock, actors.hubAdmin, { target: { kind: 'user', id: '1003.user' }, reason: '  ' }), { code: 'AUTH_REASON_REQUIRED' });
    await assert.rejects(suspend(db, clock, actors.hubAdmin, { target: { kind: 'user', id: '1003.ghost' }, reason: 'x' }), { code: 'AUTH_USER_NOT_FOUND' });
    await assert.rejects(suspend(db, clock, actors.hubAdmin, { target: { kind: 'participant', id: '9999' }, reason: 'x' }), {
      code: 'AUTH_PARTICIPANT_NOT_FOUND',
    });
    await assert.rejects(suspend(db, clock, actors.hubAdmin, { target: { kind: 'certificate', id: 'ab' }, reason: 'x' }), { code: 'AUTH_CERT_NOT_FOUND' });
  });

  test('suspending what is already suspended changes nothing and records nothing', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    await suspend(db, clock, actors.hubAdmin, { target: { kind: 'user', id: '1003.user' }, reason: '一回目' });
    const again = await suspend(db, clock, actors.hubAdmin, { target: { kind: 'user', id: '1003.user' }, reason: '二回目' });
    assert.equal(again.changed, false);
    assert.equal((await getUser(db, actors.hubAdmin, '1003.user'))?.suspension?.reason, '一回目');
    assert.equal((await listStatusChanges(db, { kind: 'user', id: '1003.user' })).length, 1);
  });

  test('a suspension inside the caller’s transaction is undone with it', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const { actors } = await givenIdentityWorld(db, clock);
    await assert.rejects(
      db.transaction(async (tx) => {
        await suspend(tx, clock, actors.hubAdmin, { target: { kind: 'user', id: '1003.user' }, reason: 'x' });
        throw new Error('the request failed later');
      }),
      /failed later/,
    );
    assert.equal((await getUser(db, actors.hubAdmin, '1003.user'))?.status, 'active');
  });
});
