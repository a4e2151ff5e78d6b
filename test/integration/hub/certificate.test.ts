import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { identifyCaller, listCertificates, registerCertificate } from '../../../src/hub/identity/certificate.commands.ts';
import { setCertificateStatus, setParticipantStatus } from '../../../src/hub/identity/suspension.commands.ts';
import {
  buildActor,
  buildCertificate,
  buildHub,
  buildRetailer,
  givenCertificate,
  givenParticipant,
  hubAdmin,
  migrateHub,
  testClock,
} from '../../../src/hub/identity/testing.ts';
import { systemActor } from '../../../src/hub/policy.ts';
import type { Db } from '../../../src/platform/db/db.ts';
import type { Clock } from '../../../src/platform/clock.ts';

async function givenRetailers(db: Db, clock: Clock) {
  await migrateHub(db);
  await givenParticipant(db, clock, buildHub());
  await givenParticipant(db, clock, buildRetailer({ companyCode: '1003', areas: ['03'] }));
  await givenParticipant(db, clock, buildRetailer({ companyCode: '2001', areas: ['03', '06'] }));
}

const refused = { code: 'AUTH_TERMINAL_REFUSED', text: 'お使いの端末では当システムを利用できません' };

forEachBackend('certificate registry', (backend) => {
  test('identifies the participant and terminal of a registered certificate', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const { cert } = buildCertificate({ participantCode: '20016', terminalName: '大阪支店 端末2' });
    const registered = await registerCertificate(db, clock, { certPem: cert.certPem, participantCode: '2001', registeredBy: hubAdmin });
    assert.equal(registered.usage, 'terminal');
    assert.equal(registered.boundCode, '20016');
    assert.equal(registered.terminalName, '大阪支店 端末2');
    assert.equal(registered.registeredBy, 'h000.admin');
    assert.equal(registered.status, 'active');

    const caller = await identifyCaller(db, clock, cert.fingerprint256.toUpperCase().match(/../g)!.join(':'));
    assert.deepEqual(caller, {
      participant: { companyCode: '2001', kind: 'retailer', name: 'テスト東京電力株式会社', status: 'active', areas: ['03', '06'] },
      certificate: { fingerprint256: cert.fingerprint256, usage: 'terminal', terminalName: '大阪支店 端末2' },
    });
  });

  test('an API certificate identifies its participant without a terminal name', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const { caller } = await givenCertificate(db, clock, { participantCode: '10033', usage: 'api' });
    assert.deepEqual(caller.certificate.usage, 'api');
    assert.equal(caller.certificate.terminalName, null);
  });

  test('the hub operator’s certificate may name its company code, having no area', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const { caller } = await givenCertificate(db, clock, { participantCode: 'H000' });
    assert.equal(caller.participant.kind, 'hub');
    assert.deepEqual(caller.participant.areas, []);
  });

  test('refuses a certificate naming another participant, or an area the participant is not registered in', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const other = buildCertificate({ participantCode: '20013' }).described;
    await assert.rejects(registerCertificate(db, clock, { described: other, participantCode: '1003', registeredBy: hubAdmin }), {
      code: 'AUTH_CERT_PARTICIPANT_MISMATCH',
    });
    const elsewhere = buildCertificate({ participantCode: '10036' }).described;
    await assert.rejects(registerCertificate(db, clock, { described: elsewhere, participantCode: '1003', registeredBy: hubAdmin }), {
      code: 'AUTH_CERT_PARTICIPANT_MISMATCH',
    });
    const tokyo = buildCertificate({ participantCode: '20013' }).described;
    await assert.rejects(registerCertificate(db, clock, { described: tokyo, participantCode: '20016', registeredBy: hubAdmin }), {
      code: 'AUTH_CERT_PARTICIPANT_MISMATCH',
    });
    await assert.rejects(registerCertificate(db, clock, { described: tokyo, participantCode: '3001', registeredBy: hubAdmin }), {
      code: 'AUTH_PARTICIPANT_NOT_FOUND',
    });
  });

  test('refuses a certificate that binds no participant, or has expired by the clock', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const notClient = { ...buildCertificate({ participantCode: '10033' }).described, participantCode: null, usage: null };
    await assert.rejects(registerCertificate(db, clock, { described: notClient, participantCode: '1003', registeredBy: hubAdmin }), {
      code: 'AUTH_CERT_NOT_CLIENT',
    });
    const old = buildCertificate({ participantCode: '10033', notBefore: '2024-01-01T00:00:00+09:00', validityDays: 30 }).described;
    await assert.rejects(registerCertificate(db, clock, { described: old, participantCode: '1003', registeredBy: hubAdmin }), {
      code: 'AUTH_CERT_EXPIRED',
    });
  });

  test('only a hub admin (or the system) registers certificates', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const { described } = buildCertificate({ participantCode: '10033' });
    const retailerAdmin = buildActor({ role: 'participant_admin' });
    await assert.rejects(registerCertificate(db, clock, { described, participantCode: '1003', registeredBy: retailerAdmin }), { code: 'AUTH_FORBIDDEN' });
    await registerCertificate(db, clock, { described, participantCode: '1003', registeredBy: systemActor });
  });

  test('refuses an unregistered certificate as an unusable terminal', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const { cert } = buildCertificate({ participantCode: '10033' });
    await assert.rejects(identifyCaller(db, clock, cert.fingerprint256), { ...refused, cause: 'certificate_unknown' });
    await assert.rejects(identifyCaller(db, clock, 'not a fingerprint'), refused);
  });

  test('refuses a suspended certificate, and accepts it again once resumed', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const { certificate } = await givenCertificate(db, clock, { participantCode: '10033' });
    await setCertificateStatus(db, clock, hubAdmin, certificate.fingerprint256, { status: 'suspended', reason: '端末の紛失' });
    await assert.rejects(identifyCaller(db, clock, certificate.fingerprint256), { ...refused, cause: 'certificate_suspended' });
    await setCertificateStatus(db, clock, hubAdmin, certificate.fingerprint256, { status: 'active', reason: '端末を回収' });
    assert.equal((await identifyCaller(db, clock, certificate.fingerprint256)).participant.companyCode, '1003');
  });

  test('registering a suspended certificate again leaves it suspended', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const { certificate, described } = await givenCertificate(db, clock, { participantCode: '10033' });
    await setCertificateStatus(db, clock, hubAdmin, certificate.fingerprint256, { status: 'suspended', reason: '不正利用の疑い' });
    const again = await registerCertificate(db, clock, { described, participantCode: '1003', registeredBy: systemActor });
    assert.equal(again.status, 'suspended');
    assert.equal(again.suspension?.reason, '不正利用の疑い');
  });

  test('refuses a certificate that has expired by the clock, though the handshake let it through', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const { certificate } = await givenCertificate(db, clock, { participantCode: '10033' });
    clock.set(new Date(certificate.notAfter.getTime() + 1000));
    await assert.rejects(identifyCaller(db, clock, certificate.fingerprint256), { ...refused, cause: 'certificate_expired' });
  });

  test('refuses every certificate of a suspended participant', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const terminal = await givenCertificate(db, clock, { participantCode: '10033' });
    const api = await givenCertificate(db, clock, { participantCode: '10033', usage: 'api' });
    await setParticipantStatus(db, clock, hubAdmin, '1003', { status: 'suspended', reason: '調査のため' });
    for (const { certificate } of [terminal, api]) {
      await assert.rejects(identifyCaller(db, clock, certificate.fingerprint256), { ...refused, cause: 'participant_suspended' });
    }
  });

  test('lists the registry by participant', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    await givenCertificate(db, clock, { participantCode: '10033' });
    await givenCertificate(db, clock, { participantCode: '10033', usage: 'api' });
    await givenCertificate(db, clock, { participantCode: '20016' });
    const a = await listCertificates(db, { companyCode: '1003' });
    assert.equal(a.total, 2);
    assert.deepEqual(a.items.map((c) => c.usage).sort(), ['api', 'terminal']);
    assert.equal((await listCertificates(db, { usage: 'terminal' })).total, 2);
    assert.equal((await listCertificates(db)).total, 3);
  });

  test('identifying a caller is one primary-key look-up', async () => {
    await using db = await backend.open();
    const clock = testClock();
    await givenRetailers(db, clock);
    const { certificate } = await givenCertificate(db, clock, { participantCode: '10033' });
    const queries: string[] = [];
    const counting = {
      ...db,
      query: (text: string, values?: readonly unknown[]) => {
        queries.push(text);
        return db.query(text, values);
      },
    } as typeof db;
    await identifyCaller(counting, clock, certificate.fingerprint256);
    assert.equal(queries.length, 1);
    const plan = await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off');
      const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${queries[0]!}`.replace('$1', `'${certificate.fingerprint256}'`));
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /Index Scan using certificate_pkey/);
    assert.match(plan, /Index Scan using participant_pkey/);
  });
});
