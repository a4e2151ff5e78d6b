/**
 * The hub's published suspensions as a long poll (`/api/v1/credential-status?since=N&wait=S`,
 * issue 19): a follower waiting is answered at the suspension, not at the end of its wait; with
 * nothing new the answer comes empty after the wait; retailers may not follow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { startTestHub } from '../../support/hub-server.ts';
import { buildCertificate, buildGridOperator, givenCertificate, givenParticipant } from '../../../src/hub/identity/testing.ts';
import { suspend } from '../../../src/hub/identity/suspension.commands.ts';
import { systemActor } from '../../../src/hub/policy.ts';

forEachBackend('credential status: the long poll', (backend) => {
  test('a waiting follower is answered at the suspension; with nothing new, empty after its wait', async () => {
    await using db = await backend.open();
    const hub = await startTestHub(db);
    try {
      await givenParticipant(db, hub.clock, buildGridOperator('03'));
      await givenCertificate(db, hub.clock, { participantCode: 'G0033', usage: 'api' });
      const grid = hub.withCert(buildCertificate({ participantCode: 'G0033', usage: 'api' }).cert);
      const start = (await grid.get('/api/v1/credential-status?since=0')).json().data.next as number;

      let started = performance.now();
      const idle = (await grid.get(`/api/v1/credential-status?since=${start}&wait=1`)).json().data;
      assert.deepEqual(idle, { changes: [], next: start });
      assert.ok(performance.now() - started >= 900, 'waited about a second');

      started = performance.now();
      const waiting = grid.get(`/api/v1/credential-status?since=${start}&wait=20`);
      const fingerprint = hub.world.certificates.aApi.certificate.fingerprint256;
      await suspend(db, hub.clock, systemActor, { target: { kind: 'certificate', id: fingerprint }, reason: '紛失' });
      const answer = (await waiting).json().data;
      assert.ok(performance.now() - started < 5_000, `answered at the change, not after 20 s (${Math.round(performance.now() - started)} ms)`);
      assert.deepEqual(
        answer.changes.map((c: { kind: string; id: string; status: string }) => [c.kind, c.id, c.status]),
        [['certificate', fingerprint, 'suspended']],
      );
      assert.equal(answer.next, answer.changes[0].position);
      assert.equal((await hub.as('bTerminal').get('/api/v1/credential-status?since=0&wait=1')).status, 403, 'retailers do not follow');
    } finally {
      await hub.close();
    }
  });
});
