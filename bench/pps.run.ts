/** `node bench/pps.run.ts`: only the data provision site's benchmarks (bench/pps.bench.ts). */
import { ppsListBench, ppsSlotBench } from './pps.bench.ts';

await ppsSlotBench();
await ppsListBench();
