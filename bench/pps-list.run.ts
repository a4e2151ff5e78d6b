/** `node bench/pps-list.run.ts`: only the site's list benchmark (bench/pps.bench.ts). */
import { ppsListBench } from './pps.bench.ts';

await ppsListBench();
