/**
 * `npm test`: every `*.test.ts` under src/ and test/, on node's own test runner.
 *
 * Tests that touch the database run on the embedded PGlite always, and also on PostgreSQL when
 * `KIRIKAE_TEST_DATABASE_URL` names a server (see test/support/backends.ts). The run ends with a
 * line "N passed, N failed" that CI reads. Extra arguments are passed to `node --test`
 * (e.g. `npm test -- --test-name-pattern=calendar`); other arguments choose files or folders
 * (e.g. `npm test -- src/domain test/cli.test.ts`).
 */
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const extra = process.argv.slice(2);
// `npm test -- path/to/x.test.ts src/hub` runs just those files (or the tests under those folders).
const chosen = extra.filter((a) => !a.startsWith('-'));
const options = extra.filter((a) => a.startsWith('-'));
const patterns = chosen.length > 0 ? chosen.map((p) => (p.endsWith('.ts') ? p : `${p.replace(/\/$/, '')}/**/*.test.ts`)) : ['src/**/*.test.ts', 'test/**/*.test.ts'];
const files = globSync(patterns).sort();
const args = [
  '--test',
  '--test-concurrency=2',
  '--test-timeout=300000',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=./test/support/summary-reporter.ts',
  '--test-reporter-destination=stdout',
  ...options,
  ...files,
];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
