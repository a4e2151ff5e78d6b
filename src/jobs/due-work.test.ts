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
