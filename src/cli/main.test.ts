import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const main = resolve(import.meta.dirname, 'main.ts');

/** The modules of ours that `kirikae ARGS` loads, recorded by a module hook in a child process. */
function modulesLoadedBy(args: string[]): { status: number | null; modules: string[] } {
  const hook = `
    import { registerHooks } from 'node:module';
    registerHooks({ load(url, context, next) { if (url.includes('/src/')) process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); } });
  `;
  const child = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, main, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KIRIKAE_LOG_LEVEL: 'warn' },
  });
  const modules = child.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => l.slice(l.indexOf('/src/') + 1));
  return { status: child.status, modules };
}

test('a command loads its own module only: the help of `clock show` loads neither the database, the servers nor other commands', () => {
  const { status, modules } = modulesLoadedBy(['clock', 'show', '--help']);
  assert.equal(status, 0);
  assert.ok(modules.includes('src/cli/commands/clock.ts'), 'the command itself');
  for (const heavy of [
    'src/cli/commands/start.ts',
    'src/cli/commands/pki.ts',
    'src/cli/direct-session.ts',
    'src/platform/db/pglite.ts',
    'src/platform/db/postgres.ts',
    'src/app.ts',
  ])
    assert.ok(!modules.includes(heavy), `${heavy} not loaded`);
});

test('the main help still lists every command, each module loaded for it', () => {
  const { status, modules } = modulesLoadedBy(['--help']);
  assert.equal(status, 0);
  for (const command of ['start.ts', 'pki.ts', 'clock.ts', 'pps.ts', 'grid-serve.ts', 'config.ts'])
    assert.ok(modules.includes(`src/cli/commands/${command}`), command);
});

test('an unknown command is refused with the whole help, and a group names its own commands', () => {
  const unknown = spawnSync(process.execPath, [main, 'no-such-command'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "no-such-command"/);
  assert.match(unknown.stderr, /clock advance/);
  const group = spawnSync(process.execPath, [main, 'grid', '--help'], { encoding: 'utf8' });
  assert.equal(group.status, 0);
  assert.match(group.stdout, /grid serve/);
  assert.match(group.stdout, /grid pps list/);
  assert.doesNotMatch(group.stdout, /clock show/);
});
