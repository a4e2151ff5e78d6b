/**
 * The child side of second-process.ts: `node second-process.main.ts TASK JSON-ARGS`. Each task
 * opens its own connections to the PostgreSQL database named by `url`.
 */
import { once } from 'node:events';
import type { AreaCode } from '../../src/domain/area.ts';
import { executeDue, runMatching } from '../../src/grid/applications/jobs.ts';
import { scheduleDueWork } from '../../src/jobs/due-work.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { openPostgres } from '../../src/platform/db/postgres.ts';
import { Jobs } from '../../src/platform/jobs.ts';
import { countingDueWork } from './counting-due-work.ts';

interface GridArgs {
  readonly url: string;
  readonly area: AreaCode;
  readonly limit: number;
  /** The instant the grid's clock shows. */
  readonly now: string;
}

/** `ready()` prints the line the parent waits for; `stopped` resolves when the parent closes stdin. */
interface Life {
  readonly ready: () => void;
  readonly stopped: Promise<unknown>;
}

const tasks: Record<string, (args: never, life: Life) => Promise<unknown>> = {
  /** Runs the matching batch until nothing is left; the number of pairs this process matched. */
  async drainMatching(args: GridArgs, { ready }) {
    ready();
    const db = await openPostgres(args.url);
    try {
      const grid = { db, clock: new ManualClock(args.now), area: args.area };
      let matched = 0;
      for (;;) {
        const result = await runMatching(grid, { limit: args.limit });
        matched += result.matched;
        if (result.matched === 0) return { matched };
      }
    } finally {
      await db.close();
    }
  },

  /** One execution batch of due applications. */
  async executeDue(args: GridArgs, { ready }) {
    ready();
    const db = await openPostgres(args.url);
    try {
      return await executeDue({ db, clock: new ManualClock(args.now), area: args.area }, { limit: args.limit });
    } finally {
      await db.close();
    }
  },

  /** A job queue running the due work of `areas` (counting calls) until stdin closes; the counts. */
  async dueWorkQueue(args: { url: string; areas: string[] }, { ready, stopped }) {
    const db = await openPostgres(args.url);
    const calls = new Map<string, number>();
    const jobs = await Jobs.start(db, { pollingIntervalSeconds: 0.5 });
    try {
      await scheduleDueWork(
        jobs,
        countingDueWork(
          args.areas.map((area) => ({ area })),
          { matching: 0, due: 0 },
          calls,
        ),
      );
      ready();
      await stopped;
    } finally {
      await jobs.stop();
      await db.close();
    }
    return Object.fromEntries(calls);
  },
};

const [name, json] = process.argv.slice(2);
const task = name ? tasks[name] : undefined;
if (!task) throw new Error(`unknown task ${name}`);
process.stdin.resume();
const stopped = once(process.stdin, 'end');
const result = await task(JSON.parse(json ?? '{}') as never, { ready: () => process.stdout.write('ready\n'), stopped });
await stopped; // a task that is done before the parent asks keeps its result until then
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
