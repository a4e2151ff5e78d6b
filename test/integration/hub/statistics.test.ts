/**
 * OCCTO's switching statistics: applications per area, kind and month and the switching rate, on
 * the API of the OCCTO role (the hub operator's API certificate), as CSV and on the hub admin's
 * screen; refused to retailers and for malformed periods.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { startTestHub, type TestHub } from '../../support/hub-server.ts';
import { hiddenField, type TestClient } from '../../support/https-client.ts';
import { buildCertificate, givenCertificate, TEST_PASSWORD } from '../../../src/hub/identity/testing.ts';

interface Filing {
  readonly number: string;
  readonly interfaceId: string;
  readonly area: string;
  readonly filedAt: string;
  readonly updateFlag?: '1' | '2';
  readonly result?: 'OK' | 'NG';
  readonly delivered?: boolean;
}

const filings: Filing[] = [
  { number: 'AP03-20260115000001', interfaceId: 'IF_10610', area: '03', filedAt: '2026-01-15T10:00:00+09:00' },
  { number: 'AP03-20260120000002', interfaceId: 'IF_10610', area: '03', filedAt: '2026-01-20T10:00:00+09:00' },
  { number: 'AP03-20260121000003', interfaceId: 'IF_K10610', area: '03', filedAt: '2026-01-21T10:00:00+09:00' },
  // 1 February 00:30 in Japan is still 31 January in UTC: it counts in February.
  { number: 'AP03-20260201000004', interfaceId: 'IF_10410', area: '03', filedAt: '2026-02-01T00:30:00+09:00' },
  { number: 'AP06-20260210000001', interfaceId: 'IF_10610', area: '06', filedAt: '2026-02-10T10:00:00+09:00' },
  // Not counted: refused by the grid, a correction, not yet delivered.
  { number: 'AP03-20260116000005', interfaceId: 'IF_10610', area: '03', filedAt: '2026-01-16T10:00:00+09:00', result: 'NG' },
  { number: 'AP03-20260115000001', interfaceId: 'IF_10610', area: '03', filedAt: '2026-01-17T10:00:00+09:00', updateFlag: '2' },
  { number: 'AP06-20260211000002', interfaceId: 'IF_10610', area: '06', filedAt: '2026-02-11T10:00:00+09:00', delivered: false },
];

forEachBackend('switching statistics', (backend) => {
  let db: TestDb;
  let hub: TestHub;
  let occto: TestClient;
  before(async () => {
    db = await backend.open();
    hub = await startTestHub(db, { supplyPointCount: async (area) => (area === '03' ? 200 : area === '06' ? 50 : null) });
    await givenCertificate(db, hub.clock, { participantCode: 'H000', usage: 'api' });
    occto = hub.withCert(buildCertificate({ participantCode: 'H000', usage: 'api' }).cert);
    let n = 0;
    for (const f of filings) {
      n++;
      const delivered = f.delivered ?? true;
      await db.query(
        `INSERT INTO hub.application_outbox (application_number, delivery_id, company_code, participant_code, request_id, interface_id, update_flag, area,
                                             supply_point_id, body, filed_at, status, next_attempt_at, grid_answer, delivered_at)
         VALUES ($1, $2, '1003', '10033', $3, $4, $5, $6, $7, '{}', $8, $9, $8, $10, $11)`,
        [
          f.number,
          `${f.number}-${n}`,
          `req-${n}`,
          f.interfaceId,
          f.updateFlag ?? '1',
          f.area,
          `${f.area}00000000000000000001`,
          new Date(f.filedAt),
          delivered ? 'delivered' : 'pending',
          delivered ? JSON.stringify({ result: f.result ?? 'OK', messages: [] }) : null,
          delivered ? new Date(f.filedAt) : null,
        ],
      );
    }
  });
  after(async () => {
    await hub?.close();
    await db?.close();
  });

  test('the OCCTO role’s API counts the applications the grids accepted by month (Japan), area, family and kind, and each area’s switching rate', async () => {
    const res = await occto.get('/api/v1/statistics/switching?from=2026-01&to=2026-02');
    assert.equal(res.status, 200, res.body);
    const { data } = res.json() as {
      data: {
        monthly: { month: string; area: string; family: string; kind: string; applications: number }[];
        rates: { area: string; switchIns: number; supplyPoints: number | null; ratePercent: number | null }[];
      };
    };
    assert.deepEqual(
      data.monthly.map((m) => `${m.month} ${m.area} ${m.family} ${m.kind} ${m.applications}`),
      ['2026-01 03 LV 10610 2', '2026-01 03 HV 10610 1', '2026-02 03 LV 10410 1', '2026-02 06 LV 10610 1'],
    );
    const rate = (area: string) => data.rates.find((r) => r.area === area);
    assert.deepEqual(rate('03'), { area: '03', areaName: '東京', switchIns: 3, supplyPoints: 200, ratePercent: 1.5 });
    assert.deepEqual(rate('06'), { area: '06', areaName: '関西', switchIns: 1, supplyPoints: 50, ratePercent: 2 });
    assert.equal(rate('01')?.ratePercent, null, 'no registry size: no rate');
    // The rate counts up to the end of the period.
    const january = (await occto.get('/api/v1/statistics/switching?from=2026-01&to=2026-01')).json() as {
      data: { rates: { area: string; switchIns: number }[] };
    };
    assert.equal(january.data.rates.find((r) => r.area === '06')?.switchIns, 0);
  });

  test('the same as CSV (UTF-8 with BOM, Japanese headers)', async () => {
    const res = await occto.get('/api/v1/statistics/switching?from=2026-01&to=2026-02&format=csv');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    const lines = res.body.replace(/^\uFEFF/, '').split('\r\n');
    assert.equal(lines[0], '集計月,エリア,エリア名,区分,申込種別,申込種別名,件数');
    assert.ok(lines.includes('2026-01,03,東京,LV,10610,スイッチング開始,2'), lines.join('\n'));
    assert.ok(lines.includes('2026-02,03,東京,LV,10410,再点（入居）,1'));
    assert.ok(lines.includes('03,東京,3,200,1.5'));
    assert.ok(lines.includes('01,北海道,0,,'));
  });

  test('refused: a retailer (AUTH_FORBIDDEN), a month that is not YYYY-MM, a period backwards or over ten years', async () => {
    const retailer = await hub.as('aApi').get('/api/v1/statistics/switching');
    assert.equal(retailer.status, 403);
    assert.equal(retailer.json().messages[0].code, 'AUTH_FORBIDDEN');
    for (const [query, code] of [
      ['from=2026-13', 'STATS_MONTH_INVALID'],
      ['from=2026/01', 'STATS_MONTH_INVALID'],
      ['from=2026-03&to=2026-01', 'STATS_MONTH_ORDER'],
      ['from=2000-01&to=2026-01', 'STATS_PERIOD_TOO_LONG'],
    ] as const) {
      const res = await occto.get(`/api/v1/statistics/switching?${query}`);
      assert.equal(res.json().messages[0].code, code, `${query}: ${res.body}`);
    }
  });

  test('the hub admin’s screen shows the rates and the monthly table, linked from the menu, with the CSV download', async () => {
    const admin = hub.as('hubTerminal');
    const form = await admin.get('/login');
    const signedIn = await admin.post('/login', { form: { _csrf: hiddenField(form.body, '_csrf'), userId: 'h000.admin', password: TEST_PASSWORD } });
    assert.equal(signedIn.status, 303);
    const screen = await admin.get('/admin/statistics?from=2026-01&to=2026-02');
    assert.equal(screen.status, 200, screen.body);
    assert.match(screen.body, /href="\/admin\/statistics"/);
    assert.match(screen.body, /<tr data-area="03"><td>03 東京<\/td><td class="num">3<\/td>\s*<td class="num">200<\/td><td class="num">1\.50%<\/td><\/tr>/);
    assert.match(screen.body, /<tr data-month="2026-01" data-area="03">/);
    const csv = await admin.get('/admin/statistics.csv?from=2026-01&to=2026-02');
    assert.equal(csv.status, 200);
    assert.ok(csv.body.includes('2026-02,06,関西,LV,10610,スイッチング開始,1'));
    const bad = await admin.get('/admin/statistics?from=xx');
    assert.match(bad.body, /STATS_MONTH_INVALID/);
  });
});
