import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scriptOf } from './script.ts';

const stages = (...args: Parameters<typeof scriptOf>) => scriptOf(...args).map((s) => (s.code ? `${s.stage}:${s.code}` : s.stage));

test('completion: a switch goes 03 → 05 → 06, other kinds 10 → 06, meter work ends at 08, a usage password 01 → 06', () => {
  assert.deepEqual(stages({ type: 'complete', meterWork: false }, 'switchIn'), ['03', '05', '06']);
  assert.deepEqual(stages({ type: 'complete', meterWork: true }, 'switchOut'), ['03', '05', '08']);
  assert.deepEqual(stages({ type: 'complete', meterWork: true }, 'moveIn'), ['10', '08']);
  assert.deepEqual(stages({ type: 'complete', meterWork: false }, 'usagePasswordApplication'), ['01', '06']);
});

test('refusals: at once 09; later at the stage it was accepted at', () => {
  assert.deepEqual(stages({ type: 'ng', code: 'APP_CONFLICT' }, 'infoChange'), ['09:APP_CONFLICT']);
  assert.deepEqual(stages({ type: 'refuseLater', code: 'APP_MATCH_EXPIRED' }, 'switchIn'), ['03', '09:APP_MATCH_EXPIRED']);
  assert.deepEqual(stages({ type: 'refuseLater', code: 'VERIFY_REFUSED_AT_STAGE' }, 'ampereChange'), ['10', '09:VERIFY_REFUSED_AT_STAGE']);
});

test('matching: never (03 for ever) or at once (05, then 06); faults follow completion without meter work', () => {
  assert.deepEqual(stages({ type: 'neverMatch' }, 'switchIn'), ['03']);
  assert.deepEqual(stages({ type: 'matchAtOnce' }, 'switchOut'), ['05', '06']);
  assert.deepEqual(stages({ type: 'failAfterAccept', times: 2 }, 'switchIn'), ['03', '05', '06']);
  assert.deepEqual(stages({ type: 'answerTwice' }, 'moveOut'), ['10', '06']);
});
