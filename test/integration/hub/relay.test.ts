import { test } from 'node:test';
import { relayRegistration, tokyoPoint } from '../../support/relay.ts';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bulkRelay } from '../../../src/cli/commands/bulk.ts';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { auditedSoon, startTestHub, type TestHub } from '../../support/hub-server.ts';
import type { InterfaceResponse } from '../../../src/interfaces/message.ts';
import { KirikaeClient } from '../../../src/sdk/client.ts';
import { buildCertificate, buildRetailer, givenCertificate, givenParticipant, hubAdmin } from '../../../src/hub/identity/testing.ts';
import { checkFetchLapses, relayWaits } from '../../../src/hub/relay/monitoring.ts';

type Data = Record<string, any>;
const data = (r: InterfaceResponse): Data => (r.data ?? {}) as Data;
const codes = (r: InterfaceResponse): string[] => r.messages.map((m) => m.code);
const hour = 3_600_000;

/** A Tokyo supply point ID (area 03), distinct per n. */

interface World {
  hub: TestHub;
  /** 2001: the new retailer (Tokyo and Kansai). */
  newRetailer: KirikaeClient;
  /** 1003: the old retailer in Tokyo (participant code 10033). */
  oldRetailer: KirikaeClient;
  /** 3001: a third retailer in Tokyo and Kansai, party to nothing. */
  third: KirikaeClient;
}

async function givenRelayWorld(db: TestDb): Promise<World> {
  const hub = await startTestHub(db);
  await givenParticipant(db, hub.clock, buildRetailer({ companyCode: '3001', name: '第三電力株式会社', areas: ['03', '06'] }));
  const client = async (participantCode: string) => {
    await givenCertificate(db, hub.clock, { participantCode, usage: 'api' });
    const { cert } = buildCertificate({ participantCode, usage: 'api' });
    return new KirikaeClient({ baseUrl: hub.base, certPem: cert.certPem, keyPem: cert.keyPem, caPem: hub.caPem });
  };
  return { hub, newRetailer: await client('20013'), oldRetailer: hub.sdk('aApi'), third: await client('30013') };
}

let requests = 0;
const nextRequestId = () => `REQ-${++requests}`;

const registration = (n: number, overrides: Record<string, unknown> = {}) => relayRegistration(n, nextRequestId(), overrides);

function decision(relayNumber: string, overrides: Record<string, unknown> = {}) {
  return { requestId: nextRequestId(), relayNumber, decision: '01', decidingPersonName: '佐藤 花子', ...overrides };
}

