/**
 * Matching lanes (issue 18, sixth round): one batch of 10,000 pairs in one transaction against two
 * lanes of 5,000 in two concurrent transactions, on a kept database of the matching bench's 100,000
 * pairs (kirikae_m6_lanes_probe, created once), each rolled back; wall time and each backend's CPU
 * from /proc. It showed the lane's first plan reading every waiting switch-in of its lane and
 * sorting them (the filter's selectivity guessed at 0.5 %); usage:
 *   node bench/lanes-probe.ts [both|one|two] [rounds]
 */
import { readFileSync } from 'node:fs';
import { ManualClock } from '../src/platform/clock.ts';
import { ident } from '../src/platform/db/db.ts';
import { gridSchema } from '../src/grid/schema.ts';
import { resolveGridOptions, type GridContext } from '../src/grid/context.ts';
import { matchPairs } from '../src/grid/applications/matching.ts';
import { keptPairsDatabase } from './matching.bench.ts';

const pairs = 100_000;
const dbName = 'kirikae_m6_lanes_probe';
const schema = gridSchema('03');
const s = ident(schema);
const { db } = await keptPairsDatabase(dbName, pairs);
const ctx: GridContext = { area: '03', schema, db, clock: new ManualClock('2026-11-30T10:00:00+09:00'), options: resolveGridOptions() };
const cpu = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
class Rollback extends Error {}
async function batch(limit: number, lane?: { index: number; count: number }) {
  let out = { ms: 0, cpu: 0 };
  await db
    .transaction(async (tx) => {
      const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const c0 = cpu(pid);
      const t0 = performance.now();
      await matchPairs(tx, ctx, { limit, cause: 'matching', ...(lane ? { lane } : {}) });
      out = { ms: performance.now() - t0, cpu: cpu(pid) - c0 };
      throw new Rollback();
    })
    .catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
  return out;
}
const mode = process.argv[2] ?? 'both';
for (let r = 0; r < Number(process.argv[3] ?? 3); r++) {
  await db.exec(`VACUUM ${s}.application, ${s}.application_transition, ${s}.application_event`);
  if (mode !== 'two') {
    const one = await batch(10_000);
    console.log(`one lane, 10,000: ${one.ms.toFixed(0)} ms wall, ${one.cpu} ms CPU`);
  }
  await db.exec(`VACUUM ${s}.application, ${s}.application_transition, ${s}.application_event`);
  if (mode !== 'one') {
    const t0 = performance.now();
    const two = await Promise.all([batch(5_000, { index: 0, count: 2 }), batch(5_000, { index: 1, count: 2 })]);
    console.log(
      `two lanes, 5,000 each: ${(performance.now() - t0).toFixed(0)} ms wall (${two.map((t) => t.ms.toFixed(0)).join(', ')}), ${two.map((t) => t.cpu).join(' + ')} ms CPU`,
    );
  }
}
await db.close();
