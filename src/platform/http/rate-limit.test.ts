import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRateLimit, leaseSize, RateLimiter, rateLimitFromEnv, type TokenStore } from './rate-limit.ts';

test('a lease is a tenth of the burst, at most one second of the rate, at least one request', () => {
  assert.equal(leaseSize(defaultRateLimit), 20, '6,000 a minute with a burst of 200');
  assert.equal(leaseSize({ perMinute: 6_000, burst: 5_000 }), 100, 'one second of the rate');
  assert.equal(leaseSize({ perMinute: 60, burst: 5 }), 1);
  assert.equal(leaseSize({ perMinute: 1, burst: 200 }), 1);
  assert.equal(leaseSize({ perMinute: 100_000_000, burst: 1_000_000 }), 100_000);
});

test('reads the rate and the burst from the environment, each defaulting on its own', () => {
  assert.deepEqual(rateLimitFromEnv({}), { perMinute: 6_000, burst: 200 });
  assert.deepEqual(rateLimitFromEnv({ KIRIKAE_RATE_LIMIT_PER_MINUTE: '600', KIRIKAE_RATE_LIMIT_BURST: ' 50 ' }), { perMinute: 600, burst: 50 });
  assert.deepEqual(rateLimitFromEnv({ KIRIKAE_RATE_LIMIT_BURST: '10' }), { perMinute: 6_000, burst: 10 });
});

test('refuses a rate or burst that is not a positive whole number', () => {
  for (const text of ['0', '-5', '1.5', 'many', '1e400']) {
    assert.throws(
      () => rateLimitFromEnv({ KIRIKAE_RATE_LIMIT_PER_MINUTE: text }),
      /KIRIKAE_RATE_LIMIT_PER_MINUTE must be a whole number from 1 to 1,000,000,000/,
    );
    assert.throws(() => rateLimitFromEnv({ KIRIKAE_RATE_LIMIT_BURST: text }), /KIRIKAE_RATE_LIMIT_BURST must be a whole number from 1 to 1,000,000,000/);
  }
  const store: TokenStore = { take: () => Promise.reject(new Error('never asked')) };
  assert.throws(() => new RateLimiter(store, { perMinute: 6_000, burst: 0 }), /burst must be a whole number/);
});
