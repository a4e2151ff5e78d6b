/**
 * `npm test`: the test suite, in tiers, on node's own test runner.
 *
 *   npm test                      every tier: unit, integration, browser, system
 *   npm run test:unit             pure rules and codecs, no database, no network (src/**\/*.test.ts)
 *   npm run test:integration      against a database and the real TLS stack (test/integration/)
 *   npm run test:browser          the web screens in a real Chromium (test/browser/)
 *   npm run test:system           whole processes: the CLI, `kirikae start` (test/system/)
 *   npm test -- FILE|FOLDER …     just those files; `--test-name-pattern=…` and other flags go to node
 *
 * Database tests run on the embedded PGlite, and also on PostgreSQL when `KIRIKAE_TEST_DATABASE_URL`
 * names a server (test/support/backends.ts). How the run is laid out, and why:
 * - the migrated templates are built first, once (test/support/templates.ts);
 * - each backend gets test processes of its own (`KIRIKAE_TEST_BACKENDS`), so the two backends run
 *   side by side; the unit tier runs in one more process;
 * - a test process runs its files one after another in one module graph (`--test-isolation=none`):
 *   imports, the PGlite WebAssembly and the test databases are paid for once per process, not once
 *   per file;
 * - files go to processes by their duration in the previous run (the cache), longest first, so the
 *   processes end together; `KIRIKAE_TEST_CONCURRENCY` sets how many run at once (default: two per
 *   core and one for the unit tier: the tests also wait on other processes, the database server,
 *   Chromium, a `kirikae start`; on 2 cores, three per core measured slower, 7.1–7.7 min against 6.6,
 *   the processes only contending for the CPU).
 * Each process's report is printed whole when it ends. The run ends with a line "N passed, N failed",
 * which CI reads; the exit status is 0 only if nothing failed.
 */
