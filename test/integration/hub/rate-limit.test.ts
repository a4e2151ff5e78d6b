/**
 * The per-participant rate limit: a token bucket in the hub's database, spent a lease at a time by
 * each hub process. Time is a manual clock throughout: nothing here sleeps.
 *
 * "Two processes" are two limiters or two hubs on one database. On PostgreSQL the second has its
 * own connection pool, as a second process would; on PGlite both share the one in-process database
 * (PGlite is a single process: the test shows the same code path, not a second process).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, type TestHub } from '../../support/hub-server.ts';
import { rateBuckets } from '../../../src/hub/http/rate-bucket.repository.ts';
import { migrateHub } from '../../../src/hub/identity/testing.ts';
import { ManualClock } from '../../../src/platform/clock.ts';
import type { Db } from '../../../src/platform/db/db.ts';
import { openPostgres } from '../../../src/platform/db/postgres.ts';
import { defaultRateLimit, RateLimiter, type RateLimit } from '../../../src/platform/http/rate-limit.ts';

/** The real time the rate limit runs on, frozen and moved by hand. */
function rateClock(): ManualClock {
  return new ManualClock('2026-04-01T09:00:00Z');
}

/** Runs `fn` with the same database as a second process would open it: its own pool on PostgreSQL. */
async function asSecondProcess<T>(db: TestDb, fn: (other: Db) => Promise<T>): Promise<T> {
  if (!db.url) return fn(db);
  const other = await openPostgres(db.url);
  try {
    return await fn(other);
  } finally {
    await other.close();
  }
}

async function admitted(limiter: RateLimiter, key: string, requests: number): Promise<number> {
  const decisions = await Promise.all(Array.from({ length: requests }, () => limiter.take(key)));
  return decisions.filter((d) => d.allowed).length;
}

forEachBackend('rate limit buckets', (backend) => {
  async function withLimiter(limit: RateLimit, fn: (limiter: RateLimiter, clock: ManualClock, db: TestDb) => Promise<void>) {
    await using db = await backend.open();
    await migrateHub(db);
    const clock = rateClock();
    const limiter = new RateLimiter(rateBuckets(db), limit, clock);
    await fn(limiter, clock, db);
    await limiter.settled();
  }

  test('admits exactly the default burst of 200 from a participant at one instant, then refuses', () =>
    withLimiter(defaultRateLimit, async (limiter) => {
      // The probe: 2,000 requests as fast as a client can send them.
      assert.equal(await admitted(limiter, '1003', 2_000), 200);
      const refused = await limiter.take('1003');
      assert.equal(refused.allowed, false);
      assert.equal(refused.retryAfterSeconds, 1, 'a lease of 20 refills in 0.2 s: retry after a second');
      assert.equal(await admitted(limiter, '2001', 5), 5, 'another participant has its own bucket');
    }));

  test('refills at the rate as the clock moves, never beyond the burst', () =>
    withLimiter({ perMinute: 60, burst: 5 }, async (limiter, clock) => {
      const take = async (n: number) => {
        const decisions = [];
        for (let i = 0; i < n; i++) decisions.push((await limiter.take('1003')).allowed);
        return decisions.filter(Boolean).length;
      };
      assert.equal(await take(8), 5);
      assert.deepEqual(await limiter.take('1003'), { allowed: false, retryAfterSeconds: 1 });
      clock.advance(999);
      assert.equal(await take(1), 0, 'not a whole token yet');
      clock.advance(1);
      assert.equal(await take(3), 1, 'one a second');
      clock.advance(3_000);
      assert.equal(await take(5), 3);
      clock.advance(10 * 60_000);
      assert.equal(await take(8), 5, 'ten idle minutes fill the bucket to the burst, not to 600');
    }));

  test('tells a refused client to come back when its bucket will have refilled a lease', () =>
    withLimiter({ perMinute: 6, burst: 3 }, async (limiter, clock) => {
      assert.equal(await admitted(limiter, '1003', 4), 3);
      assert.deepEqual(await limiter.take('1003'), { allowed: false, retryAfterSeconds: 10 }, 'one token every 10 s');
      clock.advance(4_000);
      assert.deepEqual(await limiter.take('1003'), { allowed: false, retryAfterSeconds: 6 });
      clock.advance(6_000);
      assert.equal((await limiter.take('1003')).allowed, true);
    }));

  test('takes leases of the largest configurable limit, after years idle, without overflowing', () =>
    withLimiter({ perMinute: 1_000_000_000, burst: 1_000_000_000 }, async (limiter, clock, db) => {
      // A lease of 16,666,666 tokens is 10^12 units of credit: bigint arithmetic, not integer.
      // Each new limiter (a process) takes its own first lease from the now existing bucket.
      const anotherProcess = () => new RateLimiter(rateBuckets(db), { perMinute: 1_000_000_000, burst: 1_000_000_000 }, clock);
      assert.equal(await admitted(limiter, '1003', 3), 3);
      assert.equal(await admitted(anotherProcess(), '1003', 3), 3);
      clock.advance(10 * 365 * 24 * 3_600_000);
      assert.equal(await admitted(anotherProcess(), '1003', 3), 3);
    }));

  test('holds one bucket for a participant across two processes on the same database', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    await asSecondProcess(db, async (otherDb) => {
      const clock = rateClock();
      const first = new RateLimiter(rateBuckets(db), defaultRateLimit, clock);
      const second = new RateLimiter(rateBuckets(otherDb), defaultRateLimit, clock);
      // Both processes at once, 300 requests each: together they get the one burst, not two.
      // How the burst splits between them depends on which leases first (one may take it all); the
      // total is what a shared bucket holds to.
      const [a, b] = await Promise.all([admitted(first, '1003', 300), admitted(second, '1003', 300)]);
      assert.equal(a + b, 200, `one burst between both processes (${a} + ${b})`);
      // A second later the bucket holds 100 more, shared the same way.
      clock.advance(1_000);
      const [c, d] = await Promise.all([admitted(first, '1003', 300), admitted(second, '1003', 300)]);
      assert.equal(c + d, 100);
      await Promise.all([first.settled(), second.settled()]);
    });
  });
});

