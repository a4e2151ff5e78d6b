/**
 * `kirikae pki requests` and `kirikae pki decide` (issue 19): the operator's actions on certificate
 * requests, as the command runs them (on the database, or in the running system through its control
 * channel: the same function either way).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { requestCertificate } from '../../../src/hub/certificates/request.commands.ts';
import { openSystemClock } from '../../../src/hub/sandbox-clock.ts';
import { givenIdentityWorld, testCertificateAuthority, testClock } from '../../../src/hub/identity/testing.ts';
import { operatorOperations } from '../../../src/operations/operations.ts';
import { searchAudit } from '../../../src/hub/audit/audit.queries.ts';

forEachBackend('operator commands on certificate requests', (backend) => {
  test('lists the pending requests, refuses a refusal without a reason, and approves one so that it is issued at once in the sandbox', async () => {
    await using db = await backend.open();
    const { actors } = await givenIdentityWorld(db, testClock());
    const clock = await openSystemClock(db, 'sandbox');
    const ops = operatorOperations({
      db,
      clock,
      clockControl: async () => ({ clock }),
      certificates: async () => ({ ca: testCertificateAuthority(), schedule: { kind: 'immediate' } }),
    });
    const { request } = await requestCertificate(db, clock, actors.aAdmin, {
      usage: 'terminal',
      method: 'pkcs12',
      boundCode: '10033',
      commonName: '本社 端末5',
    });

    const pending = await ops['certificate.requests']({ pending: true });
    assert.deepEqual(
      pending.map((r) => [r.requestId, r.status, r.companyCode, r.subjectCn]),
      [[request.requestId, 'requested', '1003', '本社 端末5']],
    );
    await assert.rejects(ops['certificate.decide']({ requestId: request.requestId, approve: false, operator: 'ops@hub' }), { code: 'AUTH_REASON_REQUIRED' });
    const decided = await ops['certificate.decide']({ requestId: request.requestId, approve: true, operator: 'ops@hub' });
    assert.equal(decided.status, 'issued');
    assert.match(decided.fingerprint256 ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(await ops['certificate.requests']({ pending: true }), []);
    const audit = await searchAudit(db, { fingerprint: decided.fingerprint256! });
    assert.ok(audit.entries.some((e) => e.action === 'pki.approve' && e.sourceAddress === 'cli:ops@hub' && e.channel === 'cli'));
  });
});
