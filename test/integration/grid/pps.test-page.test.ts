/**
 * The data provision test page of the verification environment (slide 37): on each grid's site, a
 * sample of every kind of file with dummy data, never refreshed, pulled by a retailer's client given
 * `{site}test/` as its base and downloaded from the screen; absent outside verification mode.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { createGridServer } from '../../../src/grid/server.ts';
import { givenSupplyPoint, testGridClock } from '../../../src/grid/testing.ts';
import { runW4Schedule } from '../../../src/grid/provision/schedule.ts';
import { registerPpsCertificate, siteAuditOf } from '../../../src/grid/provision/site.repository.ts';
import { sampleDate, sampleKinds, sampleMakerOf } from '../../../src/grid/provision/samples.ts';
import { csvReportKinds, ppsKinds } from '../../../src/domain/pps-file.ts';
import { parseCsvReport, parseW4, parseW5, PpsClient, type PpsHttpError } from '../../../src/sdk/pps.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { ppsSitePki } from '../../support/pps-site.ts';

const { ca, serverTls, a003, b001, unregistered, raw } = ppsSitePki('kirikae pps test page CA');

forEachBackend('the data provision test page of the verification environment', (backend) => {
  let db: TestDb;
  let verification: FastifyInstance;
  let production: FastifyInstance;
  let site: string;
  let plainSite: string;
  const clock = testGridClock('2026-11-25T10:00:00+09:00');
  let client: PpsClient;
  let otherClient: PpsClient;

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    const grid = new Grid({ area: '03', db, clock });
    await givenSupplyPoint(db, { retailerCode: '10033' });
    await registerPpsCertificate(db, 'grid_03', '03', { pem: a003.certPem, participantCode: '10033' }, new Date());
    await registerPpsCertificate(db, 'grid_03', '03', { pem: b001.certPem, participantCode: '20013' }, new Date());
    await runW4Schedule(grid.context);
    const provision = { grids: new Map([['03' as const, grid.context]]) };
    verification = createGridServer({ grids: [grid], tls: serverTls, provision: { ...provision, verification: true } });
    production = createGridServer({ grids: [grid], tls: serverTls, provision });
    await verification.listen({ host: '127.0.0.1', port: 0 });
    await production.listen({ host: '127.0.0.1', port: 0 });
    site = `https://localhost:${(verification.server.address() as AddressInfo).port}/grid/03/PPS/`;
    plainSite = `https://localhost:${(production.server.address() as AddressInfo).port}/grid/03/PPS/`;
    client = new PpsClient({ baseUrl: `${site}test/`, certPem: a003.certPem, keyPem: a003.keyPem, caPem: ca.certPem });
    otherClient = new PpsClient({ baseUrl: `${site}test/`, certPem: b001.certPem, keyPem: b001.keyPem, caPem: ca.certPem });
  });
  after(async () => {
    client.close();
    otherClient.close();
    await verification.close();
    await production.close();
    await db.close();
  });

  const bpCodes = ppsKinds.map((k) => k.code);
  const csvCodes = csvReportKinds.map((k) => k.code);

  test("a retailer's client given {site}test/ pulls a sample of every W4, W5 and CSV kind, the same both ways, and each is a valid file of its kind with dummy data", async () => {
    const { files, cursor } = await client.list();
    assert.deepEqual(
      files.map((f) => f.kind),
      [...bpCodes, ...csvCodes],
    );
    assert.deepEqual((await client.list({ cursor })).files, [], 'nothing after the cursor');
    const bp = files.filter((f) => !f.name.startsWith('STD_'));
    assert.deepEqual(
      await client.listReceiver(),
      bp.map((f) => ({ name: f.name, size: f.size })),
      'the FileListReceiver list of 30min/ names the same BP files',
    );
    const reports = files.filter((f) => f.name.startsWith('STD_'));
    assert.deepEqual(
      await client.listReceiver('report'),
      reports.map((f) => ({ name: f.name, size: f.size })),
      'the FileListReceiver list of report/ names the CSV reports',
    );
    for (const info of files) {
      assert.equal(info.target, info.kind === 'STD_GENSHIWAKE_G' ? '2026-03-01' : sampleDate, 'the monthly report names the month before');
      const zip = await client.download(info.name, info); // checks size and SHA-256
      if (info.name.startsWith('STD_')) {
        const report = parseCsvReport(zip);
        assert.ok(report.rows.length > 0, `${info.name}: rows`);
        for (const row of report.rows) {
          const id = 'supplyPointId' in row ? row.supplyPointId : row.receivingPointId;
          assert.match(id, /^0300\d{18}$/, `${info.name}: no real point`);
        }
        continue;
      }
      if (info.kind.startsWith('W5')) {
        const w5 = parseW5(zip);
        assert.equal(w5.entryName, info.name.replace('.zip', '.xml'));
        assert.equal(w5.receiverCode, '10033', 'addressed to the caller');
        assert.equal(w5.records.length, 3, `${info.name}: three dummy points`);
        for (const r of w5.records) assert.match(r.supplyPointId, /^0300\d{18}$/, 'no real point');
        continue;
      }
      const document = parseW4(zip);
      assert.equal(document.entryName, info.name.replace('.zip', '.xml'));
      assert.equal(document.receiverCode, '10033', 'addressed to the caller');
      assert.equal(document.date, sampleDate);
      const points = new Set(document.values.map((v) => v.supplyPointId));
      assert.equal(points.size, 3, `${info.name}: three dummy points`);
      for (const id of points) assert.match(id, /^0300\d{18}$/, 'no real point: 00 where the registry has a prefecture');
      assert.equal(document.values.length, 3 * (info.slot === null ? 48 : 1));
    }
  });

  test('not refreshed: half an hour later and for another retailer the names are the same, the bytes are the same for the same retailer', async () => {
    const before = await client.list();
    clock.advance(30 * 60_000);
    const later = await client.list();
    assert.deepEqual(later.files, before.files);
    const other = await otherClient.list();
    assert.deepEqual(
      other.files.map((f) => f.name),
      before.files.map((f) => f.name),
    );
    const bytes = await otherClient.download(other.files[0]!.name, other.files[0]!);
    assert.equal(parseW4(bytes).receiverCode, '20013', "the other retailer's sample is addressed to it");
    const again = await client.download(before.files[0]!.name, before.files[0]!);
    assert.equal(parseW4(again).receiverCode, '10033');
  });

  test('the screen lists every kind there is: a download link for each kind with a sample, サンプルなし for the others', async () => {
    const page = await raw(site, a003, `${new URL(site).pathname}test/`);
    assert.equal(page.status, 200);
    const html = page.body.toString('utf8');
    assert.match(html, /ダミーデータ/);
    for (const kind of sampleKinds) {
      const row = new RegExp(`<tr data-kind="${kind.code}">(.*?)</tr>`).exec(html)?.[1];
      assert.ok(row, `a row for ${kind.code}`);
      if (sampleMakerOf(kind.code))
        assert.match(
          row,
          kind.format === 'CSV' ? /href="report\/FileReceiver\?file=STD_\w+\.csv" download/ : /href="30min\/FileReceiver\?file=W\w+\.zip" download/,
          kind.code,
        );
      else assert.match(row, /サンプルなし/, kind.code);
    }
    const link = /href="(30min\/FileReceiver\?file=[^"]+)"/.exec(html)![1]!;
    const download = await raw(site, a003, `${new URL(site).pathname}test/${link}`);
    assert.equal(download.status, 200);
    assert.equal(download.headers['content-type'], 'application/zip');
    const json = await raw(site, a003, `${new URL(site).pathname}test/v1/files`);
    assert.deepEqual(
      JSON.parse(json.body.toString('utf8')).withoutSample,
      sampleKinds.filter((k) => !sampleMakerOf(k.code)).map((k) => k.code),
    );
    const menu = await raw(site, a003, new URL(site).pathname);
    assert.match(menu.body.toString('utf8'), /テストページ/, "the site's menu links to it");
    for (const screen of [html, menu.body.toString('utf8'), (await raw(site, a003, `${new URL(site).pathname}30min/`)).body.toString('utf8')]) {
      assert.match(screen, /class="env-banner"[^>]*><strong>検証環境<\/strong>/, 'the banner on every screen of the site');
    }
  });

  test('refusals as on the real pages: an unknown name 404, an unregistered certificate 403, a bad cursor 400; the real list holds no sample; no test page outside verification mode', async () => {
    await assert.rejects(
      client.download('W40110202604020000000000.zip'),
      (e: PpsHttpError) => e.status === 404 && /指定されたファイルはありません/.test(e.message),
    );
    const foreign = await raw(site, unregistered, `${new URL(site).pathname}test/30min/FileListReceiver`);
    assert.equal(foreign.status, 403);
    assert.match(foreign.body.toString('utf8'), /PPS_CERT_NOT_REGISTERED/);
    const cursor = await raw(site, a003, `${new URL(site).pathname}test/v1/files?cursor=x`);
    assert.equal(cursor.status, 400);
    assert.equal(JSON.parse(cursor.body.toString('utf8')).messages[0].code, 'PPS_CURSOR_INVALID');
    const real = await new PpsClient({ baseUrl: site, certPem: a003.certPem, keyPem: a003.keyPem, caPem: ca.certPem }).list();
    assert.ok(real.files.length > 0);
    assert.ok(
      real.files.every((f) => f.target !== sampleDate),
      'the real files are the real ones',
    );
    const audit = await siteAuditOf(db, 'grid_03', 500);
    assert.ok(
      audit.some((a) => a.action.includes('test/30min/FileReceiver') && a.result === 'OK'),
      'downloads of samples are audited as any',
    );
    const plain = await raw(plainSite, a003, `${new URL(plainSite).pathname}test/`);
    assert.equal(plain.status, 404, 'no test page outside verification mode');
    const plainMenu = await raw(plainSite, a003, new URL(plainSite).pathname);
    assert.doesNotMatch(plainMenu.body.toString('utf8'), /テストページ|env-banner/);
  });
});
