import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limit.ts';

test('allows the limit per key in a window, then refuses until the next window', () => {
  let now = 0;
  const limiter = new RateLimiter(2, 60_000, () => now);
  assert.deepEqual([limiter.take('A003'), limiter.take('A003'), limiter.take('A003')].map((d) => d.allowed), [true, true, false]);
  assert.equal(limiter.take('B001').allowed, true, 'each key has its own budget');
  now = 30_000;
  assert.equal(limiter.take('A003').retryAfterSeconds, 30);
  now = 60_000;
  assert.equal(limiter.take('A003').allowed, true);
});
