import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { startTestHub } from '../../support/hub-server.ts';
import { testClock } from '../../../src/hub/identity/testing.ts';
import { rateLimitFromEnv, verificationRateLimit } from '../../../src/platform/http/rate-limit.ts';

forEachBackend("verification environment's rate limit", (backend) => {
  test('with its defaults a participant gets a burst of 20, then 429 with Retry-After, and 10 more a second after', async () => {
    await using db = await backend.open();
    const rateLimitClock = testClock('2026-11-25T10:00:00+09:00');
    const limit = rateLimitFromEnv({}, verificationRateLimit);
    const hub = await startTestHub(db, { requestsPerMinute: limit.perMinute, requestBurst: limit.burst, rateLimitClock, verification: true });
    try {
      const api = hub.as('aApi');
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await api.get('/api/v1/me')).status);
      assert.deepEqual(statuses.slice(0, 20), Array(20).fill(200));
      const refused = await api.get('/api/v1/me');
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assert.match(refused.body, /HTTP_RATE_LIMITED/);
      rateLimitClock.advance(1_000);
      const after: number[] = [];
      for (let i = 0; i < 12; i++) after.push((await api.get('/api/v1/me')).status);
      assert.ok(after.filter((s) => s === 200).length >= 9 && after.filter((s) => s === 200).length <= 11, after.join(','));
    } finally {
      await hub.close();
    }
  });
});
