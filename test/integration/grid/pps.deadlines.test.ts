/**
 * The deadline watch of a grid's data provision site (HALFHOURLY.md B7): per kind, the files due in a
 * day of deadlines, made on time or late, and the targets missing past their deadline, on the
 * grid's (sandbox) clock; answered to the hub as GRID_PPS_STATS and shown on `grid serve`'s
 * operations port.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IsoDate } from '../../../src/domain/date.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { startOpsServer, type OpsServer } from '../../../src/platform/http/ops-server.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { gridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, testGridClock } from '../../../src/grid/testing.ts';
import { w4ReportWatchRules, runW4Schedule } from '../../../src/grid/provision/schedule.ts';
import { watchedRules } from '../../../src/grid/provision/deadlines.ts';
import { deadlineWatch, deadlineWatchOpsPage, type DeadlineWatch } from '../../../src/grid/provision/deadlines.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';

const kindOf = (watch: DeadlineWatch, kind: string) => {
  const figures = watch.kinds.find((k) => k.kind === kind);
  assert.ok(figures, `${kind} is watched`);
  return figures;
};

test('the due rules: a same-day file is due 60 minutes after its half-hour, a daily file at 12:00 the next day', () => {
  const from = new Date('2026-11-25T00:00:00+09:00');
  const to = new Date('2026-11-25T02:00:00+09:00');
  const sameDay = w4ReportWatchRules.W41110!.due(from, to);
  assert.deepEqual(
    sameDay.map((t) => `${t.date} ${t.slot} ${t.deadlineAt.toISOString()}`),
    [
      '2026-11-24 47 2026-11-24T15:30:00.000Z', // 23:00–23:30, due 00:30
      '2026-11-24 48 2026-11-24T16:00:00.000Z',
      '2026-11-25 1 2026-11-24T16:30:00.000Z',
      '2026-11-25 2 2026-11-24T17:00:00.000Z', // 00:30–01:00, due 02:00 (the end of the window counts)
    ],
  );
  const daily = w4ReportWatchRules.W40120!.due(new Date('2026-11-25T00:00:00+09:00'), new Date('2026-11-27T00:00:00+09:00'));
  assert.deepEqual(
    daily.map((t) => `${t.date} ${t.deadlineAt.toISOString()}`),
    ['2026-11-24 2026-11-25T03:00:00.000Z', '2026-11-25 2026-11-26T03:00:00.000Z'],
  );
  assert.deepEqual(
    Object.keys(w4ReportWatchRules).sort(),
    ['STD_GENSHIWAKE', 'STD_GENSHIWAKE_G', 'STD_KEIYAKUKW', 'STD_SEIGENCHUSHI', 'W40110', 'W40120', 'W41110', 'W41120'],
    'every W4 kind and every CSV report has its rule',
  );
  // A CSV report of reading day R (its kind's timing as data): due by the end of the 5th business day counting R.
  const csv = w4ReportWatchRules.STD_KEIYAKUKW!.due(new Date('2026-12-26T00:00:00+09:00'), new Date('2027-01-09T00:00:00+09:00'));
  assert.deepEqual(
    csv.filter((t) => t.date >= '2026-12-24' && t.date <= '2026-12-28').map((t) => `${t.date} ${t.deadlineAt.toISOString()}`),
    [
      '2026-12-24 2027-01-05T15:00:00.000Z',
      '2026-12-25 2027-01-06T15:00:00.000Z',
      '2026-12-26 2027-01-07T15:00:00.000Z',
      '2026-12-27 2027-01-07T15:00:00.000Z',
      '2026-12-28 2027-01-07T15:00:00.000Z',
    ],
  );
  assert.equal(w4ReportWatchRules.STD_KEIYAKUKW!.text, '検針日から5営業日目まで（1営業日後の03:00から提供）');
});

test('the watch covers the W5 files: a monthly file of reading day R is due by the end of the 4th business day counting R, across the year end', () => {
  assert.deepEqual(
    Object.keys(watchedRules)
      .filter((k) => k.startsWith('W5'))
      .sort(),
    ['W51210', 'W51220', 'W51310', 'W51320', 'W51410', 'W51420'],
  );
  const monthly = watchedRules.W51220!.due(new Date('2027-01-06T00:00:00+09:00'), new Date('2027-01-07T00:00:00+09:00'));
  // Reading day Sat 26 Dec: Mon 28 Dec, then 4, 5 and 6 Jan (29 Dec–3 Jan are not business days); so do 27 and 28 Dec.
  assert.deepEqual(
    monthly.filter((t) => t.date >= '2026-12-24').map((t) => `${t.date} ${t.deadlineAt.toISOString()}`),
    ['2026-12-26 2027-01-06T15:00:00.000Z', '2026-12-27 2027-01-06T15:00:00.000Z', '2026-12-28 2027-01-06T15:00:00.000Z'],
  );
  assert.equal(watchedRules.W51220!.text, '対象日から4営業日目まで（当日2:00から提供）');
  assert.equal(watchedRules.W51220!.schedule?.name, 'w5-day', 'made once the daily W5 run handled the day, with or without a file');
});

forEachBackend('the data provision deadline watch', (backend) => {
  let db: TestDb;
  let grid: Grid;
  let ops: OpsServer;
  const clock = testGridClock('2026-11-25T10:00:00+09:00'); // Wednesday

  before(async () => {
    db = await backend.open();
    await migrate(db, [gridMigrations('03')]);
    grid = new Grid({ area: '03', db, clock });
    await givenSupplyPoint(db, { retailerCode: '10033' });
    await givenSupplyPoint(db, { retailerCode: '20013' });
    await givenSupplyPoint(db, { retailerCode: '10033', kind: 'hv' });
    await runW4Schedule(grid.context);
    ops = await startOpsServer({ host: '127.0.0.1', port: 0, db, pages: { '/pps/deadlines': deadlineWatchOpsPage([grid.context]) } });
  });
  after(async () => {
    await ops.close();
    await db.close();
  });

  test('after the opening run everything due is made on time and nothing is missing', async () => {
    const watch = await deadlineWatch(grid.context);
    assert.equal(watch.date, '2026-11-25');
    // Half-hours 1–18 of today are due by 10:00 (their end + 60 min): two LV receivers, one HV.
    assert.deepEqual(kindOf(watch, 'W41110'), {
      kind: 'W41110',
      title: '低圧30分電力量',
      rule: 'コマ終了後60分以内（コマ終了後15分から提供）',
      due: 36,
      onTime: 36,
      late: 0,
      maxLateMinutes: 0,
      missing: 0,
      oldestMissingDeadline: null,
    });
    assert.equal(kindOf(watch, 'W40110').due, 18);
    // Yesterday's daily file is due at 12:00 today: not yet.
    assert.equal(kindOf(watch, 'W41120').due, 0);
    assert.equal(kindOf(watch, 'W41120').missing, 0);
  });

  test('a schedule that did not run shows the half-hours past their deadline as missing; running it late shows them late', async () => {
    clock.set('2026-11-25T11:31:00+09:00');
    const stalled = await deadlineWatch(grid.context);
    // Half-hour 20 (09:30–10:00) was due at 11:00 and is not made (19 was, at the opening).
    for (const kind of ['W41110', 'W40110']) {
      assert.equal(kindOf(stalled, kind).missing, 2, `${kind}: half-hours 20 and 21 (due 11:00 and 11:30)`);
      assert.equal(kindOf(stalled, kind).oldestMissingDeadline, '2026-11-25T02:00:00.000Z');
    }
    await runW4Schedule(grid.context);
    const caughtUp = await deadlineWatch(grid.context);
    const lv = kindOf(caughtUp, 'W41110');
    assert.deepEqual(
      { due: lv.due, onTime: lv.onTime, late: lv.late, maxLateMinutes: lv.maxLateMinutes, missing: lv.missing },
      { due: 42, onTime: 38, late: 4, maxLateMinutes: 31, missing: 0 },
      'half-hours 1–21 due for two receivers; 20 and 21 made at 11:31, 31 and 1 minutes late',
    );
  });

  test('the daily file not made by 12:00 the next day is missing; a day of deadlines can be chosen', async () => {
    clock.set('2026-11-26T12:01:00+09:00');
    const watch = await deadlineWatch(grid.context, '2026-11-26' as IsoDate);
    assert.equal(kindOf(watch, 'W41120').missing, 1);
    assert.equal(kindOf(watch, 'W41120').oldestMissingDeadline, '2026-11-26T03:00:00.000Z');
    const yesterday = await deadlineWatch(grid.context, '2026-11-25' as IsoDate);
    assert.equal(kindOf(yesterday, 'W41120').due, 2, 'the daily file of the 24th, made on time, for both LV receivers');
    assert.equal(kindOf(yesterday, 'W41120').onTime, 2);
    const future = await deadlineWatch(grid.context, '2026-12-01' as IsoDate);
    assert.ok(
      future.kinds.every((k) => k.due === 0 && k.missing === 0),
      'a day not begun has nothing due',
    );
  });

  test('GRID_PPS_STATS answers the hub and refuses anyone else', async () => {
    const answer = await grid.handle({ interfaceId: 'GRID_PPS_STATS', participantCode: 'H000', requestId: 'r1', body: { date: '2026-11-26' } });
    assert.equal(answer.result, 'OK');
    assert.equal((answer.data as { date: string }).date, '2026-11-26');
    const retailer = await grid.handle({ interfaceId: 'GRID_PPS_STATS', participantCode: '10033', requestId: 'r2', body: {} });
    assert.equal(retailer.result, 'NG');
    assert.equal(retailer.messages[0]?.code, 'PPS_STATS_HUB_ONLY');
    const badDate = await grid.handle({ interfaceId: 'GRID_PPS_STATS', participantCode: 'H000', requestId: 'r3', body: { date: '2026-02-30' } });
    assert.equal(badDate.messages[0]?.code, 'DATE_INVALID');
  });

  test('the operations port shows the watch in Japanese, as JSON on request, and refuses a bad date', async () => {
    const page = await fetch(`${ops.base}/pps/deadlines?date=2026-11-26`);
    assert.equal(page.status, 200);
    const text = await page.text();
    assert.match(text, /<h1>データ提供の期限監視<\/h1>/);
    assert.match(text, /<section data-area="03"><h2>03 東京/);
    assert.match(text, /<tr data-kind="W41120" class="bad">/);
    const json = (await (await fetch(`${ops.base}/pps/deadlines?date=2026-11-26&format=json`)).json()) as { areas: DeadlineWatch[] };
    assert.equal(kindOf(json.areas[0]!, 'W41120').missing, 1);
    const bad = await fetch(`${ops.base}/pps/deadlines?date=tomorrow`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /^DATE_FORMAT: /);
  });
});