forEachBackend('termination relay', (backend) => {
  test('the new retailer registers, the old retailer sees it, decides NG with a reason, the new retailer registers again and it is decided OK', async () => {
    await using db = await backend.open();
    const { hub, newRetailer, oldRetailer } = await givenRelayWorld(db);
    try {
      const registered = await newRetailer.call('IS_20110', registration(1));
      assert.equal(registered.result, 'OK', JSON.stringify(registered.messages));
      assert.deepEqual(codes(registered), ['RELAY_REGISTERED']);
      const first = data(registered).relayNumber as string;
      assert.match(first, /^RL20260401\d{7}$/);
      assert.equal(data(registered).status, '01');

      const received = await oldRetailer.call('IS_20310', {});
      assert.equal(received.result, 'OK');
      assert.equal(data(received).total, 1);
      const item = data(received).relays[0];
      assert.equal(item.relayNumber, first);
      assert.equal(item.customerNameKana, 'ヤマダ タロウ');
      assert.equal(item.contractNumber, 'K-1');
      assert.equal(item.newRetailerCode, '20013');
      assert.equal(item.newRetailerName, 'テスト新電力株式会社');
      assert.equal(item.statusName, '判断待ち');

      const refused = await oldRetailer.call('IS_20410', decision(first, { decision: '02', ngReason: '02' }));
      assert.equal(refused.result, 'OK', JSON.stringify(refused.messages));
      assert.equal(data(refused).status, '03');

      const results = await newRetailer.call('IS_20210', {});
      const seen = data(results).relays[0];
      assert.equal(seen.status, '03');
      assert.equal(seen.ngReason, '02');
      assert.equal(seen.decidingPersonName, '佐藤 花子');

      const again = await newRetailer.call('IS_20110', registration(1, { contractNumber: 'K-1-corrected' }));
      assert.equal(again.result, 'OK', JSON.stringify(again.messages));
      const second = data(again).relayNumber as string;
      assert.notEqual(second, first);

      const accepted = await oldRetailer.call('IS_20410', decision(second));
      assert.equal(data(accepted).status, '02');
      const twice = await oldRetailer.call('IS_20410', decision(second, { decision: '02', ngReason: '01' }));
      assert.deepEqual(codes(twice), ['RELAY_ALREADY_DECIDED']);

      // Newest update first: the accepted relay above the refused one.
      const list = await newRetailer.call('IS_20210', {});
      assert.deepEqual(
        data(list).relays.map((r: Data) => [r.relayNumber, r.status]),
        [
          [second, '02'],
          [first, '03'],
        ],
      );

      // The old retailer was told of each relay, the new retailer of each decision.
      const { rows } = await db.query<{ company_code: string; kind: string; relay_number: string }>(
        'SELECT company_code, kind, relay_number FROM hub.notification ORDER BY id',
      );
      assert.deepEqual(
        rows.map((r) => [r.company_code, r.kind, r.relay_number]),
        [
          ['1003', 'relayAwaitingDecision', first],
          ['2001', 'relayDecided', first],
          ['1003', 'relayAwaitingDecision', second],
          ['2001', 'relayDecided', second],
        ],
      );
    } finally {
      await hub.close();
    }
  });

  test('a third retailer can neither see nor decide nor change a relay, and each party only does its own part', async () => {
    await using db = await backend.open();
    const { hub, newRetailer, oldRetailer, third } = await givenRelayWorld(db);
    try {
      const relayNumber = data(await newRetailer.call('IS_20110', registration(2))).relayNumber as string;
      assert.equal(data(await third.call('IS_20310', {})).total, 0);
      assert.equal(data(await third.call('IS_20210', {})).total, 0);
      assert.equal(data(await third.call('IS_20310', { relayNumber })).total, 0);
      assert.deepEqual(codes(await third.call('IS_20410', decision(relayNumber))), ['RELAY_NOT_FOUND']);
      assert.deepEqual(codes(await third.call('IS_20110', { requestId: nextRequestId(), updateFlag: '3', relayNumber })), ['RELAY_NOT_FOUND']);
      assert.deepEqual(codes(await newRetailer.call('IS_20410', decision(relayNumber))), ['RELAY_NOT_ADDRESSED']);
      assert.deepEqual(codes(await oldRetailer.call('IS_20110', { requestId: nextRequestId(), updateFlag: '3', relayNumber })), ['RELAY_NOT_REGISTRANT']);
      // The old retailer sees only what is addressed to it, not the new retailer's result list.
      assert.equal(data(await oldRetailer.call('IS_20210', {})).total, 0);
      // Still awaiting: nobody's refused attempt changed it.
      assert.equal(data(await oldRetailer.call('IS_20310', {})).relays[0].status, '01');
    } finally {
      await hub.close();
    }
  });

  test('the new retailer modifies and cancels a relay awaiting a decision, and a decided relay can be neither', async () => {
    await using db = await backend.open();
    const { hub, newRetailer, oldRetailer } = await givenRelayWorld(db);
    try {
      const relayNumber = data(await newRetailer.call('IS_20110', registration(3))).relayNumber as string;
      const modified = await newRetailer.call(
        'IS_20110',
        registration(3, {
          updateFlag: '2',
          relayNumber,
          address: { prefecture: '東京都', city: '港区', street: '芝公園四丁目2番8号' },
          terminationDate: '2026-05-01',
        }),
      );
      assert.equal(modified.result, 'OK', JSON.stringify(modified.messages));
      const seen = data(await oldRetailer.call('IS_20310', {})).relays[0];
      assert.deepEqual(seen.address, { prefecture: '東京都', city: '港区', street: '芝公園四丁目2番8号' });
      assert.equal(seen.terminationDate, '2026-05-01');
      const moved = await newRetailer.call('IS_20110', registration(3, { updateFlag: '2', relayNumber, supplyPointId: tokyoPoint(4) }));
      assert.deepEqual(codes(moved), ['RELAY_POINT_CHANGED']);
      const cancelled = await newRetailer.call('IS_20110', { requestId: nextRequestId(), updateFlag: '3', relayNumber });
      assert.equal(data(cancelled).status, '04');
      assert.deepEqual(codes(await oldRetailer.call('IS_20410', decision(relayNumber))), ['RELAY_ALREADY_DECIDED']);
      assert.deepEqual(codes(await newRetailer.call('IS_20110', { requestId: nextRequestId(), updateFlag: '3', relayNumber })), ['RELAY_NOT_AWAITING']);
      // Cancelled, the point is free for a new relay.
      assert.equal((await newRetailer.call('IS_20110', registration(3))).result, 'OK');
    } finally {
      await hub.close();
    }
  });

  test('registrations are refused with the field and code the API gives, and nothing is written', async () => {
    await using db = await backend.open();
    const { hub, newRetailer } = await givenRelayWorld(db);
    try {
      const cases: [Record<string, unknown>, string, string][] = [
        [{ oldRetailerCode: '99993' }, 'RELAY_OLD_RETAILER_UNKNOWN', 'oldRetailerCode'],
        [{ oldRetailerCode: '20013' }, 'RELAY_OLD_RETAILER_IS_SELF', 'oldRetailerCode'],
        [{ oldRetailerCode: '30016' }, 'RELAY_OLD_RETAILER_NOT_IN_AREA', 'oldRetailerCode'],
        [{ terminationDate: '2026-03-31' }, 'RELAY_TERMINATION_DATE_PAST', 'terminationDate'],
        [{ supplyPointId: `04${'0'.repeat(20)}` }, 'IF_AREA_NOT_REGISTERED', 'supplyPointId'],
        [{ customerNameKana: '山田' }, 'IF_NOT_KANA', 'customerNameKana'],
        [{ supplyPointId: '123' }, 'SPID_LENGTH', 'supplyPointId'],
      ];
      for (const [overrides, code, field] of cases) {
        const answer = await newRetailer.call('IS_20110', registration(5, overrides));
        assert.equal(answer.result, 'NG', code);
        assert.equal(answer.messages[0]?.code, code, JSON.stringify(answer.messages));
        assert.equal(answer.messages[0]?.field, field, code);
      }
      const decisionWithoutReason = await newRetailer.call('IS_20410', decision('RL202604010000001', { decision: '02' }));
      assert.equal(decisionWithoutReason.messages[0]?.code, 'IF_REQUIRED');
      assert.equal(decisionWithoutReason.messages[0]?.field, 'ngReason');
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.relay');
      assert.equal(rows[0]!.n, 0);
    } finally {
      await hub.close();
    }
  });

  test('one open relay per supply point: a second is refused, and of two registered at once exactly one goes in', async () => {
    await using db = await backend.open();
    const { hub, newRetailer, third } = await givenRelayWorld(db);
    try {
      const first = data(await newRetailer.call('IS_20110', registration(6))).relayNumber as string;
      const second = await third.call('IS_20110', registration(6));
      assert.deepEqual(codes(second), ['RELAY_OPEN_EXISTS']);
      assert.match(second.messages[0]!.text, new RegExp(first));

      const together = await Promise.all([newRetailer.call('IS_20110', registration(7)), third.call('IS_20110', registration(7))]);
      assert.deepEqual(together.map((a) => a.result).sort(), ['NG', 'OK']);
      assert.deepEqual(together.flatMap(codes).sort(), ['RELAY_OPEN_EXISTS', 'RELAY_REGISTERED']);
    } finally {
      await hub.close();
    }
  });

  test('of two decisions on one relay at the same moment exactly one wins', async () => {
    await using db = await backend.open();
    const { hub, newRetailer, oldRetailer } = await givenRelayWorld(db);
    try {
      const relayNumber = data(await newRetailer.call('IS_20110', registration(8))).relayNumber as string;
      const answers = await Promise.all([
        oldRetailer.call('IS_20410', decision(relayNumber)),
        oldRetailer.call('IS_20410', decision(relayNumber, { decision: '02', ngReason: '03' })),
        oldRetailer.call('IS_20410', decision(relayNumber)),
      ]);
      assert.equal(answers.filter((a) => a.result === 'OK').length, 1, JSON.stringify(answers));
      assert.equal(answers.filter((a) => codes(a).includes('RELAY_ALREADY_DECIDED')).length, 2);
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.relay_event WHERE event LIKE 'decided%'`);
      assert.equal(rows[0]!.n, 1);
    } finally {
      await hub.close();
    }
  });

  test('the same request sent again gets the first answer; the same request ID with other content is refused', async () => {
    await using db = await backend.open();
    const { hub, newRetailer, oldRetailer } = await givenRelayWorld(db);
    try {
      const request = registration(9);
      const first = await newRetailer.call('IS_20110', request);
      const again = await newRetailer.call('IS_20110', request);
      assert.deepEqual(again, first);
      const reused = await newRetailer.call('IS_20110', { ...request, contractNumber: 'other' });
      assert.deepEqual(codes(reused), ['RELAY_REQUEST_ID_REUSED']);
      const decide = decision(data(first).relayNumber);
      const decided = await oldRetailer.call('IS_20410', decide);
      assert.deepEqual(await oldRetailer.call('IS_20410', decide), decided);
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.relay');
      assert.equal(rows[0]!.n, 1);
    } finally {
      await hub.close();
    }
  });

  test("each family sees its own relays, and a relay is decided only through its family's interface", async () => {
    await using db = await backend.open();
    const { hub, newRetailer, oldRetailer } = await givenRelayWorld(db);
    try {
      const lv = data(await newRetailer.call('IS_20110', registration(10))).relayNumber as string;
      const hv = await newRetailer.call('IS_K20110', registration(11));
      assert.equal(hv.result, 'OK', JSON.stringify(hv.messages));
      const fit = await newRetailer.call('IS_F20110', {
        ...registration(12, { customerNameKana: undefined, customerName: undefined }),
        generatorNameKana: 'ハツデン',
        generatorName: '発電 太郎',
      });
      assert.equal(fit.result, 'OK', JSON.stringify(fit.messages));
      assert.equal(data(await oldRetailer.call('IS_20310', {})).total, 1);
      assert.equal(data(await oldRetailer.call('IS_K20310', {})).total, 1);
      const fitItem = data(await oldRetailer.call('IS_F20310', {})).relays[0];
      assert.equal(fitItem.generatorNameKana, 'ハツデン');
      assert.deepEqual(codes(await oldRetailer.call('IS_K20410', decision(lv))), ['RELAY_FAMILY_MISMATCH']);
    } finally {
      await hub.close();
    }
  });

  test('lists filter by number, point, other retailer, customer name prefix (kana spellings alike), status and date, 20 a page with the total', async () => {
    await using db = await backend.open();
    const { hub, newRetailer, oldRetailer, third } = await givenRelayWorld(db);
    try {
      for (let n = 100; n < 123; n++) {
        const answer = await newRetailer.call(
          'IS_20110',
          registration(n, n % 2 === 0 ? {} : { customerNameKana: 'スズキ イチロウ', customerName: '鈴木 一郎' }),
        );
        assert.equal(answer.result, 'OK');
      }
      const byThird = data(await third.call('IS_20110', registration(200, { customerNameKana: 'ヤマモト', customerName: '山本' }))).relayNumber as string;
      const page1 = data(await oldRetailer.call('IS_20310', {}));
      assert.equal(page1.total, 24);
      assert.equal(page1.relays.length, 20);
      assert.equal(page1.relays[0].relayNumber, byThird);
      const page2 = data(await oldRetailer.call('IS_20310', { page: 2 }));
      assert.equal(page2.relays.length, 4);
      assert.equal(page2.page, 2);

      // Hiragana and half-width kana find the full-width katakana name; kanji prefixes too.
      assert.equal(data(await oldRetailer.call('IS_20310', { customerName: 'すずき' })).total, 11);
      assert.equal(data(await oldRetailer.call('IS_20310', { customerName: 'ｽｽﾞｷ ｲﾁ' })).total, 11);
      assert.equal(data(await oldRetailer.call('IS_20310', { customerName: '山' })).total, 13);
      assert.equal(data(await oldRetailer.call('IS_20310', { customerName: 'ヤマダ' })).total, 12);
      assert.equal(data(await oldRetailer.call('IS_20310', { newRetailerCode: '30013' })).total, 1);
      assert.equal(data(await oldRetailer.call('IS_20310', { newRetailerName: '第三' })).total, 1);
      assert.equal(data(await oldRetailer.call('IS_20310', { relayNumber: byThird })).total, 1);
      assert.equal(data(await oldRetailer.call('IS_20310', { supplyPointId: tokyoPoint(105) })).total, 1);
      await oldRetailer.call('IS_20410', decision(byThird));
      assert.equal(data(await oldRetailer.call('IS_20310', { status: '02' })).total, 1);
      assert.equal(data(await oldRetailer.call('IS_20310', { status: '01' })).total, 23);
      assert.equal(data(await oldRetailer.call('IS_20310', { registeredFrom: '2026-04-01', registeredUntil: '2026-04-01' })).total, 24);
      assert.equal(data(await oldRetailer.call('IS_20310', { registeredFrom: '2026-04-02' })).total, 0);
      assert.equal(data(await newRetailer.call('IS_20210', { oldRetailerName: 'テスト' })).total, 23);
    } finally {
      await hub.close();
    }
  });

  test('every read of a relay list is audited with the supply points it showed', async () => {
    await using db = await backend.open();
    const { hub, newRetailer, oldRetailer } = await givenRelayWorld(db);
    try {
      await newRetailer.call('IS_20110', registration(300));
      await newRetailer.call('IS_20110', registration(301));
      await oldRetailer.call('IS_20310', {});
      const page = await auditedSoon(db, hub.audit, { action: 'IS_20310' });
      assert.equal(page.entries.length, 1);
      assert.deepEqual([...page.entries[0]!.supplyPointIds].sort(), [tokyoPoint(300), tokyoPoint(301)]);
      assert.equal(page.entries[0]!.companyCode, '1003');
    } finally {
      await hub.close();
    }
  });

  test('the hub operator sees how long relays wait and which retailer did not fetch within the hour', async () => {
    await using db = await backend.open();
    const { hub, newRetailer, oldRetailer } = await givenRelayWorld(db);
    try {
      const first = data(await newRetailer.call('IS_20110', registration(400))).relayNumber as string;
      await newRetailer.call('IS_20110', registration(401));
      hub.clock.advance(2 * hour);
      assert.equal(await checkFetchLapses(db, hub.clock), 1);
      assert.equal(await checkFetchLapses(db, hub.clock), 0, 'one lapse per retailer and hour');
      let [waits] = await relayWaits(db, hub.clock, hubAdmin);
      assert.equal(waits!.companyCode, '1003');
      assert.equal(waits!.awaiting, 2);
      assert.equal(waits!.fetchOverdue, true);
      assert.equal(waits!.lapses, 1);
      assert.equal(waits!.lastFetchedAt, null);

      await oldRetailer.call('IS_20310', {});
      hub.clock.advance(30 * 60_000);
      await oldRetailer.call('IS_20410', decision(first));
      [waits] = await relayWaits(db, hub.clock, hubAdmin);
      assert.equal(waits!.fetchOverdue, false);
      assert.equal(waits!.awaiting, 1);
      assert.equal(waits!.decided, 1);
      assert.equal(waits!.averageWaitMinutes, 150);
      assert.equal(await checkFetchLapses(db, hub.clock), 0);
      await assert.rejects(relayWaits(db, hub.clock, { participant: { companyCode: '1003', kind: 'retailer', status: 'active' } }), /AUTH_FORBIDDEN/);
    } finally {
      await hub.close();
    }
  });

  test('a CSV of relays in UTF-8 or Shift_JIS goes in whole, is refused whole with a row report when a row is bad, and sent again files nothing twice', async () => {
    await using db = await backend.open();
    const { hub, newRetailer, oldRetailer } = await givenRelayWorld(db);
    try {
      const header =
        'リクエストID,供給地点特定番号,契約番号,住所（都道府県）,住所（市区町村）,住所（町名・番地）,需要者名（カナ）,需要者名（漢字）,廃止年月日,現小売電気事業者コード';
      const line = (n: number, overrides: { old?: string; kana?: string } = {}) =>
        `CSV-${n},${tokyoPoint(n)},K-${n},東京都,千代田区,丸の内${n}番,${overrides.kana ?? 'ｽｽﾞｷ ﾊﾅｺ'},鈴木 花子,2026-04-30,${overrides.old ?? '10033'}`;
      const bad = [header, line(500), line(501, { old: '99993' }), line(502, { kana: '鈴木' }), line(500)].join('\r\n');
      const refused = await newRetailer.bulk('IS_20110', iconv.encode(bad, 'cp932'));
      assert.equal(refused.result, 'NG');
      assert.deepEqual(codes(refused as unknown as InterfaceResponse), ['BULK_REJECTED']);
      const rows = refused.data.rows.map((r) => [r.row, r.result, r.messages.map((m) => m.code).join(' ')]);
      assert.deepEqual(rows, [
        [2, 'OK', ''],
        [3, 'NG', 'RELAY_OLD_RETAILER_UNKNOWN'],
        [4, 'NG', 'IF_NOT_KANA'],
        [5, 'NG', 'BULK_DUPLICATE_REQUEST_ID'],
      ]);
      assert.equal(data(await oldRetailer.call('IS_20310', {})).total, 0, 'nothing of a refused file is filed');

      const good = `\ufeff${[header, line(500), line(501), line(502)].join('\n')}\n`;
      const accepted = await newRetailer.bulk('IS_20110', good);
      assert.equal(accepted.result, 'OK', JSON.stringify(accepted.messages));
      assert.equal(accepted.data.accepted, 3);
      const numbers = accepted.data.rows.map((r) => (r as { relayNumber?: string }).relayNumber);
      assert.equal(new Set(numbers).size, 3);
      const seen = data(await oldRetailer.call('IS_20310', { customerName: 'すずき' }));
      assert.equal(seen.total, 3);
      assert.deepEqual(seen.relays.find((r: Data) => r.supplyPointId === tokyoPoint(501)).address, {
        prefecture: '東京都',
        city: '千代田区',
        street: '丸の内501番',
      });
      const again = await newRetailer.bulk('IS_20110', good);
      assert.deepEqual(
        again.data.rows.map((r) => (r as { relayNumber?: string }).relayNumber),
        numbers,
      );
      assert.equal(data(await oldRetailer.call('IS_20310', {})).total, 3);
      // A relay for a point already in the hub's open relays is a bad row of the next file.
      const clash = await newRetailer.bulk('IS_20110', [header, line(600), line(501).replace('CSV-501', 'CSV-9501')].join('\n'));
      assert.deepEqual(
        clash.data.rows.map((r) => r.messages.map((m) => m.code).join(' ')),
        ['', 'RELAY_OPEN_EXISTS'],
      );
    } finally {
      await hub.close();
    }
  });

  test("kirikae bulk relay registers a Shift_JIS file of high-voltage relays and prints each row's relay number", async () => {
    await using db = await backend.open();
    const { hub, oldRetailer } = await givenRelayWorld(db);
    const dir = await mkdtemp(join(tmpdir(), 'kirikae-relay-'));
    try {
      const cert = buildCertificate({ participantCode: '20013', usage: 'api' }).cert;
      await writeFile(join(dir, 'b.cert.pem'), cert.certPem);
      await writeFile(join(dir, 'b.key.pem'), cert.keyPem);
      await writeFile(join(dir, 'ca.pem'), hub.caPem);
      const csv = [
        'リクエストID,供給地点特定番号,契約番号,住所都道府県,住所市区町村,住所町名・番地,需要者名（カナ）,需要者名（漢字）,廃止年月日,現小売電気事業者コード',
        `cli-1,${tokyoPoint(700)},HV-1,東京都,江東区,豊洲1-1,ｺｳｱﾂ ｼｮｳｼﾞ,高圧商事,2026-06-30,10033`,
      ].join('\r\n');
      await writeFile(join(dir, 'relays.csv'), iconv.encode(csv, 'cp932'));
      const printed: string[] = [];
      const log = console.log;
      console.log = (line: string) => printed.push(line);
      let status: number | undefined;
      try {
        status =
          (await bulkRelay.run([
            join(dir, 'relays.csv'),
            '--family',
            'HV',
            '--cert',
            join(dir, 'b.cert.pem'),
            '--key',
            join(dir, 'b.key.pem'),
            '--ca',
            join(dir, 'ca.pem'),
            '--url',
            hub.base,
          ])) ?? undefined;
      } finally {
        console.log = log;
      }
      assert.equal(status, 0, printed.join('\n'));
      const received = data(await oldRetailer.call('IS_K20310', {}));
      assert.equal(received.total, 1);
      assert.equal(received.relays[0].customerNameKana, 'コウアツ ショウジ');
      assert.match(printed.join('\n'), new RegExp(`2行目 OK \\(cli-1\\) 廃止取次番号 ${received.relays[0].relayNumber}`));
    } finally {
      await rm(dir, { recursive: true, force: true });
      await hub.close();
    }
  });
});
