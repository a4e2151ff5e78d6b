import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, type TestHub } from '../../support/hub-server.ts';
import { bulkSwitchIn } from '../../../src/cli/commands/bulk.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';
import { givenSupplyPoint } from '../../../src/grid/testing.ts';
import { gridTransportFromConfig } from '../../../src/grid/transport/config.ts';
import { interfaceById } from '../../../src/interfaces/catalogue/catalogue.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { Jobs } from '../../../src/platform/jobs.ts';
import { buildCertificate, testClock } from '../../../src/hub/identity/testing.ts';
import { fileBulkCsv, parseBulkCsv } from '../../../src/hub/bulk/bulk.ts';
import { startOutboxJobs } from '../../../src/hub/applications/outbox.jobs.ts';

const header = 'リクエストID,供給地点特定番号,需要者名（カナ）,需要者名（漢字）,現小売電気事業者コード,電話番号';

test('reads UTF-8 with and without BOM and Shift_JIS as Excel writes it, by Japanese names or identifiers', () => {
  const text = `${header}\r\nr1,0300000000000000000001,ヤマダ ハナコ,山田 花子,20013,\r\n`;
  const def = interfaceById('IF_10610')!;
  for (const bytes of [Buffer.from(text), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), iconv.encode(text, 'cp932')]) {
    const rows = parseBulkCsv(def, bytes);
    assert.deepEqual(rows, [
      {
        row: 2,
        values: {
          requestId: 'r1',
          supplyPointId: '0300000000000000000001',
          customerNameKana: 'ヤマダ ハナコ',
          customerName: '山田 花子',
          currentRetailerCode: '20013',
          updateFlag: '1',
        },
      },
    ]);
  }
  const byId = parseBulkCsv(def, 'requestId,supplyPointId,customerNameKana,"需要者名(漢字)",,\n"r,2",03,"ア\nイ",x,,\n,,,,,\n');
  assert.deepEqual(byId, [{ row: 2, values: { requestId: 'r,2', supplyPointId: '03', customerNameKana: 'ア\nイ', customerName: 'x', updateFlag: '1' } }]);
  assert.throws(() => parseBulkCsv(def, 'リクエストID,好きな色\nr1,赤\n'), /BULK_UNKNOWN_COLUMN/);
  assert.throws(() => parseBulkCsv(def, `${header}\n`), /BULK_EMPTY/);
  assert.throws(() => parseBulkCsv(def, `リクエストID,requestId\nr1,r1\n`), /BULK_DUPLICATE_COLUMN/);
  assert.throws(() => parseBulkCsv(def, `リクエストID\n"r1\n`), /BULK_CSV_MALFORMED/);
  assert.throws(() => parseBulkCsv(def, Buffer.from([0x82, 0xa0, 0xff, 0xff, 0x80, 0x0a, 0x31])), /BULK_ENCODING/);
});

