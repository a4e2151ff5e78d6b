/**
 * The grids' data provision sites carried by the hub's HTTPS server (one process, HALFHOURLY.md B1):
 * the hub authenticates the connection, the grid decides from its own registry; a suspension at the
 * hub takes effect on the site at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { Grid } from '../../../src/grid/grid.ts';
import { registerProvisionSite } from '../../../src/grid/provision/site.routes.ts';
import { runW4Schedule } from '../../../src/grid/provision/schedule.ts';
import { registerPpsCertificate } from '../../../src/grid/provision/site.repository.ts';
import { givenSupplyPoint } from '../../../src/grid/testing.ts';
import { buildCertificate, testClock } from '../../../src/hub/identity/testing.ts';
import { resume, suspend } from '../../../src/hub/identity/suspension.commands.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, worldCertificates, type TestHub } from '../../support/hub-server.ts';

forEachBackend('data provision site on the hub’s server', (backend) => {
  let db: TestDb;
  let hub: TestHub;
  before(async () => {
    db = await backend.open();
    const clock = testClock();
    const grid = new Grid({ area: '03', db, clock });
    hub = await startTestHub(db, {
      clock,
      extraRoutes: (app) => registerProvisionSite(app, { grids: new Map([['03', grid.context]]) }),
    });
    await givenSupplyPoint(db, { retailerCode: '10033' });
    await registerPpsCertificate(db, 'grid_03', '03', { pem: buildCertificate(worldCertificates.aApi).cert.certPem, participantCode: '10033' }, new Date());
    await runW4Schedule(grid.context);
  });
  after(async () => {
    await hub?.close();
    await db.close();
  });

  test('a registered retailer lists its files at /grid/03/PPS/; a hub-registered certificate the grid does not know gets 403', async () => {
    const list = await hub.as('aApi').get('/grid/03/PPS/30min/FileListReceiver');
    assert.equal(list.status, 200);
    assert.match(list.body, /rfilename1:"W41/);
    const other = await hub.as('bTerminal').get('/grid/03/PPS/30min/FileListReceiver');
    assert.equal(other.status, 403);
    assert.match(other.body, /PPS_CERT_NOT_REGISTERED/);
    const unknownArea = await hub.as('aApi').get('/grid/06/PPS/30min/FileListReceiver');
    assert.equal(unknownArea.status, 404, 'an area whose grid is not in this process');
    void iconv;
  });

  test('a suspension at the hub refuses the certificate on the site at once, and resuming lets it in again', async () => {
    const fingerprint = hub.world.certificates.aApi.certificate.fingerprint256;
    await suspend(db, hub.clock, hub.world.actors.hubAdmin, { target: { kind: 'certificate', id: fingerprint }, reason: '紛失の届出' });
    assert.equal((await hub.as('aApi').get('/grid/03/PPS/30min/FileListReceiver')).status, 403);
    await resume(db, hub.clock, hub.world.actors.hubAdmin, { target: { kind: 'certificate', id: fingerprint }, reason: '発見' });
    assert.equal((await hub.as('aApi').get('/grid/03/PPS/30min/FileListReceiver')).status, 200);
    await suspend(db, hub.clock, hub.world.actors.hubAdmin, { target: { kind: 'participant', id: '1003' }, reason: '調査中' });
    assert.equal((await hub.as('aApi').get('/grid/03/PPS/v1/files')).status, 403);
  });
});
