/**
 * Demo codes became numeric like real ones (issue 16): a sandbox home made before keeps its demo
 * with letter codes, which stay valid, and a later start adds no second set of demo retailers
 * beside it nor overwrites its DEMO.md, the only record of its initial passwords.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachBackend } from '../../support/backends.ts';
import { ensureDemoIdentities, formerDemoCompanyCode, hasFormerDemoCodes } from '../../../src/demo/demo.ts';
import { listParticipants } from '../../../src/hub/identity/participant.commands.ts';
import { buildRetailer, givenParticipant, migrateHub, testClock } from '../../../src/hub/identity/testing.ts';
import { loadHubPki, pkiDir } from '../../../src/hub/pki/hub-pki.ts';

test('the former demo code of a retailer has its first digit as a letter (1 A, 2 B, 3 C)', () => {
  // Written in pieces, so that the rename of the codes in the sources does not rewrite them.
  assert.equal(formerDemoCompanyCode('1003'), 'A' + '003');
  assert.equal(formerDemoCompanyCode('2001'), 'B' + '001');
  assert.equal(formerDemoCompanyCode('3002'), 'C' + '002');
});

forEachBackend('a sandbox home made with the former letter codes', (backend) => {
  test('is left as it is: no numeric demo retailers are added and DEMO.md is not rewritten', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    const clock = testClock();
    const former = formerDemoCompanyCode('1003');
    await givenParticipant(db, clock, buildRetailer({ companyCode: former, name: 'デモ東京電力エナジー株式会社', areas: ['03'] }));
    const home = mkdtempSync(join(tmpdir(), 'kirikae-former-home-'));
    writeFileSync(join(home, 'DEMO.md'), 'the first start wrote this\n');
    const pki = await loadHubPki(pkiDir(home), new Date());

    assert.equal(await hasFormerDemoCodes(db), true);
    assert.equal(await ensureDemoIdentities(db, clock, pki, home), undefined);

    const codes = (await listParticipants(db, {}, { size: 100 })).items.map((p) => p.companyCode);
    assert.deepEqual(codes, [former]);
    assert.equal(readFileSync(join(home, 'DEMO.md'), 'utf8'), 'the first start wrote this\n');
    assert.equal(existsSync(join(pki.dir, 'api')), false);
  });

  test('a home with numeric demo codes, or none yet, is not taken for one', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    assert.equal(await hasFormerDemoCodes(db), false);
    await givenParticipant(db, testClock(), buildRetailer({ companyCode: '1003' }));
    assert.equal(await hasFormerDemoCodes(db), false);
  });
});
