import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allDue, matchAll } from './due-work.ts';
import { countingDueWork } from '../../test/support/counting-due-work.ts';

test('a full batch is followed by another, up to the cap; the rest waits for the next tick', async () => {
  const calls = new Map<string, number>();
  const pending = { matching: 25, due: 0 };
  const work = countingDueWork([{ area: '03' }], pending, calls);
  assert.deepEqual(await matchAll(work, { area: '03' }), { matched: 25, expired: 0, executed: 0 });
  assert.equal(calls.get('matching 03'), 3, '10 + 10 + 5');
  pending.matching = 1_000;
  assert.equal((await matchAll(work, { area: '03' })).matched, 50, 'at most maxRuns × limit');
  pending.due = 7;
  assert.deepEqual(await allDue(work, { area: '03' }), { matched: 50, expired: 0, executed: 7 });
});

test('a call that used its whole limit is followed by another even when it matched and refused fewer (switch-ins taken and left waiting); a call not full ends the run', async () => {
  const results = [
    { matched: 1, expired: 1, full: true },
    { matched: 0, expired: 0, full: true },
    { matched: 3, expired: 0, full: false },
    { matched: 4, expired: 0, full: true },
  ];
  let calls = 0;
  const work = {
    grids: [],
    limit: 4,
    runMatching: async () => results[calls++]!,
    executeDue: async () => ({ executed: 0 }),
  };
  assert.deepEqual(await matchAll(work, { area: '03' }), { matched: 4, expired: 1, executed: 0 });
  assert.equal(calls, 3, 'the third call came back not full');
});
