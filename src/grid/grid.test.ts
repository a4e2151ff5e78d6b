import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../platform/db/db.ts';
import { Grid, gridInterfaces } from './grid.ts';
import { gridRequest, testGridClock } from './testing.ts';

const unusedDb = {} as Db;

test('dispatches the look-up interfaces of every voltage family', () => {
  assert.deepEqual(Object.keys(gridInterfaces).sort(), [
    'IF_10110', 'IF_10210', 'IF_10220', 'IF_10310', 'IF_F10110', 'IF_K10210', 'IF_K10220', 'IF_K10310',
  ]);
});

test('answers an interface it does not handle with NG GRID_INTERFACE_UNKNOWN, even a name on Object.prototype', async () => {
  const grid = new Grid({ area: '03', db: unusedDb, clock: testGridClock() });
  for (const interfaceId of ['IF_10410', 'toString', '__proto__']) {
    const response = await grid.handle(gridRequest(interfaceId, {}));
    assert.equal(response.result, 'NG');
    assert.equal(response.messages[0]?.code, 'GRID_INTERFACE_UNKNOWN');
    assert.match(response.messages[0]?.text ?? '', new RegExp(interfaceId.replace(/_/g, '_')));
  }
});

test('a failure that is not a refusal propagates, for the transport to report', async () => {
  const failing = { query: async () => { throw new Error('connection terminated'); } } as unknown as Db;
  const grid = new Grid({ area: '03', db: failing, clock: testGridClock() });
  await assert.rejects(grid.handle(gridRequest('IF_10110', { supplyPointId: '0313010000000000000110' })), /connection terminated/);
});

test('confirms usage password applications at once unless told to wait for the next business day', () => {
  assert.equal(new Grid({ area: '03', db: unusedDb, clock: testGridClock() }).options.usagePasswordConfirmation, 'immediate');
  const deferred = new Grid({ area: '03', db: unusedDb, clock: testGridClock(), options: { usagePasswordConfirmation: 'nextBusinessDay' } });
  assert.equal(deferred.options.usagePasswordConfirmation, 'nextBusinessDay');
});
