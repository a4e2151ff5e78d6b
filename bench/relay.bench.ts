/**
 * The termination relay at scale (issue 6):
 *
 * 1. A CSV file of 100,000 relays registered (`fileBulkCsv`, what POST /api/v1/bulk/IS_20110 runs:
 *    decode, parse, validate every row as the API does, the relay checks, numbering, one transaction
 *    writing the relays, their events, the stored answers and the old retailers' notifications),
 *    against a plain COPY of the same rows into the same table with the same indexes, in the same run.
 * 2. The old retailer's relay list with 1,000,000 relays in the hub (400,000 of them addressed to the
 *    measured retailer): the first page (20 rows and the total count) with each filter of slides
 *    24–25, p99 over varied values (target under 50 ms).
 */
import { randomInt } from 'node:crypto';
import { fileBulkCsv } from '../src/hub/bulk/bulk.ts';
import { buildRetailer, givenIdentityWorld, givenParticipant, testClock } from '../src/hub/identity/testing.ts';
import { listRelays, relayFilterOf } from '../src/hub/relay/relay.commands.ts';
import type { Actor } from '../src/hub/policy.ts';
import { interfaceById } from '../src/interfaces/catalogue/catalogue.ts';
import { copyText } from '../src/platform/db/db.ts';
import { normalizeKana } from '../src/domain/kana.ts';
import { seconds, withBenchDatabase } from './support.ts';
import type { PostgresDb } from '../src/platform/db/postgres.ts';
import type { Clock } from '../src/platform/clock.ts';
import type { GridTransport } from '../src/interfaces/message.ts';

/** Relays never reach a grid. */
const noGrids: GridTransport = { send: () => Promise.reject(new Error('relays are kept at the hub')) };

const csvRows = Number(process.env.KIRIKAE_BENCH_RELAY_CSV_ROWS ?? 100_000);
const listRelaysTotal = Number(process.env.KIRIKAE_BENCH_RELAYS ?? 1_000_000);
const queriesPerFilter = 200;

const kanaNames = [
  'ヤマダ タロウ',
  'スズキ ハナコ',
  'サトウ イチロウ',
  'タナカ ジロウ',
  'ワタナベ サクラ',
  'イトウ ケンジ',
  'ナカムラ ミホ',
  'コバヤシ ユウタ',
];
const kanjiNames = ['山田 太郎', '鈴木 花子', '佐藤 一郎', '田中 次郎', '渡辺 さくら', '伊藤 健二', '中村 美穂', '小林 優太'];

const newRetailer: Actor = { participant: { companyCode: '2001', kind: 'retailer', status: 'active', areas: ['03', '06'] } };
const oldRetailer: Actor = { participant: { companyCode: '1003', kind: 'retailer', status: 'active', areas: ['03'] } };

const point = (n: number) => `03${String(n).padStart(20, '0')}`;