forEachBackend('rate limit over HTTPS', (backend) => {
  /** Two hubs on one database, as two processes behind a load balancer, sharing one rate clock. */
  async function withTwoHubs(limit: { requestsPerMinute: number; requestBurst: number }, fn: (hubs: [TestHub, TestHub], clock: ManualClock) => Promise<void>) {
    await using db = await backend.open();
    const clock = rateClock();
    const first = await startTestHub(db, { ...limit, rateLimitClock: clock });
    try {
      await asSecondProcess(db, async (otherDb) => {
        const second = await startTestHub(otherDb, { ...limit, rateLimitClock: clock, world: first.world });
        try {
          await fn([first, second], clock);
        } finally {
          await second.close();
        }
      });
    } finally {
      await first.close();
    }
  }

  test('refuses a participant past its burst on any hub, in JSON, SOAP and on the web, with Retry-After', () =>
    withTwoHubs({ requestsPerMinute: 60, requestBurst: 6 }, async ([first, second], clock) => {
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await first.as('aApi').get('/api/v1/me')).status);
        statuses.push((await second.as('aApi').get('/api/v1/me')).status);
      }
      assert.equal(statuses.filter((s) => s === 200).length, 6, `one burst of 6 across both hubs: ${statuses.join(' ')}`);
      assert.deepEqual(statuses.slice(6), [429, 429, 429, 429]);

      const json = await first.as('aApi').get('/api/v1/me');
      assert.equal(json.status, 429);
      assert.equal(json.headers['retry-after'], '1');
      assert.equal(json.json().result, 'NG');
      assert.equal(json.json().messages[0].code, 'HTTP_RATE_LIMITED');

      const soap = await second.as('aApi').post('/soap/IF_10110', { body: '<x/>', headers: { 'content-type': 'text/xml' } });
      assert.equal(soap.status, 429);
      assert.equal(soap.headers['retry-after'], '1');
      assert.match(soap.body, /<soap:Fault>/);
      assert.match(soap.body, /<k:code>HTTP_RATE_LIMITED<\/k:code>/);

      // The same participant's person at a terminal shares the participant's bucket.
      const web = await first.as('aTerminal').get('/login', { accept: 'text/html' });
      assert.equal(web.status, 429);
      assert.equal(web.headers['retry-after'], '1');
      assert.match(String(web.headers['content-type']), /text\/html/);
      assert.ok(web.body.includes('短時間に多数の要求があったため'), web.body);

      assert.equal((await second.as('bTerminal').get('/login')).status, 200, 'another participant has its own bucket');

      clock.advance(2_000);
      const after = [
        (await second.as('aApi').get('/api/v1/me')).status,
        (await first.as('aApi').get('/api/v1/me')).status,
        (await second.as('aApi').get('/api/v1/me')).status,
      ];
      assert.deepEqual(after.sort(), [200, 200, 429], 'two seconds refill two requests, shared by both hubs');
    }));
});
