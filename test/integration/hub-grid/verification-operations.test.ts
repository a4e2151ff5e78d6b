/**
 * Operator commands that make no sense in the verification environment are refused with a code:
 * `kirikae seed` (the registry is the demo's that DEMO.md and the scenarios name, and a load of
 * millions of points is the high load slide 20 forbids). The same command on sandbox data runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { isRefusal } from '../../../src/domain/refusal.ts';
import { testGridClock } from '../../../src/grid/testing.ts';
import type { SystemClock } from '../../../src/hub/sandbox-clock.ts';
import { claimDataMode } from '../../../src/hub/verification/verification.repository.ts';
import { allMigrations } from '../../../src/operations/database.ts';
import { operatorOperations } from '../../../src/operations/operations.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';

forEachBackend('operator commands in the verification environment', (backend) => {
  const operationsOn = (db: Parameters<typeof operatorOperations>[0]['db']) =>
    operatorOperations({ db, clock: testGridClock() as unknown as SystemClock, clockControl: () => Promise.reject(new Error('not used')) });

  test('kirikae seed is refused VERIFY_OPERATION_REFUSED on verification data, nothing loaded, the refusal audited; on sandbox data it loads', async () => {
    await using db = await backend.open({ migrated: false });
    await migrate(db, allMigrations);
    await claimDataMode(db, 'verification', new Date());
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM grid_03.supply_point')).rows[0]!.n;
    const before = await count();
    await assert.rejects(
      operationsOn(db).seed({ points: 40, seed: 1, replace: true }, () => {}),
      (error) => isRefusal(error) && error.code === 'VERIFY_OPERATION_REFUSED' && /検証環境では kirikae seed は使えません/.test(error.text),
    );
    assert.equal(await count(), before, 'nothing loaded');
    const { rows } = await db.query<{ result: string }>(`SELECT result FROM hub.audit_log WHERE action = 'seed'`);
    assert.deepEqual(
      rows.map((r) => r.result),
      ['VERIFY_OPERATION_REFUSED'],
    );

    await using sandbox = await backend.open({ migrated: false });
    await migrate(sandbox, allMigrations);
    await claimDataMode(sandbox, 'sandbox', new Date());
    const seeded = await operationsOn(sandbox).seed({ points: 40, seed: 1, replace: true }, () => {});
    assert.equal(seeded.points, 40);
  });
});
