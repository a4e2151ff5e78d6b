import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { migrateHub } from '../../../src/hub/identity/testing.ts';
import type { AuditEntry } from '../../../src/hub/audit/audit.ts';
import { auditSearchSql, recordAudit, searchAudit } from '../../../src/hub/audit/audit.repository.ts';

const t0 = new Date('2026-04-01T00:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
const fpA = 'a'.repeat(64);
const fpB = 'b'.repeat(64);
const spid = '0300111234567890000001';

function buildEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: t0,
    companyCode: '1003',
    userId: '1003.user',
    fingerprint256: fpA,
    sourceAddress: '203.0.113.7',
    channel: 'web',
    action: 'facility',
    supplyPointIds: [],
    result: 'OK',
    requestId: null,
    ...overrides,
  };
}

/** A small log: 10 entries a minute apart, of two participants, channels and results. */
function sampleLog(): AuditEntry[] {
  return Array.from({ length: 10 }, (_, i) =>
    buildEntry({
      at: minutes(i),
      companyCode: i % 2 ? '2001' : '1003',
      userId: i % 2 ? null : '1003.user',
      fingerprint256: i % 2 ? fpB : fpA,
      channel: i % 2 ? 'api' : 'web',
      action: i % 3 ? 'IF_K01' : 'login',
      supplyPointIds: i === 4 ? [spid, '0300111234567890000002'] : [],
      result: i === 6 ? 'AUTH_FORBIDDEN' : 'OK',
      requestId: `req-${i}`,
    }),
  );
}

