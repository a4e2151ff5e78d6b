/**
 * Matching: 100,000 pending switch-in/switch-out pairs (KIRIKAE_BENCH_PAIRS) of one area, loaded
 * with COPY straight into the grid's application table, then matched by the grid's own batch
 * (`runMatching`, 10,000 pairs a call, called until a call comes back short (not full): what the 20-minute job
 * does), against one plain SQL join that pairs the same rows (the pairing SELECT … JOIN alone, every
 * pair fetched, nothing written), measured in the same run before the matching. The ratio is the
 * join's time over the matching's: the share of a bare join's speed the real matching keeps while
 * claiming, re-checking, fixing the effective date and recording history and events for each pair.
 * Target (issue 18): 100,000 pairs in ≤ 2× the join, 1,000,000 pairs (KIRIKAE_BENCH_PAIRS) < 30 s.
 */
import { ManualClock } from '../src/platform/clock.ts';
import { copyText, ident, type Db } from '../src/platform/db/db.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { allGridMigrations, gridSchema } from '../src/grid/schema.ts';
import { seedRegistry } from '../src/grid/seed/seed.ts';
import { runMatching } from '../src/grid/applications/jobs.ts';
import { defaultMatchingLimit } from '../src/jobs/due-work.ts';
import { perRequest, sampleCpu } from './cpu-meter.ts';
import type { PostgresDb } from '../src/platform/db/postgres.ts';
import { keptBenchDatabase, seconds, perSecond, withBenchDatabase } from './support.ts';

const pairs = Number(process.env.KIRIKAE_BENCH_PAIRS ?? 100_000);
const area = '03';
const limit = Number(process.env.KIRIKAE_BENCH_MATCHING_LIMIT ?? defaultMatchingLimit);
/** A retailer that is no point's current one: the new retailer of every switch-in. */
const newRetailer = '99993';
const now = '2026-11-30T10:00:00+09:00';

const columns = [
  'application_number',
  'participant_code',
  'request_id',
  'interface_id',
  'kind',
  'application_kind',
  'supply_point_id',
  'stage',
  'stage_at',
  'body',
  'accepted_at',
  'updated_at',
  'update_seq',
] as const;

/** The registry the bench seeds for `count` pairs: Tokyo holds about a third of the points; this many leave enough contracted ones. */
export function registryPointsFor(count: number): number {
  return Math.max(20_000, count * 4);
}

/**
 * A kept database of the bench's `count` pending pairs for the probes (matching-explain.ts,
 * matching-lanes-probe.ts): created, migrated, seeded and loaded the first time, opened as it is
 * after; `loaded` says whether this call loaded it.
 */
export async function keptPairsDatabase(name: string, count: number): Promise<{ db: PostgresDb; loaded: boolean }> {
  const { db, created } = await keptBenchDatabase(name);
  if (created) {
    await migrate(db, allGridMigrations);
    await seedRegistry(db, { points: registryPointsFor(count), seed: 1 });
    await loadPendingPairs(db, count);
  }
  return { db, loaded: created };
}

/**
 * The bench's rows, into a migrated database seeded with `registryPointsFor(count)` points:
 * `count` pending switch-in/switch-out pairs of area 03 (both at 03, the switch-in by `newRetailer`,
 * the switch-out by the point's retailer), loaded by COPY and analysed. Returns the ms of the COPY and
 * the ANALYZE.
 */
