/** `node bench/pps-slot.run.ts`: only the same-day slot file benchmark (bench/pps.bench.ts). */
import { ppsSlotBench } from './pps.bench.ts';
await ppsSlotBench();
