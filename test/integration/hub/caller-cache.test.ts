import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachBackend } from '../../support/backends.ts';
import { openPostgres } from '../../../src/platform/db/postgres.ts';
import type { Db } from '../../../src/platform/db/db.ts';
import { CallerCache } from '../../../src/hub/identity/caller-cache.ts';
import { suspend, resume } from '../../../src/hub/identity/suspension.commands.ts';
import { givenIdentityWorld, testClock } from '../../../src/hub/identity/testing.ts';

forEachBackend('caller cache', (backend) => {
  test('remembers an admitted caller without asking the database again', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const world = await givenIdentityWorld(db, clock);
    const cache = new CallerCache(db, clock);
    await cache.start();
    try {
      const fp = world.certificates.aApi.certificate.fingerprint256;
      assert.equal((await cache.identify(fp)).participant.companyCode, '1003');
      await db.query(`UPDATE hub.participant SET name = 'changed behind its back' WHERE company_code = '1003'`);
      assert.notEqual((await cache.identify(fp)).participant.name, 'changed behind its back');
    } finally {
      await cache.stop();
    }
  });

  test('a suspension in another process reaches this process’s cache through NOTIFY', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const world = await givenIdentityWorld(db, clock);
    // On PostgreSQL the "other process" is another pool on the same database; on PGlite, the same one.
    const other: Db = db.url ? await openPostgres(db.url) : db;
    const cache = new CallerCache(other, clock);
    await cache.start();
    try {
      const fp = world.certificates.aApi.certificate.fingerprint256;
      await cache.identify(fp);
      if (other === db) {
        await suspend(db, clock, world.actors.hubAdmin, { target: { kind: 'certificate', id: fp }, reason: '紛失' });
      } else {
        // While the suspension is not yet committed, the other process looks the caller up again and
        // remembers it as active; only the NOTIFY delivered at the commit can make it forget.
        await db.transaction(async (tx) => {
          await suspend(tx, clock, world.actors.hubAdmin, { target: { kind: 'certificate', id: fp }, reason: '紛失' });
          await cache.identify(fp);
        });
      }
      let refused = false;
      for (let i = 0; i < 50 && !refused; i++) {
        refused = await cache.identify(fp).then(
          () => false,
          (e: { code?: string }) => e.code === 'AUTH_TERMINAL_REFUSED',
        );
        if (!refused) await sleep(20);
      }
      assert.ok(refused, 'the suspended certificate is refused within a second');
      await resume(db, clock, world.actors.hubAdmin, { target: { kind: 'certificate', id: fp }, reason: '発見' });
      assert.equal((await cache.identify(fp)).certificate.fingerprint256, fp);
    } finally {
      await cache.stop();
      if (other !== db) await other.close();
    }
  });

  test('refuses a remembered certificate once the clock passes its end of validity', async () => {
    await using db = await backend.open();
    const clock = testClock();
    const world = await givenIdentityWorld(db, clock);
    const cache = new CallerCache(db, clock);
    await cache.start();
    try {
      const fp = world.certificates.aApi.certificate.fingerprint256;
      await cache.identify(fp);
      clock.advance(3 * 365 * 86_400_000);
      await assert.rejects(cache.identify(fp), { code: 'AUTH_TERMINAL_REFUSED' });
    } finally {
      await cache.stop();
    }
  });
});
