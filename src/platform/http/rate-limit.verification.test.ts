import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRateLimit, rateLimitFromEnv, verificationRateLimit } from './rate-limit.ts';

test("the verification environment's rate limit is a tenth of production's, and the variables still override it", () => {
  assert.deepEqual(rateLimitFromEnv({}, verificationRateLimit), { perMinute: 600, burst: 20 });
  assert.ok(verificationRateLimit.perMinute * 10 <= defaultRateLimit.perMinute);
  assert.deepEqual(rateLimitFromEnv({ KIRIKAE_RATE_LIMIT_BURST: '5' }, verificationRateLimit), { perMinute: 600, burst: 5 });
  assert.deepEqual(rateLimitFromEnv({}), defaultRateLimit);
});
