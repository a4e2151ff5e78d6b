import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../platform/db/db.ts';
import { Grid, gridInterfaces } from './grid.ts';
import { gridRequest, testGridClock } from './testing.ts';

const unusedDb = {} as Db;

test('dispatches the look-up and application interfaces of every voltage family', () => {
  assert.deepEqual(Object.keys(gridInterfaces).sort(), [
    'GRID_APPLICATION_BATCH',
    'GRID_EVENTS',
    'GRID_PPS_STATS',
    'IF_10110',
    'IF_10210',
    'IF_10220',
    'IF_10310',
    'IF_10410',
    'IF_10420',
    'IF_10510',
    'IF_10520',
    'IF_10610',
    'IF_10620',
    'IF_10710',
    'IF_10720',
    'IF_10810',
    'IF_10820',
    'IF_10910',
    'IF_10920',
    'IF_11110',
    'IF_F10110',
    'IF_F10410',
    'IF_F10420',
    'IF_F10510',
    'IF_F10520',
    'IF_F10610',
    'IF_F10620',
    'IF_F10710',
    'IF_F10720',
    'IF_F10810',
    'IF_F10820',
    'IF_F11110',
    'IF_K10210',
    'IF_K10220',
    'IF_K10310',
    'IF_K10510',
    'IF_K10520',
    'IF_K10610',
    'IF_K10620',
    'IF_K10710',
    'IF_K10720',
    'IF_K10810',
    'IF_K10820',
    'IF_K11110',
    'WEB_SUPPLY_POINT_SEARCH',
  ]);
});

test('answers an interface it does not handle with NG GRID_INTERFACE_UNKNOWN, even a name on Object.prototype', async () => {
  const grid = new Grid({ area: '03', db: unusedDb, clock: testGridClock() });
  for (const interfaceId of ['IF_20110', 'toString', '__proto__']) {
    const response = await grid.handle(gridRequest(interfaceId, {}));
    assert.equal(response.result, 'NG');
    assert.equal(response.messages[0]?.code, 'GRID_INTERFACE_UNKNOWN');
    assert.match(response.messages[0]?.text ?? '', new RegExp(interfaceId.replace(/_/g, '_')));
  }
});

test('a failure that is not a refusal propagates, for the transport to report', async () => {
  const failing = {
    query: async () => {
      throw new Error('connection terminated');
    },
  } as unknown as Db;
  const grid = new Grid({ area: '03', db: failing, clock: testGridClock() });
  await assert.rejects(grid.handle(gridRequest('IF_10110', { supplyPointId: '0313010000000000000110' })), /connection terminated/);
});

test('confirms usage password applications at once unless told to wait for the next business day', () => {
  assert.equal(new Grid({ area: '03', db: unusedDb, clock: testGridClock() }).options.usagePasswordConfirmation, 'immediate');
  const deferred = new Grid({ area: '03', db: unusedDb, clock: testGridClock(), options: { usagePasswordConfirmation: 'nextBusinessDay' } });
  assert.equal(deferred.options.usagePasswordConfirmation, 'nextBusinessDay');
});
