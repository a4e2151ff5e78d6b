/**
 * `kirikae seed`: the synthetic registry. With a system running on the embedded database, the
 * running system loads it (cli/operator-session.ts); its progress is reported here all the same.
 */
import { parseArgs } from 'node:util';
import { Refusal } from '../../domain/refusal.ts';
import { loadConfig } from '../../platform/config.ts';
import { joinNegativeValues } from '../args.ts';
import type { Command } from '../command.ts';
import { withOperatorSession } from '../operator-session.ts';

export const seed: Command = {
  name: 'seed',
  summary: '合成の供給地点データを投入する / fill the grid registries with synthetic supply points',
  usage: `kirikae seed --points N [--seed S] [--replace]

Fills the registries of all ten areas with N synthetic supply points (customers, meters, facility
info), spread over the areas by their real share of low-voltage points. The same N and S give the
same data. A registry that already has points is refused unless --replace is given; the load is one
transaction either way.

  --points N   number of supply points (integer ≥ 0), required
  --seed S     seed of the generator (integer ≥ 0), default 1
  --replace    replace a registry that already has points

Example: kirikae seed --points 1000000 --seed 42`,
  async run(args) {
    const { values } = parseArgs({
      args: joinNegativeValues(args),
      options: { points: { type: 'string' }, seed: { type: 'string', default: '1' }, replace: { type: 'boolean', default: false } },
    });
    if (values.points === undefined) throw new Refusal('SEED_POINTS_INVALID', { field: 'points' });
    const points = integer(values.points, 'SEED_POINTS_INVALID', 'points');
    const seedValue = integer(values.seed, 'SEED_SEED_INVALID', 'seed');
    await withOperatorSession(loadConfig(), 'seed', async (session) => {
      const result = await session.call('seed', { points, seed: seedValue, replace: values.replace }, (report) => {
        const { loaded, total } = report as { loaded: number; total: number };
        if (process.stderr.isTTY) process.stderr.write(`\r${loaded.toLocaleString()} / ${total.toLocaleString()}`);
      });
      if (process.stderr.isTTY) process.stderr.write('\r');
      console.log(
        `seeded ${result.points.toLocaleString()} supply points in ${result.seconds.toFixed(1)} s (${Math.round(result.points / Math.max(result.seconds, 0.001)).toLocaleString()} points/s) into ${result.target}`,
      );
      for (const area of result.byArea) console.log(`  ${area.code} ${area.name}: ${area.points.toLocaleString()}`);
    });
  },
};

function integer(text: string | undefined, code: 'SEED_POINTS_INVALID' | 'SEED_SEED_INVALID', field: string): number {
  const value = Number(String(text).normalize('NFKC').replace(/[,_]/g, ''));
  if (!/^\s*\d[\d,_]*\s*$/.test(String(text).normalize('NFKC')) || !Number.isSafeInteger(value)) throw new Refusal(code, { field });
  return value;
}