forEachBackend('audit log', (backend) => {
  test('records one entry or a batch, and reads them back newest first', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    await recordAudit(db, buildEntry({ at: minutes(-1), requestId: 'single', supplyPointIds: [spid] }));
    await recordAudit(db, sampleLog());
    const { entries, next } = await searchAudit(db);
    assert.equal(entries.length, 11);
    assert.equal(next, null);
    assert.deepEqual(entries.map((e) => e.requestId).slice(0, 2), ['req-9', 'req-8']);
    const single = entries.at(-1)!;
    assert.deepEqual({ ...single, auditId: 0 }, { auditId: 0, ...buildEntry({ at: minutes(-1), requestId: 'single', supplyPointIds: [spid] }) });
  });

  test('keeps a batch in its order and every field as given, whatever text its values hold', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    // Entries at the same instant: only the order of their IDs tells them apart in a search.
    const odd = ['a "quoted" one', 'back\\slash', 'comma, {brace}', 'NULL', '', 'カナ'];
    const batch = Array.from({ length: 30 }, (_, i) =>
      buildEntry({
        requestId: i === 3 ? null : `order-${i}`,
        userId: i % 2 ? null : `user-${i}`,
        fingerprint256: i === 5 ? null : fpA,
        companyCode: i === 7 ? null : '1003',
        sourceAddress: i === 9 ? null : '203.0.113.7',
        supplyPointIds: i === 1 ? odd : i === 2 ? [spid, spid] : i % 4 === 0 ? [spid] : [],
      }),
    );
    await recordAudit(db, batch);
    await recordAudit(db, []);
    const { entries } = await searchAudit(db);
    assert.deepEqual(
      entries.map(({ auditId: _, ...entry }) => entry),
      [...batch].reverse(),
    );
    const ids = entries.map((e) => e.auditId);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
  });

  test('refuses to update, delete or truncate entries', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    await recordAudit(db, buildEntry());
    await assert.rejects(db.query(`UPDATE hub.audit_log SET result = 'OK'`), /append-only/);
    await assert.rejects(db.query(`DELETE FROM hub.audit_log`), /append-only/);
    await assert.rejects(db.query(`DELETE FROM hub.audit_log WHERE false`), /append-only/);
    await assert.rejects(db.exec(`TRUNCATE hub.audit_log`), /append-only/);
    assert.equal((await searchAudit(db)).entries.length, 1);
  });

  test('filters by participant, user, certificate, supply point, action, result and time', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    await recordAudit(db, sampleLog());
    const ids = async (filter: Parameters<typeof searchAudit>[1]) => (await searchAudit(db, filter)).entries.map((e) => e.requestId);
    assert.deepEqual(await ids({ participant: '2001' }), ['req-9', 'req-7', 'req-5', 'req-3', 'req-1']);
    assert.deepEqual(await ids({ userId: '1003.user' }), ['req-8', 'req-6', 'req-4', 'req-2', 'req-0']);
    assert.deepEqual(await ids({ fingerprint: fpB.toUpperCase() }), ['req-9', 'req-7', 'req-5', 'req-3', 'req-1']);
    assert.deepEqual(await ids({ supplyPointId: spid }), ['req-4']);
    assert.deepEqual(await ids({ action: 'login' }), ['req-9', 'req-6', 'req-3', 'req-0']);
    assert.deepEqual(await ids({ result: 'AUTH_FORBIDDEN' }), ['req-6']);
    assert.deepEqual(await ids({ from: minutes(3), to: minutes(6) }), ['req-5', 'req-4', 'req-3']);
    assert.deepEqual(await ids({ participant: '1003', action: 'login', from: minutes(1) }), ['req-6']);
  });

  test('pages by cursor without skipping or repeating entries that share an instant', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    await recordAudit(
      db,
      Array.from({ length: 7 }, (_, i) => buildEntry({ at: minutes(i < 4 ? 0 : 1), requestId: `same-${i}` })),
    );
    const seen: string[] = [];
    let before: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: Awaited<ReturnType<typeof searchAudit>> = await searchAudit(db, {}, { limit: 3, before });
      seen.push(...page.entries.map((e) => e.requestId!));
      before = page.next;
      if (!before) break;
    }
    assert.deepEqual(seen, ['same-6', 'same-5', 'same-4', 'same-3', 'same-2', 'same-1', 'same-0']);
    await assert.rejects(searchAudit(db, {}, { before: 'garbage' }), { code: 'AUTH_AUDIT_CURSOR_INVALID' });
  });

  test('a batch larger than one statement holds is written whole', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    await recordAudit(
      db,
      Array.from({ length: 2_500 }, (_, i) => buildEntry({ at: minutes(i), requestId: String(i) })),
    );
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.audit_log`);
    assert.equal(rows[0]!.n, 2_500);
  });

  test('every filter is answered from its own index, without reading the log through', async () => {
    await using db = await backend.open();
    await migrateHub(db);
    // 20,000 entries shaped like a busy log: 50 participants, 2,000 users, 300 certificates, 40
    // interfaces, one supply point each, 1% refused; then statistics, as autovacuum would gather.
    await db.exec(`
      INSERT INTO hub.audit_log (at, company_code, user_id, fingerprint256, source_address, channel, action, supply_point_ids, result)
      SELECT timestamptz '2026-01-01T00:00:00Z' + i * interval '10 seconds', 'C' || lpad((i % 50)::text, 3, '0'),
             'u' || (i % 2000), lpad(to_hex(i % 300), 64, '0'), '10.0.0.1', 'api', 'IF_' || (i % 40),
             ARRAY['03' || lpad(i::text, 20, '0')], CASE WHEN i % 100 = 0 THEN 'AUTH_FORBIDDEN' ELSE 'OK' END
        FROM generate_series(1, 20000) AS i;
      ANALYZE hub.audit_log;`);
    const cases: [Parameters<typeof auditSearchSql>[0], string][] = [
      [{}, 'audit_log_at'],
      [{ participant: '3007' }, 'audit_log_company'],
      [{ userId: 'u17' }, 'audit_log_user'],
      [{ fingerprint: '5'.padStart(64, '0') }, 'audit_log_fingerprint'],
      [{ supplyPointId: '0300000000000000000777' }, 'audit_log_supply_points'],
      [{ action: 'IF_3' }, 'audit_log_action'],
      [{ result: 'AUTH_FORBIDDEN' }, 'audit_log_result'],
      [{ from: new Date('2026-01-01T10:00:00Z'), to: new Date('2026-01-01T11:00:00Z') }, 'audit_log_at'],
    ];
    for (const [filter, index] of cases) {
      const { text, values } = auditSearchSql(filter, { limit: 100 });
      const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(plan, new RegExp(`using ${index} on|on ${index}`), `${JSON.stringify(filter)}\n${plan}`);
      assert.doesNotMatch(plan, /Seq Scan/, `${JSON.stringify(filter)}\n${plan}`);
    }
    const page = await searchAudit(db, { supplyPointId: '0300000000000000000777' });
    assert.equal(page.entries.length, 1);
  });
});