export async function relayCsvBench(): Promise<void> {
  await withBenchDatabase(async (db) => {
    const clock = testClock('2026-11-25T10:00:00+09:00');
    await givenIdentityWorld(db, clock);
    const header =
      'リクエストID,供給地点特定番号,契約番号,住所（都道府県）,住所（市区町村）,住所（町名・番地）,需要者名（カナ）,需要者名（漢字）,廃止年月日,現小売電気事業者コード';
    const lines = [header];
    for (let i = 0; i < csvRows; i++) {
      lines.push(`R${i},${point(i)},K${i},東京都,千代田区,丸の内${i}番,${kanaNames[i % 8]},${kanjiNames[i % 8]},2026-12-20,10033`);
    }
    const csv = new TextEncoder().encode(lines.join('\r\n'));

    // Baseline: COPY of the same relays (as the bulk path stores them) into the same table.
    const at = clock.now();
    const copyLines = function* () {
      for (let i = 0; i < csvRows; i++) {
        const address = JSON.stringify({ prefecture: '東京都', city: '千代田区', street: `丸の内${i}番` });
        yield `${[
          `RLCOPY${String(i).padStart(10, '0')}`,
          'LV',
          point(i),
          '03',
          `K${i}`,
          address,
          kanaNames[i % 8]!,
          kanjiNames[i % 8]!,
          normalizeKana(kanaNames[i % 8]!),
          '2026-12-20',
          '2001',
          '20013',
          '1003',
          '10033',
          '01',
          at.toISOString(),
          '2026-11-25',
          at.toISOString(),
        ]
          .map((v) => copyText(v))
          .join('\t')}\n`;
      }
    };
    const copyColumns = [
      'relay_number',
      'family',
      'supply_point_id',
      'area',
      'contract_number',
      'address',
      'holder_name_kana',
      'holder_name',
      'holder_kana_key',
      'termination_date',
      'new_company_code',
      'new_participant_code',
      'old_company_code',
      'old_participant_code',
      'status',
      'registered_at',
      'registered_on',
      'updated_at',
    ];
    let started = performance.now();
    await db.transaction((tx) => tx.copyFrom('hub.relay', copyColumns, copyLines()));
    const copyMs = performance.now() - started;
    await db.exec('TRUNCATE hub.relay, hub.relay_count CASCADE');

    started = performance.now();
    const report = await fileBulkCsv({ db, clock, transport: noGrids }, newRetailer, interfaceById('IS_20110')!, csv);
    const csvMs = performance.now() - started;
    if (report.result !== 'OK' || report.data.accepted !== csvRows)
      throw new Error(`relay CSV refused: ${JSON.stringify(report.messages)} ${JSON.stringify(report.data.rows.find((r) => r.result === 'NG'))}`);
    const { rows } = await db.query<{ relays: number; notifications: number }>(
      `SELECT (SELECT count(*)::int FROM hub.relay) AS relays, (SELECT count(*)::int FROM hub.notification) AS notifications`,
    );
    if (rows[0]!.relays !== csvRows || rows[0]!.notifications !== csvRows) throw new Error(`after the CSV: ${JSON.stringify(rows[0])}`);
    console.log(
      `relay CSV: ${csvRows.toLocaleString('en')} relays (${(csv.byteLength / 1024 / 1024).toFixed(1)} MiB, UTF-8) registered in ${seconds(csvMs)} s ` +
        `(${Math.round((csvRows * 1000) / csvMs)} rows/s, with events, stored answers and notifications); plain COPY of the same rows: ${seconds(copyMs)} s; ratio ${(copyMs / csvMs).toFixed(3)}`,
    );
  });
}

const news = ['2001', '3001', '3002', '3003'];
const base = Date.parse('2026-05-01T00:00:00Z');

/** The list benchmark's hub: the identity world, three more retailers, `total` relays by COPY. */
export async function givenBenchRelays(db: PostgresDb, clock: Clock, total: number): Promise<void> {
  await givenIdentityWorld(db, clock);
  for (const code of ['3001', '3002', '3003'])
    await givenParticipant(db, clock, buildRetailer({ companyCode: code, name: `ベンチ電力${code}株式会社`, areas: ['03'] }));
  const olds = ['1003', '3001', '3002', '3003'];
  const statuses = ['02', '02', '02', '03', '03', '04', '01'];
  const span = Date.parse('2026-11-25T00:00:00Z') - base;
  const lines = function* () {
    for (let i = 0; i < total; i++) {
      // 40 % to 1003, the measured old retailer; the rest spread over the others.
      const old = i % 5 < 2 ? '1003' : olds[1 + (i % 3)]!;
      let fresh = news[i % 4]!;
      if (fresh === old) fresh = '2001';
      const registered = new Date(base + Math.floor((i / total) * span));
      const updated = new Date(registered.getTime() + (i % 97) * 60_000);
      const status = statuses[i % statuses.length]!;
      const name = i % 8;
      const decided = status === '02' || status === '03';
      yield `${[
        `RL${registered.toISOString().slice(0, 10).replaceAll('-', '')}${String(i).padStart(7, '0')}`,
        'LV',
        point(i),
        '03',
        `K${i}`,
        JSON.stringify({ prefecture: '東京都', city: '千代田区', street: `丸の内${i}番` }),
        kanaNames[name]!,
        kanjiNames[name]!,
        normalizeKana(kanaNames[name]!),
        '2026-12-20',
        fresh,
        `${fresh}3`,
        old,
        `${old}3`,
        status,
        decided ? '判断 太郎' : null,
        status === '03' ? '02' : null,
        decided ? updated.toISOString() : null,
        registered.toISOString(),
        registered.toISOString().slice(0, 10),
        updated.toISOString(),
      ]
        .map((v) => copyText(v))
        .join('\t')}\n`;
    }
  };
  const columns = [
    'relay_number',
    'family',
    'supply_point_id',
    'area',
    'contract_number',
    'address',
    'holder_name_kana',
    'holder_name',
    'holder_kana_key',
    'termination_date',
    'new_company_code',
    'new_participant_code',
    'old_company_code',
    'old_participant_code',
    'status',
    'deciding_person_name',
    'ng_reason',
    'decided_at',
    'registered_at',
    'registered_on',
    'updated_at',
  ];
  // Awaiting relays must be one per point: every point here is distinct.
  await db.transaction((tx) => tx.copyFrom('hub.relay', columns, lines()));
  await db.exec('VACUUM ANALYZE hub.relay');
}

