import { parseArgs } from 'node:util';
import { openMigrated } from '../../app.ts';
import { areas } from '../../domain/area.ts';
import { Refusal } from '../../domain/refusal.ts';
import { seedRegistry } from '../../grid/seed/seed.ts';
import { loadConfig } from '../../platform/config.ts';
import { joinNegativeValues } from '../args.ts';
import type { Command } from '../command.ts';

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
    const { db } = await openMigrated(loadConfig());
    try {
      const started = performance.now();
      let lastPrint = 0;
      const result = await seedRegistry(db, {
        points,
        seed: seedValue,
        replace: values.replace,
        onProgress: ({ loaded, total }) => {
          const now = performance.now();
          if (now - lastPrint > 2000 && process.stderr.isTTY) {
            process.stderr.write(`\r${loaded.toLocaleString()} / ${total.toLocaleString()}`);
            lastPrint = now;
          }
        },
      });
      const seconds = (performance.now() - started) / 1000;
      if (process.stderr.isTTY) process.stderr.write('\r');
      console.log(`seeded ${result.points.toLocaleString()} supply points in ${seconds.toFixed(1)} s (${Math.round(result.points / Math.max(seconds, 0.001)).toLocaleString()} points/s) into ${db.target}`);
      for (const area of areas) console.log(`  ${area.code} ${area.name}: ${result.byArea[area.code].toLocaleString()}`);
    } finally {
      await db.close();
    }
  },
};

function integer(text: string | undefined, code: 'SEED_POINTS_INVALID' | 'SEED_SEED_INVALID', field: string): number {
  const value = Number(String(text).normalize('NFKC').replace(/[,_]/g, ''));
  if (!/^\s*\d[\d,_]*\s*$/.test(String(text).normalize('NFKC')) || !Number.isSafeInteger(value)) throw new Refusal(code, { field });
  return value;
}
