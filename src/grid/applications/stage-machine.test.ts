import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationKindNames, transition, type ApplicationEvent, type ApplicationKind, type ApplicationStage } from './stage-machine.ts';

const allStages: readonly ApplicationStage[] = ['01', '03', '05', '06', '08', '09', '10'];
const events: readonly ApplicationEvent[] = [
  { type: 'accepted' },
  { type: 'refused', reason: 'APP_CONFLICT' },
  { type: 'corrected' },
  { type: 'cancelled' },
  { type: 'matched' },
  { type: 'matchExpired' },
  { type: 'executed', meterWork: false },
];

function next(kind: ApplicationKind, stage: ApplicationStage, event: ApplicationEvent): string {
  const t = transition({ kind, stage }, event);
  return 'refused' in t ? `!${t.refused}` : t.next.stage;
}

test('a switch waits for matching, is matched, then completes (08 with meter work)', () => {
  for (const kind of ['switchIn', 'switchOut'] as const) {
    const accepted = transition({ kind, stage: '01' }, { type: 'accepted' });
    assert.ok(!('refused' in accepted));
    assert.equal(accepted.next.stage, '03');
    assert.deepEqual(accepted.effects, [{ type: 'tryMatching' }]);
    assert.equal(next(kind, '03', { type: 'matched' }), '05');
    assert.equal(next(kind, '05', { type: 'executed', meterWork: false }), '06');
    assert.equal(next(kind, '05', { type: 'executed', meterWork: true }), '08');
    assert.equal(next(kind, '03', { type: 'matchExpired' }), '09');
  }
});

test('matching notifies, execution changes the point (not for the switch-out) and notifies', () => {
  const matched = transition({ kind: 'switchIn', stage: '03' }, { type: 'matched' });
  assert.deepEqual('refused' in matched ? [] : matched.effects, [{ type: 'notify', event: 'matchingComplete' }]);
  const executedIn = transition({ kind: 'switchIn', stage: '05' }, { type: 'executed', meterWork: false });
  assert.deepEqual('refused' in executedIn ? [] : executedIn.effects, [{ type: 'applyToSupplyPoint' }, { type: 'notify', event: 'completed' }]);
  const executedOut = transition({ kind: 'switchOut', stage: '05' }, { type: 'executed', meterWork: false });
  assert.deepEqual('refused' in executedOut ? [] : executedOut.effects, [{ type: 'notify', event: 'completed' }]);
  const expired = transition({ kind: 'switchIn', stage: '03' }, { type: 'matchExpired' });
  assert.equal('refused' in expired ? undefined : expired.reason, 'APP_MATCH_EXPIRED');
});

test('the other kinds go 01 → 10 → 06/08 without matching', () => {
  for (const kind of ['moveIn', 'moveOut', 'infoChange', 'ampereChange'] as const) {
    assert.equal(next(kind, '01', { type: 'accepted' }), '10');
    assert.equal(next(kind, '10', { type: 'executed', meterWork: false }), '06');
    assert.equal(next(kind, '10', { type: 'executed', meterWork: true }), '08');
    assert.equal(next(kind, '10', { type: 'matched' }), '!APP_TRANSITION_ILLEGAL');
    assert.equal(next(kind, '10', { type: 'matchExpired' }), '!APP_TRANSITION_ILLEGAL');
  }
});

test('refusal carries its reason; cancellation is 09 with APP_CANCELLED', () => {
  const refused = transition({ kind: 'moveIn', stage: '01' }, { type: 'refused', reason: 'APP_POINT_CONTRACTED' });
  assert.ok(!('refused' in refused));
  assert.equal(refused.next.stage, '09');
  assert.equal(refused.reason, 'APP_POINT_CONTRACTED');
  const cancelled = transition({ kind: 'switchIn', stage: '03' }, { type: 'cancelled' });
  assert.ok(!('refused' in cancelled));
  assert.equal(cancelled.next.stage, '09');
  assert.equal(cancelled.reason, 'APP_CANCELLED');
});

test('correction keeps the stage while in progress; a waiting switch tries matching again', () => {
  const corrected = transition({ kind: 'switchIn', stage: '03' }, { type: 'corrected' });
  assert.ok(!('refused' in corrected));
  assert.equal(corrected.next.stage, '03');
  assert.deepEqual(corrected.effects, [{ type: 'tryMatching' }]);
  assert.equal(next('moveOut', '10', { type: 'corrected' }), '10');
});

test('correction and cancellation are refused from matching complete on', () => {
  for (const kind of applicationKindNames) {
    for (const stage of ['05', '06', '08', '09'] as const) {
      assert.equal(next(kind, stage, { type: 'corrected' }), '!APP_NOT_CORRECTABLE');
      assert.equal(next(kind, stage, { type: 'cancelled' }), '!APP_NOT_CANCELLABLE');
    }
  }
});

test('every other event is an illegal transition, and the machine is closed over its stages', () => {
  const legal = new Set(['accepted@01', 'refused@01', 'corrected@01', 'corrected@03', 'corrected@10', 'cancelled@01', 'cancelled@03', 'cancelled@10']);
  for (const kind of applicationKindNames) {
    const sw = kind === 'switchIn' || kind === 'switchOut';
    for (const stage of allStages) {
      for (const event of events) {
        const key = `${event.type}@${stage}`;
        const result = transition({ kind, stage }, event);
        const isLegal = legal.has(key) || (sw && ['matched@03', 'matchExpired@03', 'executed@05'].includes(key)) || (!sw && key === 'executed@10');
        if (isLegal) {
          assert.ok(!('refused' in result), `${kind} ${key} should be legal`);
          assert.ok(allStages.includes(result.next.stage));
          assert.equal(result.next.kind, kind);
        } else {
          assert.ok('refused' in result, `${kind} ${key} should be refused`);
        }
      }
    }
  }
});
