/**
 * Meter work changes the meters in the registry (issue 12 §3): an application that completes with
 * meter work (stage 08) replaces a conventional meter by a smart one installed on the effective
 * date, in the completion's transaction, and the facility look-up shows the new meter; a move-out
 * with removal takes the meters out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub } from '../../support/hub-server.ts';
import { executeDue } from '../../../src/grid/applications/jobs.ts';
import { findFacility } from '../../../src/grid/registry/facility.repository.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint, gridRequest } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../../src/grid/transport/config.ts';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { testClock } from '../../../src/hub/identity/testing.ts';
import type { IsoDate } from '../../../src/domain/date.ts';

type Data = Record<string, any>;
const data = (r: InterfaceResponse): Data => (r.data ?? {}) as Data;

forEachBackend('meter work in the registry', (backend) => {
  async function world(db: TestDb) {
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    return { clock, grids };
  }
  const metersOf = async (db: TestDb, supplyPointId: string) =>
    (
      await db.query<{ meterNumber: string; kind: string; installedOn: string; removedOn: string | null }>(
        `SELECT meter_number AS "meterNumber", kind, to_char(installed_on, 'YYYY-MM-DD') AS "installedOn", to_char(removed_on, 'YYYY-MM-DD') AS "removedOn"
         FROM grid_03.meter WHERE supply_point_id = $1 ORDER BY installed_on, meter_number`,
        [supplyPointId],
      )
    ).rows;

  test('a switch at a conventional-meter point completes at 08 and the facility look-up then shows a new smart meter installed on the switching date', async () => {
    await using db = await backend.open();
    const { clock, grids } = await world(db);
    const hub = await startTestHub(db, { transport: grids, clock });
    try {
      const p = await givenSupplyPoint(db, { area: '03', kind: 'lvConventional', retailerCode: '20013', meterInstalledOn: '2018-04-02' as IsoDate });
      const sdk = hub.sdk('aApi');
      const before = await sdk.call('IF_10110', { supplyPointId: p.supplyPointId });
      assert.equal(before.result, 'OK', JSON.stringify(before));
      const [oldMeter] = data(before).meters;
      assert.equal(oldMeter.meterKind, 'conventional', JSON.stringify(data(before).meters));

      const switchIn = await sdk.call('IF_10610', {
        requestId: 'mw-1',
        updateFlag: '1',
        supplyPointId: p.supplyPointId,
        customerNameKana: 'ヤマダ ハナコ',
        customerName: '山田 花子',
        currentRetailerCode: '20013',
      });
      assert.equal(switchIn.result, 'OK', JSON.stringify(switchIn));
      // The old retailer's switch-out, straight to the grid (numbered apart from the hub's numbers).
      const switchOut = await grids.send(
        '03',
        gridRequest(
          'IF_10710',
          { updateFlag: '1', applicationNumber: 'AP03-20261125900001', supplyPointId: p.supplyPointId, newRetailerCode: '10033' },
          '20013',
        ),
      );
      assert.equal(switchOut.result, 'OK', JSON.stringify(switchOut));
      const matched = await sdk.call('IF_10620', { requestId: 'mw-1' });
      assert.equal(data(matched).stage, '05', JSON.stringify(matched));
      const switchingDate: string = data(matched).scheduledDate;

      // The day before: nothing yet.
      clock.set(`${switchingDate}T00:00:00+09:00`);
      clock.advance(-60_000);
      await executeDue({ db, clock, area: '03' }, { limit: 100 });
      assert.equal((await metersOf(db, p.supplyPointId)).length, 1, 'the old meter only, before the switching date');

      clock.set(`${switchingDate}T08:00:00+09:00`);
      assert.ok((await executeDue({ db, clock, area: '03' }, { limit: 100 })).executed >= 1);
      const done = await sdk.call('IF_10620', { requestId: 'mw-1' });
      assert.equal(data(done).stage, '08', 'complete with meter work');

      const after = await sdk.call('IF_10110', { supplyPointId: p.supplyPointId });
      assert.equal(after.result, 'OK', JSON.stringify(after));
      const meters: Data[] = data(after).meters;
      assert.equal(meters.length, 1, JSON.stringify(meters));
      const newMeter = meters[0]!;
      assert.notEqual(newMeter.meterNumber, oldMeter.meterNumber, 'a new meter number');
      assert.match(newMeter.meterNumber, /^2\d{9}$/);
      assert.equal(newMeter.meterKind, 'smart');
      assert.equal(newMeter.installedOn, switchingDate, 'installed on the switching date');

      // The registry keeps the old meter, removed that day.
      const rows = await metersOf(db, p.supplyPointId);
      assert.deepEqual(
        rows.map((m) => [m.meterNumber, m.kind, m.installedOn, m.removedOn]),
        [
          [oldMeter.meterNumber, 'conventional', '2018-04-02', switchingDate],
          [newMeter.meterNumber, 'smart', switchingDate, null],
        ],
      );
      // A second run changes nothing.
      await executeDue({ db, clock, area: '03' }, { limit: 100 });
      assert.equal((await metersOf(db, p.supplyPointId)).length, 2);
      sdk.close();
    } finally {
      await hub.close();
      grids.close();
    }
  });

  test('an ampere change with a conventional meter replaces it; a point with a smart meter keeps its meter; a removal takes the meters out', async () => {
    await using db = await backend.open();
    const { clock, grids } = await world(db);
    try {
      const conventional = await givenSupplyPoint(db, { area: '03', kind: 'lvConventional', retailerCode: '10033' });
      const smart = await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '10033' });
      const removed = await givenSupplyPoint(db, { area: '03', kind: 'lvConventional', retailerCode: '10033' });
      const smartMeter = (await metersOf(db, smart.supplyPointId))[0]!;
      const send = (interfaceId: string, body: Data) => grids.send('03', gridRequest(interfaceId, { updateFlag: '1', ...body }, '10033'));
      for (const answer of [
        await send('IF_10910', { supplyPointId: conventional.supplyPointId, contractAmpere: '60', requestedDate: '2026-12-09' }),
        await send('IF_10910', { supplyPointId: smart.supplyPointId, contractAmpere: '60', requestedDate: '2026-12-09' }),
        await send('IF_10510', { supplyPointId: removed.supplyPointId, applicationKind: '02', requestedDate: '2026-12-09' }),
      ]) {
        assert.equal(answer.result, 'OK', JSON.stringify(answer));
      }
      clock.set('2026-12-09T08:00:00+09:00');
      assert.equal((await executeDue({ db, clock, area: '03' }, { limit: 100 })).executed, 3);

      const replaced = (await findFacility(db, 'grid_03', conventional.supplyPointId))!;
      assert.deepEqual(
        replaced.meters.map((m) => [m.kind, m.installedOn]),
        [['smart', '2026-12-09']],
      );
      assert.equal(replaced.contractAmpere, 60);
      const kept = (await findFacility(db, 'grid_03', smart.supplyPointId))!;
      assert.deepEqual(
        kept.meters,
        [{ meterNumber: smartMeter.meterNumber, kind: 'smart', installedOn: smartMeter.installedOn, autoReadingUnavailable: false }],
        'no meter work, no new meter',
      );
      const gone = (await findFacility(db, 'grid_03', removed.supplyPointId))!;
      assert.equal(gone.status, 'removed');
      assert.deepEqual(gone.meters, [], 'removal (撤去) takes the meter away');
      assert.equal((await metersOf(db, removed.supplyPointId))[0]!.removedOn, '2026-12-09');
    } finally {
      grids.close();
    }
  });
});
