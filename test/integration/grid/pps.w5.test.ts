/**
 * The W5 files of a grid's data provision site (確定使用量の通知, HALFHOURLY.md B3–B7): monthly settled
 * usage split at a switch, special readings at a move-in and a move-out, meter exchanges recorded
 * with the replacement and filed before the monthly file, revisions of exactly the files a
 * retroactive change touches, and the ten-year replacement. Files are read back with the SDK's
 * parser (real ZIP and XML) and checked against the published XSD and the usage model.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import { validateXML } from 'xmllint-wasm';
import type { IsoDate } from '../../../src/domain/date.ts';
import type { ManualClock } from '../../../src/platform/clock.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { findFacility } from '../../../src/grid/registry/facility.repository.ts';
import { installSmartMeter, registerAt, tenthsUntil } from '../../../src/grid/registry/meter.repository.ts';
import { changeRetailerOfRecord } from '../../../src/grid/registry/supply-period.repository.ts';
import { usageBetween } from '../../../src/grid/registry/usage.ts';
import { givenSupplyPoint, gridRequest, testGridClock, type TestPoint } from '../../../src/grid/testing.ts';
import { executeDue } from '../../../src/grid/applications/jobs.ts';
import { demoSeed, seedRegistry } from '../../../src/grid/seed/seed.ts';
import { runPpsWork } from '../../../src/grid/provision/provision.ts';
import { defaultProvisionSettings } from '../../../src/grid/provision/schedule.ts';
import { runW5Schedule } from '../../../src/grid/provision/w5-schedule.ts';
import { w5PublishedXsds, w5XsdNameOf } from '../../../src/grid/provision/w5-xsd.ts';
import { parseW5, type W5ExchangeRecord, type W5UsageRecord } from '../../../src/sdk/pps.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { ppsSitePki } from '../../support/pps-site.ts';
import { ppsKind } from '../../../src/domain/pps-file.ts';
import { describeCert } from '../../../src/platform/pki/identity.ts';
import { createGridServer } from '../../../src/grid/server.ts';
import { latenessStats, registerPpsCertificate, siteAuditOf } from '../../../src/grid/provision/site.repository.ts';
import { w5Timing } from '../../../src/grid/provision/w5-schedule.ts';
import type { W5ExchangePoint } from '../../../src/grid/provision/w5-files.ts';
import { PpsClient, type PpsHttpError } from '../../../src/sdk/pps.ts';
import { pullFiles } from '../../../src/sdk/pull.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OLD = '10033';
const NEW = '20013';

interface FileRow {
  name: string;
  receiverCode: string;
  kind: string;
  targetDate: string;
  revision: number;
  availableAt: Date;
  deadlineAt: Date;
  materializedAt: Date;
  position: number;
  bytes: Buffer;
}

const tenths = (kWh: number) => Math.round(kWh * 10);
const sumTenths = (r: W5UsageRecord) => r.days.reduce((t, d) => t + d.kWh.reduce((a, v) => a + tenths(v), 0), 0);
const jst = (text: string) => new Date(`${text}+09:00`);

forEachBackend('W5 settled usage files', (backend) => {
  let db: TestDb;
  let clock: ManualClock;
  let grid: Grid;

  before(async () => {
    db = await backend.open();
  });
  after(() => db.close());
  beforeEach(async () => {
    // Each test starts with an area of its own: no files, no schedule progress, its own points.
    await db.query('DELETE FROM grid_03.pps_file');
    await db.query('DELETE FROM grid_03.pps_progress');
    await db.query('DELETE FROM grid_03.meter_event');
    await db.query('DELETE FROM grid_03.supply_period');
    clock = testGridClock('2026-11-18T10:00:00+09:00'); // Wednesday
    grid = new Grid({ area: '03', db, clock });
  });

  const files = async (where: { receiver?: string; kind?: string; target?: string } = {}): Promise<FileRow[]> => {
    const { rows } = await db.query<FileRow>(
      `SELECT name, receiver_code AS "receiverCode", kind, to_char(target_date, 'YYYY-MM-DD') AS "targetDate", revision,
              available_at AS "availableAt", deadline_at AS "deadlineAt", materialized_at AS "materializedAt", position, bytes
         FROM grid_03.pps_file WHERE kind LIKE 'W5%' AND ($1::text IS NULL OR receiver_code = $1) AND ($2::text IS NULL OR kind = $2)
          AND ($3::date IS NULL OR target_date = $3) ORDER BY position`,
      [where.receiver ?? null, where.kind ?? null, where.target ?? null],
    );
    return rows.map((r) => ({ ...r, revision: Number(r.revision), position: Number(r.position), bytes: Buffer.from(r.bytes) }));
  };
  const only = async (where: { receiver: string; kind: string; target: string }) => {
    const found = await files(where);
    assert.equal(found.length, 1, `one file ${JSON.stringify(where)}: ${found.map((f) => f.name).join(' ')}`);
    return found[0]!;
  };
  const usageRecords = (f: FileRow) => parseW5(f.bytes).records as W5UsageRecord[];
  const subjectOf = async (p: TestPoint) => {
    const facility = await findFacility(db, 'grid_03', p.supplyPointId);
    return facility!;
  };

  test('a month with a switch in the middle: the old retailer’s special reading and the new one’s monthly file share the month exactly', async () => {
    const moving = await givenSupplyPoint(db, { retailerCode: OLD }); // reading group 08: 2026-11-09, 2026-12-08
    const staying = await givenSupplyPoint(db, { retailerCode: OLD });
    await runW5Schedule(grid.context);
    await changeRetailerOfRecord(db, 'grid_03', moving.supplyPointId, { retailerCode: NEW, customerId: moving.customerId! }, '2026-11-20' as IsoDate);
    clock.set('2026-12-08T03:00:00+09:00');
    await runW5Schedule(grid.context);

    // The old retailer: a special reading at the switch (Fri 2026-11-20, not a reading day) for [11-09, 11-20).
    const special = await only({ receiver: OLD, kind: 'W51420', target: '2026-11-20' });
    assert.equal(special.name, 'W51420202611200000000.zip');
    assert.deepEqual(special.availableAt, jst('2026-11-24T02:00:00'), 'the business day after (23 Nov is a holiday), 02:00');
    assert.deepEqual(special.deadlineAt, jst('2026-11-27T00:00:00'), '4th business day counting 11-20: 20, 24, 25, 26');
    const [s] = usageRecords(special);
    assert.equal(s!.supplyPointId, moving.supplyPointId);
    assert.equal(s!.readingCause, '1');
    assert.equal(s!.readingDate, '2026-11-20');
    assert.deepEqual([s!.days[0]!.date, s!.days.at(-1)!.date, s!.days.length], ['2026-11-09', '2026-11-19', 11]);
    const subject = await subjectOf(moving);
    assert.equal(tenths(s!.totalKWh!), sumTenths(s!), 'the total is the sum of the half-hours');
    assert.equal(tenths(s!.totalKWh!), tenths(usageBetween(subject, { from: '2026-11-09' as IsoDate, until: '2026-11-20' as IsoDate })));

    // The monthly files of reading day 12-08: the old retailer without the point, the new one with [11-20, 12-08).
    const oldMonthly = await only({ receiver: OLD, kind: 'W51220', target: '2026-12-08' });
    assert.deepEqual(oldMonthly.availableAt, jst('2026-12-08T02:00:00'));
    assert.deepEqual(oldMonthly.deadlineAt, jst('2026-12-12T00:00:00'), '4th business day counting Tue 12-08 is Fri 12-11');
    assert.deepEqual(
      usageRecords(oldMonthly).map((r) => r.supplyPointId),
      [staying.supplyPointId],
    );
    const [n] = usageRecords(await only({ receiver: NEW, kind: 'W51220', target: '2026-12-08' }));
    assert.equal(n!.supplyPointId, moving.supplyPointId);
    assert.deepEqual([n!.days[0]!.date, n!.days.at(-1)!.date], ['2026-11-20', '2026-12-07']);
    assert.equal(n!.nextReadingDay, '2027-01-09');
    assert.equal(n!.meterKind, '1');
    assert.equal(tenths(n!.totalKWh!), sumTenths(n!));
    // Nothing counted twice or lost: both parts make the month IF_10310 shows for 12-08.
    const month = tenths(usageBetween(subject, { from: '2026-11-09' as IsoDate, until: '2026-12-08' as IsoDate }));
    assert.equal(tenths(s!.totalKWh!) + tenths(n!.totalKWh!), month);
    const [st] = usageRecords(oldMonthly);
    assert.equal(tenths(st!.totalKWh!), tenths(usageBetween(await subjectOf(staying), { from: '2026-11-09' as IsoDate, until: '2026-12-08' as IsoDate })));
    // The new retailer has no special reading; the point is in no other W5 file.
    assert.deepEqual(await files({ receiver: NEW, kind: 'W51420' }), []);
    for (const f of await files()) {
      if (f === undefined || f.bytes.length === 0) continue;
      const content = parseW5(f.bytes);
      if (content.content === 'exchange') continue;
      const hit = content.records.some((r) => r.supplyPointId === moving.supplyPointId);
      assert.equal(
        hit,
        [special.name, 'W51220202612080000000.zip'].includes(f.name) && (f.name === special.name ? f.receiverCode === OLD : f.receiverCode === NEW),
        f.name,
      );
    }
    // Every file validates against the schema the site publishes for its kind.
    for (const f of [special, oldMonthly]) {
      const xsdName = w5XsdNameOf(f.kind.slice(2));
      const [entry] = Object.values(unzipSync(f.bytes));
      const text = iconv.decode(Buffer.from(entry!), 'Shift_JIS').replace('encoding="Shift_JIS"', 'encoding="UTF-8"');
      const result = await validateXML({ xml: { fileName: 'f.xml', contents: text }, schema: { fileName: xsdName, contents: w5PublishedXsds[xsdName]! } });
      assert.deepEqual(result.errors, [], f.name);
    }
  });

  test('a move-out and a move-in on days that are not reading days: special readings with their causes, and the new resident from the move-in', async () => {
    const leaving = await givenSupplyPoint(db, { retailerCode: OLD });
    const moved = await givenSupplyPoint(db, { retailerCode: OLD, kind: 'hv' });
    await runW5Schedule(grid.context);
    await changeRetailerOfRecord(db, 'grid_03', leaving.supplyPointId, null, '2026-11-25' as IsoDate);
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO grid_03.customer (name_kanji, name_kana, name_kana_key, prefecture, city, street) VALUES ('新居 太郎', 'アライ タロウ', 'アライタロウ', '東京都', '千代田区', '本町2丁目') RETURNING customer_id AS id`,
    );
    const newcomer = Number(rows[0]!.id);
    await changeRetailerOfRecord(db, 'grid_03', moved.supplyPointId, { retailerCode: NEW, customerId: newcomer }, '2026-11-26' as IsoDate);
    clock.set('2026-12-08T03:00:00+09:00');
    await runW5Schedule(grid.context);

    const out = await only({ receiver: OLD, kind: 'W51420', target: '2026-11-25' });
    assert.deepEqual(out.availableAt, jst('2026-11-26T02:00:00'));
    const [o] = usageRecords(out);
    assert.deepEqual([o!.supplyPointId, o!.readingCause, o!.days.length], [leaving.supplyPointId, '3', 16]);
    const inn = await only({ receiver: OLD, kind: 'W51410', target: '2026-11-26' });
    const [i] = usageRecords(inn);
    assert.deepEqual([i!.supplyPointId, i!.readingCause, i!.voltageName], [moved.supplyPointId, '2', '高圧']);
    assert.ok(i!.powerFactor! >= 85 && i!.powerFactor! <= 100);
    const max = Math.max(...i!.days.flatMap((d) => d.kWh));
    assert.equal(tenths(i!.maxDemandKw!), tenths(max * 2), 'maximum demand: twice the largest half-hour');
    // The new resident's retailer: the monthly file from the move-in, with the new customer's number.
    const [m] = usageRecords(await only({ receiver: NEW, kind: 'W51210', target: '2026-12-08' }));
    assert.equal(m!.days[0]!.date, '2026-11-26');
    assert.equal(Number(m!.customerNumber), newcomer);
    // After a move-out, nobody's monthly file has the point.
    for (const f of await files({ kind: 'W51220', target: '2026-12-08' })) {
      assert.ok(!usageRecords(f).some((r) => r.supplyPointId === leaving.supplyPointId), f.name);
    }
  });

  test('a switch with meter work: the meter is replaced in the facility, the exchange recorded and filed before the monthly file', async () => {
    const p = await givenSupplyPoint(db, { retailerCode: OLD, kind: 'lvConventional' });
    await runW5Schedule(grid.context);
    clock.set('2026-11-20T09:00:00+09:00');
    await db.transaction(async (tx) => {
      await installSmartMeter(tx, 'grid_03', p.supplyPointId, '2026-11-20' as IsoDate, clock.now());
      await changeRetailerOfRecord(tx, 'grid_03', p.supplyPointId, { retailerCode: NEW, customerId: p.customerId! }, '2026-11-20' as IsoDate);
    });
    const facility = await findFacility(db, 'grid_03', p.supplyPointId);
    assert.deepEqual(
      facility!.meters.map((m) => m.kind),
      ['smart'],
      'facility info shows the new meter only',
    );
    const newMeter = facility!.meters[0]!.meterNumber;
    const { rows: events } = await db.query<{ oldMeter: string; newMeter: string; oldReading: string; slot: number }>(
      `SELECT old_meter AS "oldMeter", new_meter AS "newMeter", old_reading AS "oldReading", slot FROM grid_03.meter_event WHERE supply_point_id = $1`,
      [p.supplyPointId],
    );
    assert.equal(events.length, 1);
    assert.equal(events[0]!.newMeter, newMeter);

    clock.set('2026-11-21T02:00:00+09:00');
    await runW5Schedule(grid.context);
    const exchange = await only({ receiver: NEW, kind: 'W51320', target: '2026-11-20' });
    assert.deepEqual(exchange.availableAt, jst('2026-11-21T02:00:00'));
    assert.deepEqual(exchange.deadlineAt, jst('2026-12-08T02:00:00'), 'due when the monthly file covering the exchange is listed');
    const [e] = parseW5(exchange.bytes).records as W5ExchangeRecord[];
    const subject = await subjectOf(p);
    const slot = Number(events[0]!.slot);
    assert.deepEqual([e!.oldMeter, e!.newMeter, e!.newInitialReading, e!.multiplier, e!.slot], [events[0]!.oldMeter, newMeter, 0, 1, slot]);
    assert.equal(e!.oldFinalReading, registerAt(subject, '2019-06-01' as IsoDate, '2026-11-20' as IsoDate, slot, 1));
    assert.equal(e!.oldFinalReading, Number(events[0]!.oldReading));
    assert.equal(tenths(e!.oldMeterKWhInPeriod), tenthsUntil(subject, '2026-11-09' as IsoDate, '2026-11-20' as IsoDate, slot));

    clock.set('2026-12-08T03:00:00+09:00');
    await runW5Schedule(grid.context);
    const monthly = await only({ receiver: NEW, kind: 'W51220', target: '2026-12-08' });
    assert.ok(exchange.position < monthly.position && exchange.availableAt <= monthly.availableAt, 'the exchange comes before the monthly file');
    const [m] = usageRecords(monthly);
    assert.deepEqual([m!.meterKind, m!.meterExchangeDate, m!.days.length], ['1', '2026-11-20', 18]);
    // The old retailer's special reading: measured by the conventional meter, totals only.
    const [o] = usageRecords(await only({ receiver: OLD, kind: 'W51420', target: '2026-11-20' }));
    assert.deepEqual([o!.meterKind, o!.days.length], ['2', 0]);
    assert.equal(tenths(o!.totalKWh!), tenths(usageBetween(subject, { from: '2026-11-09' as IsoDate, until: '2026-11-20' as IsoDate })));
  });

  test('a real switch completed with meter work (stage 08): the exchange is recorded in the completion and filed the next day, before the monthly file', async () => {
    const p = await givenSupplyPoint(db, { retailerCode: OLD, kind: 'lvConventional', meterInstalledOn: '2018-04-02' as IsoDate });
    await runW5Schedule(grid.context);
    const sIn = await grid.handle(
      gridRequest(
        'IF_10610',
        { updateFlag: '1', supplyPointId: p.supplyPointId, customerNameKana: 'ヤマダ ハナコ', customerName: '山田 花子', currentRetailerCode: OLD },
        NEW,
      ),
    );
    assert.equal(sIn.result, 'OK', JSON.stringify(sIn));
    const sOut = await grid.handle(gridRequest('IF_10710', { updateFlag: '1', supplyPointId: p.supplyPointId, newRetailerCode: NEW }, OLD));
    assert.equal(sOut.result, 'OK', JSON.stringify(sOut));
    const status = await grid.handle(gridRequest('IF_10620', { applicationNumber: (sIn.data as Record<string, string>).applicationNumber }, NEW));
    const day = (status.data as Record<string, string>).scheduledDate as IsoDate;
    assert.equal(day, '2026-12-08', 'a switch takes effect on the next reading day (slide 31)');
    clock.set(`${day}T08:00:00+09:00`);
    await executeDue(grid, { limit: 100 });
    const done = await grid.handle(gridRequest('IF_10620', { applicationNumber: (sIn.data as Record<string, string>).applicationNumber }, NEW));
    assert.equal((done.data as Record<string, string>).stage, '08');
    const facility = await findFacility(db, 'grid_03', p.supplyPointId);
    assert.deepEqual(
      facility!.meters.map((m) => [m.kind, m.installedOn]),
      [['smart', day]],
    );
    const { rows } = await db.query<{ kind: string; oldMeter: string; newMeter: string }>(
      `SELECT kind, old_meter AS "oldMeter", new_meter AS "newMeter" FROM grid_03.meter_event WHERE supply_point_id = $1 AND on_date = $2`,
      [p.supplyPointId, day],
    );
    assert.deepEqual(
      rows.map((r) => [r.kind, r.newMeter]),
      [['meterWork', facility!.meters[0]!.meterNumber]],
    );
    // Reading day 12-08: the old retailer's monthly file is the whole month, measured by the conventional meter.
    clock.set('2026-12-08T03:00:00+09:00');
    await runW5Schedule(grid.context);
    const [o] = usageRecords(await only({ receiver: OLD, kind: 'W51220', target: day }));
    assert.deepEqual([o!.supplyPointId, o!.meterKind, o!.meterExchangeDate, o!.days.length], [p.supplyPointId, '2', null, 0]);
    // The exchange on 12-08 is the new retailer's, listed the next day, due before the monthly file covering it (2027-01-09).
    clock.set('2026-12-09T02:00:00+09:00');
    await runW5Schedule(grid.context);
    const exchange = await only({ receiver: NEW, kind: 'W51320', target: day });
    assert.deepEqual([exchange.availableAt, exchange.deadlineAt], [jst('2026-12-09T02:00:00'), jst('2027-01-09T02:00:00')]);
    const [e] = parseW5(exchange.bytes).records as W5ExchangeRecord[];
    assert.deepEqual([e!.supplyPointId, e!.oldMeter, e!.newMeter], [p.supplyPointId, rows[0]!.oldMeter, rows[0]!.newMeter]);
    assert.ok(exchange.materializedAt <= exchange.deadlineAt, 'made on time');
    clock.set('2027-01-09T03:00:00+09:00');
    await runW5Schedule(grid.context);
    const monthly = await only({ receiver: NEW, kind: 'W51220', target: '2027-01-09' });
    assert.ok(exchange.position < monthly.position && exchange.availableAt < monthly.availableAt);
    const [m] = usageRecords(monthly);
    assert.deepEqual([m!.meterKind, m!.meterExchangeDate, m!.days[0]!.date], ['1', day, day]);
  });

  test('a retroactive change: revision 01 of exactly the files it touches, listed at once; the rest keep revision 00', async () => {
    const p = await givenSupplyPoint(db, { retailerCode: OLD });
    const q = await givenSupplyPoint(db, { retailerCode: OLD });
    const other = await givenSupplyPoint(db, { retailerCode: OLD, readingGroup: 9 }); // reads 12-09
    await runW5Schedule(grid.context);
    clock.set('2026-12-08T03:00:00+09:00');
    await runW5Schedule(grid.context);
    const before = await files();
    assert.ok(before.every((f) => f.revision === 0));
    const first = await only({ receiver: OLD, kind: 'W51220', target: '2026-12-08' });
    assert.equal(usageRecords(first).length, 2);

    // On 12-09, a switch is entered dated back to Mon 11-30 (a correction after execution).
    clock.set('2026-12-09T01:00:00+09:00');
    await changeRetailerOfRecord(db, 'grid_03', p.supplyPointId, { retailerCode: NEW, customerId: p.customerId! }, '2026-11-30' as IsoDate);
    clock.set('2026-12-09T03:00:00+09:00');
    await runW5Schedule(grid.context);
    const revised = (await files()).filter((f) => f.revision > 0);
    assert.deepEqual(
      revised.map((f) => [f.receiverCode, f.name]),
      [[OLD, 'W51220202612080100000.zip']],
      'only the old retailer’s monthly file of 12-08 is revised',
    );
    assert.deepEqual(revised[0]!.availableAt, jst('2026-12-09T03:00:00'), 'a revision is listed when it is made');
    assert.deepEqual(
      usageRecords(revised[0]!).map((r) => r.supplyPointId),
      [q.supplyPointId],
    );
    // The files the change creates are first issues (revision 00): the old retailer's special reading, the new one's monthly.
    const [sp] = usageRecords(await only({ receiver: OLD, kind: 'W51420', target: '2026-11-30' }));
    const [nm] = usageRecords(await only({ receiver: NEW, kind: 'W51220', target: '2026-12-08' }));
    assert.equal(
      tenths(sp!.totalKWh!) + tenths(nm!.totalKWh!),
      tenths(usageBetween(await subjectOf(p), { from: '2026-11-09' as IsoDate, until: '2026-12-08' as IsoDate })),
    );
    // The other group's file of 12-09 is a first issue, untouched.
    assert.deepEqual(
      (await files({ target: '2026-12-09' })).map((f) => [f.name, usageRecords(f).map((r) => r.supplyPointId)]),
      [['W51220202612090000000.zip', [other.supplyPointId]]],
    );
    // Run again: nothing moved, nothing new.
    clock.set('2026-12-10T03:00:00+09:00');
    const count = (await files()).length;
    await runW5Schedule(grid.context);
    assert.equal((await files({ target: '2026-12-08' })).length + (await files({ target: '2026-11-30' })).length, 4);
    assert.ok((await files()).length >= count);
    assert.deepEqual(
      (await files()).filter((f) => f.revision > 0).map((f) => f.name),
      ['W51220202612080100000.zip'],
    );
  });

  test('a late meter event: the monthly file already issued gets revision 01, the exchange file is a late first issue', async () => {
    const p = await givenSupplyPoint(db, { retailerCode: OLD, kind: 'lvConventional' });
    await givenSupplyPoint(db, { retailerCode: OLD });
    await runW5Schedule(grid.context); // the site opens on 11-18
    clock.set('2026-12-08T03:00:00+09:00');
    await runW5Schedule(grid.context);
    const [before] = usageRecords(await only({ receiver: OLD, kind: 'W51220', target: '2026-12-08' })).filter((r) => r.supplyPointId === p.supplyPointId);
    assert.deepEqual([before!.meterKind, before!.meterExchangeDate], ['2', null]);
    // On 12-09 the grid records an exchange done on 11-25 (entered two weeks late).
    clock.set('2026-12-09T01:00:00+09:00');
    await installSmartMeter(db, 'grid_03', p.supplyPointId, '2026-11-25' as IsoDate, clock.now());
    clock.set('2026-12-09T03:00:00+09:00');
    await runW5Schedule(grid.context);
    const revised = (await files()).filter((f) => f.revision > 0);
    assert.deepEqual(
      revised.map((f) => f.name),
      ['W51220202612080100000.zip'],
    );
    const [after] = usageRecords(revised[0]!).filter((r) => r.supplyPointId === p.supplyPointId);
    assert.deepEqual([after!.meterKind, after!.meterExchangeDate, after!.days.length], ['1', '2026-11-25', 29]);
    assert.equal(tenths(after!.totalKWh!), tenths(before!.totalKWh!), 'the same energy, now with its half-hours');
    const exchange = await only({ receiver: OLD, kind: 'W51320', target: '2026-11-25' });
    assert.equal(exchange.revision, 0);
    assert.ok(exchange.materializedAt > exchange.deadlineAt, 'made after the monthly file it should have preceded: late');
    const stats = await latenessStats(db, 'grid_03', clock.now(), 30);
    assert.equal(stats.find((x) => x.kind === 'W51320')!.late, 1);
  });

  test('revision 99 is the last: a 100th change writes nothing and the earlier files stay', async () => {
    const p = await givenSupplyPoint(db, { retailerCode: OLD });
    await givenSupplyPoint(db, { retailerCode: OLD });
    clock.set('2026-12-08T03:00:00+09:00');
    await runW5Schedule(grid.context);
    await db.query(
      `UPDATE grid_03.pps_file SET revision = 99, name = replace(name, '20261208000', '20261208990') WHERE kind = 'W51220' AND target_date = '2026-12-08'`,
    );
    await changeRetailerOfRecord(db, 'grid_03', p.supplyPointId, { retailerCode: NEW, customerId: p.customerId! }, '2026-11-30' as IsoDate);
    clock.set('2026-12-09T03:00:00+09:00');
    await runW5Schedule(grid.context);
    assert.deepEqual(
      (await files({ receiver: OLD, kind: 'W51220', target: '2026-12-08' })).map((f) => f.name),
      ['W51220202612089900000.zip'],
    );
  });

  test('ten-year replacement (検定満了): the meter is replaced on the day its validity ends, and the exchange filed', async () => {
    const p = await givenSupplyPoint(db, { retailerCode: OLD, meterInstalledOn: '2016-11-24' as IsoDate });
    await runW5Schedule(grid.context);
    clock.set('2026-11-25T02:00:00+09:00');
    await runW5Schedule(grid.context);
    const facility = await findFacility(db, 'grid_03', p.supplyPointId);
    assert.equal(facility!.meters.length, 1);
    assert.equal(facility!.meters[0]!.installedOn, '2026-11-24');
    const exchange = await only({ receiver: OLD, kind: 'W51320', target: '2026-11-24' });
    const [e] = parseW5(exchange.bytes).records as W5ExchangeRecord[];
    assert.equal(e!.newMeter, facility!.meters[0]!.meterNumber);
    const { rows } = await db.query<{ kind: string }>(`SELECT kind FROM grid_03.meter_event WHERE supply_point_id = $1`, [p.supplyPointId]);
    assert.deepEqual(
      rows.map((r) => r.kind),
      ['verificationExpiry'],
    );
  });
});

test('W5 deadlines on the business-day calendar: holidays and 29 Dec–3 Jan do not count', () => {
  const kind = (code: string) => ppsKind(code)!;
  const d = (s: string) => s as IsoDate;
  // Monthly, reading day Sat 12-26: counting from Mon 12-28, then 1-4, 1-5, 1-6 → due 1-6 24:00 (B7's example).
  assert.deepEqual(w5Timing(kind('W51220'), d('2026-12-26')), {
    availableAt: jst('2026-12-26T02:00:00'),
    deadlineAt: jst('2027-01-07T00:00:00'),
    expiresAt: new Date(jst('2026-12-26T02:00:00').getTime() + 396 * 86_400_000),
  });
  // Monthly, Fri 11-20: 11-23 (勤労感謝の日) is skipped.
  assert.deepEqual(w5Timing(kind('W51210'), d('2026-11-20')).deadlineAt, jst('2026-11-27T00:00:00'));
  // Special reading on Mon 12-28: listed the next business day, 1-4, 02:00; due 1-6 24:00.
  const special = w5Timing(kind('W51420'), d('2026-12-28'));
  assert.deepEqual([special.availableAt, special.deadlineAt], [jst('2027-01-04T02:00:00'), jst('2027-01-07T00:00:00')]);
  // Exchange on 12-30: listed 12-31 02:00, due when the monthly file covering it (1-9) is listed.
  const exchange = w5Timing(kind('W51320'), d('2026-12-30'), [
    { coveredBy: d('2027-01-09') } as W5ExchangePoint,
    { coveredBy: d('2027-01-12') } as W5ExchangePoint,
  ]);
  assert.deepEqual([exchange.availableAt, exchange.deadlineAt], [jst('2026-12-31T02:00:00'), jst('2027-01-09T02:00:00')]);
});

const { ca, serverTls, a003, b001, unregistered, raw } = ppsSitePki('kirikae pps w5 test CA');

forEachBackend('W5 files on the data provision site', (backend) => {
  let db: TestDb;
  let app: FastifyInstance;
  let site: string;
  let client: PpsClient;
  const clock = testGridClock('2026-12-07T10:00:00+09:00');
  let grid: Grid;
  let mine: TestPoint;

  before(async () => {
    db = await backend.open();
    grid = new Grid({ area: '03', db, clock });
    mine = await givenSupplyPoint(db, { retailerCode: OLD });
    await givenSupplyPoint(db, { retailerCode: NEW });
    await givenSupplyPoint(db, { retailerCode: OLD, readingGroup: 9 });
    await registerPpsCertificate(db, 'grid_03', '03', { pem: a003.certPem, participantCode: OLD }, new Date());
    await registerPpsCertificate(db, 'grid_03', '03', { pem: b001.certPem, participantCode: NEW }, new Date());
    app = createGridServer({
      grids: [grid],
      tls: serverTls,
      provision: { grids: new Map([['03', grid.context]]) },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    site = `https://localhost:${(app.server.address() as AddressInfo).port}/grid/03/PPS/`;
    client = new PpsClient({ baseUrl: site, certPem: a003.certPem, keyPem: a003.keyPem, caPem: ca.certPem });
    await runW5Schedule(grid.context);
  });
  after(async () => {
    client.close();
    await app.close();
    await db.close();
  });

  test('listed, pulled and downloaded like the W4 files; another retailer’s, a not-yet-listed and an unknown name answer 404; audited', async () => {
    const name = 'W51220202612080000000.zip';
    await assert.rejects(client.download(name), (e: PpsHttpError) => e.status === 404, 'not listed before 12-08 02:00');
    clock.set('2026-12-08T02:00:00+09:00');
    await runW5Schedule(grid.context);
    const { files } = await client.list({ kind: 'W51220' });
    assert.deepEqual(
      files.map((f) => [f.name, f.target, f.revision, f.points]),
      [[name, '2026-12-08', 0, 1]],
    );
    const zip = await client.download(name);
    const parsed = parseW5(zip);
    assert.equal(parsed.content, 'monthly');
    assert.equal(parsed.receiverCode, OLD);
    // One usage model: the month's kWh is what IF_10310 shows for the reading month ending 12-08.
    const applied = await grid.handle(
      gridRequest(
        'IF_10210',
        { supplyPointId: mine.supplyPointId, customerNameKana: 'ヤマダ ハナコ', phoneNumber: '09012345678', consentDate: '2026-12-07' },
        OLD,
      ),
    );
    const password = await grid.handle(gridRequest('IF_10220', { applicationNumber: (applied.data as Record<string, string>).applicationNumber }, OLD));
    const usage = await grid.handle(
      gridRequest('IF_10310', { supplyPointId: mine.supplyPointId, usagePassword: (password.data as Record<string, string>).usagePassword }, OLD),
    );
    assert.equal(usage.result, 'OK', JSON.stringify(usage.messages));
    const months = (usage.data as { monthlyUsage: { month: string; from: string; to: string; kWh: number }[] }).monthlyUsage;
    const december = months.find((m) => m.month === '2026-12')!;
    assert.deepEqual([december.from, december.to], ['2026-11-09', '2026-12-07']);
    const record = parsed.records[0] as W5UsageRecord;
    assert.equal(record.supplyPointId, mine.supplyPointId);
    assert.equal(tenths(record.totalKWh!), tenths(december.kWh));
    assert.equal(sumTenths(record), tenths(december.kWh));
    // The list page (the public client style) names it too; the XSD is published.
    const page = iconv.decode((await raw(`${site}30min/FileListReceiver?prefix=W5`, a003)).body, 'Shift_JIS');
    assert.match(page, new RegExp(`rfilename1:"${name}"`));
    const xsd = await raw(`${site}xsd/W5_monthly.xsd`, a003);
    assert.equal(xsd.body.toString('utf8'), w5PublishedXsds['W5_monthly.xsd']);
    // An evicted file regenerates to the same bytes.
    await db.query(`UPDATE grid_03.pps_file SET bytes = NULL WHERE name = $1`, [name]);
    assert.deepEqual(Buffer.from(await client.download(name)), Buffer.from(zip));
    // The other retailer holds a file of the same name, with its own point; an unknown name is 404.
    const other = new PpsClient({ baseUrl: site, certPem: b001.certPem, keyPem: b001.keyPem, caPem: ca.certPem });
    try {
      const theirs = parseW5(await other.download(name));
      assert.notEqual(theirs.records[0]!.supplyPointId, parsed.records[0]!.supplyPointId);
    } finally {
      other.close();
    }
    await assert.rejects(client.download('W51220202612090000000.zip'), (e: PpsHttpError) => e.status === 404);
    const refused = await raw(`${site}30min/FileReceiver?file=${name}`, unregistered);
    assert.equal(refused.status, 403);
    // `kirikae pull --kinds W5` brings exactly the W5 files.
    const dir = mkdtempSync(join(tmpdir(), 'kirikae-w5-'));
    try {
      const result = await pullFiles(client, dir, { kinds: ['W5'] });
      assert.deepEqual(result.downloaded, [name]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Audited (written as each answer completes: read after the pull's requests).
    const audit = await siteAuditOf(db, 'grid_03', 50);
    const fp = describeCert(unregistered.certPem).fingerprint256;
    assert.ok(audit.some((a) => a.name === name && a.result === 'OK' && a.participantCode === OLD));
    assert.ok(audit.some((a) => a.name === 'W51220202612090000000.zip' && a.result === 'PPS_FILE_NOT_FOUND'));
    assert.ok(audit.some((a) => a.fingerprint256 === fp && a.result === 'PPS_CERT_NOT_REGISTERED'));
  });

  test('lateness: a file made after the end of the 4th business day counts late for its kind, by how much', async () => {
    // The job does not run from 12-08 to 12-15 03:00: group 09's file of Wed 12-09 was due by Mon 12-14 24:00.
    clock.set('2026-12-15T03:00:00+09:00');
    await runW5Schedule(grid.context);
    const late = await onlyRow(db, { receiver: OLD, kind: 'W51220', target: '2026-12-09' });
    assert.deepEqual(late.deadlineAt, jst('2026-12-15T00:00:00'));
    const monthly = (await latenessStats(db, 'grid_03', clock.now(), 7)).find((x) => x.kind === 'W51220')!;
    // The window is the last 7 days: the files of 12-08 (listed 02:00) have just left it.
    assert.deepEqual([monthly.files, monthly.late, monthly.maxLateMinutes], [1, 1, 180]);
  });
});

async function onlyRow(db: TestDb, where: { receiver: string; kind: string; target: string }) {
  const { rows } = await db.query<{ name: string; deadlineAt: Date }>(
    `SELECT name, deadline_at AS "deadlineAt" FROM grid_03.pps_file WHERE receiver_code = $1 AND kind = $2 AND target_date = $3`,
    [where.receiver, where.kind, where.target],
  );
  assert.equal(rows.length, 1);
  return rows[0]!;
}

forEachBackend('W5 files of the demo registry', (backend) => {
  test('at the first start the demo retailers already hold the settled-usage files of the last reading days', async () => {
    await using db = await backend.open();
    await seedRegistry(db, demoSeed);
    const clock = testGridClock('2026-12-03T10:00:00+09:00'); // Thursday
    const grid = new Grid({ area: '03', db, clock });
    const started = performance.now();
    await runPpsWork(grid.context, defaultProvisionSettings);
    const ms = performance.now() - started;
    const { rows } = await db.query<{ receiver: string; target: string; points: number; late: boolean }>(
      `SELECT receiver_code AS receiver, to_char(target_date, 'YYYY-MM-DD') AS target, points, materialized_at > deadline_at AS late
         FROM grid_03.pps_file WHERE kind = 'W51220' AND revision = 0 ORDER BY target_date, receiver_code`,
    );
    // Tokyo's reading days since Thu 11-26 that the demo's points read on, each retailer's file of each.
    const receivers = new Set(rows.map((r) => r.receiver));
    for (const code of [OLD, NEW]) assert.ok(receivers.has(code), `${code}: ${JSON.stringify(rows)}`);
    assert.ok(new Set(rows.map((r) => r.target)).size >= 3, JSON.stringify(rows));
    assert.ok(
      rows.every((r) => r.target >= '2026-11-26' && r.target <= '2026-12-03' && Number(r.points) > 0 && !r.late),
      JSON.stringify(rows),
    );
    assert.ok(ms < 60_000, `${ms} ms`);
  });
});
