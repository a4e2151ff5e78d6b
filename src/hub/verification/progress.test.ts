import { test } from 'node:test';
import assert from 'node:assert/strict';
import { designatedId } from '../../interfaces/verification/designated.ts';
import type { Scenario } from '../../interfaces/verification/scenarios.ts';
import { progressOf, type RecordedCall } from './progress.ts';

const scenario: Scenario = {
  id: 'T',
  title: 'test',
  steps: [
    { interfaceId: 'IF_10610', point: '0401', expect: { result: 'OK', stage: '03' }, note: '' },
    { interfaceId: 'IF_10620', point: '0401', expect: { result: 'OK', stage: '05' }, note: '' },
    { interfaceId: 'IF_10620', point: '0401', expect: { result: 'OK', stage: '06' }, note: '' },
  ],
};
const point = designatedId('06', '0401');
let id = 0;
const call = (
  interfaceId: string,
  stage: string | null,
  result: 'OK' | 'NG' = 'OK',
  codes: string[] = [],
  supplyPointId: string | null = point,
): RecordedCall => ({
  callId: ++id,
  at: new Date('2026-11-25T01:00:00Z'),
  interfaceId,
  supplyPointId,
  result,
  codes,
  stage,
});

test('steps are matched in order; the same status inquiry answers two steps by its stage', () => {
  const p = progressOf(scenario, [call('IF_10610', '03'), call('IF_10620', '05'), call('IF_10620', '06')]);
  assert.equal(p.status, 'passed');
  assert.deepEqual(
    p.steps.map((s) => s.status),
    ['matched', 'matched', 'matched'],
  );
});

test('nothing called: not started; a first step only: in progress, the rest not run', () => {
  assert.equal(progressOf(scenario, []).status, 'notStarted');
  const p = progressOf(scenario, [call('IF_10610', '03')]);
  assert.equal(p.status, 'inProgress');
  assert.deepEqual(
    p.steps.map((s) => s.status),
    ['matched', 'notRun', 'notRun'],
  );
});

test('a wrong answer is a mismatch with what was expected and what came; later steps are not run', () => {
  const p = progressOf(scenario, [call('IF_10610', null, 'NG', ['APP_CONFLICT'])]);
  assert.equal(p.status, 'failed');
  assert.equal(p.steps[0]!.status, 'mismatched');
  assert.equal(p.steps[0]!.mismatches[0]!.reason, '期待: OK 工程 03 / 応答: NG APP_CONFLICT');
  assert.equal(p.steps[1]!.status, 'notRun');
});

test('a right call after a wrong one matches the step, keeping the mismatch on record', () => {
  const p = progressOf(scenario, [call('IF_10610', null, 'NG', ['APP_CONFLICT']), call('IF_10610', '03')]);
  assert.equal(p.steps[0]!.status, 'matched');
  assert.equal(p.steps[0]!.mismatches.length, 1);
});

test('calls on another point, another behaviour or another interface belong to no step', () => {
  const other = designatedId('03', '0402');
  const p = progressOf(scenario, [call('IF_10610', '03', 'OK', [], other), call('IF_10110', null), call('IF_10610', '03', 'OK', [], '0313010000000000000110')]);
  assert.equal(p.status, 'notStarted');
});

test('an ordinary point step takes any non-designated point, never a designated one', () => {
  const ordinary: Scenario = { id: 'O', title: '', steps: [{ interfaceId: 'IF_10110', point: 'ordinary', expect: { result: 'OK' }, note: '' }] };
  assert.equal(progressOf(ordinary, [call('IF_10110', null, 'OK', [], designatedId('03', '0101'))]).status, 'notStarted');
  assert.equal(progressOf(ordinary, [call('IF_10110', null, 'OK', [], '0313010000000000000110')]).status, 'passed');
});

test("a step of point 'none' is taken by a call naming no application only; calls about an application are not its mismatches", () => {
  const none: Scenario = {
    id: 'N',
    title: 'none',
    steps: [{ interfaceId: 'IF_10620', point: 'none', expect: { result: 'NG', code: 'OUTBOX_REQUEST_NOT_FOUND' }, note: '' }],
  };
  const p = progressOf(none, [call('IF_10620', '05'), call('IF_10620', null, 'NG', ['OUTBOX_REQUEST_NOT_FOUND'], null)]);
  assert.equal(p.status, 'passed');
  assert.deepEqual(p.steps[0]!.mismatches, []);
  const wrong = progressOf(none, [call('IF_10620', null, 'NG', ['IF_REQUIRED'], null)]);
  assert.equal(wrong.status, 'failed');
});