forEachBackend('bulk switch-in through the hub', (backend) => {
  async function withHub(fn: (hub: TestHub, db: TestDb, jobs: Jobs) => Promise<void>) {
    await using db = await backend.open();
    await migrate(db, allGridMigrations);
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const grids = await gridTransportFromConfig({ db, clock, env: {} });
    const jobs = await Jobs.start(db, { pollingIntervalSeconds: 0.5 });
    const hub = await startTestHub(db, { transport: grids, clock, jobs });
    try {
      await startOutboxJobs(jobs, { db, clock, transport: grids, jobs });
      await fn(hub, db, jobs);
    } finally {
      await hub.close();
      await jobs.stop();
      grids.close();
    }
  }
  const points = async (db: TestDb, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await givenSupplyPoint(db, { area: '03', kind: 'lvSmart', retailerCode: '20013' })).supplyPointId);
    return ids;
  };
  const outboxCount = async (db: TestDb) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.application_outbox`)).rows[0]!.n;

  for (const encoding of ['utf8', 'cp932'] as const) {
    test(`a file with refused rows (${encoding}) is reported row by row in the API's codes, and nothing is filed`, () =>
      withHub(async (hub, db) => {
        const [a, b] = await points(db, 2);
        const kansai = (await givenSupplyPoint(db, { area: '06', kind: 'lvSmart', retailerCode: '20016' })).supplyPointId;
        const csv = [
          header,
          `ok-1,${a},ヤマダ ハナコ,山田 花子,20013,03-1234-5678`,
          `bad-spid,0312,ヤマダ ハナコ,山田 花子,20013,`,
          `no-kana,${b},,山田 花子,20013,`,
          `ok-1,${b},スズキ イチロウ,鈴木 一郎,20013,`,
          `kansai,${kansai},ヤマダ ハナコ,山田 花子,20016,`,
        ].join('\r\n');
        const sdk = hub.sdk('aApi');
        const report = await sdk.bulk('IF_10610', encoding === 'utf8' ? csv : iconv.encode(csv, 'cp932'));
        sdk.close();
        assert.equal(report.result, 'NG');
        assert.deepEqual(
          report.messages.map((m) => m.code),
          ['BULK_REJECTED'],
        );
        assert.equal(report.data.accepted, 0);
        assert.equal(report.data.refused, 4);
        assert.deepEqual(
          report.data.rows.map((r) => [r.row, r.result, r.messages.map((m) => m.code)]),
          [
            [2, 'OK', []],
            [3, 'NG', ['SPID_LENGTH']],
            [4, 'NG', ['IF_REQUIRED']],
            [5, 'NG', ['BULK_DUPLICATE_REQUEST_ID']],
            [6, 'NG', ['IF_AREA_NOT_REGISTERED']],
          ],
        );
        assert.equal(report.data.rows[0]!.applicationNumber, undefined, 'nothing filed, no number');
        // The same message as the API gives for the same request.
        const api = await hub
          .sdk('aApi')
          .call('IF_10610', { requestId: 'x', updateFlag: '1', supplyPointId: b, customerName: '山田 花子', currentRetailerCode: '20013' });
        assert.deepEqual(report.data.rows[2]!.messages, api.messages);
        assert.equal(await outboxCount(db), 0);
      }));
  }

  test('a good file is filed whole, delivered by the jobs, and sending it again files nothing twice; the CLI prints the report', () =>
    withHub(async (hub, db) => {
      const ids = await points(db, 3);
      const csv = `\ufeff${[header, ...ids.map((id, i) => `bulk-${i + 1},${id},ヤマダ ハナコ,山田 花子,20013,`)].join('\r\n')}\r\n`;
      const sdk = hub.sdk('aApi');
      const report = await sdk.bulk('IF_10610', csv);
      assert.equal(report.result, 'OK', JSON.stringify(report));
      assert.deepEqual(
        report.messages.map((m) => m.code),
        ['BULK_ACCEPTED'],
      );
      assert.equal(report.data.accepted, 3);
      const numbers = report.data.rows.map((r) => r.applicationNumber);
      for (const n of numbers) assert.match(n ?? '', /^AP03-20261125\d{6}$/);
      assert.equal(new Set(numbers).size, 3);

      const started = Date.now();
      for (;;) {
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.application_outbox WHERE status = 'delivered'`);
        if (rows[0]!.n === 3) break;
        assert.ok(Date.now() - started < 20_000, 'delivered by the delivery jobs');
        await new Promise((r) => setTimeout(r, 100));
      }
      const grid = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_03.application WHERE application_number = ANY($1)`, [numbers]);
      assert.equal(grid.rows[0]!.n, 3);
      const status = await sdk.call('IF_10620', { applicationNumber: numbers[0] });
      assert.equal(status.data?.stage, '03');

      const again = await sdk.bulk('IF_10610', iconv.encode(csv.slice(1), 'cp932'));
      assert.deepEqual(
        again.data.rows.map((r) => r.applicationNumber),
        numbers,
      );
      assert.equal(await outboxCount(db), 3);
      sdk.close();

      const dir = await mkdtemp(join(tmpdir(), 'kirikae-bulk-'));
      try {
        const cert = buildCertificate({ participantCode: '10033', usage: 'api' }).cert;
        await writeFile(join(dir, 'a.cert.pem'), cert.certPem);
        await writeFile(join(dir, 'a.key.pem'), cert.keyPem);
        await writeFile(join(dir, 'ca.pem'), hub.caPem);
        await writeFile(join(dir, 'in.csv'), iconv.encode(csv.slice(1), 'cp932'));
        const printed: string[] = [];
        const log = console.log;
        console.log = (line: string) => printed.push(line);
        let status: number | undefined;
        try {
          status =
            (await bulkSwitchIn.run([join(dir, 'in.csv'), '--cert', join(dir, 'a.cert.pem'), '--ca', join(dir, 'ca.pem'), '--url', hub.base])) ?? undefined;
        } finally {
          console.log = log;
        }
        assert.equal(status, 0);
        assert.match(printed.join('\n'), /IF_10610 一括申込: OK/);
        assert.match(printed.join('\n'), new RegExp(`2行目 OK \\(bulk-1\\) 申込番号 ${numbers[0]}`));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }));

  test('refuses files over the limits, unknown columns and interfaces not offered in bulk, with their codes', () =>
    withHub(async (hub, db) => {
      const sdk = hub.sdk('aApi');
      // Rows are counted before any is read: one column is enough to be over the limit.
      const rows = Array.from({ length: 100_001 }, (_, i) => `r${i}`);
      assert.deepEqual(
        (await sdk.bulk('IF_10610', ['requestId', ...rows].join('\n'))).messages.map((m) => m.code),
        ['BULK_TOO_MANY_ROWS'],
      );
      // 40 MiB and a byte: refused before anything else is looked at (sent through the API it takes long).
      const big = new Uint8Array(40 * 1024 * 1024 + 1).fill(0x61);
      assert.deepEqual(
        (await fileBulkCsv({} as never, {} as never, interfaceById('IF_10610')!, big)).messages.map((m) => m.code),
        ['BULK_TOO_LARGE'],
      );
      assert.deepEqual(
        (await sdk.bulk('IF_10610', 'リクエストID,色\nr1,赤\n')).messages.map((m) => m.code),
        ['BULK_UNKNOWN_COLUMN'],
      );
      assert.deepEqual(
        (await sdk.bulk('IF_10710', 'リクエストID\nr1\n')).messages.map((m) => m.code),
        ['BULK_NOT_OFFERED'],
      );
      const [mine, theirs] = await points(db, 2);
      await sdk.call('IF_10710', { requestId: 'reused-1', updateFlag: '1', supplyPointId: mine, newRetailerCode: '20013' });
      const reused = await sdk.bulk(
        'IF_10610',
        [header, `fresh-1,${theirs},ヤマダ ハナコ,山田 花子,20013,`, `reused-1,${theirs},ヤマダ ハナコ,山田 花子,20013,`].join('\n'),
      );
      assert.deepEqual(
        reused.data.rows.map((r) => [r.row, r.result, r.applicationNumber, r.messages.map((m) => m.code)]),
        [
          [2, 'OK', undefined, []],
          [3, 'NG', undefined, ['OUTBOX_REQUEST_ID_REUSED']],
        ],
      );
      assert.equal((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.application_outbox WHERE request_id = 'fresh-1'`)).rows[0]!.n, 0);
      const terminal = hub.as('aTerminal');
      const res = await terminal.post('/api/v1/bulk/IF_10610', { body: 'リクエストID\nr1\n', headers: { 'content-type': 'text/csv' } });
      assert.equal(res.status, 403, 'a terminal certificate is not for the API');
      sdk.close();
    }));
});
