import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actions, actorOf, authorize, can, systemActor, type Action, type Actor } from './policy.ts';
import { buildActor } from './identity/testing.ts';

const hubAdmin = buildActor({ companyCode: 'H000', kind: 'hub', role: 'hub_admin' });
const hubUser = buildActor({ companyCode: 'H000', kind: 'hub', role: 'user' });
const retailerAdmin = buildActor({ companyCode: '1003', role: 'participant_admin' });
const retailerUser = buildActor({ companyCode: '1003', role: 'user' });
const retailerApi = buildActor({ companyCode: '1003', role: null });
const hubApi = buildActor({ companyCode: 'H000', kind: 'hub', role: null });
const gridApi = buildActor({ companyCode: 'G003', kind: 'grid', role: null });
const gridAdmin = buildActor({ companyCode: 'G003', kind: 'grid', role: 'participant_admin' });
const generatorUser = buildActor({ companyCode: 'F001', kind: 'generator', role: 'user' });

/** Actions about nothing in particular, and who may do them. */
const plainMatrix: Record<string, [Actor, Partial<Record<Action, boolean>>]> = {
  'hub admin': [
    hubAdmin,
    {
      'participant.list': true,
      'participant.manage': true,
      'certificate.manage': true,
      'suspension.manage': true,
      'audit.search': true,
      'clock.advance': true,
      'lookup.facility': true,
      'lookup.usage': true,
    },
  ],
  'hub user': [
    hubUser,
    {
      'participant.list': true,
      'participant.manage': false,
      'certificate.manage': false,
      'suspension.manage': false,
      'audit.search': false,
      'clock.advance': false,
      'lookup.facility': true,
      'lookup.usage': true,
    },
  ],
  'retailer admin': [
    retailerAdmin,
    {
      'participant.list': true,
      'participant.manage': false,
      'certificate.manage': false,
      'suspension.manage': false,
      'audit.search': false,
      'clock.advance': false,
      'lookup.facility': true,
      'lookup.usage': true,
    },
  ],
  'retailer user': [
    retailerUser,
    {
      'participant.list': true,
      'participant.manage': false,
      'suspension.manage': false,
      'audit.search': false,
      'clock.advance': false,
      'lookup.facility': true,
      'lookup.usage': true,
    },
  ],
  'retailer API': [
    retailerApi,
    { 'participant.list': true, 'participant.manage': false, 'audit.search': false, 'clock.advance': false, 'lookup.facility': true, 'lookup.usage': true },
  ],
  'hub operator API': [hubApi, { 'participant.list': true, 'participant.manage': false, 'audit.search': false, 'clock.advance': true }],
  'grid API': [gridApi, { 'participant.list': true, 'participant.manage': false, 'clock.advance': false, 'lookup.facility': false, 'lookup.usage': false }],
  'grid admin': [gridAdmin, { 'participant.list': true, 'suspension.manage': false, 'lookup.facility': false, 'lookup.usage': false }],
  'generator user': [generatorUser, { 'participant.list': true, 'lookup.facility': false, 'lookup.usage': false }],
};

for (const [who, [actor, expected]] of Object.entries(plainMatrix)) {
  test(`a ${who} may do exactly the plain actions the matrix allows`, () => {
    for (const [action, allowed] of Object.entries(expected)) {
      assert.equal(can(actor, action as 'participant.list'), allowed, `${who} ${action}`);
    }
  });
}

test('a participant admin manages the users of its own participant only', () => {
  for (const action of ['user.create', 'user.modify', 'user.delete'] as const) {
    assert.equal(can(retailerAdmin, action, { companyCode: '1003', role: 'user' }), true, action);
    assert.equal(can(retailerAdmin, action, { companyCode: '1003', role: 'participant_admin' }), true, action);
    assert.equal(can(retailerAdmin, action, { companyCode: '2001', role: 'user' }), false, action);
    assert.equal(can(retailerAdmin, action, { companyCode: 'H000', role: 'hub_admin' }), false, action);
  }
  assert.equal(can(retailerAdmin, 'user.list', { companyCode: '1003' }), true);
  assert.equal(can(retailerAdmin, 'user.list', { companyCode: '2001' }), false);
  assert.equal(can(retailerAdmin, 'user.list', { companyCode: null }), false);
});

