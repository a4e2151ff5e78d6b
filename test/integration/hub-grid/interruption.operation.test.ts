/**
 * `kirikae grid interruption record|list` as the operations they run (src/operations/operations.ts):
 * an interruption at one of an area's points is recorded, audited, and listed; a bad input is refused
 * whole with its code and Japanese message, audited with that code, and nothing is written.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { isRefusal } from '../../../src/domain/refusal.ts';
import { givenSupplyPoint, testGridClock, type TestPoint } from '../../../src/grid/testing.ts';
import type { SystemClock } from '../../../src/hub/sandbox-clock.ts';
import { operatorOperations } from '../../../src/operations/operations.ts';

forEachBackend('recording supply interruptions', (backend) => {
  let db: TestDb;
  let point: TestPoint;
  const clock = testGridClock(); // 25 November 2026
  before(async () => {
    db = await backend.open();
    point = await givenSupplyPoint(db, { area: '03' });
  });
  after(() => db.close());

  const operations = () =>
    operatorOperations({
      db,
      clock: clock as unknown as SystemClock,
      clockControl: () => Promise.reject(new Error('not used')),
    });
  const audits = async () =>
    (await db.query<{ action: string; result: string }>(`SELECT action, result FROM hub.audit_log WHERE action = 'grid.interruption.record' ORDER BY audit_id`))
      .rows;

  test('records one at the point (JST, half-hours), audited; the list shows it with its discount rate', async () => {
    const recorded = await operations()['grid.interruption.record']({
      area: '03',
      point: point.supplyPointId,
      from: '2026-11-20T23:00',
      until: '2026-11-21 02:00',
      cause: '計画',
      note: '配電線工事',
      operator: 'ops@host',
    });
    assert.equal(recorded.supplyPointId, point.supplyPointId);
    assert.equal(recorded.from, '2026-11-20T14:00:00.000Z');
    assert.equal(recorded.until, '2026-11-20T17:00:00.000Z');
    assert.equal(recorded.cause, 'planned');
    assert.equal(recorded.discountPercent, 8, 'two calendar days touched, 4 % each');
    assert.equal(recorded.recordedBy, 'cli:ops@host');
    assert.equal(recorded.recordedAt, clock.now().toISOString(), 'on the sandbox clock');
    const listed = await operations()['grid.interruption.list']({ area: '03', point: point.supplyPointId });
    assert.deepEqual(
      listed.map((i) => [i.id, i.note]),
      [[recorded.id, '配電線工事']],
    );
    assert.deepEqual(await operations()['grid.interruption.list']({ area: '03', from: '2026-11-21T00:00' }), []);
    assert.deepEqual(await operations()['grid.interruption.list']({ area: '04' }), [], 'another area has its own');
    assert.deepEqual(await audits(), [{ action: 'grid.interruption.record', result: 'OK' }]);
  });

  test('a bad input is refused with its code and Japanese message, audited, and nothing is written', async () => {
    const count = async () => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM grid_03.interruption')).rows[0]!.n);
    const before = await count();
    const refused = await operations()
      ['grid.interruption.record']({
        area: '03',
        point: point.supplyPointId,
        from: '2026-11-22T10:00',
        until: '2026-11-22T09:30',
        cause: '事故',
        operator: 'ops',
      })
      .then(
        () => assert.fail('not refused'),
        (error: unknown) => error,
      );
    assert.ok(isRefusal(refused));
    assert.equal(refused.code, 'PPS_INTERRUPTION_PERIOD_INVALID');
    assert.equal(refused.text, '制限・中止の終了日時は開始日時より後で、期間は31日以内としてください（開始 2026-11-22 10:00、終了 2026-11-22 09:30）。');
    const unknownArea = await operations()
      ['grid.interruption.record']({ area: '11', point: point.supplyPointId, from: '2026-11-22T10:00', until: '2026-11-22T11:00', cause: '事故' })
      .catch((error: unknown) => error);
    assert.ok(isRefusal(unknownArea) && unknownArea.code === 'AREA_UNKNOWN');
    assert.equal(await count(), before);
    assert.deepEqual((await audits()).at(-1), { action: 'grid.interruption.record', result: 'PPS_INTERRUPTION_PERIOD_INVALID' });
  });
});
