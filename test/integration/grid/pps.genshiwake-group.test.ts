/**
 * GENSHIWAKE LV 群単位 (STD_GENSHIWAKE_G, slide 34): the report of LV FIT receiving points per
 * calendar month N, made by the report schedule on the sandbox clock once N's end passed, pulled
 * over mutual TLS under report/, decoded and checked row by row against the usage model; its
 * deadline (the 4th business day of N+2) on the files and in the deadline watch.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { addDays, type IsoDate } from '../../../src/domain/date.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { createGridServer } from '../../../src/grid/server.ts';
import { givenSupplyPoint, testGridClock, type TestPoint } from '../../../src/grid/testing.ts';
import { runReportSchedule } from '../../../src/grid/provision/report-schedule.ts';
import { w4ReportWatchRules } from '../../../src/grid/provision/schedule.ts';
import { registerPpsCertificate } from '../../../src/grid/provision/site.repository.ts';
import { halfHourlyTenths } from '../../../src/grid/registry/usage.ts';
import { parseCsvReport, PpsClient } from '../../../src/sdk/pps.ts';
import { pullFiles } from '../../../src/sdk/pull.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { givenRetailerFrom, ppsSitePki, usageSubjectOf } from '../../support/pps-site.ts';

const { ca, serverTls, a003, b001 } = ppsSitePki('kirikae genshiwake group test CA');

const OLD = '10033';
const NEW = '20013';

forEachBackend('GENSHIWAKE LV 群単位: the month report of LV FIT receiving points', (backend) => {
  let db: TestDb;
  let app: FastifyInstance;
  let grid: Grid;
  const clock = testGridClock('2026-11-25T10:00:00+09:00');
  let fit: TestPoint;
  let fitSwitched: TestPoint;
  let client: PpsClient;
  let otherClient: PpsClient;
  const switchDay = '2026-10-11' as IsoDate;

  const subjectOf = (id: string) => usageSubjectOf(db, id);

  before(async () => {
    db = await backend.open();
    grid = new Grid({ area: '03', db, clock });
    fit = await givenSupplyPoint(db, { kind: 'fit', retailerCode: OLD, customer: { nameKanji: '日向,太陽光発電所' } });
    fitSwitched = await givenSupplyPoint(db, { kind: 'fit', retailerCode: OLD, customer: { nameKanji: '高橋　一郎' } });
    await givenSupplyPoint(db, { retailerCode: OLD }); // an LV demand point: not in the report
    await givenSupplyPoint(db, { kind: 'hv', retailerCode: OLD });
    // NEW buys the second receiving point's output from 11 October on.
    await givenRetailerFrom(db, fitSwitched, NEW, switchDay);
    const now = new Date();
    await registerPpsCertificate(db, 'grid_03', '03', { pem: a003.certPem, participantCode: OLD }, now);
    await registerPpsCertificate(db, 'grid_03', '03', { pem: b001.certPem, participantCode: NEW }, now);
    app = createGridServer({ grids: [grid], tls: serverTls, provision: { grids: new Map([['03', grid.context]]) } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const site = `https://localhost:${(app.server.address() as AddressInfo).port}/grid/03/PPS/`;
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

  const monthly = async (c: PpsClient) => (await c.list({ kind: 'STD_GENSHIWAKE_G' })).files;

  test('rows equal the half-hours of the receiver’s LV FIT points over the calendar month, split at a change of buyer', async () => {
    const mine = await monthly(client);
    assert.deepEqual(
      mine.map((f) => f.name),
      ['STD_GENSHIWAKE_G_03_202609_00.csv', 'STD_GENSHIWAKE_G_03_202610_00.csv'],
      'September and October, listed; November not before its end',
    );
    const october = mine[1]!;
    assert.equal(october.target, '2026-10-01');
    assert.equal(october.points, 2);
    assert.equal(october.availableAt, new Date('2026-11-02T03:00:00+09:00').toISOString());
    assert.equal(october.deadlineAt, new Date('2026-12-05T00:00:00+09:00').toISOString());
    const report = parseCsvReport(await client.download(october.name));
    assert.equal(report.report, 'GENSHIWAKE_G');
    if (report.report !== 'GENSHIWAKE_G') return;
    const expected: string[] = [];
    for (const [point, until] of [
      [fit, '2026-11-01'],
      [fitSwitched, switchDay],
    ] as const) {
      const subject = await subjectOf(point.supplyPointId);
      for (let d = '2026-10-01' as IsoDate; d < until; d = addDays(d, 1)) {
        const values = halfHourlyTenths(subject, d);
        for (let slot = 1; slot <= 48; slot++) expected.push(`${point.supplyPointId}|${d}|${slot}|${(values[slot - 1]! / 10).toFixed(1)}`);
      }
    }
    assert.equal(report.rows.length, 31 * 48 + 10 * 48);
    assert.deepEqual(
      report.rows.map((r) => `${r.receivingPointId}|${r.date}|${r.slot}|${r.receivedKWh.toFixed(1)}`),
      expected,
    );
    assert.ok(report.rows.every((r) => r.targetMonth === '2026-10' && r.allocatedKWh === r.receivedKWh));
    assert.equal(report.rows[0]!.generatorName, '日向,太陽光発電所', 'a comma survives the quoting');
    const theirs = await monthly(otherClient);
    assert.deepEqual(
      theirs.map((f) => f.name),
      ['STD_GENSHIWAKE_G_03_202610_00.csv'],
    );
    const other = parseCsvReport(await otherClient.download(theirs[0]!.name));
    assert.equal(other.rows.length, 21 * 48, 'NEW: 11–31 October of the second point');
  });

  test('November is listed from the first business day of December at 03:00, due by the 4th business day of January (after the year end)', async () => {
    clock.set(new Date('2026-12-01T02:59:00+09:00'));
    await runReportSchedule(grid.context);
    assert.ok(!(await monthly(client)).some((f) => f.name.includes('_202611_')));
    clock.set(new Date('2026-12-01T03:00:00+09:00'));
    await runReportSchedule(grid.context);
    const november = (await monthly(client)).find((f) => f.name === 'STD_GENSHIWAKE_G_03_202611_00.csv')!;
    assert.ok(november);
    assert.equal(november.deadlineAt, new Date('2027-01-08T00:00:00+09:00').toISOString());
    assert.equal(parseCsvReport(await client.download(november.name)).rows.length, 30 * 48);
    // The deadline watch's rule names the month targets whose deadline falls on a day.
    const rule = w4ReportWatchRules.STD_GENSHIWAKE_G!;
    assert.deepEqual(
      rule.due(new Date('2027-01-07T00:00:00+09:00'), new Date('2027-01-08T00:00:00+09:00')).map((t) => t.date),
      ['2026-11-01'],
    );
    assert.deepEqual(rule.due(new Date('2026-12-29T00:00:00+09:00'), new Date('2027-01-07T00:00:00+09:00')), []);
  });

  test('pull --kinds takes the monthly variant alone, and STD_GENSHIWAKE does not take it in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kirikae-genshiwake-g-'));
    try {
      await pullFiles(client, join(dir, 'g'), { kinds: ['STD_GENSHIWAKE_G'] });
      const g = readdirSync(join(dir, 'g')).filter((n) => n.endsWith('.csv'));
      assert.ok(g.length >= 3 && g.every((n) => n.startsWith('STD_GENSHIWAKE_G_03_')), g.join(' '));
      await pullFiles(client, join(dir, 'r'), { kinds: ['STD_GENSHIWAKE'] });
      const r = readdirSync(join(dir, 'r')).filter((n) => n.endsWith('.csv'));
      assert.ok(r.length > 0 && r.every((n) => /^STD_GENSHIWAKE_03_\d{8}_\d{2}\.csv$/.test(n)), r.join(' '));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
