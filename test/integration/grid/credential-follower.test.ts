/**
 * A grid's data provision site following the hub's suspensions (provision/credential-follower.ts),
 * with the hub's answers scripted: a suspended certificate or company is refused 403 on the next
 * request, recorded in the site's registry; a resumption lets it in again; a hub that cannot be
 * asked leaves the last known state in force, and the follower catches up once it answers again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { request } from 'node:https';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { createCa } from '../../../src/platform/pki/ca.ts';
import { issueClientCert, issueServerCert } from '../../../src/platform/pki/issue.ts';
import { describeCert } from '../../../src/platform/pki/identity.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { createGridServer } from '../../../src/grid/server.ts';
import { testGridClock } from '../../../src/grid/testing.ts';
import { registerPpsCertificate } from '../../../src/grid/provision/site.repository.ts';
import { CredentialFollower, type CredentialChange, type CredentialSource } from '../../../src/grid/provision/credential-follower.ts';
import { forEachBackend } from '../../support/backends.ts';

const ca = createCa({ commonName: 'kirikae follower test CA' });
const serverCert = issueServerCert({ ca, hostnames: ['localhost', '127.0.0.1'] });
const a003 = issueClientCert({ ca, participantCode: '1003', usage: 'api' });
const b001 = issueClientCert({ ca, participantCode: '2001', usage: 'api' });
const fingerprintA = describeCert(a003.certPem).fingerprint256;

function get(base: string, cert: { certPem: string; keyPem: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/grid/03/PPS/30min/FileListReceiver', base), { cert: cert.certPem, key: cert.keyPem, ca: ca.certPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The hub, scripted: the changes published so far, and whether it answers. */
function scriptedHub() {
  const published: CredentialChange[] = [];
  let reachable = true;
  const asked: number[] = [];
  const source: CredentialSource = async (since) => {
    asked.push(since);
    if (!reachable) throw new Error('connect ECONNREFUSED');
    const changes = published.filter((c) => c.position > since);
    return { changes, next: changes.at(-1)?.position ?? since };
  };
  const publish = (kind: CredentialChange['kind'], id: string, status: CredentialChange['status']) =>
    published.push({ position: published.length + 1, kind, id, companyCode: null, status });
  return { source, publish, asked, setReachable: (on: boolean) => (reachable = on) };
}

forEachBackend('the data provision site follows the hub’s suspensions', (backend) => {
  test('suspended certificates and companies are refused 403 and recorded; resumed, let in; an unreachable hub changes nothing', async () => {
    await using db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const grid = new Grid({ area: '03', db, clock: testGridClock('2026-11-25T10:00:00+09:00') });
    await registerPpsCertificate(db, 'grid_03', '03', { pem: a003.certPem, participantCode: '10033' }, new Date());
    await registerPpsCertificate(db, 'grid_03', '03', { pem: b001.certPem, participantCode: '20013' }, new Date());
    const hub = scriptedHub();
    hub.publish('certificate', fingerprintA, 'suspended');
    hub.publish('user', '2001.user', 'suspended');
    const follower = new CredentialFollower(hub.source, [grid.context]);
    const app = createGridServer({
      grids: [grid],
      tls: { keyPem: serverCert.keyPem, certPem: serverCert.certPem, caPems: [ca.certPem] },
      provision: { grids: new Map([['03', grid.context]]), credentials: follower },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `https://localhost:${(app.server.address() as AddressInfo).port}`;
    try {
      assert.equal((await get(base, a003)).status, 200, 'before the follower caught up');
      await follower.catchUp();
      assert.equal(follower.position, 2);
      const refused = await get(base, a003);
      assert.equal(refused.status, 403);
      const suspendedAt = await db.query<{ suspended_at: Date | null; suspended_reason: string | null }>(
        'SELECT suspended_at, suspended_reason FROM grid_03.pps_certificate WHERE fingerprint256 = $1',
        [fingerprintA],
      );
      assert.ok(suspendedAt.rows[0]!.suspended_at);
      assert.equal((await get(base, b001)).status, 200, 'a user ID suspended at the hub does not touch the site');

      hub.publish('certificate', fingerprintA, 'active');
      hub.publish('participant', '2001', 'suspended');
      await follower.catchUp();
      assert.equal((await get(base, a003)).status, 200, 'resumed');
      assert.equal((await get(base, b001)).status, 403, 'the company suspended: all its certificates');

      hub.setReachable(false);
      await assert.rejects(follower.catchUp(), /ECONNREFUSED/);
      assert.equal((await get(base, b001)).status, 403, 'the last known state stays in force');
      hub.setReachable(true);
      hub.publish('participant', '2001', 'active');
      await follower.catchUp();
      assert.equal((await get(base, b001)).status, 200);
      assert.equal(follower.position, 5);
    } finally {
      await follower.stop();
      await app.close();
    }
  });
});
