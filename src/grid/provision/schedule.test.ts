import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GridContext } from '../context.ts';
import { nextRevision } from './schedule.ts';

const ctx = { area: '03' } as GridContext;

test('a file set takes revision 0 first, then the one after its latest, up to 99', () => {
  assert.equal(nextRevision(ctx, undefined, 'W41110202612030000', '10033'), 0);
  assert.equal(nextRevision(ctx, { revision: 0 }, 'W41110202612030000', '10033'), 1);
  assert.equal(nextRevision(ctx, { revision: 98 }, 'W41110202612030000', '10033'), 99);
});

test('past revision 99 there is none: PPS_REVISION_EXHAUSTED is logged as an error with the catalogue’s Japanese text, the file and the receiver', () => {
  // In a process of its own: the line goes to that process's standard error, as in production.
  const schedule = fileURLToPath(new URL('./schedule.ts', import.meta.url));
  const script = `const { nextRevision } = await import(${JSON.stringify(schedule)});
    process.stdout.write(String(nextRevision({ area: '03' }, { revision: 99 }, 'W41110202612030000', '10033')));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, KIRIKAE_QUIET: '' }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, 'undefined', 'no revision');
  const stderr = run.stderr;
  const lines = stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: string; scope: string; msg: string });
  const line = lines.find((l) => l.msg.includes('PPS_REVISION_EXHAUSTED'));
  assert.ok(line, `a PPS_REVISION_EXHAUSTED line in: ${stderr}`);
  assert.equal(line.level, 'error');
  assert.equal(line.scope, 'pps');
  assert.match(
    line.msg,
    /area 03: PPS_REVISION_EXHAUSTED W41110202612030000 for 10033: W41110202612030000 の更新番号は99が上限のため、これ以上再作成できません。/,
  );
});