import { spawn } from 'node:child_process';
import { existsSync, globSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { cacheDir, dropRunDatabases, ensurePostgresTemplate, pgliteTemplate, serverUrl } from '../test/support/templates.ts';

type Tier = 'unit' | 'integration' | 'browser' | 'system';
const tiers: Record<Tier, string> = {
  unit: 'src/**/*.test.ts',
  integration: 'test/integration/**/*.test.ts',
  browser: 'test/browser/**/*.test.ts',
  system: 'test/system/**/*.test.ts',
};
const tierNames = Object.keys(tiers) as Tier[];

const root = resolve(import.meta.dirname, '..');
process.chdir(root);

// ── What to run ─────────────────────────────────────────────────────────────────────────────────

const argv = process.argv.slice(2);
const tierArg = argv[0] && (tierNames as string[]).includes(argv[0]) ? (argv.shift() as Tier) : undefined;
const nodeOptions = argv.filter((a) => a.startsWith('-'));
const chosen = argv.filter((a) => !a.startsWith('-'));

function tierOf(file: string): Tier {
  if (file.startsWith('src/')) return 'unit';
  const found = tierNames.find((t) => t !== 'unit' && file.startsWith(`test/${t}/`));
  if (!found) throw new Error(`${file} is in no test tier (src/, test/integration/, test/browser/, test/system/)`);
  return found;
}

function selectedFiles(): string[] {
  if (chosen.length === 0) return globSync(tierArg ? [tiers[tierArg]] : Object.values(tiers)).sort();
  const patterns = chosen.map((p) => {
    const rel = relative(root, resolve(p));
    return rel.endsWith('.ts') ? rel : `${rel.replace(/\/$/, '')}/**/*.test.ts`;
  });
  return globSync(patterns).sort();
}

const files = selectedFiles();
const sources = new Map<string, string>();
/** A test file's text, read once (for planning and for naming its suites' durations). */
const sourceOf = (file: string): string => sources.get(file) ?? sources.set(file, readFileSync(file, 'utf8')).get(file)!;
if (files.length === 0) {
  console.error(`no test files match ${chosen.join(' ') || tierArg}`);
  process.exit(1);
}

// ── How to lay it out ───────────────────────────────────────────────────────────────────────────

const backends = serverUrl ? ['pglite', 'postgres'] : ['pglite'];
const concurrency = Number(process.env.KIRIKAE_TEST_CONCURRENCY) || availableParallelism() * 2 + 1;
const timingsFile = join(cacheDir, 'timings.json');
const timings: Record<string, number> = existsSync(timingsFile) ? JSON.parse(readFileSync(timingsFile, 'utf8')) : {};
/** Durations measured once and kept in the repository: the plan of a first run (a clean clone, CI). */
const knownDurations: Record<string, number> = JSON.parse(readFileSync(join(root, 'test/support/test-durations.json'), 'utf8'));

/**
 * A file's expected duration in ms: last run's on this machine, else the one kept in the repository
 * (test/support/test-durations.json, refreshed now and then from the cache), else a guess from its
 * size (a whole-system test, which starts processes, weighs far more than its size says).
 */
function weight(key: string, file: string): number {
  return timings[key] ?? knownDurations[key] ?? (statSync(file).size / 10) * (tierOf(file) === 'system' ? 20 : 1);
}

interface Job {
  readonly label: string;
  readonly backend: string | undefined;
  readonly files: string[];
  load: number;
}

function plan(): Job[] {
  const jobs: Job[] = [];
  const unit = files.filter((f) => tierOf(f) === 'unit');
  if (unit.length > 0) jobs.push({ label: 'unit', backend: undefined, files: unit, load: 0 });
  const database = files.filter((f) => tierOf(f) !== 'unit');
  if (database.length === 0) return jobs;
  const perBackend = Math.max(1, Math.floor((concurrency - (unit.length > 0 ? 1 : 0)) / backends.length));
  // A file that names no backend (CLI processes, TLS handshakes) gives the same result on either:
  // it runs once, with the first backend's processes.
  const backendFree = new Set(database.filter((f) => !/forEachBackend|postgresBackend|pgliteBackend|\bbackends\b|serverUrl/.test(sourceOf(f))));
  for (const [index, backend] of backends.entries()) {
    const own = database.filter((f) => index === 0 || !backendFree.has(f));
    const count = Math.min(perBackend, own.length);
    const shards: Job[] = Array.from({ length: count }, (_, i) => ({ label: `${backend} ${i + 1}/${count}`, backend, files: [], load: 0 }));
    const sorted = [...own].sort((a, b) => weight(`${backend}:${b}`, b) - weight(`${backend}:${a}`, a));
    for (const file of sorted) {
      const lightest = shards.reduce((min, job) => (job.load < min.load ? job : min));
      lightest.files.push(file);
      lightest.load += weight(`${backend}:${file}`, file);
    }
    jobs.push(...shards.filter((j) => j.files.length > 0));
  }
  return jobs;
}

// ── Running ─────────────────────────────────────────────────────────────────────────────────────

interface Report {
  passed: number;
  failed: number;
  failures: string[];
  files: Record<string, number>;
}

const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const reportDir = join(tmpdir(), `kirikae-test-${runId}`);
mkdirSync(reportDir, { recursive: true });

function run(job: Job, index: number): Promise<{ job: Job; report: Report; output: string; seconds: number }> {
  const reportFile = join(reportDir, `${index}.json`);
  const args = [
    '--test',
    '--test-isolation=none',
    '--test-timeout=300000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./test/support/run-reporter.ts',
    `--test-reporter-destination=${reportFile}`,
    ...nodeOptions,
    ...job.files,
  ];
  // The compile cache (on disk, shared by the run's processes and the `kirikae` processes tests start)
  // halves the start-up of each process after the first.
  const env = {
    ...process.env,
    NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(cacheDir, 'node-compile-cache'),
    KIRIKAE_TEST_RUN: runId,
    ...(job.backend ? { KIRIKAE_TEST_BACKENDS: job.backend } : {}),
  };
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('close', (code, signal) => {
      const output = Buffer.concat(chunks).toString('utf8');
      let report: Report = { passed: 0, failed: 0, failures: [], files: {} };
      try {
        report = JSON.parse(readFileSync(reportFile, 'utf8').trim());
      } catch {
        // no report: the process died before its reporter finished; counted as a failure below
      }
      if (code !== 0 && report.failed === 0) {
        report.failed = 1;
        report.failures.push(`test process "${job.label}" exited with ${signal ?? `status ${code}`} without a failed test to show for it`);
      }
      resolvePromise({ job, report, output, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** The titles of the suites forEachBackend declares in `files`, and the file of each. */
function titlesOf(files: readonly string[]): Map<string, string> {
  const titles = new Map<string, string>();
  for (const file of files) {
    for (const m of sourceOf(file).matchAll(/forEachBackend\(\s*(['"`])(.*?)\1/g)) titles.set(m[2]!, file);
  }
  return titles;
}

async function main(): Promise<number> {
  const started = performance.now();
  const jobs = plan();
  if (jobs.some((j) => j.backend === 'pglite')) await pgliteTemplate('migrated');
  if (jobs.some((j) => j.backend === 'postgres')) await ensurePostgresTemplate();
  console.log(`${files.length} test files in ${jobs.length} processes (${jobs.map((j) => `${j.label}: ${j.files.length}`).join(', ')})`);

  const results: Awaited<ReturnType<typeof run>>[] = [];
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
    while (next < jobs.length) {
      const index = next++;
      const result = await run(jobs[index]!, index);
      console.log(`\n━━ ${result.job.label} (${result.job.files.length} files, ${result.seconds.toFixed(0)} s) ━━`);
      process.stdout.write(result.output);
      results.push(result);
    }
  });
  await Promise.all(lanes);

  for (const { job, report } of results) {
    const byTitle = titlesOf(job.files);
    const measured: Record<string, number> = {};
    for (const [key, ms] of Object.entries(report.files)) {
      const file = key.startsWith('title:') ? byTitle.get(key.slice(6)) : relative(root, key.startsWith('file:') ? new URL(key).pathname : key);
      if (file) measured[file] = (measured[file] ?? 0) + ms;
    }
    for (const [file, ms] of Object.entries(measured)) timings[job.backend ? `${job.backend}:${file}` : file] = Math.round(ms);
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(timingsFile, JSON.stringify(timings, null, 1));
  await dropRunDatabases(runId).catch(() => 0);
  rmSync(reportDir, { recursive: true, force: true });

  const passed = results.reduce((n, r) => n + r.report.passed, 0);
  const failed = results.reduce((n, r) => n + r.report.failed, 0);
  const failures = results.flatMap((r) => r.report.failures.map((f) => `  ✖ [${r.job.label}] ${f}`));
  console.log(`\n${results.map((r) => `${r.job.label} ${r.seconds.toFixed(0)} s`).join(' · ')} · total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (failures.length > 0) console.log(`failed:\n${failures.join('\n')}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
