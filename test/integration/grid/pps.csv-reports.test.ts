/**
 * The three standard CSV reports of a grid's data provision site (HALFHOURLY.md B10, slide 34),
 * made by the file schedule on the sandbox clock, pulled over real mutual TLS from
 * `createGridServer`, decoded as Shift_JIS and checked row by row against the registry and the
 * usage model: FIT allocation across a switch of buyer, contract power over 12 reading months,
 * interruption minutes; their timing, revisions, refusals and audit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { addBusinessDays, nextBusinessDay } from '../../../src/domain/calendar.ts';
import { addDays, tokyoDate, tokyoMidnight, yearMonthDay, type IsoDate } from '../../../src/domain/date.ts';
import { businessDaysTiming, csvReportKinds, ppsKind } from '../../../src/domain/pps-file.ts';
import { readingRuleOf, readingSchedule } from '../../../src/domain/reading-day.ts';
import { isRefusal, type Refusal } from '../../../src/domain/refusal.ts';
import { describeCert } from '../../../src/platform/pki/identity.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { createGridServer } from '../../../src/grid/server.ts';
import { givenSupplyPoint, testGridClock, type TestPoint } from '../../../src/grid/testing.ts';
import { recordInterruption } from '../../../src/grid/provision/interruption.repository.ts';
import { runReportSchedule } from '../../../src/grid/provision/report-schedule.ts';
import { deadlineWatch } from '../../../src/grid/provision/deadlines.ts';
import { defaultProvisionSettings, runW4Schedule } from '../../../src/grid/provision/schedule.ts';
import { latenessStats, registerPpsCertificate, siteAuditOf } from '../../../src/grid/provision/site.repository.ts';
import { halfHourlyTenths, readingMonths } from '../../../src/grid/registry/usage.ts';
import { parseCsvReport, parseFileListComment, PpsClient, type PpsHttpError, type PpsFileInfo } from '../../../src/sdk/pps.ts';
import { pullFiles } from '../../../src/sdk/pull.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { givenRetailerFrom, ppsSitePki, usageSubjectOf } from '../../support/pps-site.ts';

const { ca, serverTls, a003, b001, unregistered, raw } = ppsSitePki('kirikae csv report test CA');

const OLD = '10033';
const NEW = '20013';
const lvSchedule = readingSchedule('03', 'LV');
const hvSchedule = readingSchedule('03', 'HV');
const lvGroup = readingRuleOf('03', 'LV').numbers[4]!;
/** An HV schedule number read on another day than the LV one (so their reports differ). */
const hvGroup = readingRuleOf('03', 'HV').numbers[9]!;

const ymd = (d: IsoDate) => d.replaceAll('-', '');
/** The reading day of `group` in a month, and the one before. */
function period(schedule: typeof lvSchedule, group: number, year: number, month: number): { from: IsoDate; until: IsoDate } {
  const before = month === 1 ? { y: year - 1, m: 12 } : { y: year, m: month - 1 };
  return { from: schedule.dayOf(group, before.y, before.m), until: schedule.dayOf(group, year, month) };
}