export async function loadPendingPairs(db: Db, count: number): Promise<number> {
  const s = ident(gridSchema(area));
  const { rows: points } = await db.query<{ id: string; retailer: string }>(
    `SELECT supply_point_id AS id, retailer_code AS retailer FROM ${s}.supply_point
     WHERE status = 'contracted' AND retailer_code <> $1 ORDER BY supply_point_id LIMIT $2`,
    [newRetailer, count],
  );
  if (points.length < count) throw new Error(`only ${points.length} contracted points in area ${area}; raise the registry size`);

  const accepted = new Date(now).toISOString();
  let seq = 0;
  function* lines(): Generator<string> {
    let chunk = '';
    for (const [i, p] of points.entries()) {
      const serial = String(i + 1).padStart(6, '0');
      for (const [kind, code, participant, prefix] of [
        ['switchIn', '03', newRetailer, 'APSI'],
        ['switchOut', '04', p.retailer, 'APSO'],
      ] as const) {
        const number = `${prefix}${area}-20261130${serial}`;
        const row = [
          number,
          participant,
          number,
          kind === 'switchIn' ? 'IF_10610' : 'IF_10710',
          kind,
          code,
          p.id,
          '03',
          accepted,
          '{}',
          accepted,
          accepted,
          ++seq,
        ];
        chunk += `${row.map(copyText).join('\t')}\n`;
      }
      if (chunk.length > 1 << 20) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  const started = performance.now();
  await db.copyFrom(`${s}.application`, columns, lines());
  await db.query(`SELECT setval('${gridSchema(area)}.application_update_seq', $1)`, [seq]);
  await db.exec(`ANALYZE ${s}.application; ANALYZE ${s}.supply_point`);
  return performance.now() - started;
}

export async function matchingBench(): Promise<void> {
  await withBenchDatabase(async (db) => {
    await migrate(db, allGridMigrations);
    await seedRegistry(db, { points: registryPointsFor(pairs), seed: 1 });
    const s = ident(gridSchema(area));
    const loadMs = await loadPendingPairs(db, pairs);

    // The baseline: the pairing join alone, every pair fetched.
    const joinStarted = performance.now();
    const { rowCount: joined } = await db.query(
      `SELECT i.application_number, o.application_number
         FROM ${s}.application i
         JOIN ${s}.application o ON o.supply_point_id = i.supply_point_id AND o.kind = 'switchOut' AND o.stage = '03'
         JOIN ${s}.supply_point sp ON sp.supply_point_id = i.supply_point_id
        WHERE i.kind = 'switchIn' AND i.stage = '03' AND o.participant_code = sp.retailer_code AND i.participant_code <> sp.retailer_code`,
    );
    const joinMs = performance.now() - joinStarted;
    if (joined !== pairs) throw new Error(`the join found ${joined} pairs, not ${pairs}`);

    const clock = new ManualClock(now);
    // The grid's option, as production sets it (KIRIKAE_GRID_MATCHING_LANES); unset: the grid's default.
    const lanes = process.env.KIRIKAE_BENCH_MATCHING_LANES;
    const target = { db, clock, area, ...(lanes ? { options: { matchingLanes: Number(lanes) } } : {}) } as const;
    const walAt = async () => {
      const { rows: w } = await db.query<{ lsn: string; checkpoints: number }>(
        `SELECT pg_current_wal_lsn()::text AS lsn, (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter)::int AS checkpoints`,
      );
      return w[0]!;
    };
    const walBefore = await walAt();
    const cpuBefore = await sampleCpu(db, () => 0);
    const batchMs: number[] = [];
    const started = performance.now();
    let matched = 0;
    let calls = 0;
    for (;;) {
      const batchStarted = performance.now();
      const result = await runMatching(target, { limit });
      batchMs.push(performance.now() - batchStarted);
      matched += result.matched;
      calls++;
      if (!result.full) break;
    }
    const matchMs = performance.now() - started;
    const cpu = perRequest(cpuBefore, await sampleCpu(db, () => 0), pairs);
    const walAfter = await walAt();
    const { rows: walRows } = await db.query<{ mb: number }>(`SELECT (pg_wal_lsn_diff($1, $2) / 1048576)::int AS mb`, [walAfter.lsn, walBefore.lsn]);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.application WHERE stage = '05'`);
    if (matched !== pairs || rows[0]!.n !== 2 * pairs) throw new Error(`matched ${matched} pairs (${rows[0]!.n} applications at 05), not ${pairs}`);
    console.log(
      `matching: ${pairs} pending pairs (loaded by COPY in ${seconds(loadMs)} s) matched in ${seconds(matchMs)} s = ${perSecond(pairs, matchMs)} pairs/s ` +
        `(${calls} batches of ≤ ${limit}); the plain pairing join of the same rows: ${(joinMs / 1000).toFixed(2)} s; ratio ${(joinMs / matchMs).toFixed(3)} ` +
        `(matching takes ${(matchMs / joinMs).toFixed(0)}× the join)`,
    );
    // Does a batch cost more the more are matched (the table and its indexes outgrowing the shared buffers, checkpoints)?
    const tenth = Math.max(1, Math.floor(batchMs.length / 10));
    const spans = [];
    for (let i = 0; i < batchMs.length; i += tenth) {
      const span = batchMs.slice(i, i + tenth);
      spans.push((span.reduce((a, b) => a + b, 0) / span.length / 1000).toFixed(2));
    }
    console.log(
      `matching: mean seconds a batch, by tenth of the run: ${spans.join(' ')}; WAL written ${walRows[0]!.mb} MB, ` +
        `${walAfter.checkpoints - walBefore.checkpoints} checkpoints during the matching; CPU a pair: database ${cpu.postgres ?? '?'} µs, ` +
        `node ${cpu.process} µs (lanes: ${lanes ?? "the grid's default"})`,
    );
  });
}

if (import.meta.main) await matchingBench();
