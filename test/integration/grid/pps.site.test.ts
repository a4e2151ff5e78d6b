/**
 * A grid's data provision site (HALFHOURLY.md B1–B9): the W4 files a retailer pulls, over real
 * mutual TLS from `createGridServer`, read back with the SDK (real ZIP and XML parsing).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { unzipSync } from 'fflate';
import { validateXML } from 'xmllint-wasm';
import type { IsoDate } from '../../../src/domain/date.ts';
import { ppsKind } from '../../../src/domain/pps-file.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { createGridServer } from '../../../src/grid/server.ts';
import { givenSupplyPoint, gridRequest, testGridClock, type TestPoint } from '../../../src/grid/testing.ts';
import { defaultProvisionSettings, reissueW4, runW4Schedule, w4Timing } from '../../../src/grid/provision/schedule.ts';
import { latenessStats, registerPpsCertificate, setPpsSuspension, siteAuditOf } from '../../../src/grid/provision/site.repository.ts';
import { registerProvisionMetrics } from '../../../src/grid/provision/metrics.ts';
import { Metrics } from '../../../src/platform/metrics.ts';
import { publishedXsds } from '../../../src/grid/provision/w4-xsd.ts';
import { parseFileListComment, parseW4, PpsClient, type PpsHttpError, type PpsFileInfo } from '../../../src/sdk/pps.ts';
import { pullFiles } from '../../../src/sdk/pull.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { ppsSitePki } from '../../support/pps-site.ts';

const { ca, serverTls, a003, b001, unregistered, client, raw } = ppsSitePki('kirikae pps test CA');
const suspended = client('1003', 'terminal');

const OLD = '10033';
const NEW = '20013';

forEachBackend('the data provision site: W4 files pulled over mutual TLS', (backend) => {
  let db: TestDb;
  let app: FastifyInstance;
  let base: string;
  let site: string;
  let grid: Grid;
  const clock = testGridClock('2026-11-25T10:00:00+09:00'); // Wednesday
  let lv: TestPoint;
  let lv2: TestPoint;
  let hv: TestPoint;
  let other: TestPoint;
  let client: PpsClient;
  let otherClient: PpsClient;

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    grid = new Grid({ area: '03', db, clock });
    lv = await givenSupplyPoint(db, { retailerCode: OLD });
    lv2 = await givenSupplyPoint(db, { retailerCode: OLD });
    await givenSupplyPoint(db, { retailerCode: OLD, kind: 'lvConventional' });
    hv = await givenSupplyPoint(db, { retailerCode: OLD, kind: 'hv' });
    other = await givenSupplyPoint(db, { retailerCode: NEW });
    const now = new Date();
    await registerPpsCertificate(db, 'grid_03', '03', { pem: a003.certPem, participantCode: OLD }, now);
    await registerPpsCertificate(db, 'grid_03', '03', { pem: b001.certPem, participantCode: NEW }, now);
    await registerPpsCertificate(db, 'grid_03', '03', { pem: suspended.certPem, participantCode: OLD }, now);
    await setPpsSuspension(
      db,
      'grid_03',
      { fingerprint256: (await import('../../../src/platform/pki/identity.ts')).describeCert(suspended.certPem).fingerprint256 },
      {
        at: now,
        reason: 'test',
      },
    );
    app = createGridServer({ grids: [grid], tls: serverTls, provision: { grids: new Map([['03', grid.context]]) } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `https://localhost:${(app.server.address() as AddressInfo).port}`;
    site = `${base}/grid/03/PPS/`;
    client = new PpsClient({ baseUrl: site, certPem: a003.certPem, keyPem: a003.keyPem, caPem: ca.certPem });
    otherClient = new PpsClient({ baseUrl: site, certPem: b001.certPem, keyPem: b001.keyPem, caPem: ca.certPem });
    await runW4Schedule(grid.context);
  });
  after(async () => {
    client.close();
    otherClient.close();
    await app.close();
    await db.close();
  });

  const names = (files: readonly { name: string }[]) => files.map((f) => f.name);
  /** What `probe` finds, waiting for it: the site writes its audit row once the answer has gone. */
  const eventually = async <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
    const started = Date.now();
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      assert.ok(Date.now() - started < 10_000, `${what}: not within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  /** The newest audit row of the site matching `match`, waiting for it. */
  const auditedEventually = (match: (e: Awaited<ReturnType<typeof siteAuditOf>>[number]) => boolean, what: string) =>
    eventually(async () => (await siteAuditOf(db, 'grid_03', 50)).find(match), what);

  test('the opening run lists every half-hour of today ended 15 minutes ago, and yesterday’s daily file', async () => {
    const { files } = await client.list();
    const lvSameDay = files.filter((f) => f.kind === 'W41110');
    // 10:00: the half-hour 09:00–09:30 ended 30 min ago (listed at 09:45); 09:30–10:00 is listed at 10:15.
    assert.deepEqual(
      lvSameDay.map((f) => f.slot),
      Array.from({ length: 19 }, (_, i) => i + 1),
    );
    assert.ok(names(files).includes('W41120202611240000000000.zip'), 'LV daily of yesterday');
    assert.ok(names(files).includes('W401202026112400000000.zip'), 'HV daily of yesterday');
    assert.ok(!names(files).includes('W41120202611250000000000.zip'), 'today’s daily file is tomorrow’s');
    const slot1 = files.find((f) => f.name === 'W41110202611250000000000.zip')!;
    assert.equal(slot1.points, 2, 'two LV smart meters; the conventional meter has no half-hours');
    assert.equal(slot1.availableAt, '2026-11-24T15:45:00.000Z');
    assert.equal(slot1.deadlineAt, '2026-11-24T16:30:00.000Z');
  });

  test('a same-day file is listed at its slot’s end + 15 minutes and not before; moving the clock makes it appear', async () => {
    const name = 'W41110202611250930000000.zip'; // 09:30–10:00
    clock.set('2026-11-25T10:14:59+09:00');
    await runW4Schedule(grid.context);
    assert.ok(!names(await client.listReceiver()).includes(name));
    await assert.rejects(client.download(name), (e: PpsHttpError) => e.status === 404);
    clock.set('2026-11-25T10:15:00+09:00');
    await runW4Schedule(grid.context);
    assert.ok(names(await client.listReceiver()).includes(name));
    assert.equal(parseW4(await client.download(name)).slot, 20);
  });

  test('both pull styles: the <comment> list and the HTML table, GET and POST, with and without .action', async () => {
    const json = await client.list();
    for (const [method, path] of [
      ['GET', '30min/FileListReceiver'],
      ['POST', '30min/FileListReceiver'],
      ['POST', '30min/FileListReceiver.action'],
    ] as const) {
      const page = await raw(site, a003, path, method);
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /Shift_JIS/i);
      const text = iconv.decode(page.body, 'Shift_JIS');
      assert.match(text, /受信可能ファイル一覧/);
      const listed = parseFileListComment(text);
      assert.deepEqual(
        listed.map((f) => `${f.name}:${f.size}`).sort(),
        json.files
          .filter((f) => !f.supersededBy)
          .map((f) => `${f.name}:${f.size}`)
          .sort(),
      );
      const links = [...text.matchAll(/<a href="FileReceiver\?file=([^"]+)">/g)].map((m) => m[1]);
      assert.deepEqual(links.sort(), listed.map((f) => f.name).sort());
    }
    const first = json.files[0]!;
    const viaAction = await raw(site, a003, `30min/FileReceiver.action?file=${first.name}`);
    assert.equal(viaAction.status, 200);
    assert.equal(viaAction.headers['content-type'], 'application/zip');
    assert.equal(Number(viaAction.headers['content-length']), first.size);
    assert.equal(viaAction.headers.etag, `"${first.sha256}"`);
    assert.equal(viaAction.headers['content-disposition'], `attachment; filename=${first.name}`);
  });

  test('a ZIP holds one Shift_JIS XML named after the file, valid against the published XSD', async () => {
    for (const name of ['W41110202611250000000000.zip', 'W41120202611240000000000.zip', 'W401102026112500000000.zip', 'W401202026112400000000.zip']) {
      const zip = await client.download(name);
      const entries = unzipSync(zip);
      assert.deepEqual(Object.keys(entries), [name.replace('.zip', '.xml')]);
      const text = iconv.decode(Buffer.from(entries[name.replace('.zip', '.xml')]!), 'Shift_JIS');
      assert.match(text, /^<\?xml version="1.0" encoding="Shift_JIS"\?>\r\n<SBD-MSG>/);
      assert.match(text, /<JP06111>東京電力パワーグリッド株式会社<\/JP06111>/);
      const xsdName = ppsKind(name.slice(0, 6))!.granularity === 'slot' ? 'W4_30min.xsd' : 'W4_daily.xsd';
      const xsd = await raw(site, a003, `xsd/${xsdName}`);
      assert.equal(xsd.body.toString('utf8'), publishedXsds[xsdName]);
      const result = await validateXML({
        xml: { fileName: 'file.xml', contents: text.replace('encoding="Shift_JIS"', 'encoding="UTF-8"') },
        schema: { fileName: xsdName, contents: xsd.body.toString('utf8') },
      });
      assert.deepEqual(result.errors, [], name);
      assert.equal(result.valid, true);
    }
    // And a file that breaks the schema is caught by it (the check can fail).
    const broken = await validateXML({
      xml: { fileName: 'bad.xml', contents: '<SBD-MSG><JPMGRP/></SBD-MSG>' },
      schema: { fileName: 'W4_30min.xsd', contents: publishedXsds['W4_30min.xsd']! },
    });
    assert.equal(broken.valid, false);
  });

  test('one usage model: the 48 values of the daily file are IF_10310’s half-hours of that day, and the same-day files agree', async () => {
    const applied = await grid.handle(
      gridRequest(
        'IF_10210',
        { supplyPointId: lv.supplyPointId, customerNameKana: 'ヤマダ ハナコ', phoneNumber: '09012345678', consentDate: '2026-11-25' },
        OLD,
      ),
    );
    const status = await grid.handle(gridRequest('IF_10220', { applicationNumber: (applied.data as any).applicationNumber }, OLD));
    const usage = await grid.handle(
      gridRequest('IF_10310', { supplyPointId: lv.supplyPointId, usagePassword: (status.data as any).usagePassword, halfHourlyDate: '2026-11-24' }, OLD),
    );
    assert.equal(usage.result, 'OK', JSON.stringify(usage.messages));
    const expected = (usage.data as any).halfHourly.map((h: { kWh: number }) => h.kWh);
    assert.equal(expected.length, 48);
    const daily = parseW4(await client.download('W41120202611240000000000.zip'));
    assert.equal(daily.slot, null);
    assert.equal(daily.receiverCode, OLD);
    assert.equal(daily.senderCode, 'G0033');
    const mine = daily.values.filter((v) => v.supplyPointId === lv.supplyPointId).sort((a, b) => a.slot - b.slot);
    assert.deepEqual(
      mine.map((v) => v.kWh),
      expected,
    );
    assert.deepEqual(new Set(daily.values.map((v) => v.supplyPointId)), new Set([lv.supplyPointId, lv2.supplyPointId]));
    // Today's first half-hour: the same-day file's value is the model's first value of today.
    const usageToday = await grid.handle(gridRequest('IF_10310', { supplyPointId: lv.supplyPointId, usagePassword: (status.data as any).usagePassword }, OLD));
    assert.equal(usageToday.result, 'OK');
    const slot1 = parseW4(await client.download('W41110202611250000000000.zip'));
    assert.equal(slot1.values.length, 2);
    assert.ok(slot1.values.every((v) => v.status === '0' && typeof v.kWh === 'number'));
    const hvFile = parseW4(await client.download('W401102026112500000000.zip'));
    assert.deepEqual(
      hvFile.values.map((v) => v.supplyPointId),
      [hv.supplyPointId],
    );
  });

  test('security: another retailer’s file, an unknown name and a file not yet available all answer the same 404', async () => {
    // 20013 has no HV point: the HV file of 10033 exists, but not for 20013.
    const hvName = 'W401102026112500000000.zip';
    const answers = await Promise.all([
      raw(site, b001, `30min/FileReceiver?file=${hvName}`),
      raw(site, b001, '30min/FileReceiver?file=W401102026112500309900.zip'),
      raw(site, a003, '30min/FileReceiver?file=W41110202611252330000000.zip'),
      raw(site, a003, '30min/FileReceiver?file=../../etc/passwd'),
    ]);
    for (const answer of answers) {
      assert.equal(answer.status, 404);
      assert.equal(answer.body.toString('utf8'), answers[0]!.body.toString('utf8'), 'the same answer: existence is never revealed');
    }
    assert.match(answers[0]!.body.toString('utf8'), /PPS_FILE_NOT_FOUND/);
    // 20013 sees only its own point.
    const theirs = parseW4(await otherClient.download('W41110202611250000000000.zip'));
    assert.deepEqual(
      theirs.values.map((v) => v.supplyPointId),
      [other.supplyPointId],
    );
  });

  test('security: an unregistered certificate and a suspended one answer 403 with the system’s text, on every route', async () => {
    for (const path of ['30min/FileListReceiver', '30min/FileReceiver?file=W41110202611250000000000.zip', 'v1/files', '']) {
      const a = await raw(site, unregistered, path);
      assert.equal(a.status, 403, path);
      assert.match(a.body.toString('utf8'), /お使いの端末では当システムを利用できません/);
      assert.match(a.body.toString('utf8'), /PPS_CERT_NOT_REGISTERED/);
      const b = await raw(site, suspended, path);
      assert.equal(b.status, 403, path);
      assert.match(b.body.toString('utf8'), /PPS_CERT_SUSPENDED/);
    }
    // A retailer's certificate registered with the site still cannot reach the hub-only interface.
    const hubOnly = await raw(base, a003, '/grid/v1/IF_10110', 'POST');
    assert.equal(hubOnly.status, 403);
  });

  test('the screens link their own stylesheet, which any certificate the TLS layer lets in may fetch, unaudited', async () => {
    const rowsNow = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.pps_download`)).rows[0]!.n;
    // The earlier tests' last rows are written once their answers have gone: count from when they are all in
    // (the count unchanged over 300 ms).
    let before = await rowsNow();
    await eventually(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const now = await rowsNow();
      const settled = now === before;
      before = now;
      return settled ? true : undefined;
    }, 'the earlier rows written');
    const menu = await raw(site, a003, '');
    assert.match(menu.body.toString('utf8'), /<link rel="stylesheet" href="\/grid\/03\/PPS\/site\.css">/);
    assert.doesNotMatch(menu.body.toString('utf8'), /<style/);
    // The refusal page of an unregistered certificate is styled by the same file, which it may fetch.
    assert.match((await raw(site, unregistered, '')).body.toString('utf8'), /href="\/grid\/03\/PPS\/site\.css"/);
    for (const cert of [a003, unregistered, suspended]) {
      const css = await raw(site, cert, 'site.css');
      assert.equal(css.status, 200);
      assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
      assert.match(css.body.toString('utf8'), /header \{/);
    }
    // A last screen, audited once its answer has gone: wait for its row, then look at what came since.
    await raw(site, a003, 'Menu1.action');
    await eventually(async () => ((await rowsNow()) >= before + 3 ? true : undefined), 'the three screens audited');
    // The three screens' rows (the menu, the refusal, the last screen), none of the stylesheets'.
    const since = (await siteAuditOf(db, 'grid_03', 50)).slice(0, (await rowsNow()) - before);
    assert.equal(since.length, 3, JSON.stringify(since.map((e) => e.action)));
    assert.ok(!since.some((e) => e.action.includes('site.css')), JSON.stringify(since.map((e) => e.action)));
    assert.ok(since.some((e) => e.action === 'GET PPS/' && e.result === 'PPS_CERT_NOT_REGISTERED'));
  });

  test('every list and download is audited, refusals included', async () => {
    const audit = await siteAuditOf(db, 'grid_03', 1000);
    assert.ok(audit.some((e) => e.participantCode === OLD && e.action.includes('FileReceiver') && e.result === 'OK' && (e.bytes ?? 0) > 0));
    assert.ok(audit.some((e) => e.participantCode === NEW && e.result === 'PPS_FILE_NOT_FOUND' && e.name === 'W401102026112500000000.zip'));
    assert.ok(audit.some((e) => e.participantCode === null && e.result === 'PPS_CERT_NOT_REGISTERED'));
    assert.ok(audit.some((e) => e.participantCode === OLD && e.result === 'PPS_CERT_SUSPENDED'));
    assert.ok(audit.some((e) => e.action.includes('FileListReceiver')));
  });

  test('an evicted file regenerates to the stored SHA-256; a resumed download (Range) gets the rest', async () => {
    const { files } = await client.list({ kind: 'W41120' });
    const file = files[0]!;
    const cached = await client.download(file.name, file);
    await db.query(`UPDATE grid_03.pps_file SET bytes = NULL WHERE name = $1`, [file.name]);
    const regenerated = await client.download(file.name, file);
    assert.ok(regenerated.equals(cached));
    const tail = await raw(site, a003, `30min/FileReceiver?file=${file.name}`, 'GET', { range: 'bytes=100-', 'if-range': `"${file.sha256}"` });
    assert.equal(tail.status, 206);
    assert.equal(tail.headers['content-range'], `bytes 100-${file.size - 1}/${file.size}`);
    assert.ok(tail.body.equals(cached.subarray(100)));
    const stale = await raw(site, a003, `30min/FileReceiver?file=${file.name}`, 'GET', { range: 'bytes=100-', 'if-range': '"other"' });
    assert.equal(stale.status, 200, 'a changed file starts over');
    const beyond = await raw(site, a003, `30min/FileReceiver?file=${file.name}`, 'GET', { range: `bytes=${file.size}-` });
    assert.equal(beyond.status, 416);
  });

  test('the JSON twin pages without gaps by cursor, and a revision names the file it supersedes', async () => {
    const all = await client.list();
    let cursor = '0';
    const paged: PpsFileInfo[] = [];
    for (let i = 0; i < 100; i++) {
      const page = await raw(site, a003, `v1/files?cursor=${cursor}&limit=7`);
      const body = JSON.parse(page.body.toString('utf8'));
      paged.push(...body.files);
      if (body.nextCursor === cursor) break;
      cursor = body.nextCursor;
    }
    assert.deepEqual(names(paged), names(all.files));
    assert.equal((await client.list({ cursor: all.cursor })).files.length, 0, 'nothing new after the last cursor');
    const made = await reissueW4(grid.context, 'W41120', '2026-11-24' as IsoDate, null);
    assert.equal(made, 2, 'one file for each receiver');
    const after = await client.list({ cursor: all.cursor });
    assert.deepEqual(names(after.files), ['W41120202611240000010000.zip']);
    const again = await client.list({ kind: 'W41120' });
    assert.equal(again.files.find((f) => f.name === 'W41120202611240000000000.zip')?.supersededBy, 'W41120202611240000010000.zip');
    const bad = await raw(site, a003, 'v1/files?cursor=abc');
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body.toString('utf8')).messages[0].code, 'PPS_CURSOR_INVALID');
  });

  test('kirikae pull: the second run downloads nothing; a download cut off is resumed and checked; a revision is reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kirikae-pull-'));
    try {
      const first = await pullFiles(client, dir, { kinds: ['W41120', 'W40120'] });
      assert.ok(first.downloaded.length >= 2);
      assert.ok(existsSync(join(dir, 'W41120202611240000000000.xml')), 'unzipped beside the ZIP');
      const second = await pullFiles(client, dir, { kinds: ['W41120', 'W40120'] });
      assert.deepEqual(second.downloaded, [], 'idempotent');
      // A run killed half-way through a file left its first bytes in NAME.part: the next run asks for the rest.
      const name = 'W401202026112400000000.zip';
      const whole = readFileSync(join(dir, name));
      rmSync(join(dir, name));
      writeFileSync(join(dir, `${name}.part`), whole.subarray(0, Math.floor(whole.length / 2)));
      const events: string[] = [];
      const third = await pullFiles(client, dir, { kinds: ['W40120'], onFile: (e) => events.push(`${e.status} ${e.name}`) });
      assert.deepEqual(events, [`resumed ${name}`]);
      assert.deepEqual(third.downloaded, [name]);
      assert.ok(readFileSync(join(dir, name)).equals(whole));
      // The site's audit row is written once the answer has gone: wait for it.
      await auditedEventually((e) => e.name === name && e.bytes === whole.length - Math.floor(whole.length / 2), 'only the rest was sent');
      // A damaged part (not a prefix of the file) fails the SHA-256 check instead of being kept.
      rmSync(join(dir, name));
      writeFileSync(join(dir, `${name}.part`), Buffer.alloc(10, 0x41));
      await assert.rejects(pullFiles(client, dir, { kinds: ['W40120'] }), /SHA-256/);
      // A reissue: the new revision is fetched and the held one reported superseded.
      await reissueW4(grid.context, 'W40120', '2026-11-24' as IsoDate, null);
      rmSync(join(dir, `${name}.part`));
      const fourth = await pullFiles(client, dir, { kinds: ['W40120'] });
      assert.deepEqual(fourth.downloaded, [name, 'W401202026112400000100.zip'], 'the damaged one again, and the new revision');
      assert.deepEqual(fourth.superseded, [{ held: name, by: 'W401202026112400000100.zip' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the screens: the menu and the list in Japanese, with filters and 20 rows a page', async () => {
    const menu = await raw(site, a003, '');
    assert.equal(menu.status, 200);
    assert.match(menu.body.toString('utf8'), /30分電力量および日毎30分電力量/);
    const first = (await raw(site, a003, '30min/')).body.toString('utf8');
    assert.equal([...first.matchAll(/<tr><td><a href="FileReceiver/g)].length, 20);
    assert.match(first, /rel="next"/);
    const filtered = (await raw(site, a003, '30min/?prefix=W40120&from=2026-11-24&to=2026-11-24')).body.toString('utf8');
    assert.equal([...filtered.matchAll(/<tr><td><a href="FileReceiver/g)].length, 2, 'revisions 00 and 01 of the HV daily file');
    const refused = (await raw(site, a003, '30min/?from=2026-13-01')).body.toString('utf8');
    assert.match(refused, /絞り込み条件「from」の値が正しくありません/);
  });

  test('timing: same-day due 60 minutes after the slot ends, daily next morning, the same on a holiday, a weekend and 1 January', async () => {
    const lvSame = ppsKind('W41110')!;
    const daily = ppsKind('W41120')!;
    for (const date of ['2026-11-28', '2026-11-29', '2026-11-23', '2026-12-31', '2027-01-01'] as IsoDate[]) {
      const t = w4Timing(lvSame, date, 48);
      assert.equal(t.deadlineAt.getTime() - t.availableAt.getTime(), 45 * 60_000, date);
      const d = w4Timing(daily, date, null);
      assert.equal(d.availableAt.toISOString().slice(11, 16), '20:00', `${date}: 05:00 JST next day`);
      assert.equal(d.deadlineAt.toISOString().slice(11, 16), '03:00', `${date}: 12:00 JST next day`);
    }
  });

  test('run every half-hour over 1 January: every file is made before its deadline; a pause of the schedule shows as late', async () => {
    // Osaka's grid, with a clock of its own, opening on New Year's Day.
    const newYear = testGridClock('2027-01-01T19:45:00+09:00');
    const osaka = new Grid({ area: '06', db, clock: newYear });
    await givenSupplyPoint(db, { area: '06', retailerCode: '10066' });
    await runW4Schedule(osaka.context);
    for (let i = 0; i < 20; i++) {
      newYear.advance(30 * 60_000);
      await runW4Schedule(osaka.context);
    }
    // 05:45 on 2 January: the whole of 1 January is there, same-day files and the daily one, none late.
    const { rows: made } = await db.query<{ kind: string; n: number; late: number }>(
      `SELECT kind, count(*)::int AS n, count(*) FILTER (WHERE materialized_at > deadline_at)::int AS late
         FROM grid_06.pps_file WHERE target_date = '2027-01-01' GROUP BY kind ORDER BY kind`,
    );
    assert.deepEqual(
      made.map((r) => [r.kind, Number(r.n), Number(r.late)]),
      [
        ['W41110', 48, 0],
        ['W41120', 1, 0],
      ],
    );
    // The schedule stopped for two hours: the half-hours it missed are made late, and counted.
    newYear.advance(2 * 3_600_000);
    await runW4Schedule(osaka.context);
    const stats = await latenessStats(db, 'grid_06', newYear.now(), 1);
    assert.equal(stats.find((s) => s.kind === 'W41110')?.late, 2);
    // The same on the operations port: the gauges an operator's alert watches.
    const metrics = new Metrics({ processMetrics: false });
    registerProvisionMetrics(metrics, [osaka.context]);
    const scraped = await metrics.registry.metrics();
    assert.match(scraped, /^kirikae_pps_files_late\{area="06",kind="W41110"\} 2$/m);
    assert.match(scraped, /^kirikae_pps_files_late\{area="06",kind="W41120"\} 0$/m);
    const files = Number(/^kirikae_pps_files\{area="06",kind="W41110"\} (\d+)$/m.exec(scraped)?.[1]);
    const { rows: counted } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_06.pps_file WHERE kind = 'W41110'`);
    assert.equal(files, Number(counted[0]!.n), 'every same-day file of the week, late or not');
    const maxLate = Number(/^kirikae_pps_max_late_minutes\{area="06",kind="W41110"\} (\d+)$/m.exec(scraped)?.[1]);
    assert.ok(maxLate > 0 && maxLate <= 120, `the latest file was made within the two hours' pause after its deadline (${maxLate} min)`);
    void defaultProvisionSettings;
  });
});
