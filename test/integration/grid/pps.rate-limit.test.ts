/**
 * The rate limit of `kirikae grid serve`'s data provision sites, as the hub's: a token bucket per
 * participant and area in the area's `pps_rate_bucket` (shared by every process serving the site),
 * refilled by the real time (a manual clock here); past it, 429 HTTP_RATE_LIMITED with Retry-After.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { request } from 'node:https';
import type { FastifyInstance } from 'fastify';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { createCa } from '../../../src/platform/pki/ca.ts';
import { issueClientCert, issueServerCert } from '../../../src/platform/pki/issue.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { createGridServer } from '../../../src/grid/server.ts';
import { testGridClock } from '../../../src/grid/testing.ts';
import { registerPpsCertificate, siteAuditOf } from '../../../src/grid/provision/site.repository.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';

const ca = createCa({ commonName: 'kirikae pps rate test CA' });
const serverCert = issueServerCert({ ca, hostnames: ['localhost', '127.0.0.1'] });
const a003 = issueClientCert({ ca, participantCode: '1003', usage: 'api' });
const b001 = issueClientCert({ ca, participantCode: '2001', usage: 'api' });

async function get(url: string, cert: { certPem: string; keyPem: string }) {
  return new Promise<{ status: number; retryAfter: string | undefined; text: string }>((resolve, reject) => {
    const req = request(url, { cert: cert.certPem, key: cert.keyPem, ca: ca.certPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

forEachBackend('the data provision site’s rate limit (grid serve)', (backend) => {
  let db: TestDb;
  let app: FastifyInstance;
  let base: string;
  const clock = testGridClock('2026-11-25T10:00:00+09:00');
  const rateClock = testGridClock('2026-01-01T00:00:00Z');

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03'), gridMigrations('06')]);
    const tokyo = new Grid({ area: '03', db, clock });
    const kansai = new Grid({ area: '06', db, clock });
    const now = new Date();
    await registerPpsCertificate(db, 'grid_03', '03', { pem: a003.certPem, participantCode: '10033' }, now);
    await registerPpsCertificate(db, 'grid_03', '03', { pem: b001.certPem, participantCode: '20013' }, now);
    await registerPpsCertificate(db, 'grid_06', '06', { pem: a003.certPem, participantCode: '10036' }, now);
    app = createGridServer({
      grids: [tokyo, kansai],
      tls: { keyPem: serverCert.keyPem, certPem: serverCert.certPem, caPems: [ca.certPem] },
      provision: {
        grids: new Map([
          ['03', tokyo.context],
          ['06', kansai.context],
        ]),
        rateLimit: { limit: { perMinute: 60, burst: 3 }, clock: rateClock },
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `https://localhost:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('a participant past its burst is refused 429 with Retry-After, per participant and area; the bucket refills with time', async () => {
    const list = `${base}/grid/03/PPS/30min/FileListReceiver`;
    for (let i = 0; i < 3; i++) assert.equal((await get(list, a003)).status, 200, `request ${i + 1} of the burst`);
    const refused = await get(list, a003);
    assert.equal(refused.status, 429);
    assert.match(refused.text, /data-code="HTTP_RATE_LIMITED"/);
    assert.match(refused.text, /短時間に多数の要求があったため/);
    assert.ok(Number(refused.retryAfter) >= 1, `Retry-After: ${refused.retryAfter}`);
    // The JSON twin answers the same refusal as JSON.
    const json = await get(`${base}/grid/03/PPS/v1/files`, a003);
    assert.equal(json.status, 429);
    assert.equal(JSON.parse(json.text).messages[0].code, 'HTTP_RATE_LIMITED');
    assert.equal((await get(list, b001)).status, 200, 'another participant has its own bucket');
    assert.equal((await get(`${base}/grid/06/PPS/30min/FileListReceiver`, a003)).status, 200, 'the same company in another area has its own');
    rateClock.set('2026-01-01T00:00:02Z'); // 60 a minute: two seconds give two requests
    assert.equal((await get(list, a003)).status, 200);
    assert.equal((await get(list, a003)).status, 200);
    assert.equal((await get(list, a003)).status, 429);
  });

  test('the refusals are audited', async () => {
    const audit = await siteAuditOf(db, 'grid_03', 100);
    assert.ok(audit.some((e) => e.participantCode === '10033' && e.result === 'HTTP_RATE_LIMITED'));
  });
});