export async function relayListBench(): Promise<void> {
  await withBenchDatabase(async (db) => {
    const clock = testClock('2026-11-25T10:00:00+09:00');
    const loadStarted = performance.now();
    await givenBenchRelays(db, clock, listRelaysTotal);
    const loadMs = performance.now() - loadStarted;

    const someRelay = async () => {
      const { rows } = await db.query<{ relay_number: string; supply_point_id: string }>(
        `SELECT relay_number, supply_point_id FROM hub.relay WHERE old_company_code = '1003' OFFSET $1 LIMIT 1`,
        [randomInt(0, Math.floor(listRelaysTotal * 0.4))],
      );
      return rows[0]!;
    };
    const day = (offset: number) => new Date(base + offset * 86_400_000).toISOString().slice(0, 10);
    const filters: [string, () => Promise<Record<string, string>>][] = [
      ['none', async () => ({})],
      ['relay number', async () => ({ relayNumber: (await someRelay()).relay_number })],
      ['supply point', async () => ({ supplyPointId: (await someRelay()).supply_point_id })],
      ['new retailer code', async () => ({ newRetailerCode: `${news[randomInt(0, 4)]}3` })],
      ['new retailer name', async () => ({ newRetailerName: ['テスト', 'ベンチ電力C001', 'ベンチ電力C002'][randomInt(0, 3)]! })],
      ['customer name (kana prefix)', async () => ({ customerName: ['やまだ', 'ｽｽﾞｷ', 'サトウ イ', 'タナカ'][randomInt(0, 4)]! })],
      ['customer name (kanji prefix)', async () => ({ customerName: ['山田', '鈴木 花', '佐藤'][randomInt(0, 3)]! })],
      ['status', async () => ({ status: ['01', '02', '03', '04'][randomInt(0, 4)]! })],
      [
        'registration date',
        async () => {
          const from = randomInt(0, 200);
          return { registeredFrom: day(from), registeredUntil: day(from + randomInt(0, 7)) };
        },
      ],
    ];
    const lines2: string[] = [];
    let worst = 0;
    for (const [name, make] of filters) {
      const latencies: number[] = [];
      let total = 0;
      for (let q = 0; q < queriesPerFilter; q++) {
        const filter = relayFilterOf(await make(), 'old');
        const started = performance.now();
        const page = await listRelays({ db, clock }, oldRetailer, 'old', 'LV', filter, 1);
        latencies.push(performance.now() - started);
        total += page.total;
      }
      latencies.sort((a, b) => a - b);
      const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
      const median = latencies[Math.floor(latencies.length / 2)]!;
      worst = Math.max(worst, p99);
      lines2.push(
        `  ${name.padEnd(30)} median ${median.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (average total ${Math.round(total / queriesPerFilter).toLocaleString('en')})`,
      );
    }
    // Baseline: the primary-key look-up of one relay, the cheapest query the list could be.
    const pk: number[] = [];
    for (let q = 0; q < queriesPerFilter; q++) {
      const { relay_number } = await someRelay();
      const started = performance.now();
      await db.query('SELECT * FROM hub.relay WHERE relay_number = $1', [relay_number]);
      pk.push(performance.now() - started);
    }
    pk.sort((a, b) => a - b);
    const pkP99 = pk[Math.floor(pk.length * 0.99)]!;
    console.log(
      `relay list: ${listRelaysTotal.toLocaleString('en')} relays in the hub (loaded in ${seconds(loadMs)} s), 40 % addressed to the measured old retailer; first page (20 rows + total) per filter, ${queriesPerFilter} queries each:\n${lines2.join('\n')}\n` +
        `  worst p99 ${worst.toFixed(1)} ms (target < 50 ms); primary-key look-up p99 ${pkP99.toFixed(2)} ms; ratio ${(pkP99 / worst).toFixed(3)}`,
    );
  });
}

if (import.meta.main) {
  await relayCsvBench();
  await relayListBench();
}
