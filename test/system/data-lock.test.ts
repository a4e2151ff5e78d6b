/**
 * The lock of an embedded data directory (platform/db/data-lock.ts), between real processes: a
 * second opener is refused with a stable code naming the holder, a command never opens a folder
 * another command holds, and a holder killed with SIGKILL leaves no stale lock behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isRefusal } from '../../src/domain/refusal.ts';
import { holderPathOf, lockDataDir, readHolder } from '../../src/platform/db/data-lock.ts';

const lockModule = resolve('src/platform/db/data-lock.ts');

/** Another process holding the lock of `dir` as `command`, until it is killed. */
async function holdInAnotherProcess(dir: string, command: string): Promise<ChildProcess> {
  const code = `const { lockDataDir } = await import(${JSON.stringify(lockModule)});
lockDataDir(${JSON.stringify(dir)}, ${JSON.stringify(command)});
process.stdout.write('held\\n');
setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (status) => reject(new Error(`the holder exited ${status}`)));
  });
  return child;
}

function refusalOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isRefusal(error)) return error;
    throw error;
  }
  assert.fail('not refused');
}

const home = () => mkdtempSync(join(tmpdir(), 'kirikae-lock-'));

test('a second process is refused while the first holds the directory, and takes it over once the first is killed with SIGKILL', async () => {
  const dir = join(home(), 'pglite');
  const holder = await holdInAnotherProcess(dir, 'kirikae seed');
  try {
    const refused = refusalOf(() => lockDataDir(dir, 'kirikae start'));
    assert.equal(refused.code, 'DB_DATA_DIR_LOCKED');
    assert.equal(
      refused.text,
      `データディレクトリ ${dir} は別のプロセス（kirikae seed, PID ${holder.pid}）が使用中です。組み込みデータベースを開けるのは一度に1つのプロセスだけです。`,
    );
    assert.equal(statSync(holderPathOf(dir)).mode & 0o777, 0o600, 'the holder file is the owner’s alone');
  } finally {
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
  }
  assert.equal(readHolder(dir)?.pid, holder.pid, 'the killed holder left its file behind');
  const lock = lockDataDir(dir, 'kirikae start');
  try {
    assert.deepEqual({ ...readHolder(dir), since: undefined }, { pid: process.pid, command: 'kirikae start', since: undefined });
  } finally {
    lock.release();
  }
  assert.equal(existsSync(holderPathOf(dir)), false);
});

test('a second opener in the same process is refused too; a released directory opens again', () => {
  const dir = join(home(), 'pglite');
  const first = lockDataDir(dir, 'kirikae start');
  assert.equal(refusalOf(() => lockDataDir(dir, 'kirikae start')).code, 'DB_DATA_DIR_LOCKED');
  first.release();
  first.release();
  lockDataDir(dir, 'kirikae db migrate').release();
});

test('a command never opens a directory another command holds: it is refused with the code and the holder', async () => {
  const kirikaeHome = home();
  const holder = await holdInAnotherProcess(join(kirikaeHome, 'pglite'), 'kirikae seed');
  try {
    const ran = await new Promise<{ status: number | null; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['src/cli/main.ts', 'pki', 'suspend', 'ab'.repeat(32), '--reason', '紛失'], {
        env: { ...process.env, KIRIKAE_HOME: kirikaeHome, DATABASE_URL: '', KIRIKAE_QUIET: '1' },
      });
      let err = '';
      child.stderr.on('data', (c) => (err += c));
      child.on('close', (status) => resolve({ status, err }));
    });
    assert.equal(ran.status, 2, ran.err);
    assert.match(ran.err, new RegExp(`^エラー DB_DATA_DIR_LOCKED: データディレクトリ .*は別のプロセス（kirikae seed, PID ${holder.pid}）が使用中です。`, 'm'));
    assert.equal(existsSync(join(kirikaeHome, 'pglite', 'PG_VERSION')), false, 'nothing was created in the folder');
  } finally {
    holder.kill('SIGKILL');
  }
});
