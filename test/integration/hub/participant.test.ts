import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { createParticipant, getParticipant, listParticipants } from '../../../src/hub/identity/participant.commands.ts';
import {
  buildActor,
  buildGridOperator,
  buildHub,
  buildRetailer,
  givenParticipant,
  hubAdmin,
  migrateHub,
  testClock,
} from '../../../src/hub/identity/testing.ts';

forEachBackend('participants', (backend) => {
  test('registers a retailer with one participant code per area', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const clock = testClock();
    const created = await createParticipant(db, clock, hubAdmin, buildRetailer({ companyCode: '２００１', areas: ['06', '03', '10', '03'] }));
    assert.equal(created.companyCode, '2001');
    assert.deepEqual(created.areas, ['03', '06', '10']);
    assert.deepEqual(created.participantCodes, ['20013', '20016', '20010']);
    assert.equal(created.status, 'active');
    assert.equal(created.suspension, null);
    assert.deepEqual(created.createdAt, clock.now());
    assert.deepEqual(await getParticipant(db, '2001'), created);
  });

  test('refuses a company code that is already registered', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    await givenParticipant(db, testClock(), buildRetailer());
    await assert.rejects(createParticipant(db, testClock(), hubAdmin, buildRetailer({ name: '別の会社' })), { code: 'AUTH_PARTICIPANT_EXISTS' });
  });

  test('refuses areas that do not fit the kind: a grid operator has one, the hub none, a retailer at least one', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const clock = testClock();
    await assert.rejects(createParticipant(db, clock, hubAdmin, buildGridOperator('03', { areas: ['03', '04'] })), { code: 'AUTH_PARTICIPANT_AREAS' });
    await assert.rejects(createParticipant(db, clock, hubAdmin, buildHub({ areas: ['03'] })), { code: 'AUTH_PARTICIPANT_AREAS' });
    await assert.rejects(createParticipant(db, clock, hubAdmin, buildRetailer({ areas: [] })), { code: 'AUTH_PARTICIPANT_AREAS' });
    await assert.rejects(createParticipant(db, clock, hubAdmin, buildRetailer({ areas: ['11'] })), { code: 'AREA_UNKNOWN' });
    await assert.rejects(createParticipant(db, clock, hubAdmin, buildRetailer({ companyCode: '10013' })), { code: 'AUTH_COMPANY_CODE_FORMAT' });
    await assert.rejects(createParticipant(db, clock, hubAdmin, buildRetailer({ kind: 'broker' as 'retailer' })), { code: 'AUTH_PARTICIPANT_KIND' });
    await assert.rejects(createParticipant(db, clock, hubAdmin, buildRetailer({ name: ' ' })), { code: 'AUTH_PARTICIPANT_NAME_REQUIRED' });
  });

  test('only a hub admin registers participants', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const retailerAdmin = buildActor({ role: 'participant_admin' });
    await assert.rejects(createParticipant(db, testClock(), retailerAdmin, buildRetailer({ companyCode: '9999' })), { code: 'AUTH_FORBIDDEN' });
    assert.equal(await getParticipant(db, '9999'), null);
  });

  test('lists participants 20 a page in company code order, with filters by kind, area and text', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const clock = testClock();
    await givenParticipant(db, clock, buildHub());
    for (let i = 1; i <= 24; i++) {
      const code = `R${String(i).padStart(3, '0')}`;
      await givenParticipant(db, clock, buildRetailer({ companyCode: code, name: `テスト電力${i}号`, areas: i % 2 ? ['03'] : ['06'] }));
    }
    await givenParticipant(db, clock, buildGridOperator('06'));

    const first = await listParticipants(db);
    assert.equal(first.total, 26);
    assert.equal(first.items.length, 20);
    assert.deepEqual(
      first.items.slice(0, 3).map((p) => p.companyCode),
      ['G006', 'H000', 'R001'],
    );
    const second = await listParticipants(db, {}, { page: 2 });
    assert.equal(second.items.length, 6);
    assert.equal(second.items.at(-1)?.companyCode, 'R024');

    const kansai = await listParticipants(db, { area: '06' });
    assert.equal(kansai.total, 13);
    assert.deepEqual(
      (await listParticipants(db, { kind: 'grid' })).items.map((p) => p.companyCode),
      ['G006'],
    );
    assert.deepEqual(
      (await listParticipants(db, { text: '電力2' })).items.map((p) => p.companyCode),
      ['R002', 'R020', 'R021', 'R022', 'R023', 'R024'],
    );
    assert.deepEqual((await listParticipants(db, { text: 'r01' })).items.map((p) => p.companyCode).slice(0, 2), ['R010', 'R011']);
    assert.equal((await listParticipants(db, { status: 'suspended' })).total, 0);
  });

  test('an unknown or malformed company code finds no participant', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    assert.equal(await getParticipant(db, '9999'), null);
    assert.equal(await getParticipant(db, 'not a code'), null);
  });
});
