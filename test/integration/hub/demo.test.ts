import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { identifyCaller } from '../../../src/hub/identity/certificate.commands.ts';
import { seedDemoIdentities } from '../../../src/hub/identity/demo.ts';
import { listParticipants } from '../../../src/hub/identity/participant.commands.ts';
import { signIn } from '../../../src/hub/identity/session.commands.ts';
import { givenCertificate, migrateHub, testClock } from '../../../src/hub/identity/testing.ts';

const retailers = [
  { companyCode: '1003', name: 'デモ東京電力エナジー株式会社', areas: ['03' as const] },
  { companyCode: '2001', name: 'デモ都市ガスでんき株式会社', areas: ['03' as const, '06' as const] },
];

forEachBackend('demo identities', (backend) => {
  test('seeds the hub with its admin, the ten grid operators, and each retailer with an admin and a user', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const clock = testClock();
    const seeded = await seedDemoIdentities(db, clock, { retailers });
    assert.deepEqual(
      seeded.participants.map((p) => [p.companyCode, p.kind, p.participantCodes.join(',')]),
      [
        ['H000', 'hub', ''],
        ['G001', 'grid', 'G0011'],
        ['G002', 'grid', 'G0022'],
        ['G003', 'grid', 'G0033'],
        ['G004', 'grid', 'G0044'],
        ['G005', 'grid', 'G0055'],
        ['G006', 'grid', 'G0066'],
        ['G007', 'grid', 'G0077'],
        ['G008', 'grid', 'G0088'],
        ['G009', 'grid', 'G0099'],
        ['G010', 'grid', 'G0100'],
        ['1003', 'retailer', '10033'],
        ['2001', 'retailer', '20013,20016'],
      ],
    );
    assert.equal(seeded.participants.find((p) => p.companyCode === 'G003')?.name, '東京電力パワーグリッド株式会社');
    assert.deepEqual(
      seeded.users.map((u) => [u.userId, u.participantCode, u.role]),
      [
        ['h000.admin', 'H000', 'hub_admin'],
        ['1003.admin', '1003', 'participant_admin'],
        ['1003.user', '1003', 'user'],
        ['2001.admin', '2001', 'participant_admin'],
        ['2001.user', '2001', 'user'],
      ],
    );
    assert.equal(new Set(seeded.users.map((u) => u.initialPassword)).size, 5);
  });

  test('a seeded user signs in with its initial password and must change it', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const clock = testClock();
    const { users } = await seedDemoIdentities(db, clock, { retailers });
    const { certificate } = await givenCertificate(db, clock, { participantCode: '10033' });
    const caller = await identifyCaller(db, clock, certificate.fingerprint256);
    const admin = users.find((u) => u.userId === '1003.admin')!;
    const signedIn = await signIn(db, clock, { caller, userId: admin.userId, password: admin.initialPassword, sourceAddress: null });
    assert.equal(signedIn.mustChangePassword, true);
  });

  test('seeding again creates nothing and returns nothing; a new retailer is added alone', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const clock = testClock();
    await seedDemoIdentities(db, clock, { retailers });
    assert.deepEqual(await seedDemoIdentities(db, clock, { retailers }), { participants: [], users: [] });
    const more = await seedDemoIdentities(db, clock, {
      retailers: [...retailers, { companyCode: '3002', name: 'デモ再エネ電力株式会社', areas: ['01'] }],
    });
    assert.deepEqual(
      more.participants.map((p) => p.companyCode),
      ['3002'],
    );
    assert.deepEqual(
      more.users.map((u) => u.userId),
      ['3002.admin', '3002.user'],
    );
    assert.equal((await listParticipants(db)).total, 14);
  });
});