test('a participant admin never grants or touches the hub admin role, even in its own participant', () => {
  assert.equal(can(retailerAdmin, 'user.create', { companyCode: '1003', role: 'hub_admin' }), false);
  assert.equal(can(retailerAdmin, 'user.modify', { companyCode: '1003', role: 'hub_admin' }), false);
});

test('a hub admin manages every participant’s users and lists them all at once', () => {
  for (const action of ['user.create', 'user.modify', 'user.delete'] as const) {
    assert.equal(can(hubAdmin, action, { companyCode: '2001', role: 'participant_admin' }), true);
    assert.equal(can(hubAdmin, action, { companyCode: 'H000', role: 'hub_admin' }), true);
  }
  assert.equal(can(hubAdmin, 'user.list', { companyCode: null }), true);
});

test('ordinary users and API callers manage no users, not even their own participant’s', () => {
  for (const actor of [retailerUser, retailerApi, hubUser]) {
    for (const action of ['user.create', 'user.modify', 'user.delete'] as const) {
      assert.equal(can(actor, action, { companyCode: actor.participant.companyCode, role: 'user' }), false);
    }
    assert.equal(can(actor, 'user.list', { companyCode: actor.participant.companyCode }), false);
  }
});

test('a suspended participant may do nothing, not even list participants', () => {
  const suspended = buildActor({ companyCode: 'H000', kind: 'hub', role: 'hub_admin', status: 'suspended' });
  const canAny = can as (actor: Actor, action: Action, resource?: unknown) => boolean;
  for (const action of actions) {
    assert.equal(canAny(suspended, action, { companyCode: 'H000', role: 'user' }), false, action);
  }
});

test('authorize refuses with AUTH_FORBIDDEN and its Japanese text', () => {
  assert.throws(() => authorize(retailerUser, 'audit.search'), { code: 'AUTH_FORBIDDEN', text: 'この操作を行う権限がありません。' });
  assert.doesNotThrow(() => authorize(hubAdmin, 'audit.search'));
});

test('an action without a rule is refused (deny by default)', () => {
  assert.equal(can(hubAdmin, 'relay.view' as Action as 'audit.search'), false);
});

test('the system actor is a hub admin of the hub operator', () => {
  assert.equal(can(systemActor, 'participant.manage'), true);
  assert.equal(can(systemActor, 'certificate.manage'), true);
});

test('actorOf takes the participant from the caller and the user from the session', () => {
  const caller = {
    participant: { companyCode: '1003', kind: 'retailer' as const, name: 'x', status: 'active' as const, areas: ['03' as const] },
  };
  assert.deepEqual(actorOf(caller), { participant: { companyCode: '1003', kind: 'retailer', status: 'active' } });
  assert.deepEqual(actorOf(caller, { userId: '1003.admin', role: 'participant_admin' }), {
    participant: { companyCode: '1003', kind: 'retailer', status: 'active' },
    user: { userId: '1003.admin', role: 'participant_admin' },
  });
});

test('the web-only supply point search is for retailers registered in the area', () => {
  const inTokyo = { ...retailerUser, participant: { ...retailerUser.participant, areas: ['03'] } };
  assert.equal(can(inTokyo, 'supplyPoint.search', { area: '03' }), true);
  assert.equal(can(inTokyo, 'supplyPoint.search', { area: '06' }), false);
  assert.equal(can(retailerUser, 'supplyPoint.search', { area: '03' }), false, 'areas unknown: none');
  assert.equal(can({ ...hubAdmin, participant: { ...hubAdmin.participant, areas: ['03'] } }, 'supplyPoint.search', { area: '03' }), false);
});