forEachBackend('the standard CSV reports of the data provision site', (backend) => {
  let db: TestDb;
  let app: FastifyInstance;
  let site: string;
  let grid: Grid;
  const clock = testGridClock('2026-11-25T10:00:00+09:00'); // Wednesday
  let fit: TestPoint;
  let fitSwitched: TestPoint;
  let hv: TestPoint;
  let lv: TestPoint;
  let hvNew: TestPoint;
  let client: PpsClient;
  let otherClient: PpsClient;
  const lvNov = period(lvSchedule, lvGroup, 2026, 11);
  const hvNov = period(hvSchedule, hvGroup, 2026, 11);
  const switchDay = addDays(lvNov.from, 10);

  const subjectOf = (id: string) => usageSubjectOf(db, id);

  before(async () => {
    db = await backend.open();
    grid = new Grid({ area: '03', db, clock });
    fit = await givenSupplyPoint(db, { kind: 'fit', retailerCode: OLD, customer: { nameKanji: '日向,太陽光発電所' } });
    fitSwitched = await givenSupplyPoint(db, { kind: 'fit', retailerCode: OLD, customer: { nameKanji: '高橋　一郎' } });
    hv = await givenSupplyPoint(db, { kind: 'hv', retailerCode: OLD, readingGroup: hvGroup, customer: { nameKanji: '株式会社本町商事' } });
    lv = await givenSupplyPoint(db, { retailerCode: OLD });
    hvNew = await givenSupplyPoint(db, { kind: 'ehv', retailerCode: NEW, readingGroup: hvGroup, customer: { nameKanji: '新町製作所' } });
    assert.notEqual(hvNov.until, lvNov.until, 'the HV and LV points are read on different days');
    // The second receiving point's output is bought by NEW from the switch day on.
    await givenRetailerFrom(db, fitSwitched, NEW, switchDay);
    // An interruption in November's LV period, recorded before the reports are made.
    await recordInterruption(
      db,
      'grid_03',
      '03',
      { supplyPointId: lv.supplyPointId, from: `${addDays(lvNov.from, 3)}T09:00`, until: `${addDays(lvNov.from, 3)}T12:30`, cause: '計画' },
      'test',
      clock.now(),
    );
    const now = new Date();
    await registerPpsCertificate(db, 'grid_03', '03', { pem: a003.certPem, participantCode: OLD }, now);
    await registerPpsCertificate(db, 'grid_03', '03', { pem: b001.certPem, participantCode: NEW }, now);
    app = createGridServer({ grids: [grid], tls: serverTls, provision: { grids: new Map([['03', grid.context]]) } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    site = `https://localhost:${(app.server.address() as AddressInfo).port}/grid/03/PPS/`;
    client = new PpsClient({ baseUrl: site, certPem: a003.certPem, keyPem: a003.keyPem, caPem: ca.certPem });
    otherClient = new PpsClient({ baseUrl: site, certPem: b001.certPem, keyPem: b001.keyPem, caPem: ca.certPem });
    await runReportSchedule(grid.context);
  });
  after(async () => {
    client.close();
    otherClient.close();
    await app.close();
    await db.close();
  });

  const reportName = (code: string, r: IsoDate, revision = 0) => `STD_${code}_03_${ymd(r)}_${String(revision).padStart(2, '0')}.csv`;
  const csvFiles = (files: readonly PpsFileInfo[]) => files.filter((f) => f.name.startsWith('STD_'));

  test('the first run lists the reports of the last month: each receiver sees only its own, named STD_{report}_{area}_{yyyymmdd}_{rr}.csv', async () => {
    const mine = csvFiles((await client.list()).files).map((f) => f.name);
    const lvOct = period(lvSchedule, lvGroup, 2026, 10).until;
    const hvOct = period(hvSchedule, hvGroup, 2026, 10).until;
    for (const name of [
      reportName('GENSHIWAKE', lvOct),
      reportName('GENSHIWAKE', lvNov.until),
      reportName('KEIYAKUKW', hvOct),
      reportName('KEIYAKUKW', hvNov.until),
      reportName('SEIGENCHUSHI', lvNov.until),
      reportName('SEIGENCHUSHI', hvNov.until),
    ])
      assert.ok(mine.includes(name), `${name} in ${mine.join(' ')}`);
    const theirs = csvFiles((await otherClient.list()).files).map((f) => f.name);
    assert.ok(theirs.includes(reportName('KEIYAKUKW', hvNov.until)));
    assert.ok(theirs.includes(reportName('GENSHIWAKE', lvNov.until)), 'NEW bought the second receiving point’s output from the switch day');
    const info = (await client.list({ kind: 'STD_KEIYAKUKW' })).files.find((f) => f.name === reportName('KEIYAKUKW', hvNov.until))!;
    assert.equal(info.kind, 'STD_KEIYAKUKW');
    assert.equal(info.infoCode, 'KEIYAKUKW');
    assert.equal(info.target, hvNov.until);
    assert.equal(info.points, 1);
    // Nothing of the W4 list: the reports have their own list (report/FileListReceiver).
    const w4List = parseFileListComment(iconv.decode((await raw(site, a003, '30min/FileListReceiver')).body, 'Shift_JIS'));
    assert.ok(w4List.every((f) => !f.name.startsWith('STD_')));
    const page = await raw(site, a003, 'report/FileListReceiver.action');
    assert.equal(page.status, 200);
    const listed = parseFileListComment(iconv.decode(page.body, 'Shift_JIS')).map((f) => f.name);
    assert.deepEqual(listed.sort(), mine.sort());
    assert.deepEqual((await client.listReceiver('report')).map((f) => f.name).sort(), mine.sort());
  });

  test('timing as data: listed from the first business day after R 03:00, due by the end of the 5th business day counting R', async () => {
    const kind = ppsKind('STD_SEIGENCHUSHI')!;
    assert.deepEqual(kind.due, { rule: 'businessDays', from: 'nextBusinessDay', availableHour: 3, days: 5 });
    const info = (await client.list()).files.find((f) => f.name === reportName('SEIGENCHUSHI', lvNov.until))!;
    const availableDay = nextBusinessDay(lvNov.until);
    assert.equal(info.availableAt, new Date(tokyoMidnight(availableDay).getTime() + 3 * 3_600_000).toISOString());
    assert.equal(info.deadlineAt, tokyoMidnight(addDays(addBusinessDays(addBusinessDays(lvNov.until, 0), 4), 1)).toISOString());
    // December's report of the LV group appears at 03:00 of the business day after its reading day, not a minute before.
    const lvDec = lvSchedule.dayOf(lvGroup, 2026, 12);
    const name = reportName('SEIGENCHUSHI', lvDec);
    const opensAt = new Date(tokyoMidnight(nextBusinessDay(lvDec)).getTime() + 3 * 3_600_000);
    clock.set(new Date(opensAt.getTime() - 60_000).toISOString());
    await runReportSchedule(grid.context);
    assert.ok(!(await client.list()).files.some((f) => f.name === name));
    await assert.rejects(client.download(name), (e: PpsHttpError) => e.status === 404);
    clock.set(opensAt.toISOString());
    await runReportSchedule(grid.context);
    const dec = (await client.list()).files.find((f) => f.name === name);
    assert.ok(dec, `${name} listed at ${opensAt.toISOString()}`);
    assert.equal(dec.availableAt, opensAt.toISOString());
  });

  test('発電者の仕訳後の電力量: Shift_JIS, CRLF, Japanese header, one row per receiving point, day and half-hour, split at the switch of buyer', async () => {
    const name = reportName('GENSHIWAKE', lvNov.until);
    const bytes = await client.download(name);
    const text = iconv.decode(bytes, 'Shift_JIS');
    assert.ok(text.startsWith('受電地点特定番号,発電者名称,対象年月,検針日,年月日,時刻コード,受電電力量(kWh),仕訳後受電電力量(kWh)\r\n'));
    assert.ok(!/[^\r]\n/.test(text), 'every line ends with CRLF');
    assert.ok(text.includes('"日向,太陽光発電所"'), 'a field holding a comma is quoted');
    assert.ok(!text.includes('"高橋　一郎"'), 'and only such a field');
    const report = parseCsvReport(bytes);
    assert.equal(report.report, 'GENSHIWAKE');
    if (report.report !== 'GENSHIWAKE') return;
    const expected: string[] = [];
    const rowsOf = async (point: TestPoint, generator: string, from: IsoDate, until: IsoDate) => {
      const subject = await subjectOf(point.supplyPointId);
      for (let d = from; d < until; d = addDays(d, 1)) {
        const values = halfHourlyTenths(subject, d);
        for (let slot = 1; slot <= 48; slot++) {
          const kWh = values[slot - 1]! / 10;
          expected.push([point.supplyPointId, generator, lvNov.until.slice(0, 7), lvNov.until, d, slot, kWh, kWh].join('|'));
        }
      }
    };
    await rowsOf(fit, '日向,太陽光発電所', lvNov.from, lvNov.until);
    await rowsOf(fitSwitched, '高橋　一郎', lvNov.from, switchDay);
    assert.deepEqual(
      report.rows.map((r) => [r.receivingPointId, r.generatorName, r.targetMonth, r.readingDay, r.date, r.slot, r.receivedKWh, r.allocatedKWh].join('|')),
      expected,
    );
    // The new buyer's report holds the rest of the period: nothing counted twice or lost.
    const theirs = parseCsvReport(await otherClient.download(name));
    assert.equal(theirs.report, 'GENSHIWAKE');
    if (theirs.report !== 'GENSHIWAKE') return;
    const days = new Set(theirs.rows.map((r) => r.date));
    assert.equal(days.size, (Date.parse(lvNov.until) - Date.parse(switchDay)) / 86_400_000);
    assert.equal([...days].sort()[0], switchDay);
    const subject = await subjectOf(fitSwitched.supplyPointId);
    let total = 0;
    for (let d = lvNov.from; d < lvNov.until; d = addDays(d, 1)) total += halfHourlyTenths(subject, d).reduce((a, b) => a + b, 0);
    const reported =
      report.rows.filter((r) => r.receivingPointId === fitSwitched.supplyPointId).reduce((a, r) => a + Math.round(r.allocatedKWh * 10), 0) +
      theirs.rows.reduce((a, r) => a + Math.round(r.allocatedKWh * 10), 0);
    assert.equal(reported, total);
  });

  test('契約電力算定結果内訳: the larger of this month’s and the previous 11 months’ maximum demand, recomputed from 12 reading months of half-hours', async () => {
    const name = reportName('KEIYAKUKW', hvNov.until);
    const report = parseCsvReport(await client.download(name));
    assert.equal(report.report, 'KEIYAKUKW');
    if (report.report !== 'KEIYAKUKW') return;
    assert.equal(report.rows.length, 1, 'one row per HV point of the receiver read on R');
    const row = report.rows[0]!;
    const subject = await subjectOf(hv.supplyPointId);
    const months = readingMonths(hvSchedule, hvGroup, hvNov.until, 13);
    assert.equal(months.length, 13);
    assert.deepEqual({ from: months[12]!.from, until: months[12]!.until }, hvNov);
    const maxOf = (from: IsoDate, until: IsoDate) => {
      let best = { t: -1, date: from, slot: 0 };
      for (let d = from; d < until; d = addDays(d, 1)) {
        halfHourlyTenths(subject, d).forEach((t, i) => {
          if (t > best.t) best = { t, date: d, slot: i + 1 };
        });
      }
      return best;
    };
    const monthly = months.map((m) => ({ month: m.month, ...maxOf(m.from, m.until) }));
    const current = monthly[12]!;
    const prev11 = monthly.slice(1, 12).reduce((a, b) => (b.t > a.t ? b : a));
    const lastMonth = Math.max(...monthly.slice(0, 12).map((m) => m.t));
    const kw = (t: number) => (t * 2) / 10;
    assert.deepEqual(row, {
      supplyPointId: hv.supplyPointId,
      customerName: '株式会社本町商事',
      targetMonth: hvNov.until.slice(0, 7),
      readingDay: hvNov.until,
      maxDemandKw: kw(current.t),
      maxDemandDate: current.date,
      maxDemandSlot: current.slot,
      previous11MaxKw: kw(prev11.t),
      previous11Month: prev11.month,
      contractKw: kw(Math.max(current.t, prev11.t)),
      lastMonthContractKw: kw(lastMonth),
      changed: Math.max(current.t, prev11.t) !== lastMonth,
    });
    assert.ok(row.contractKw >= row.maxDemandKw && row.contractKw >= row.previous11MaxKw);
    // NEW's EHV point is in NEW's report, not in OLD's.
    const theirs = parseCsvReport(await otherClient.download(name));
    assert.deepEqual(
      theirs.rows.map((r) => (r as { supplyPointId: string }).supplyPointId),
      [hvNew.supplyPointId],
    );
  });

  test('制限中止割引時間: one row per interruption, its minutes as hours; header-only without one; one recorded later gives revision 01', async () => {
    const lvName = reportName('SEIGENCHUSHI', lvNov.until);
    const report = parseCsvReport(await client.download(lvName));
    assert.equal(report.report, 'SEIGENCHUSHI');
    const day = addDays(lvNov.from, 3);
    assert.deepEqual(report.rows, [
      {
        supplyPointId: lv.supplyPointId,
        customerName: '山田　花子',
        targetMonth: lvNov.until.slice(0, 7),
        from: `${day}T09:00:00+09:00`,
        until: `${day}T12:30:00+09:00`,
        hours: 3.5,
        discountPercent: 4,
        cause: '計画',
      },
    ]);
    const hvName = reportName('SEIGENCHUSHI', hvNov.until);
    const hvBytes = await client.download(hvName);
    assert.equal(iconv.decode(hvBytes, 'Shift_JIS'), '供給地点特定番号,需要家名称,対象年月,開始日時,終了日時,対象時間数,割引率(%),区分\r\n', 'header only');
    // An accident at the HV point, over midnight, recorded after the report was made.
    const { year, month } = yearMonthDay(hvNov.from);
    assert.ok(year === 2026 && month === 10);
    const start = addDays(hvNov.from, 5);
    await recordInterruption(
      db,
      'grid_03',
      '03',
      { supplyPointId: hv.supplyPointId, from: `${start}T22:00`, until: `${addDays(start, 1)}T01:00`, cause: 'accident' },
      'test',
      clock.now(),
    );
    await runReportSchedule(grid.context);
    const { files } = await client.list({ kind: 'STD_SEIGENCHUSHI' });
    const rev0 = files.find((f) => f.name === hvName)!;
    assert.equal(rev0.supersededBy, reportName('SEIGENCHUSHI', hvNov.until, 1));
    const revised = parseCsvReport(await client.download(reportName('SEIGENCHUSHI', hvNov.until, 1)));
    assert.deepEqual(
      revised.rows.map((r) => {
        const s = r as { hours: number; discountPercent: number; cause: string; from: string };
        return [s.from, s.hours, s.discountPercent, s.cause];
      }),
      [[`${start}T22:00:00+09:00`, 3, 8, '事故']],
    );
    // Running again changes nothing: no revision 02.
    await runReportSchedule(grid.context);
    assert.ok(!(await client.list()).files.some((f) => f.name === reportName('SEIGENCHUSHI', hvNov.until, 2)));
    // The LV report, whose content did not change, has no new revision either.
    assert.ok(!(await client.list()).files.some((f) => f.name === reportName('SEIGENCHUSHI', lvNov.until, 1)));
  });

  test('refusals: bad interruptions are refused whole with a code and a Japanese message, and nothing is written', async () => {
    const count = async () => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM grid_03.interruption')).rows[0]!.n);
    const before = await count();
    const refusal = async (input: Partial<{ supplyPointId: string; from: string; until: string; cause: string }>) => {
      const error = await recordInterruption(
        db,
        'grid_03',
        '03',
        { supplyPointId: lv.supplyPointId, from: '2026-11-20T09:00', until: '2026-11-20T10:00', cause: '計画', ...input },
        'test',
        clock.now(),
      ).then(
        () => assert.fail(`not refused: ${JSON.stringify(input)}`),
        (e: unknown) => e,
      );
      assert.ok(isRefusal(error), String(error));
      return error as Refusal;
    };
    const cases: [Partial<{ supplyPointId: string; from: string; until: string; cause: string }>, string, RegExp][] = [
      [{ from: '2026/11/20 9時' }, 'PPS_INTERRUPTION_TIME_FORMAT', /開始の日時の形式/],
      [{ until: '2026-02-30T10:00' }, 'PPS_INTERRUPTION_TIME_FORMAT', /終了の日時の形式/],
      [{ from: '2026-11-20T09:15' }, 'PPS_INTERRUPTION_NOT_HALF_HOUR', /30分単位/],
      [{ until: '2026-11-20T09:00' }, 'PPS_INTERRUPTION_PERIOD_INVALID', /開始 2026-11-20 09:00、終了 2026-11-20 09:00/],
      [{ until: '2026-12-22T09:00' }, 'PPS_INTERRUPTION_PERIOD_INVALID', /31日以内/],
      [{ cause: '停電' }, 'PPS_INTERRUPTION_CAUSE_INVALID', /計画」または「事故/],
      [{ supplyPointId: '0313019999999999999910' }, 'SPID_NOT_FOUND', /存在しません/],
      [{ supplyPointId: '031301' }, 'SPID_LENGTH', /22桁/],
      [{ supplyPointId: fit.supplyPointId }, 'PPS_INTERRUPTION_FIT_POINT', /受電地点/],
      [{ from: `${addDays(lvNov.from, 3)}T12:00`, until: `${addDays(lvNov.from, 3)}T13:00` }, 'PPS_INTERRUPTION_OVERLAP', /重なる/],
    ];
    for (const [input, code, text] of cases) {
      const error = await refusal(input);
      assert.equal(error.code, code, JSON.stringify(input));
      assert.match(error.text, text);
    }
    assert.equal(await count(), before);
    // Another area's point is not this grid's.
    const chubu = await givenSupplyPoint(db, { area: '04' });
    assert.equal((await refusal({ supplyPointId: chubu.supplyPointId })).code, 'SPID_NOT_FOUND');
  });

  test('the site: 404 for another receiver’s report, an unknown or unavailable name, a report asked of the W4 folder; 403 unregistered; audited', async () => {
    const theirsOnly = reportName('KEIYAKUKW', hvNov.until);
    const { files } = await client.list();
    const mineCsv = csvFiles(files)[0]!;
    auditedName = mineCsv.name;
    auditedSize = mineCsv.size;
    const good = await raw(site, a003, `report/FileReceiver?file=${mineCsv.name}`);
    assert.equal(good.status, 200);
    assert.equal(good.headers['content-type'], 'text/csv; charset=Shift_JIS');
    assert.equal(good.headers['content-disposition'], `attachment; filename=${mineCsv.name}`);
    assert.equal(Number(good.headers['content-length']), mineCsv.size);
    // NEW holds a KEIYAKUKW of the same name with other rows; OLD's own copy is served to OLD only.
    const oldCopy = (await raw(site, a003, `report/FileReceiver?file=${theirsOnly}`)).body;
    const newCopy = (await raw(site, b001, `report/FileReceiver?file=${theirsOnly}`)).body;
    assert.notDeepEqual(oldCopy, newCopy);
    // A report only OLD holds: NEW is answered 404, as for a name that does not exist.
    const oldOnly = reportName('SEIGENCHUSHI', lvNov.until);
    assert.equal((await raw(site, b001, `report/FileReceiver?file=${oldOnly}`)).status, 404);
    for (const path of [
      `report/FileReceiver?file=STD_KEIYAKUKW_03_20991231_00.csv`,
      `report/FileReceiver?file=STD_KEIYAKUKW_04_${ymd(hvNov.until)}_00.csv`,
      `report/FileReceiver?file=${reportName('SEIGENCHUSHI', lvSchedule.dayOf(lvGroup, 2027, 1))}`,
      `report/FileReceiver?file=../../etc/passwd`,
      `30min/FileReceiver?file=${mineCsv.name}`,
    ]) {
      const res = await raw(site, a003, path);
      assert.equal(res.status, 404, path);
      assert.match(res.body.toString('utf8'), /指定されたファイルはありません。/);
    }
    const stranger = await raw(site, unregistered, 'report/FileListReceiver');
    assert.equal(stranger.status, 403);
    assert.match(stranger.body.toString('utf8'), /お使いの端末では当システムを利用できません/);
    // The screen lists them for manual download.
    const screen = await raw(site, a003, 'report/?prefix=STD_KEIYAKUKW');
    assert.equal(screen.status, 200);
    const html = screen.body.toString('utf8');
    assert.match(html, /契約電力算定結果内訳/);
    assert.ok(html.includes(`FileReceiver?file=${reportName('KEIYAKUKW', hvNov.until)}`));
    assert.ok(!html.includes('file=STD_GENSHIWAKE_'));
  });

  let auditedName = '';
  let auditedSize = 0;

  test('the byte cache keeps CSV reports; one whose bytes are missing regenerates to the same SHA-256', async () => {
    await runW4Schedule(grid.context, { ...defaultProvisionSettings, cacheBytes: 0 });
    const { rows: kept } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.pps_file WHERE starts_with(kind, 'STD_') AND bytes IS NULL`);
    assert.equal(Number(kept[0]!.n), 0, 'a zero budget evicts every W4 file but no report');
    const { rows: w4 } = await db.query<{ cached: number; all: number }>(
      `SELECT count(*) FILTER (WHERE bytes IS NOT NULL)::int AS cached, count(*)::int AS all FROM grid_03.pps_file WHERE starts_with(kind, 'W4')`,
    );
    assert.ok(Number(w4[0]!.all) > 0 && Number(w4[0]!.cached) === 0, JSON.stringify(w4[0]));
    const name = reportName('GENSHIWAKE', lvNov.until);
    const info = (await client.list()).files.find((f) => f.name === name)!;
    await db.query('UPDATE grid_03.pps_file SET bytes = NULL WHERE name = $1', [name]);
    const bytes = await client.download(name, info);
    assert.equal(bytes.length, info.size);
  });

  test('pull fetches CSV kinds: only those asked for, kept as CSV, checked, idempotent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kirikae-csv-pull-'));
    try {
      const first = await pullFiles(client, dir, { kinds: ['STD_KEIYAKUKW', 'STD_SEIGENCHUSHI'] });
      const expected = csvFiles((await client.list()).files).filter((f) => !f.kind.startsWith('STD_GENSHIWAKE'));
      assert.deepEqual([...first.downloaded].sort(), expected.map((f) => f.name).sort());
      for (const name of first.downloaded) {
        assert.ok(existsSync(join(dir, name)));
        assert.doesNotThrow(() => parseCsvReport(readFileSync(join(dir, name))));
      }
      assert.ok(!first.downloaded.some((n) => n.startsWith('STD_GENSHIWAKE')));
      const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
      assert.equal(Object.keys(state.files).length, expected.length);
      const again = await pullFiles(client, dir, { kinds: ['STD_KEIYAKUKW', 'STD_SEIGENCHUSHI'] });
      assert.deepEqual(again.downloaded, []);
      assert.ok(again.superseded.length === 0, 'the superseded revision 00 was held with its successor already, so nothing to report');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every report list and download is audited, refusals included', async () => {
    const audit = await siteAuditOf(db, 'grid_03', 1000);
    assert.ok(audit.some((e) => e.action === 'GET PPS/report/FileReceiver' && e.name === auditedName && e.result === 'OK' && e.bytes === auditedSize));
    assert.ok(audit.some((e) => e.action === 'GET PPS/report/FileReceiver' && e.result === 'PPS_FILE_NOT_FOUND'));
    assert.ok(
      audit.some(
        (e) =>
          e.action === 'GET PPS/report/FileListReceiver' &&
          e.result === 'PPS_CERT_NOT_REGISTERED' &&
          e.fingerprint256 === describeCert(unregistered.certPem).fingerprint256,
      ),
    );
  });

  test('reports made after their deadline count late; those of the opening run count as on time', async () => {
    const onTime = await latenessStats(db, 'grid_03', clock.now(), 400);
    for (const kind of csvReportKinds) {
      const row = onTime.find((r) => r.kind === kind.code);
      assert.ok(row && row.files > 0 && row.late === 0, `${kind.code}: ${JSON.stringify(row)}`);
    }
    // The schedule stops over the year end and runs again an hour after January's reports were due: they are late.
    const lvJan = lvSchedule.dayOf(lvGroup, 2027, 1);
    const due = businessDaysTiming(ppsKind('STD_SEIGENCHUSHI')!.due, lvJan).deadlineAt;
    clock.set(new Date(due.getTime() + 3_600_000).toISOString());
    // The deadline watch sees them missing meanwhile.
    const dueDay = tokyoDate(new Date(due.getTime() - 1));
    const stalled = await deadlineWatch(grid.context, dueDay);
    const missing = stalled.kinds.find((k) => k.kind === 'STD_SEIGENCHUSHI')!;
    // One target per reading day whose deadline it is (a weekend's days share the Monday's count).
    assert.ok(missing.missing >= 1 && missing.due === 0, JSON.stringify(missing));
    assert.equal(missing.oldestMissingDeadline, due.toISOString());
    await runReportSchedule(grid.context);
    const caughtUp = (await deadlineWatch(grid.context, dueDay)).kinds.find((k) => k.kind === 'STD_SEIGENCHUSHI')!;
    assert.equal(caughtUp.missing, 0);
    assert.ok(caughtUp.late >= 1 && caughtUp.onTime === 0, JSON.stringify(caughtUp));
    const info = (await client.list({ kind: 'STD_SEIGENCHUSHI' })).files.find((f) => f.name === reportName('SEIGENCHUSHI', lvJan))!;
    assert.equal(info.deadlineAt, due.toISOString());
    const stats = await latenessStats(db, 'grid_03', clock.now(), 400);
    const late = stats.find((r) => r.kind === 'STD_SEIGENCHUSHI')!;
    assert.ok(late.late >= 1 && late.maxLateMinutes >= 60, JSON.stringify(late));
  });

  test('a retroactive change: the next day’s check gives the affected report its next revision, and no other report', async () => {
    const lvJan = lvSchedule.dayOf(lvGroup, 2027, 1);
    const janFrom = lvSchedule.dayOf(lvGroup, 2026, 12);
    const names = async () => (await client.list()).files.map((f) => f.name);
    assert.ok((await names()).includes(reportName('GENSHIWAKE', lvJan)));
    // The first receiving point's generator moved out 5 days before R, entered late.
    const moveOut = addDays(lvJan, -5);
    await db.query('UPDATE grid_03.supply_period SET until_date = $2 WHERE supply_point_id = $1 AND until_date IS NULL', [fit.supplyPointId, moveOut]);
    await runReportSchedule(grid.context);
    assert.ok(!(await names()).includes(reportName('GENSHIWAKE', lvJan, 1)), 'today’s check has run already');
    clock.set(tokyoMidnight(addDays(tokyoDate(clock.now()), 1)).toISOString());
    await runReportSchedule(grid.context);
    const after = await names();
    assert.ok(after.includes(reportName('GENSHIWAKE', lvJan, 1)));
    const revised = parseCsvReport(await client.download(reportName('GENSHIWAKE', lvJan, 1)));
    assert.equal(revised.report, 'GENSHIWAKE');
    if (revised.report !== 'GENSHIWAKE') return;
    const days = [...new Set(revised.rows.filter((r) => r.receivingPointId === fit.supplyPointId).map((r) => r.date))].sort();
    assert.equal(days[0], janFrom);
    assert.equal(days.at(-1), addDays(moveOut, -1));
    assert.equal(days.length, (Date.parse(moveOut) - Date.parse(janFrom)) / 86_400_000);
    const rev0 = (await client.list({ kind: 'STD_GENSHIWAKE' })).files.find((f) => f.name === reportName('GENSHIWAKE', lvJan))!;
    assert.equal(rev0.supersededBy, reportName('GENSHIWAKE', lvJan, 1));
    // Nothing else moved: no other report has a revision 01 of January, nor NEW's GENSHIWAKE.
    for (const code of ['KEIYAKUKW', 'SEIGENCHUSHI']) assert.ok(!after.includes(reportName(code, lvJan, 1)), code);
    assert.ok(!(await otherClient.list()).files.some((f) => f.name === reportName('GENSHIWAKE', lvJan, 1)));
  });

  test('every CSV kind is in the registry with its timing rule', () => {
    assert.deepEqual(
      csvReportKinds.map((k) => [k.code, k.title, k.due.rule === 'businessDays' ? k.due.days : k.due.rule]),
      [
        ['STD_GENSHIWAKE', '発電者の仕訳後の電力量のお知らせ', 5],
        ['STD_GENSHIWAKE_G', '発電者の仕訳後の電力量のお知らせ（低圧群単位）', 'monthAfterNext'],
        ['STD_KEIYAKUKW', '契約電力算定結果内訳', 5],
        ['STD_SEIGENCHUSHI', '制限中止割引時間', 5],
      ],
    );
  });
});
