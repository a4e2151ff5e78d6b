/**
 * `npm run bench`: the benchmarks, one after another, against PostgreSQL at
 * KIRIKAE_BENCH_DATABASE_URL (default postgres://root@127.0.0.1:5432/test), each in its own fresh
 * database that is dropped afterwards. KIRIKAE_BENCH_POINTS sets the registry size (default 1,000,000);
 * KIRIKAE_BENCH_ONLY=matching,switchIn runs only the benchmarks named (the keys of `benches`).
 */
import { availableParallelism, cpus } from 'node:os';
import { redact } from '../src/platform/db/postgres.ts';
import { lookupBench } from './lookup.bench.ts';
import { seedBench } from './seed.bench.ts';
import { hubReadBench } from './hub-read.bench.ts';
import { matchingBench } from './matching.bench.ts';
import { switchInBench } from './switch-in.bench.ts';
import { bulkDeliveryBench } from './bulk-delivery.bench.ts';
import { relayCsvBench, relayListBench } from './relay.bench.ts';
import { twoHubsBench } from './two-hubs.bench.ts';
import { benchPoints, benchUrl } from './support.ts';
import { ppsListBench, ppsSlotBench } from './pps.bench.ts';
import { ppsW5DayBench, ppsW5SectionBench } from './pps-w5.bench.ts';

if (!Number.isSafeInteger(benchPoints) || benchPoints < 1) {
  console.error(`KIRIKAE_BENCH_POINTS must be a positive integer, not ${process.env.KIRIKAE_BENCH_POINTS}`);
  process.exit(2);
}
console.log(`bench: ${redact(benchUrl)}, ${benchPoints} points, ${availableParallelism()} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
const benches: Record<string, () => Promise<void>> = {
  seed: seedBench,
  lookup: lookupBench,
  hubRead: hubReadBench,
  matching: matchingBench,
  switchIn: switchInBench,
  bulkDelivery: bulkDeliveryBench,
  relayCsv: relayCsvBench,
  relayList: relayListBench,
  twoHubs: twoHubsBench,
  ppsSlot: ppsSlotBench,
  ppsList: ppsListBench,
  ppsW5Section: ppsW5SectionBench,
  ppsW5Day: ppsW5DayBench,
};
const only = process.env.KIRIKAE_BENCH_ONLY?.split(',').filter(Boolean);
const unknown = only?.filter((name) => !(name in benches)) ?? [];
if (unknown.length > 0) {
  console.error(`KIRIKAE_BENCH_ONLY: no benchmark ${unknown.join(', ')}; there are ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
for (const [name, bench] of Object.entries(benches)) if (!only || only.includes(name)) await bench();
